--TEST--
Bug #70133 (Extended SessionHandler::read is ignoring $session_id when calling parent)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug70133.phpt
--INI--
session.save_handler=files
session.save_path=
session.use_strict_mode=0
--FILE--
import { $_SESSION, SessionHandler, ob_start, session_commit, session_id, session_set_save_handler, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  class CustomReadHandler extends SessionHandler {
    override read(session_id: string): Promise<string | false> {
      return super.read('mycustomsession');
    }
  }

  ob_start();
  session_set_save_handler(new CustomReadHandler(), true);

  session_id('mycustomsession');
  await session_start();
  $_SESSION['foo'] = 'hoge';
  var_dump(session_id());
  await session_commit();

  session_id('otherid');
  await session_start();
  var_dump($_SESSION);
  var_dump(session_id());
}
--EXPECT--
string(15) "mycustomsession"
array(1) {
  ["foo"]=>
  string(4) "hoge"
}
string(7) "otherid"
