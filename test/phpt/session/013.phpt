--TEST--
redefining SID should not cause warnings
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/013.phpt
--INI--
session.use_cookies=0
session.use_strict_mode=0
session.cache_limiter=
session.serialize_handler=php
session.save_handler=files
--FILE--
import { E_ALL, error_reporting, print, session_destroy, session_id, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  error_reporting(E_ALL);

  session_id("test013");
  await session_start();
  await session_destroy();
  session_id("test013-2");
  await session_start();
  await session_destroy();

  print("I live\n");
}
--EXPECT--
I live
