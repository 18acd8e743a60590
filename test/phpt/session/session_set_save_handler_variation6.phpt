--TEST--
Test session_set_save_handler() function : test lazy_write
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_variation6.phpt
--INI--
session.use_strict_mode=0
session.lazy_write=1
session.save_path=
session.name=PHPSESSID
session.gc_probability=0
session.save_handler=files
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_id, session_save_path, session_set_save_handler, session_start, session_unset, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';
import { mkdirSync, rmdirSync } from 'node:fs';
import { open, close, read, write, destroy, gc, create_sid, validate_sid, update } from './_save_handler.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : test write short circuit ***\n");

  let path_ = import.meta.dirname + '/session_set_save_handler_variation6';
  mkdirSync(path_, { recursive: true });
  session_save_path(path_);
  session_set_save_handler(open, close, read, write, destroy, gc, create_sid, validate_sid, update);

  await session_start();
  let session_id_ = session_id();
  $_SESSION["Blah"] = "Hello World!";
  $_SESSION["Foo"] = false;
  $_SESSION["Guff"] = 1234567890;
  var_dump($_SESSION);

  await session_write_close();
  session_unset();
  var_dump($_SESSION);

  echo("Starting session again..!\n");
  session_id(session_id_);
  session_set_save_handler(open, close, read, write, destroy, gc, create_sid, validate_sid, update);
  await session_start();
  var_dump($_SESSION);
  $_SESSION['Bar'] = 'Foo';
  await session_write_close();

  echo("Starting session again..!\n");
  session_id(session_id_);
  session_set_save_handler(open, close, read, write, destroy, gc, create_sid, validate_sid, update);
  await session_start();
  var_dump($_SESSION);
  // $_SESSION should be the same and should skip write()
  await session_write_close();

  echo("Cleanup\n");
  await session_start();
  await session_destroy();

  ob_end_flush();
  rmdirSync(path_);
}
--EXPECTF--
*** Testing session_set_save_handler() : test write short circuit ***
Open [%s,PHPSESSID]
CreateID [PHPT-%s]
Read [%s,%s]
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
array(3) {
  ["Blah"]=>
  string(12) "Hello World!"
  ["Foo"]=>
  bool(false)
  ["Guff"]=>
  int(1234567890)
}
Starting session again..!
Open [%s,PHPSESSID]
Read [%s,%s]
array(3) {
  ["Blah"]=>
  string(12) "Hello World!"
  ["Foo"]=>
  bool(false)
  ["Guff"]=>
  int(1234567890)
}
Write [%s,%s,Blah|s:12:"Hello World!";Foo|b:0;Guff|i:1234567890;Bar|s:3:"Foo";]
Close [%s,PHPSESSID]
Starting session again..!
Open [%s,PHPSESSID]
Read [%s,%s]
array(4) {
  ["Blah"]=>
  string(12) "Hello World!"
  ["Foo"]=>
  bool(false)
  ["Guff"]=>
  int(1234567890)
  ["Bar"]=>
  string(3) "Foo"
}
Update [%s,PHPT-%d]
Close [%s,PHPSESSID]
Cleanup
Open [%s,PHPSESSID]
Read [%s,PHPT-%d]
Destroy [%s,PHPT-%d]
Close [%s,PHPSESSID]
