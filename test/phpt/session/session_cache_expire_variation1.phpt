--TEST--
Test session_cache_expire() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_cache_expire_variation1.phpt
--INI--
session.cache_expire=360
--FILE--
import { echo, ob_end_flush, ob_start, session_cache_expire, session_destroy, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_cache_expire() : variation ***\n");

  var_dump(session_cache_expire());
  var_dump(session_cache_expire(1234567890));
  var_dump(session_cache_expire(180));
  var_dump(await session_start());
  var_dump(session_cache_expire());
  var_dump(await session_destroy());
  var_dump(session_cache_expire());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_cache_expire() : variation ***
int(360)
int(360)
int(1234567890)
bool(true)
int(180)
bool(true)
int(180)
Done
