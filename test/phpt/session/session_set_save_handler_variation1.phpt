--TEST--
Test session_set_save_handler() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_variation1.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_module_name, session_set_save_handler } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : variation ***\n");

  var_dump(session_module_name());
  var_dump(session_module_name(''));
  var_dump(session_module_name());
  var_dump(session_module_name("blah"));
  var_dump(session_module_name());
  var_dump(session_module_name("files"));
  var_dump(session_module_name());

  ob_end_flush();
}
--EXPECTF--
*** Testing session_set_save_handler() : variation ***
string(%d) "%s"

Warning: session_module_name(): Session handler module "" cannot be found in %s on line %d
bool(false)
string(%d) "%s"

Warning: session_module_name(): Session handler module "blah" cannot be found in %s on line %d
bool(false)
string(%d) "%s"
string(%d) "%s"
string(5) "files"
