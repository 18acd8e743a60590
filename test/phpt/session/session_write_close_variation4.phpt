--TEST--
Test session_write_close() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_write_close_variation4.phpt
--INI--
session.use_strict_mode=0
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_id, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_write_close() : variation ***\n");

  var_dump(session_id("test"));
  var_dump(await session_start());
  var_dump(session_id());
  var_dump(await session_write_close());
  var_dump(session_id());
  var_dump(await session_start());
  var_dump(session_id());
  var_dump(await session_write_close());
  var_dump(session_id());
  var_dump(await session_start());
  var_dump(session_id());
  var_dump(await session_write_close());
  var_dump(session_id());
  var_dump(await session_start());
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_write_close() : variation ***
string(0) ""
bool(true)
string(4) "test"
bool(true)
string(4) "test"
bool(true)
string(4) "test"
bool(true)
string(4) "test"
bool(true)
string(4) "test"
bool(true)
string(4) "test"
bool(true)
bool(true)
Done
