--TEST--
Test session_set_save_handler() : default object
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_class_004.phpt
--INI--
session.save_handler=files
session.name=PHPSESSID
--FILE--
import { $_SESSION, SessionHandler, echo, ini_get, ob_start, session_id, session_set_save_handler, session_start, session_unset, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : default object ***\n");

  session_set_save_handler(new SessionHandler);
  await session_start();

  $_SESSION['foo'] = "hello";

  var_dump(session_id(), ini_get('session.save_handler'), $_SESSION);

  await session_write_close();
  session_unset();

  await session_start();
  var_dump($_SESSION);

  await session_write_close();
  session_unset();
}
--EXPECTF--
*** Testing session_set_save_handler() : default object ***
string(%d) "%s"
string(4) "user"
array(1) {
  ["foo"]=>
  string(5) "hello"
}
array(1) {
  ["foo"]=>
  string(5) "hello"
}
