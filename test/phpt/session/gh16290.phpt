--TEST--
GH-16290 (overflow on session cookie_lifetime ini)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/gh16290.phpt
--FILE--
import { echo, session_set_cookie_params } from 'tsfpm';

export default async function (): Promise<void> {
  session_set_cookie_params(9223372036854775807n as never, '/', null, false, true); // PHP_INT_MAX
  echo("DONE");
}
--EXPECT--
DONE
