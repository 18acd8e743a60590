--TEST--
Bug #67694 Regression in session_regenerate_id()
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug67694.phpt
--INI--
session.save_handler = files
session.name=PHPSESSID
session.auto_start = 0
session.use_cookies = 0
session.cache_limiter =
date.timezone = UTC
--FILE--
import { $_SESSION, ob_start, session_id, session_regenerate_id, session_start, session_write_close, tsfpm } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  let data_ = new Date().toUTCString(); // date('r')

  await session_start();
  let id_ = session_id() as string;
  $_SESSION['init'] = data_;
  await session_write_close();

  session_id(id_);
  await session_start();
  await session_regenerate_id(false);
  let newid_ = session_id();
  var_dump(newid_ != id_);
  await session_write_close();

  // unset($_SESSION): tsfpm's $_SESSION is one object per request
  session_id(newid_ as string);
  await session_start();
  var_dump('init' in $_SESSION && data_ == $_SESSION['init']);
}
--EXPECT--
bool(true)
bool(true)
