--TEST--
Test session_name() function : error functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_name_basic.phpt
--INI--
session.save_path=
session.name=PHPSESSID
session.save_handler=files
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_name, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_name() : error functionality ***\n");

  var_dump(session_name());
  var_dump(session_name("blah"));
  var_dump(await session_start());
  var_dump(session_name());
  var_dump(await session_destroy());
  var_dump(session_name());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_name() : error functionality ***
string(9) "PHPSESSID"
string(9) "PHPSESSID"
bool(true)
string(4) "blah"
bool(true)
string(4) "blah"
Done
