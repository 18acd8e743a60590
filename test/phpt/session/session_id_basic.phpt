--TEST--
Test session_id() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_id_basic.phpt
--FILE--
import { echo, ini_set, ob_end_flush, ob_start, session_destroy, session_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_id() : basic functionality ***\n");

  var_dump(session_id());
  var_dump(session_id("test"));
  var_dump(session_id());
  var_dump(session_id("1234567890"));
  var_dump(session_id());
  // Turn off strice mode, since it does not allow uninitialized session ID
  ini_set('session.use_strict_mode',false);
  var_dump(await session_start());
  var_dump(session_id());
  var_dump(await session_destroy());
  var_dump(session_id());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_id() : basic functionality ***
string(0) ""
string(0) ""
string(4) "test"
string(4) "test"
string(10) "1234567890"
bool(true)
string(10) "1234567890"
bool(true)
string(0) ""
Done
