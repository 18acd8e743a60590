--TEST--
Bug #73100 (session_destroy null dereference in ps_files_path_create)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug73100.phpt
--INI--
session.save_path=
session.save_handler=files
--FILE--
import { ValueError, echo, ob_start, session_destroy, session_module_name, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();
  var_dump(await session_start());
  session_module_name("user");
  var_dump(await session_destroy());

  try {
    session_module_name("user");
  } catch (e_) {
    if (!(e_ instanceof ValueError)) throw e_;
    echo(e_.message + "\n");
  }
  echo("===DONE===\n");
}
--EXPECTF--
bool(true)

Warning: session_module_name(): Session save handler module cannot be changed when a session is active in %s on line %d
bool(true)
session_module_name(): Argument #1 ($module) cannot be "user"
===DONE===
