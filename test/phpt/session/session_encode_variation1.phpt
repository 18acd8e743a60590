--TEST--
Test session_encode() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_encode_variation1.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_encode, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_encode() : variation ***\n");

  var_dump(session_encode());
  var_dump(await session_start());
  var_dump(session_encode());
  var_dump(await session_write_close());
  var_dump(session_encode());
  var_dump(await session_start());
  var_dump(session_encode());
  var_dump(await session_destroy());
  var_dump(session_encode());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_encode() : variation ***

Warning: session_encode(): Cannot encode non-existent session in %s on line %d
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)

Warning: session_encode(): Cannot encode non-existent session in %s on line %d
bool(false)
Done
