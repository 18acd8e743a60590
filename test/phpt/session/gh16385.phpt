--TEST--
GH-16385 (Unexpected null returned by session_set_cookie_params)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/gh16385.phpt
--INI--
session.use_cookies=0
--FILE--
import { session_set_cookie_params } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  var_dump(session_set_cookie_params(3600, "/foo"));
}
--EXPECTF--
Warning: session_set_cookie_params(): Session cookies cannot be used when session.use_cookies is disabled in %s on line %d
bool(false)
