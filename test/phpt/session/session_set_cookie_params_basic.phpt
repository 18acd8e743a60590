--TEST--
Test session_set_cookie_params() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_cookie_params_basic.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_set_cookie_params, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_cookie_params() : basic functionality ***\n");

  var_dump(session_set_cookie_params(3600));
  var_dump(await session_start());
  var_dump(session_set_cookie_params(1800));
  var_dump(await session_destroy());
  var_dump(session_set_cookie_params(1234567890));

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_set_cookie_params() : basic functionality ***
bool(true)
bool(true)

Warning: session_set_cookie_params(): Session cookie parameters cannot be changed when a session is active in %s on line %d
bool(false)
bool(true)
bool(true)
Done
