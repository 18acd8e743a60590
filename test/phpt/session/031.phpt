--TEST--
setting hash_function to sha512 and hash_bits_per_character > 4 should not crash
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/031.phpt
--INI--
session.use_cookies=0
session.cache_limiter=
session.serialize_handler=php
session.save_handler=files
session.hash_function=sha512
session.hash_bits_per_character=5
--FILE--
import { E_ALL, error_reporting, print, session_regenerate_id, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  error_reporting(E_ALL);

  await session_start();
  await session_regenerate_id(true);

  print("I live\n");
}
--EXPECT--
I live
