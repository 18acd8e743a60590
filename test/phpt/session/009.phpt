--TEST--
unset($_SESSION["name"]); test
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/009.phpt
--INI--
session.use_cookies=0
session.use_strict_mode=0
session.cache_limiter=
session.serialize_handler=php
session.save_handler=files
--FILE--
import { $_SESSION, E_ALL, error_reporting, ob_start, session_destroy, session_id, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  error_reporting(E_ALL);
  ob_start();

  session_id("test009");

  // Phase 1 cleanup
  await session_start();
  await session_destroy();

  // Phase 2 $_SESSION["c"] does not contain any value
  session_id("test009");
  await session_start();
  var_dump($_SESSION);
  $_SESSION["name"] = "foo";
  var_dump($_SESSION);
  await session_write_close();

  // Phase 3 $_SESSION["c"] is set
  await session_start();
  var_dump($_SESSION);
  delete $_SESSION["name"];
  var_dump($_SESSION);
  await session_write_close();

  // Phase 4 final

  await session_start();
  var_dump($_SESSION);
  await session_destroy();
}
--EXPECT--
array(0) {
}
array(1) {
  ["name"]=>
  string(3) "foo"
}
array(1) {
  ["name"]=>
  string(3) "foo"
}
array(0) {
}
array(0) {
}
