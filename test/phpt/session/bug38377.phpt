--TEST--
Bug #38377 (session_destroy() gives warning after session_regenerate_id())
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug38377.phpt
--FILE--
import { echo, session_destroy, session_regenerate_id, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  await session_start();
  await session_regenerate_id();
  await session_destroy();
  echo("Done\n");
}
--EXPECT--
Done
