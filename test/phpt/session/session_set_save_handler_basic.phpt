--TEST--
Test session_set_save_handler() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_basic.phpt
--INI--
session.save_path=
session.name=PHPSESSID
session.gc_probability=0
session.save_handler=files
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_gc, session_id, session_module_name, session_save_path, session_set_save_handler, session_start, session_unset, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';
import { mkdirSync, rmdirSync } from 'node:fs';
import { open, close, read, write, destroy, gc } from './_save_handler.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : basic functionality ***\n");

  var_dump(session_module_name());
  var_dump(session_module_name(''));
  var_dump(session_module_name("blah"));
  var_dump(session_module_name("foo"));

  let path_ = import.meta.dirname + '/session_set_save_handler_basic';
  mkdirSync(path_, { recursive: true });
  session_save_path(path_);

  session_set_save_handler(open, close, read, write, destroy, gc);
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
  session_set_save_handler(open, close, read, write, destroy, gc);
  await session_start();
  var_dump($_SESSION);
  $_SESSION['Bar'] = 'Foo';
  await session_write_close();

  echo("Garbage collection..\n");
  session_id(session_id_);
  await session_start();
  var_dump(await session_gc());
  await session_write_close();

  echo("Cleanup..\n");
  session_id(session_id_);
  await session_start();
  await session_destroy();

  ob_end_flush();
  rmdirSync(path_);
}
--EXPECTF--
*** Testing session_set_save_handler() : basic functionality ***
string(%d) "%s"

Warning: session_module_name(): Session handler module "" cannot be found in %s on line %d
bool(false)

Warning: session_module_name(): Session handler module "blah" cannot be found in %s on line %d
bool(false)

Warning: session_module_name(): Session handler module "foo" cannot be found in %s on line %d
bool(false)
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
Garbage collection..
Open [%s,PHPSESSID]
Read [%s,%s]
int(0)
Write [%s,%s,Blah|s:12:"Hello World!";Foo|b:0;Guff|i:1234567890;Bar|s:3:"Foo";]
Close [%s,PHPSESSID]
Cleanup..
Open [%s,PHPSESSID]
Read [%s,%s]
Destroy [%s,%s]
Close [%s,PHPSESSID]
