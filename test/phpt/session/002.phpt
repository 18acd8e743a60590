--TEST--
session_unset() without a initialized session
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/002.phpt
--FILE--
import { E_ALL, error_reporting, print, session_unset } from 'tsfpm';

export default async function (): Promise<void> {
  error_reporting(E_ALL);

  session_unset();
  print("ok\n");
}
--EXPECT--
ok
