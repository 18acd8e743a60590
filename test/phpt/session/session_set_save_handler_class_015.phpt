--TEST--
Test session_set_save_handler() : register session handler but don't start
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_class_015.phpt
--INI--
session.save_handler=files
session.name=PHPSESSID
--FILE--
import { SessionHandler, echo, ob_start, session_set_save_handler } from 'tsfpm';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : register session handler but don't start  ***\n");

  session_set_save_handler(new SessionHandler);
}
--EXPECT--
*** Testing session_set_save_handler() : register session handler but don't start  ***
