--TEST--
Test session_gc() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_gc_basic.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_gc, session_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_gc() : basic functionality ***\n");

  var_dump(await session_gc());

  var_dump(await session_start());
  var_dump(await session_gc(), await session_gc() >= -1);
  var_dump(await session_destroy());
  var_dump(session_id());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_gc() : basic functionality ***

Warning: session_gc(): Session cannot be garbage collected when there is no active session in %s on line %d
bool(false)
bool(true)
int(%d)
bool(true)
bool(true)
string(0) ""
Done
