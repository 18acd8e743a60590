--TEST--
Test session_status() function : active, none
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_status.phpt
--FILE--
import { PHP_SESSION_ACTIVE, PHP_SESSION_NONE, echo, ob_start, session_start, session_status } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_status() : active, none\n");

  var_dump(PHP_SESSION_NONE != PHP_SESSION_ACTIVE);
  var_dump(session_status() == PHP_SESSION_NONE);

  await session_start();

  var_dump(session_status() == PHP_SESSION_ACTIVE);
}
--EXPECT--
*** Testing session_status() : active, none
bool(true)
bool(true)
bool(true)
