--TEST--
Bug #74936 session_cache_expire() triggers a warning in read mode.
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug74936.phpt
--FILE--
import { session_cache_expire, session_cache_limiter, session_save_path, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  await session_start();
  var_dump(session_cache_expire());
  var_dump(session_cache_limiter());
  var_dump(session_save_path());
}
--EXPECT--
int(180)
string(7) "nocache"
string(0) ""
