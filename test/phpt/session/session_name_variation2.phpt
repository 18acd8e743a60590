--TEST--
Test session_name() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_name_variation2.phpt
--INI--
session.name=blah
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_name, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_name() : variation ***\n");

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
*** Testing session_name() : variation ***
string(4) "blah"
string(4) "blah"
bool(true)
string(4) "blah"
bool(true)
string(4) "blah"
Done
