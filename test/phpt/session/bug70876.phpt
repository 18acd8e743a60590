--TEST--
Bug #70876 Segmentation fault when regenerating session id with strict mode
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug70876.phpt
--INI--
html_errors=0
session.save_handler=files
--FILE--
import { echo, ini_set, session_regenerate_id, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  ini_set('session.use_strict_mode', true);
  await session_start();
  await session_regenerate_id();

  echo("ok");
}
--EXPECT--
ok
