--TEST--
Test basic function : variation1
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_basic1.phpt
--INI--
session.use_strict_mode=0
session.save_handler=files
session.gc_probability=1
session.gc_divisor=1000
session.gc_maxlifetime=300
session.save_path=
session.name=PHPSESSID
--FILE--
import { echo, ob_end_flush, ob_start, session_commit, session_destroy, session_id, session_save_path, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing basic session functionality : variation1 ***\n");

  let session_id_ = 'session-basic1';
  session_id(session_id_);
  let path_ = import.meta.dirname;
  var_dump(session_save_path(path_));

  echo("*** Without lazy_write ***\n");
  var_dump(session_id(session_id_));
  let config_ = { 'lazy_write': false };
  var_dump(await session_start(config_));
  var_dump(config_);
  var_dump(await session_write_close());
  var_dump(session_id());

  echo("*** With lazy_write ***\n");
  var_dump(session_id(session_id_));
  var_dump(await session_start({ 'lazy_write': true }));
  var_dump(await session_commit());
  var_dump(session_id());

  echo("*** Cleanup ***\n");
  var_dump(session_id(session_id_));
  var_dump(await session_start());
  var_dump(await session_destroy());

  ob_end_flush();
}
--EXPECT--
*** Testing basic session functionality : variation1 ***
string(0) ""
*** Without lazy_write ***
string(14) "session-basic1"
bool(true)
array(1) {
  ["lazy_write"]=>
  bool(false)
}
bool(true)
string(14) "session-basic1"
*** With lazy_write ***
string(14) "session-basic1"
bool(true)
bool(true)
string(14) "session-basic1"
*** Cleanup ***
string(14) "session-basic1"
bool(true)
bool(true)
