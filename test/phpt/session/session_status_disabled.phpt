--TEST--
Test session_status() function : disabled
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_status_disabled.phpt
--INI--
session.save_handler=non-existent
--FILE--
import { PHP_SESSION_DISABLED, echo, session_status } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  echo("*** Testing session_status() : disabled\n");

  var_dump(session_status() == PHP_SESSION_DISABLED);
}
--EXPECT--
*** Testing session_status() : disabled
bool(true)
