--TEST--
Bug #55688 (Crash when calling SessionHandler::gc())
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug55688.phpt
--INI--
html_errors=0
session.save_handler=files
--FILE--
import { SessionHandler, echo, ini_set } from 'tsfpm';

export default async function (): Promise<void> {
  ini_set('session.save_handler', 'files');
  let x_ = new SessionHandler;

  try {
    await x_.gc(1);
  } catch (exception_) {
    echo((exception_ as Error).message + "\n");
  }
}
--EXPECT--
Session is not active
