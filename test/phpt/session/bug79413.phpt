--TEST--
Bug #79413 (session_create_id() fails for active sessions)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug79413.phpt
--FILE--
import { session_create_id, session_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  await session_start();
  let old_ = session_id();
  let new_ = session_create_id();
  var_dump(new_ !== old_);
}
--EXPECT--
bool(true)
