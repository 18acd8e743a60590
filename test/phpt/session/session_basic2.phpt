--TEST--
Test basic function : variation2
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_basic2.phpt
--INI--
session.use_strict_mode=1
session.save_handler=files
session.hash_bits_per_character=4
session.gc_probability=1
session.gc_divisor=1000
session.gc_maxlifetime=300
session.save_path=
session.sid_length=32
session.name=PHPSESSID
--FILE--
import { echo, ini_set, ob_end_flush, ob_start, session_commit, session_destroy, session_id, session_save_path, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing basic session functionality : variation2 ***\n");

  let session_id_ = 'session-basic2';
  session_id(session_id_);
  let path_ = import.meta.dirname;
  var_dump(session_save_path(path_));

  echo("*** Without lazy_write ***\n");
  var_dump(session_id(session_id_));
  var_dump(await session_start({ 'lazy_write': false }));
  let session_id_new1_ = session_id();
  var_dump(session_id_new1_ !== session_id_);
  var_dump(await session_write_close());
  var_dump(session_id());

  echo("*** With lazy_write ***\n");
  var_dump(session_id(session_id_));
  var_dump(await session_start({ 'lazy_write': true }));
  let session_id_new2_ = session_id();
  var_dump(session_id_new1_ !== session_id_new2_);
  var_dump(await session_commit());
  var_dump(session_id());

  echo("*** Cleanup ***\n");
  ini_set('session.use_strict_mode',0);
  var_dump(session_id(session_id_new1_));
  var_dump(await session_start());
  var_dump(await session_destroy());
  var_dump(session_id(session_id_new2_));
  var_dump(await session_start());
  var_dump(await session_destroy());

  ob_end_flush();
}
--EXPECTF--
*** Testing basic session functionality : variation2 ***
string(0) ""
*** Without lazy_write ***
string(14) "session-basic2"
bool(true)
bool(true)
bool(true)
string(32) "%s"
*** With lazy_write ***
string(32) "%s"
bool(true)
bool(true)
bool(true)
string(32) "%s"
*** Cleanup ***
string(32) "%s"
bool(true)
bool(true)
string(0) ""
bool(true)
bool(true)
