--TEST--
$session_array = explode(";", session_encode()); should not segfault
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/010.phpt
--INI--
session.use_cookies=0
session.cache_limiter=
--FILE--
import { E_ALL, error_reporting, print, session_encode } from 'tsfpm';
import { silence } from './_php.ts';

export default async function (): Promise<void> {
  error_reporting(E_ALL);

  let session_array_ = String(await silence(() => session_encode())).split(";"); // explode(";", @session_encode())
  print("I live\n");
}
--EXPECT--
I live
