--TEST--
Test session_set_cookie_params() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_cookie_params_variation1.phpt
--INI--
session.cookie_lifetime=3600
--FILE--
import { echo, ini_get, ob_end_flush, ob_start, session_destroy, session_set_cookie_params, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_cookie_params() : variation ***\n");

  var_dump(ini_get("session.cookie_lifetime"));
  var_dump(session_set_cookie_params(3600));
  var_dump(ini_get("session.cookie_lifetime"));

  var_dump(await session_start());
  var_dump(ini_get("session.cookie_lifetime"));
  var_dump(session_set_cookie_params(1800));
  var_dump(ini_get("session.cookie_lifetime"));
  var_dump(await session_destroy());

  var_dump(ini_get("session.cookie_lifetime"));
  var_dump(session_set_cookie_params(1234567890));
  var_dump(ini_get("session.cookie_lifetime"));

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_set_cookie_params() : variation ***
string(4) "3600"
bool(true)
string(4) "3600"
bool(true)
string(4) "3600"

Warning: session_set_cookie_params(): Session cookie parameters cannot be changed when a session is active in %s on line %d
bool(false)
string(4) "3600"
bool(true)
string(4) "3600"
bool(true)
string(10) "1234567890"
Done
