--TEST--
Test session_encode() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_encode_variation6.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_encode, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_encode() : variation ***\n");

  var_dump(await session_start());
  $_SESSION[0] = 1234567890; // $_SESSION[] = 1234567890: the next int key of an empty array is 0
  var_dump(session_encode());
  var_dump(await session_destroy());
  var_dump(await session_start());
  $_SESSION[1234567890] = "Hello World!";
  var_dump(session_encode());
  var_dump(await session_destroy());
  var_dump(await session_start());
  $_SESSION[-1234567890] = 1234567890;
  var_dump(session_encode());
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_encode() : variation ***
bool(true)

Warning: session_encode(): Skipping numeric key 0 in %s on line %d
bool(false)
bool(true)
bool(true)

Warning: session_encode(): Skipping numeric key 1234567890 in %s on line %d
bool(false)
bool(true)
bool(true)

Warning: session_encode(): Skipping numeric key -1234567890 in %s on line %d
bool(false)
bool(true)
Done
