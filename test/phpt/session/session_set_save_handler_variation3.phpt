--TEST--
Test session_set_save_handler() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_variation3.phpt
--INI--
session.auto_start=1
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_save_path, session_set_save_handler, session_status } from 'tsfpm';
import { var_dump } from './_php.ts';
import { mkdirSync, rmdirSync } from 'node:fs';
import { open, close, read, write, destroy, gc } from './_save_handler.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : variation ***\n");

  let path_ = import.meta.dirname + '/session_set_save_handler_variation3';
  mkdirSync(path_, { recursive: true });
  var_dump(session_status());
  session_save_path(path_);
  var_dump(session_set_save_handler(open, close, read, write, destroy, gc));
  var_dump(await session_destroy());

  ob_end_flush();
  rmdirSync(path_);
}
--EXPECTF--
*** Testing session_set_save_handler() : variation ***
int(2)

Warning: session_save_path(): Session save path cannot be changed when a session is active in %s on line %d

Warning: session_set_save_handler(): Session save handler cannot be changed when a session is active in %s on line %d
bool(false)
bool(true)
