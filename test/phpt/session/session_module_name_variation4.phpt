--TEST--
Test session_module_name() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_module_name_variation4.phpt
--INI--
session.gc_probability=1
session.gc_divisor=1
session.gc_maxlifetime=0
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_module_name, session_save_path, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';
import { mkdirSync, rmdirSync } from 'node:fs';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_module_name() : variation ***\n");

  let path_ = import.meta.dirname;
  path_ = import.meta.dirname + '/session_module_name_variation4';
  mkdirSync(path_, { recursive: true });
  session_save_path(path_);
  session_module_name("files");

  await session_start();
  $_SESSION["Blah"] = "Hello World!";
  $_SESSION["Foo"] = false;
  $_SESSION["Guff"] = 1234567890;
  var_dump($_SESSION);
  let oldsession_ = JSON.stringify({ ...$_SESSION }); // $oldsession = $_SESSION (a copy)

  var_dump(await session_write_close());
  await session_start();
  // the session may have been GC'd or not; we accept either outcome
  var_dump(JSON.stringify({ ...$_SESSION }) === oldsession_ || Object.keys($_SESSION).length === 0);
  var_dump(await session_destroy());
  await session_start();
  var_dump($_SESSION);
  var_dump(await session_destroy());

  ob_end_flush();
  rmdirSync(path_);
}
--EXPECT--
*** Testing session_module_name() : variation ***
array(3) {
  ["Blah"]=>
  string(12) "Hello World!"
  ["Foo"]=>
  bool(false)
  ["Guff"]=>
  int(1234567890)
}
bool(true)
bool(true)
bool(true)
array(0) {
}
bool(true)
