--TEST--
session_decode(); should not segfault
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/029.phpt
--INI--
session.use_cookies=0
session.cache_limiter=
--FILE--
import { E_ALL, error_reporting, print, session_decode } from 'tsfpm';

export default async function (): Promise<void> {
  error_reporting(E_ALL);

  await session_decode("garbage data and no session started");
  await session_decode("userid|s:5:\"mazen\";chatRoom|s:1:\"1\";");
  print("I live\n");
}
--EXPECTF--
Warning: session_decode(): Session data cannot be decoded when there is no active session in %s on line %d

Warning: session_decode(): Session data cannot be decoded when there is no active session in %s on line %d
I live
