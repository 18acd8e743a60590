--TEST--
Test session_commit() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_commit_variation4.phpt
--INI--
session.use_strict_mode=0
--FILE--
import { echo, ini_get, ob_end_flush, ob_start, session_commit, session_destroy, session_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_commit() : variation ***\n");

  var_dump(ini_get('session.use_strict_mode'));
  var_dump(session_id("session-commit-variation4"));
  var_dump(await session_start());
  var_dump(session_id());
  var_dump(await session_commit());
  var_dump(session_id());
  var_dump(await session_start());
  var_dump(ini_get('session.use_strict_mode'));
  var_dump(session_id());
  var_dump(await session_commit());
  var_dump(session_id());
  var_dump(await session_start());
  var_dump(session_id());
  var_dump(await session_commit());
  var_dump(session_id());
  var_dump(await session_start());
  var_dump(await session_destroy());
  var_dump(ini_get('session.use_strict_mode'));

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_commit() : variation ***
string(1) "0"
string(0) ""
bool(true)
string(25) "session-commit-variation4"
bool(true)
string(25) "session-commit-variation4"
bool(true)
string(1) "0"
string(25) "session-commit-variation4"
bool(true)
string(25) "session-commit-variation4"
bool(true)
string(25) "session-commit-variation4"
bool(true)
string(25) "session-commit-variation4"
bool(true)
bool(true)
string(1) "0"
Done
