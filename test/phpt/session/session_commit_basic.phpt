--TEST--
Test session_commit() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_commit_basic.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_commit, session_destroy, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_commit() : basic functionality ***\n");

  var_dump(await session_start());
  var_dump($_SESSION);
  var_dump(await session_commit());
  var_dump($_SESSION);
  var_dump(await session_start());
  var_dump($_SESSION);
  var_dump(await session_destroy());
  var_dump($_SESSION);

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_commit() : basic functionality ***
bool(true)
array(0) {
}
bool(true)
array(0) {
}
bool(true)
array(0) {
}
bool(true)
array(0) {
}
Done
