--TEST--
Bug #73273: session_unset() empties values from all variables in which is $_session stored
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug73273.phpt
--FILE--
import { $_SESSION, session_start, session_unset } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  await session_start();
  $_SESSION['test'] = true;
  let var_ = { ...$_SESSION }; // $var = $_SESSION: a copy
  session_unset();
  var_dump(var_);
}
--EXPECT--
array(1) {
  ["test"]=>
  bool(true)
}
