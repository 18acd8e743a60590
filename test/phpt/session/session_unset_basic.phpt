--TEST--
Test session_unset() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_unset_basic.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_start, session_unset } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_unset() : basic functionality ***\n");

  var_dump(await session_start());
  $_SESSION["foo"] = "Hello World!";
  var_dump($_SESSION);
  var_dump(session_unset());
  var_dump($_SESSION);
  var_dump(await session_destroy());
  var_dump($_SESSION);

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_unset() : basic functionality ***
bool(true)
array(1) {
  ["foo"]=>
  string(12) "Hello World!"
}
bool(true)
array(0) {
}
bool(true)
array(0) {
}
Done
