--TEST--
Test session_set_cookie_params() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_cookie_params_variation2.phpt
--INI--
session.cookie_path=/path
--FILE--
import { echo, ini_get, ob_end_flush, ob_start, session_destroy, session_set_cookie_params, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_cookie_params() : variation ***\n");

  var_dump(ini_get("session.cookie_path"));
  var_dump(session_set_cookie_params(3600, "/foo"));
  var_dump(ini_get("session.cookie_path"));
  var_dump(await session_start());
  var_dump(ini_get("session.cookie_path"));
  var_dump(session_set_cookie_params(3600, "/blah"));
  var_dump(ini_get("session.cookie_path"));
  var_dump(await session_destroy());
  var_dump(ini_get("session.cookie_path"));
  var_dump(session_set_cookie_params(3600, "/guff"));
  var_dump(ini_get("session.cookie_path"));

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_set_cookie_params() : variation ***
string(5) "/path"
bool(true)
string(4) "/foo"
bool(true)
string(4) "/foo"

Warning: session_set_cookie_params(): Session cookie parameters cannot be changed when a session is active in %s on line %d
bool(false)
string(4) "/foo"
bool(true)
string(4) "/foo"
bool(true)
string(5) "/guff"
Done
