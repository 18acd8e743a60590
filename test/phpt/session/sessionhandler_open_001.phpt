--TEST--
Testing repated SessionHandler::open() calls
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/sessionhandler_open_001.phpt
--FILE--
import { SessionHandler, echo, ini_set, print } from 'tsfpm';

export default async function (): Promise<void> {
  ini_set('session.save_handler', 'files');
  let x_ = new SessionHandler;

  for (let i = 0; i < 4; i++) { // four times, as the original
    try {
      await x_.open('','');
    } catch (exception_) {
      echo((exception_ as Error).message + "\n");
    }
  }

  print("Done!\n");
}
--EXPECT--
Session is not active
Session is not active
Session is not active
Session is not active
Done!
