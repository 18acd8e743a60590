--TEST--
Bug #72681: PHP Session Data Injection Vulnerability
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug72681.phpt
--FILE--
import { $_SESSION, ini_set, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ini_set('session.serialize_handler', 'php');
  await session_start();
  let ryat_ = { ...$_SESSION }; // $GLOBALS['ryat'] = $_SESSION: a copy
  $_SESSION['ryat'] = 'ryat|O:8:"stdClass":0:{}';
  await session_write_close();
  await session_start();
  var_dump(ryat_);
  var_dump($_SESSION);
}
--EXPECT--
array(0) {
}
array(1) {
  ["ryat"]=>
  string(24) "ryat|O:8:"stdClass":0:{}"
}
