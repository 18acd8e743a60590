--TEST--
Test session_save_path() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_save_path_variation1.phpt
--INI--
session.gc_probability=0
session.save_path=
session.name=PHPSESSID
session.save_handler=files
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_save_path, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_save_path() : variation ***\n");

  let directory_ = import.meta.dirname;
  var_dump(session_save_path());
  var_dump(session_save_path(directory_));
  var_dump(session_save_path());

  var_dump(await session_start());
  var_dump(session_save_path());
  var_dump(session_save_path(directory_));
  var_dump(session_save_path());
  var_dump(await session_destroy());

  var_dump(session_save_path());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_save_path() : variation ***
string(0) ""
string(0) ""
string(%d) "%stests"
bool(true)
string(%d) "%stests"

Warning: session_save_path(): Session save path cannot be changed when a session is active in %s on line %d
bool(false)
string(%d) "%stests"
bool(true)
string(%d) "%stests"
Done
