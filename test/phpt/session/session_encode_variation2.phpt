--TEST--
Test session_encode() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_encode_variation2.phpt
--INI--
session.auto_start=1
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_encode } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_encode() : variation ***\n");

  var_dump(session_encode());
  var_dump(await session_destroy());
  var_dump(session_encode());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_encode() : variation ***
bool(false)
bool(true)

Warning: session_encode(): Cannot encode non-existent session in %s on line %d
bool(false)
Done
