--TEST--
Test session_start() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_start_variation8.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_start() : variation ***\n");

  var_dump(session_id());
  var_dump(await session_start());
  var_dump(session_id());
  var_dump(await session_destroy());
  var_dump(session_id());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_start() : variation ***
string(0) ""
bool(true)
string(%d) "%s"
bool(true)
string(0) ""
Done
