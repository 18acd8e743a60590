--TEST--
Test session_start() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_start_variation6.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_start() : variation ***\n");

  await session_start();

  $_SESSION['colour'] = 'green';
  $_SESSION['animal'] = 'cat';
  $_SESSION['person'] = 'julia';
  $_SESSION['age'] = 6;

  var_dump($_SESSION);
  var_dump(await session_write_close());
  var_dump($_SESSION);
  await session_start();
  var_dump($_SESSION);

  await session_destroy();
  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_start() : variation ***
array(4) {
  ["colour"]=>
  string(5) "green"
  ["animal"]=>
  string(3) "cat"
  ["person"]=>
  string(5) "julia"
  ["age"]=>
  int(6)
}
bool(true)
array(4) {
  ["colour"]=>
  string(5) "green"
  ["animal"]=>
  string(3) "cat"
  ["person"]=>
  string(5) "julia"
  ["age"]=>
  int(6)
}
array(4) {
  ["colour"]=>
  string(5) "green"
  ["animal"]=>
  string(3) "cat"
  ["person"]=>
  string(5) "julia"
  ["age"]=>
  int(6)
}
Done
