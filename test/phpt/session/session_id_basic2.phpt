--TEST--
Test session_id() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_id_basic2.phpt
--FILE--
import { echo, ini_set, ob_start, session_commit, session_id, session_regenerate_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_id() : basic functionality ***\n");

  ini_set('session.sid_bits_per_chracter', 6);
  ini_set('session.sid_length', 120);
  await session_start();
  var_dump(session_id());
  await session_commit();

  ini_set('session.sid_bits_per_chracter', 4);
  ini_set('session.sid_length', 22);
  await session_start();
  await session_regenerate_id();
  var_dump(session_id());
  await session_commit();

  echo("Done");
}
--EXPECTF--
*** Testing session_id() : basic functionality ***
string(120) "%s"
string(22) "%s"
Done
