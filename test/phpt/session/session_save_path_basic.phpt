--TEST--
Test session_save_path() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_save_path_basic.phpt
--INI--
session.gc_probability=0
session.save_path=
session.name=PHPSESSID
--FILE--
import { echo, ob_end_flush, ob_start, session_save_path } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_save_path() : error functionality ***\n");

  let directory_ = import.meta.dirname;
  var_dump(session_save_path());
  var_dump(session_save_path(directory_));
  var_dump(session_save_path());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_save_path() : error functionality ***
string(0) ""
string(0) ""
string(%d) "%s"
Done
