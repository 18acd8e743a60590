--TEST--
Test session_set_cookie_params() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_cookie_params_variation4.phpt
--INI--
session.cookie_secure=TRUE
--FILE--
import { echo, ini_get, ob_end_flush, ob_start, session_destroy, session_set_cookie_params, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_cookie_params() : variation ***\n");

  var_dump(ini_get("session.cookie_secure"));
  var_dump(session_set_cookie_params(3600, "/path", "blah", false));
  var_dump(ini_get("session.cookie_secure"));
  var_dump(await session_start());
  var_dump(ini_get("session.cookie_secure"));
  var_dump(session_set_cookie_params(3600, "/path", "blah", true));
  var_dump(ini_get("session.cookie_secure"));
  var_dump(await session_destroy());
  var_dump(ini_get("session.cookie_secure"));
  var_dump(session_set_cookie_params(3600, "/path", "blah", false));
  var_dump(ini_get("session.cookie_secure"));

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_set_cookie_params() : variation ***
string(1) "1"
bool(true)
string(1) "0"
bool(true)
string(1) "0"

Warning: session_set_cookie_params(): Session cookie parameters cannot be changed when a session is active in %s on line %d
bool(false)
string(1) "0"
bool(true)
string(1) "0"
bool(true)
string(1) "0"
Done
