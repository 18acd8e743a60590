--TEST--
Test session_module_name() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_module_name_basic.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_module_name, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_module_name() : basic functionality ***\n");
  var_dump(session_module_name("files"));
  var_dump(session_module_name());
  var_dump(await session_start());
  var_dump(session_module_name());
  var_dump(await session_destroy());
  var_dump(session_module_name());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_module_name() : basic functionality ***
string(%d) "%s"
string(5) "files"
bool(true)
string(5) "files"
bool(true)
string(5) "files"
Done
