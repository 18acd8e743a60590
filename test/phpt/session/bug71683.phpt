--TEST--
Bug #71683 Null pointer dereference in zend_hash_str_find_bucket
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug71683.phpt
--INI--
session.save_handler=files
session.auto_start=1
session.use_only_cookies=0
--FILE--
import { echo, ob_start } from 'tsfpm';

export default async function (): Promise<void> {
  ob_start();
  echo("ok\n");
}
--EXPECT--
ok
