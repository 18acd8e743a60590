--TEST--
Bug #80774 (session_name() problem with backslash)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug80774.phpt
--FILE--
import { session_id, session_name, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  session_name("foo\\bar");
  session_id('12345');
  await session_start();
}
--EXPECTHEADERS--
Set-Cookie: foo\bar=12345; path=/
--EXPECT--

