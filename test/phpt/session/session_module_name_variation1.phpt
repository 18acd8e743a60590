--TEST--
Test session_module_name() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_module_name_variation1.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_module_name, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_module_name() : variation ***\n");
  var_dump(session_module_name("blah"));
  var_dump(await session_start());
  var_dump(session_module_name());
  var_dump(await session_destroy());
  var_dump(session_module_name());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_module_name() : variation ***

Warning: session_module_name(): Session handler module "blah" cannot be found in %s on line %d
bool(false)
bool(true)
string(%d) "%s"
bool(true)
string(%d) "%s"
Done
