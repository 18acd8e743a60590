--TEST--
Test session_encode() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_encode_variation5.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_encode, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_encode() : variation ***\n");

  var_dump(await session_start());

  // array(1,2,3) with string keys added: a PHP array that is no list is a record
  let array_: Record<string, unknown> = Object.assign(Object.create(null), { 0: 1, 1: 2, 2: 3 });
  array_["foo"] = array_; // = &$array
  array_["blah"] = array_;
  $_SESSION["data"] = array_;
  var_dump(session_encode());
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_encode() : variation ***
bool(true)
string(64) "data|a:5:{i:0;i:1;i:1;i:2;i:2;i:3;s:3:"foo";R:1;s:4:"blah";R:1;}"
bool(true)
Done
