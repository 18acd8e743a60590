--TEST--
Test session_start() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_start_variation4.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_start() : variation ***\n");

  $_SESSION['blah'] = 'foo';
  var_dump($_SESSION);
  await session_start();
  var_dump($_SESSION);

  await session_destroy();
  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_start() : variation ***
array(1) {
  ["blah"]=>
  string(3) "foo"
}
array(0) {
}
Done
