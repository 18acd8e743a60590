--TEST--
Test session_regenerate_id() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_regenerate_id_variation1.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_id, session_regenerate_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_regenerate_id() : variation ***\n");

  var_dump(session_id());
  var_dump(await session_regenerate_id(true));
  var_dump(session_id());
  var_dump(await session_start());
  var_dump(await session_regenerate_id(true));
  var_dump(session_id());
  var_dump(await session_destroy());
  var_dump(await session_regenerate_id(true));
  var_dump(session_id());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_regenerate_id() : variation ***
string(0) ""

Warning: session_regenerate_id(): Session ID cannot be regenerated when there is no active session in %s on line %d
bool(false)
string(0) ""
bool(true)
bool(true)
string(%d) "%s"
bool(true)

Warning: session_regenerate_id(): Session ID cannot be regenerated when there is no active session in %s on line %d
bool(false)
string(0) ""
Done
