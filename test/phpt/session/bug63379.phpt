--TEST--
Bug #63379: Warning when using session_regenerate_id(TRUE) with a SessionHandler
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug63379.phpt
--INI--
session.save_handler=files
session.name=PHPSESSID
--FILE--
import { $_SESSION, SessionHandler, echo, ob_start, session_regenerate_id, session_set_save_handler, session_start, session_unset, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  let handler_ = new SessionHandler;
  session_set_save_handler(handler_);

  await session_start();

  $_SESSION['foo'] = 'hello';
  var_dump($_SESSION);

  await session_regenerate_id(true);

  echo("*** Regenerated ***\n");
  var_dump($_SESSION);

  $_SESSION['bar'] = 'world';

  var_dump($_SESSION);

  await session_write_close();
  session_unset();

  await session_start();
  var_dump($_SESSION);
}
--EXPECT--
array(1) {
  ["foo"]=>
  string(5) "hello"
}
*** Regenerated ***
array(1) {
  ["foo"]=>
  string(5) "hello"
}
array(2) {
  ["foo"]=>
  string(5) "hello"
  ["bar"]=>
  string(5) "world"
}
array(2) {
  ["foo"]=>
  string(5) "hello"
  ["bar"]=>
  string(5) "world"
}
