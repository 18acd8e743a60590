--TEST--
Bug #65475: Session ID is not initialized when session.usr_strict_mode=1
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug65475.phpt
--INI--
session.save_handler=files
session.name=PHPSESSID
--FILE--
import { $_SESSION, echo, ob_start, session_id, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("Testing file module"+"\n");
  await session_start();
  $_SESSION['foo'] = 1234;
  $_SESSION['cnt'] = 1;
  let session_id_ = session_id();
  await session_write_close();

  await session_start();
  var_dump(session_id_ === session_id());
  $_SESSION['cnt']++;
  await session_write_close();

  await session_start();
  var_dump(session_id_ === session_id());
  var_dump($_SESSION['cnt']); // Should be int(2)
  await session_write_close();
}
--EXPECT--
Testing file module
bool(true)
bool(true)
int(2)
