--TEST--
Test session_cache_limiter() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_cache_limiter_variation3.phpt
--FILE--
import { echo, ini_get, ob_end_flush, ob_start, session_cache_limiter, session_destroy, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_cache_limiter() : variation ***\n");

  var_dump(ini_get("session.cache_limiter"));
  var_dump(await session_start());
  var_dump(ini_get("session.cache_limiter"));
  var_dump(session_cache_limiter("public"));
  var_dump(ini_get("session.cache_limiter"));
  var_dump(await session_destroy());
  var_dump(ini_get("session.cache_limiter"));

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_cache_limiter() : variation ***
string(7) "nocache"
bool(true)
string(7) "nocache"

Warning: session_cache_limiter(): Session cache limiter cannot be changed when a session is active in %s on line %d
bool(false)
string(7) "nocache"
bool(true)
string(7) "nocache"
Done
