--TEST--
Bug #70013 (Reference to $_SESSION is lost after a call to session_regenerate_id())
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug70013.phpt
--INI--
session.save_handler=files
--FILE--
import { $_SESSION, ob_start, session_regenerate_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();
  await session_start();

  let session_ = $_SESSION; // $session = &$_SESSION: the same object
  session_['test'] = 1;
  await session_regenerate_id(false);
  session_['test'] = 2;
  var_dump(session_['test'] === $_SESSION['test']);

  session_['test'] = 3;
  await session_regenerate_id(true);
  session_['test'] = 4;
  var_dump(session_['test'] === $_SESSION['test']);
}
--EXPECT--
bool(true)
bool(true)
