--TEST--
session_decode(); should not segfault
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/011.phpt
--INI--
session.use_cookies=0
session.cache_limiter=
--FILE--
import { E_ALL, error_reporting, print, session_decode } from 'tsfpm';
import { silence } from './_php.ts';

export default async function (): Promise<void> {
  error_reporting(E_ALL);

  await silence(() => session_decode("garbage data and no session started"));
  await silence(() => session_decode("userid|s:5:\"mazen\";chatRoom|s:1:\"1\";"));
  print("I live\n");
}
--EXPECT--
I live
