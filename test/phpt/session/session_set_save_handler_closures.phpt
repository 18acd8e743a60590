--TEST--
Test session_set_save_handler() function : using closures as callbacks
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_closures.phpt
--INI--
session.save_path=
session.name=PHPSESSID
session.save_handler=files
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_id, session_module_name, session_save_path, session_set_save_handler, session_start, session_unset, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';
import { mkdirSync, rmdirSync } from 'node:fs';
import * as handler from './_save_handler.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : using closures as callbacks ***\n");

  // require_once "save_handler_closures.inc": a closure calling each function of save_handler.inc
  const closure = <K extends 'open' | 'close' | 'read' | 'write' | 'destroy' | 'gc'>(fn: K) => (...args: Parameters<(typeof handler)[K]>) => (handler[fn] as (...a: unknown[]) => unknown)(...args);
  let open_closure_ = closure('open');
  let close_closure_ = closure('close');
  let read_closure_ = closure('read');
  let write_closure_ = closure('write');
  let destroy_closure_ = closure('destroy');
  let gc_closure_ = closure('gc');

  var_dump(session_module_name());
  var_dump(session_module_name(''));
  var_dump(session_module_name("blah"));
  var_dump(session_module_name("foo"));

  let path_ = import.meta.dirname + '/session_set_save_handler_closures';
  mkdirSync(path_, { recursive: true });
  session_save_path(path_);

  session_set_save_handler(open_closure_, close_closure_, read_closure_, write_closure_, destroy_closure_, gc_closure_);

  await session_start();
  let session_id_ = session_id(); // save_handler.inc's read() sets the global $session_id
  $_SESSION["Blah"] = "Hello World!";
  $_SESSION["Foo"] = false;
  $_SESSION["Guff"] = 1234567890;
  var_dump($_SESSION);

  await session_write_close();
  session_unset();
  var_dump($_SESSION);

  echo("Starting session again..!\n");
  session_id(session_id_ as string);
  session_set_save_handler(open_closure_, close_closure_, read_closure_, write_closure_, destroy_closure_, gc_closure_);
  await session_start();
  $_SESSION['Bar'] = 'Foo';
  var_dump($_SESSION);
  await session_write_close();

  echo("Cleanup\n");
  await session_start();
  await session_destroy();

  ob_end_flush();
  rmdirSync(path_);
}
--EXPECTF--
*** Testing session_set_save_handler() : using closures as callbacks ***
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
Write [%s,%s,Blah|s:12:"Hello World!";Foo|b:0;Guff|i:1234567890;Bar|s:3:"Foo";]
Close [%s,PHPSESSID]
Cleanup
Open [%s,PHPSESSID]
Read [%s,%s]
Destroy [%s,%s]
Close [%s,PHPSESSID]
