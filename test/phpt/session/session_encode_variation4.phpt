--TEST--
Test session_encode() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_encode_variation4.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_encode, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_encode() : variation ***\n");

  var_dump(await session_start());

  let array_ = [1,2,3];
  $_SESSION["foo"] = array_; // = &$array: a JS array is always shared by reference
  $_SESSION["guff"] = array_;
  $_SESSION["blah"] = array_;
  var_dump(session_encode());
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_encode() : variation ***
bool(true)
string(52) "foo|a:3:{i:0;i:1;i:1;i:2;i:2;i:3;}guff|R:1;blah|R:1;"
bool(true)
Done
