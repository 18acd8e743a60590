--TEST--
Test session_decode() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_decode_variation4.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_decode, session_destroy, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_decode() : variation ***\n");

  var_dump(await session_start());
  var_dump($_SESSION);
  $_SESSION["foo"] = 1234567890;
  $_SESSION["bar"] = "Blah!";
  $_SESSION["guff"] = 123.456;
  var_dump($_SESSION);
  let encoded_ = "A2Zvb2k6MTIzNDU2Nzg5MDs=";
  var_dump(await session_decode(Buffer.from(encoded_, 'base64').toString('latin1'))); // base64_decode($encoded)
  var_dump($_SESSION);
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_decode() : variation ***
bool(true)
array(0) {
}
array(3) {
  ["foo"]=>
  int(1234567890)
  ["bar"]=>
  string(5) "Blah!"
  ["guff"]=>
  float(123.456)
}

Warning: session_decode(): Failed to decode session object. Session has been destroyed in %s on line %d
bool(false)
array(0) {
}

Warning: session_destroy(): Trying to destroy uninitialized session in %s on line %d
bool(false)
Done
