--TEST--
Test session_regenerate_id() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_regenerate_id_fastshutdown.phpt
--INI--
opcache.fast_shutdown=1
--FILE--
import { session_regenerate_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  await session_start();
  const user = "foo"; // define ("user", "foo");
  var_dump(await session_regenerate_id());
}
--EXPECT--
bool(true)
