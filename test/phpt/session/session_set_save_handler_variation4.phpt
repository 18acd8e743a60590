--TEST--
Test session_set_save_handler() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_variation4.phpt
--INI--
session.gc_probability=1
session.gc_divisor=1
session.gc_maxlifetime=0
session.save_path=
session.name=PHPSESSID
session.save_handler=files
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_id, session_save_path, session_set_save_handler, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';
import { mkdirSync, rmdirSync } from 'node:fs';
import { open, close, read, write, destroy, gc } from './_save_handler.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : variation ***\n");

  function noisy_gc(maxlifetime: number) {
    echo("GC [" + maxlifetime + "]\n");
    echo(gc(maxlifetime) + " deleted\n");
    return true;
  }

  let path_ = import.meta.dirname + '/session_set_save_handler_variation4';
  mkdirSync(path_, { recursive: true });
  session_save_path(path_);
  session_set_save_handler(open, close, read, write, destroy, noisy_gc);

  await session_start();
  $_SESSION["Blah"] = "Hello World!";
  $_SESSION["Foo"] = false;
  $_SESSION["Guff"] = 1234567890;
  var_dump($_SESSION);
  let session_id_ = session_id();
  var_dump(await session_write_close());

  session_set_save_handler(open, close, read, write, destroy, noisy_gc);
  session_id(session_id_);
  await session_start();
  var_dump($_SESSION);
  var_dump(await session_destroy());

  ob_end_flush();
  rmdirSync(path_);
}
--EXPECTF--
*** Testing session_set_save_handler() : variation ***
Open [%s,PHPSESSID]
Read [%s,%s]
GC [0]
1 deleted
array(3) {
  ["Blah"]=>
  string(12) "Hello World!"
  ["Foo"]=>
  bool(false)
  ["Guff"]=>
  int(1234567890)
}
Write [%s,%s,Blah|s:12:"Hello World!";Foo|b:0;Guff|i:1234567890;]
Close [%s,PHPSESSID]
bool(true)
Open [%s,PHPSESSID]
Read [%s,%s]
GC [0]
1 deleted
array(3) {
  ["Blah"]=>
  string(12) "Hello World!"
  ["Foo"]=>
  bool(false)
  ["Guff"]=>
  int(1234567890)
}
Destroy [%s,%s]

Warning: unlink(%s): No such file or directory in %s on line %d
Close [%s,PHPSESSID]
bool(true)
