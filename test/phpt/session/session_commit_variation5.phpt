--TEST--
Test session_commit() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_commit_variation5.phpt
--INI--
session.use_strict_mode=0
--FILE--
import { echo, ob_end_flush, ob_start, session_commit, session_destroy, session_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';
import { createHash } from 'node:crypto';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_commit() : variation ***\n");

  let id_ = createHash('md5').update(`${process.hrtime.bigint()}`).digest('hex'); // md5(uniqid())
  var_dump(session_id(id_));
  var_dump(await session_start());
  var_dump(session_id());
  var_dump(id_ === session_id());
  var_dump(await session_commit());
  var_dump(id_ === session_id());
  var_dump(session_id());
  var_dump(await session_start());
  var_dump(id_ === session_id());
  var_dump(session_id());
  var_dump(await session_commit());
  var_dump(id_ === session_id());
  var_dump(session_id());
  var_dump(await session_start());
  var_dump(id_ === session_id());
  var_dump(session_id());
  var_dump(await session_commit());
  var_dump(id_ === session_id());
  var_dump(session_id());
  var_dump(await session_start());
  var_dump(await session_destroy());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_commit() : variation ***
string(0) ""
bool(true)
string(32) "%s"
bool(true)
bool(true)
bool(true)
string(32) "%s"
bool(true)
bool(true)
string(32) "%s"
bool(true)
bool(true)
string(32) "%s"
bool(true)
bool(true)
string(32) "%s"
bool(true)
bool(true)
string(32) "%s"
bool(true)
bool(true)
Done
