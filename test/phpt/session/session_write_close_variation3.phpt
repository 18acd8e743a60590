--TEST--
Test session_start() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_write_close_variation3.phpt
--INI--
session.auto_start=1
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_write_close() : variation ***\n");

  var_dump($_SESSION);
  var_dump(await session_write_close());
  var_dump($_SESSION);
  var_dump(await session_start());
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_write_close() : variation ***
array(0) {
}
bool(true)
array(0) {
}
bool(true)
bool(true)
Done
