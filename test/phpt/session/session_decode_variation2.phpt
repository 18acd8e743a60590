--TEST--
Test session_decode() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_decode_variation2.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_decode, session_destroy, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_decode() : variation ***\n");

  var_dump(await session_start());
  var_dump($_SESSION);
  $_SESSION["foo"] = 1234567890;
  $_SESSION["bar"] = "Hello World!";
  $_SESSION["guff"] = 123.456;
  var_dump($_SESSION);
  var_dump(await session_decode("foo|a:3:{i:0;i:1;i:1;i:2;i:2;i:3;}guff|R:1;blah|R:1;"));
  var_dump($_SESSION);
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_decode() : variation ***
bool(true)
array(0) {
}
array(3) {
  ["foo"]=>
  int(1234567890)
  ["bar"]=>
  string(12) "Hello World!"
  ["guff"]=>
  float(123.456)
}
bool(true)
array(4) {
  ["foo"]=>
  &array(3) {
    [0]=>
    int(1)
    [1]=>
    int(2)
    [2]=>
    int(3)
  }
  ["bar"]=>
  string(12) "Hello World!"
  ["guff"]=>
  &array(3) {
    [0]=>
    int(1)
    [1]=>
    int(2)
    [2]=>
    int(3)
  }
  ["blah"]=>
  &array(3) {
    [0]=>
    int(1)
    [1]=>
    int(2)
    [2]=>
    int(3)
  }
}
bool(true)
Done
