--TEST--
Test session_create_id() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_create_id_basic.phpt
--INI--
session.save_handler=files
session.sid_length=32
--FILE--
import { echo, ini_set, ob_end_flush, ob_start, session_create_id, session_destroy, session_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_create_id() : basic functionality ***\n");

  // No session
  var_dump(session_create_id());
  var_dump(session_create_id('ABCD'));

  ini_set('session.use_strict_mode', true);
  let sid_ = session_create_id('XYZ');
  var_dump(sid_);
  var_dump(session_id(sid_));
  await session_start();
  var_dump(session_id());
  var_dump(session_id() === sid_);
  await session_destroy();

  ini_set('session.use_strict_mode', false);
  sid_ = session_create_id('XYZ');
  var_dump(sid_);
  var_dump(session_id(sid_));
  await session_start();
  var_dump(session_id());
  var_dump(session_id() === sid_);
  await session_destroy();

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_create_id() : basic functionality ***
string(32) "%s"
string(36) "ABCD%s"
string(35) "XYZ%s"
string(0) ""
string(32) "%s"
bool(false)
string(35) "XYZ%s"
string(0) ""
string(35) "XYZ%s"
bool(true)
Done
