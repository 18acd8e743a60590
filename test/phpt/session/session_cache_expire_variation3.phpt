--TEST--
Test session_cache_expire() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_cache_expire_variation3.phpt
--FILE--
import { echo, ini_get, ob_end_flush, ob_start, session_cache_expire, session_destroy, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_cache_expire() : variation ***\n");

  var_dump(ini_get("session.cache_expire"));
  var_dump(session_cache_expire());
  var_dump(ini_get("session.cache_expire"));
  var_dump(session_cache_expire(1234567890));
  var_dump(ini_get("session.cache_expire"));
  var_dump(await session_start());
  var_dump(session_cache_expire());
  var_dump(ini_get("session.cache_expire"));
  var_dump(await session_destroy());
  var_dump(session_cache_expire());
  var_dump(ini_get("session.cache_expire"));

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_cache_expire() : variation ***
string(3) "180"
int(180)
string(3) "180"
int(180)
string(10) "1234567890"
bool(true)
int(1234567890)
string(10) "1234567890"
bool(true)
int(1234567890)
string(10) "1234567890"
Done
