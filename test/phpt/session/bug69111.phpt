--TEST--
Bug #69111 Crash in SessionHandler::read()
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug69111.phpt
--FILE--
import { SessionHandler, echo, ini_get, session_set_save_handler, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  let sh_ = new SessionHandler;
  session_set_save_handler(sh_);

  let savePath_ = ini_get('session.save_path') as string;
  let sessionName_ = ini_get('session.name') as string;

  // session_start(); // Uncommenting this makes it not crash when reading the session (see below), but it will not return any data.

  try {
    await sh_.open(savePath_, sessionName_);
  } catch (exception_) {
    echo((exception_ as Error).message + "\n");
  }

  try {
    await sh_.write("foo", "bar");
  } catch (exception_) {
    echo((exception_ as Error).message + "\n");
  }

  try {
    await sh_.read("");
  } catch (exception_) {
    echo((exception_ as Error).message + "\n");
  }
}
--EXPECT--
Session is not active
Session is not active
Session is not active
