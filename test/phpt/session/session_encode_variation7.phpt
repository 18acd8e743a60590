--TEST--
Test session_encode() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_encode_variation7.phpt
--INI--
session.serialize_handler=php_binary
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_encode, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_encode() : variation ***\n");

  var_dump(await session_start());
  $_SESSION["foo"] = 1234567890;
  let encoded_ = session_encode();
  var_dump(Buffer.from(encoded_ === false ? '' : encoded_, 'latin1').toString('base64')); // base64_encode($encoded)
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_encode() : variation ***
bool(true)
string(24) "A2Zvb2k6MTIzNDU2Nzg5MDs="
bool(true)
Done
