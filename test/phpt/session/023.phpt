--TEST--
session object deserialization
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/023.phpt
--INI--
session.use_cookies=0
session.use_strict_mode=0
session.cache_limiter=
session.serialize_handler=php
session.save_handler=files
--FILE--
import { $_SESSION, E_ALL, error_reporting, session_decode, session_destroy, session_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';
import type { PhpObject } from 'tsfpm/sessions';

export default async function (): Promise<void> {
  error_reporting(E_ALL);

  // class foo { public $bar = "ok"; public $yes; function method() { $this->yes++; } }
  function method(self: PhpObject) { self.props.set('yes', (self.props.get('yes') as number) + 1); }

  session_id("test023");
  await session_start();
  await session_decode('baz|O:3:"foo":2:{s:3:"bar";s:2:"ok";s:3:"yes";i:1;}arr|a:1:{i:3;O:3:"foo":2:{s:3:"bar";s:2:"ok";s:3:"yes";i:1;}}');
  let baz_ = $_SESSION['baz'] as PhpObject;
  let arr_ = $_SESSION['arr'] as PhpObject[];

  method(baz_);
  method(arr_[3]!);

  var_dump(baz_);
  var_dump(arr_);
  await session_destroy();
}
--EXPECT--
object(foo)#1 (2) {
  ["bar"]=>
  string(2) "ok"
  ["yes"]=>
  int(2)
}
array(1) {
  [3]=>
  object(foo)#2 (2) {
    ["bar"]=>
    string(2) "ok"
    ["yes"]=>
    int(2)
  }
}
