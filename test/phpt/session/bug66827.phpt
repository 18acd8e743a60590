--TEST--
Bug #66827: Session raises E_NOTICE when session name variable is array.
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug66827.phpt
--FILE--
import { $_COOKIE, echo, session_name, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  $_COOKIE[session_name() as string] = [] as never;
  await session_start();
  echo('OK');
}
--EXPECT--
OK
