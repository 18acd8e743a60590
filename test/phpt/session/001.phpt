--TEST--
session object serialization
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/001.phpt
--INI--
session.use_cookies=0
session.cache_limiter=
session.serialize_handler=php
session.save_handler=files
--FILE--
import { $_SESSION, E_ALL, error_reporting, print, session_destroy, session_encode, session_start } from 'tsfpm';
import { php_object } from './_php.ts';
import type { PhpObject } from 'tsfpm/sessions';

export default async function (): Promise<void> {
  error_reporting(E_ALL);

  // class foo { public $bar = "ok"; function method() { $this->yes = "done"; } }: a PHP object, as PhpObject
  function new_foo() { return php_object('foo', { bar: "ok" }); }
  function method(self: PhpObject) { self.props.set('yes', "done"); }

  let baz_ = new_foo();
  method(baz_);

  let arr_: Record<number, PhpObject> = {};
  arr_[3] = new_foo();
  method(arr_[3]);

  await session_start();

  $_SESSION["baz"] = baz_;
  $_SESSION["arr"] = arr_;

  print(session_encode() + "\n");

  await session_destroy();
}
--EXPECT--
baz|O:3:"foo":2:{s:3:"bar";s:2:"ok";s:3:"yes";s:4:"done";}arr|a:1:{i:3;O:3:"foo":2:{s:3:"bar";s:2:"ok";s:3:"yes";s:4:"done";}}
