--TEST--
Test session_destroy() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_destroy_variation2.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_destroy() : variation ***\n");

  var_dump(await session_start());
  var_dump(await session_destroy());
  var_dump(await session_start());
  var_dump(await session_destroy());
  var_dump(await session_start());
  var_dump(await session_destroy());
  var_dump(await session_start());
  var_dump(await session_destroy());
  var_dump(await session_start());
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_destroy() : variation ***
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
Done
