--TEST--
Bug #32330 (session_destroy, "Failed to initialize storage module", custom session handler)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug32330.phpt
--INI--
session.use_trans_sid=0
session.use_cookies=1
session.name=sid
session.save_path="{TMP}"
session.gc_probability=1
session.gc_divisor=1
session.save_handler=files
--FILE--
import { $_SESSION, E_ALL, echo, error_reporting, ob_start, session_destroy, session_set_save_handler, session_start, session_write_close } from 'tsfpm';

export default async function (): Promise<void> {
  error_reporting(E_ALL);

  function sOpen(path: string, name: string) {
    echo(`open: path = ${path}, name = ${name}\n`);
    return true;
  }

  function sClose() {
    echo("close\n");
    return true;
  }

  function sRead(id: string) {
    echo(`read: id = ${id}\n`);
    return '';
  }

  function sWrite(id: string, data: string) {
    echo(`write: id = ${id}, data = ${data}\n`);
    return true;
  }

  function sDestroy(id: string) {
    echo(`destroy: id = ${id}\n`);
    return true;
  }

  function sGC(maxlifetime: number) {
    echo(`gc: maxlifetime = ${maxlifetime}\n`);
    return true;
  }

  session_set_save_handler(sOpen, sClose, sRead, sWrite, sDestroy, sGC);

  // without output buffering, the debug messages will cause all manner of warnings
  ob_start();

  await session_start();
  $_SESSION['A'] = 'B';
  await session_write_close();

  await session_start();
  $_SESSION['C'] = 'D';
  await session_destroy();

  await session_start();
  $_SESSION['E'] = 'F';
  // Don't try to destroy this time!
}
--EXPECTF--
open: path = %s, name = sid
read: id = %s
gc: maxlifetime = %d
write: id = %s, data = A|s:1:"B";
close
open: path = %s, name = sid
read: id = %s
gc: maxlifetime = %d
destroy: id = %s
close
open: path = %s, name = sid
read: id = %s
gc: maxlifetime = %d
write: id = %s, data = E|s:1:"F";
close
