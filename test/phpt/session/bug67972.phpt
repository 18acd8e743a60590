--TEST--
Bug #67972: SessionHandler Invalid memory read create_sid()
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug67972.phpt
--FILE--
import { SessionHandler, echo } from 'tsfpm';

export default async function (): Promise<void> {
  try {
    (new SessionHandler).create_sid();
  } catch (exception_) {
    echo((exception_ as Error).message + "\n");
  }
}
--EXPECT--
Session is not active
