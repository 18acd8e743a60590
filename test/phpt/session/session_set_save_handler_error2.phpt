--TEST--
Test session_set_save_handler() function : error functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_error2.phpt
--INI--
error_reporting=0
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_name, session_set_save_handler, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : error functionality ***\n");

  function open(save_path: string, session_name: string) { return true; }
  function close() { return true; }
  function read(id: string) { return false; }
  function write(id: string, session_data: string): any { }
  function destroy(id: string) {  return true; }
  function gc(maxlifetime: number) {  return true; }

  session_set_save_handler(open, close, read, write, destroy, gc);

  await session_start();
  $_SESSION["Blah"] = "Hello World!";
  $_SESSION["Foo"] = false;
  $_SESSION["Guff"] = 1234567890;
  var_dump($_SESSION);

  await session_write_close();
  var_dump($_SESSION);
  session_set_save_handler(open, close, read, write, destroy, gc);
  await session_start();
  var_dump($_SESSION);
  await session_destroy();

  ob_end_flush();
}
--EXPECT--
*** Testing session_set_save_handler() : error functionality ***
array(3) {
  ["Blah"]=>
  string(12) "Hello World!"
  ["Foo"]=>
  bool(false)
  ["Guff"]=>
  int(1234567890)
}
array(3) {
  ["Blah"]=>
  string(12) "Hello World!"
  ["Foo"]=>
  bool(false)
  ["Guff"]=>
  int(1234567890)
}
array(0) {
}
