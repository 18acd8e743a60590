--TEST--
Bug #68063 (Empty session IDs do still start sessions)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug68063.phpt
--INI--
session.use_strict_mode=0
session.sid_length=40
session.sid_bits_per_character=4
--FILE--
import { session_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  // Empty session ID may happen by browser bugs

  // Could also be set with a cookie like "PHPSESSID=; path=/"
  session_id('');

  // Start the session with empty string should result in new session ID
  var_dump(await session_start());

  // Returns newly created session ID
  var_dump(session_id());
}
--EXPECTF--
bool(true)
string(40) "%s"
