--TEST--
Test session_cache_limiter() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_cache_limiter_basic.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_cache_limiter, session_destroy, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_cache_limiter() : basic functionality ***\n");

  var_dump(session_cache_limiter());
  var_dump(session_cache_limiter("public"));
  var_dump(session_cache_limiter());
  var_dump(await session_start());
  var_dump(await session_destroy());

  var_dump(session_cache_limiter());
  var_dump(session_cache_limiter("private"));
  var_dump(session_cache_limiter());
  var_dump(await session_start());
  var_dump(await session_destroy());

  var_dump(session_cache_limiter());
  var_dump(session_cache_limiter("nocache"));
  var_dump(session_cache_limiter());
  var_dump(await session_start());
  var_dump(await session_destroy());

  var_dump(session_cache_limiter());
  var_dump(session_cache_limiter("private_no_expire"));
  var_dump(session_cache_limiter());
  var_dump(await session_start());
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_cache_limiter() : basic functionality ***
string(7) "nocache"
string(7) "nocache"
string(6) "public"
bool(true)
bool(true)
string(6) "public"
string(6) "public"
string(7) "private"
bool(true)
bool(true)
string(7) "private"
string(7) "private"
string(7) "nocache"
bool(true)
bool(true)
string(7) "nocache"
string(7) "nocache"
string(17) "private_no_expire"
bool(true)
bool(true)
Done
