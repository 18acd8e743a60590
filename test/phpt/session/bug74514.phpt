--TEST--
Bug #74514 5 session functions incorrectly warn when calling in read-only/getter mode.
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug74514.phpt
--FILE--
import { session_cache_expire, session_cache_limiter, session_module_name, session_name, session_save_path } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  var_dump(session_name('foo'));
  var_dump(session_name());
  var_dump(session_module_name());
  var_dump(session_save_path());
  var_dump(session_cache_limiter());
  var_dump(session_cache_expire());
}
--EXPECT--
string(9) "PHPSESSID"
string(3) "foo"
string(5) "files"
string(0) ""
string(7) "nocache"
int(180)
