--TEST--
Bug #60634 (Segmentation fault when trying to die() in SessionHandler::write())
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug60634.phpt
--INI--
session.save_path=
session.name=PHPSESSID
session.save_handler=files
--FILE--
import { die, echo, ob_start, session_name, session_set_save_handler, session_start, session_write_close } from 'tsfpm';

export default async function (): Promise<void> {
  ob_start();

  function open(save_path: string, session_name: string) {
    return true;
  }

  function close(): boolean {
    return die("close: goodbye cruel world\n");
  }

  function read(id: string) {
    return '';
  }

  function write(id: string, session_data: string): boolean {
    return die("write: goodbye cruel world\n");
  }

  function destroy(id: string) {
    return true;
  }

  function gc(maxlifetime: number) {
    return true;
  }

  session_set_save_handler(open, close, read, write, destroy, gc);
  await session_start();
  await session_write_close();
  echo("um, hi\n");
}
--EXPECT--
write: goodbye cruel world
