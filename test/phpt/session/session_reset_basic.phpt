--TEST--
Test session_reset() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_reset_basic.phpt
--INI--
session.save_path=
session.name=PHPSESSID
session.save_handler=files
--FILE--
import { $_SESSION, echo, ob_start, session_abort, session_commit, session_id, session_reset, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_abort() : basic functionality ***\n");

  await session_start();
  const session_id_ = session_id();
  $_SESSION['foo'] = 123;
  await session_commit();

  session_id(session_id_);
  await session_start();
  $_SESSION['bar'] = 456;
  var_dump($_SESSION);
  session_reset();

  var_dump($_SESSION); // Should only have 'foo'

  echo("Done" + "\n");
}
--EXPECT--
*** Testing session_abort() : basic functionality ***
array(2) {
  ["foo"]=>
  int(123)
  ["bar"]=>
  int(456)
}
array(1) {
  ["foo"]=>
  int(123)
}
Done
