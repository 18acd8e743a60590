--TEST--
Test session_set_save_handler() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_variation5.phpt
--INI--
session.use_strict_mode=1
session.gc_probability=1
session.gc_divisor=1
session.gc_maxlifetime=0
session.save_path=
session.name=PHPSESSID
session.save_handler=files
--FILE--
import { echo, ob_end_flush, ob_start, session_commit, session_destroy, session_id, session_save_path, session_set_save_handler, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';
import { mkdirSync, rmdirSync } from 'node:fs';
import { open, close, read, write, destroy, gc, create_sid, validate_sid, update } from './_save_handler.ts';

export default async function (): Promise<void> {
  ob_start();

  function noisy_gc(maxlifetime: number) {
    echo("GC [" + maxlifetime + "]\n");
    echo(gc(maxlifetime) + " deleted\n");
    return true;
  }

  echo("*** Testing session_set_save_handler() : variation ***\n");

  let path_ = import.meta.dirname + '/session_set_save_handler_variation5';
  mkdirSync(path_, { recursive: true });
  var_dump(session_save_path(path_));

  echo("*** Without lazy_write ***\n");
  var_dump(session_set_save_handler(open, close, read, write, destroy, noisy_gc, create_sid, validate_sid, update));
  var_dump(await session_start({ 'lazy_write': false }));
  let session_id_ = session_id();
  var_dump(session_id());
  var_dump(await session_write_close());
  var_dump(session_id());

  echo("*** With lazy_write ***\n");
  var_dump(session_id(session_id_));
  var_dump(session_set_save_handler(open, close, read, write, destroy, noisy_gc, create_sid, validate_sid, update));
  var_dump(await session_start({ 'lazy_write': true }));
  var_dump(await session_commit());
  var_dump(session_id());

  echo("*** Cleanup ***\n");
  var_dump(session_id(session_id_));
  var_dump(await session_start());
  var_dump(await session_destroy());

  ob_end_flush();
  rmdirSync(path_);
}
--EXPECTF--
*** Testing session_set_save_handler() : variation ***
string(0) ""
*** Without lazy_write ***
bool(true)
Open [%s,PHPSESSID]
CreateID [PHPT-%d]
Read [%s,PHPT-%d]
GC [0]
1 deleted
bool(true)
string(%d) "PHPT-%d"
Write [%s,PHPT-%d,]
Close [%s,PHPSESSID]
bool(true)
string(%d) "PHPT-%d"
*** With lazy_write ***
string(%d) "PHPT-%d"
bool(true)
Open [%s,PHPSESSID]
ValidateID [%s,PHPT-%d]
Read [%s,PHPT-%d]
GC [0]
1 deleted
bool(true)
Write [%s,PHPT-%d,]
Close [%s,PHPSESSID]
bool(true)
string(%d) "PHPT-%d"
*** Cleanup ***
string(%d) "PHPT-%d"
Open [%s,PHPSESSID]
ValidateID [%s,PHPT-%d]
Read [%s,PHPT-%d]
GC [0]
1 deleted
bool(true)
Destroy [%s,PHPT-%d]

Warning: unlink(%s): No such file or directory in %s on line %d
Close [%s,PHPSESSID]
bool(true)
