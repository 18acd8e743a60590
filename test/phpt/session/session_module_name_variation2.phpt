--TEST--
Test session_module_name() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_module_name_variation2.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_module_name, session_name, session_set_save_handler } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_module_name() : variation ***\n");

  function open(save_path: string, session_name: string): any { }
  function close(): any { }
  function read(id: string): any { }
  function write(id: string, session_data: string): any { }
  function destroy(id: string): any { }
  function gc(maxlifetime: number): any { }

  var_dump(session_module_name("files"));
  session_set_save_handler(open, close, read, write, destroy, gc);
  var_dump(session_module_name());

  ob_end_flush();
}
--EXPECTF--
*** Testing session_module_name() : variation ***
string(%d) "%s"
string(4) "user"
