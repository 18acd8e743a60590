--TEST--
Test session_set_cookie_params() function : negative and 0 lifetime
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_cookie_params_variation8.phpt
--FILE--
import { echo, ini_get, ob_end_flush, ob_start, session_set_cookie_params } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  var_dump(ini_get("session.cookie_lifetime"));
  var_dump(session_set_cookie_params({"lifetime": 0}));
  var_dump(ini_get("session.cookie_lifetime"));

  var_dump(ini_get("session.cookie_lifetime"));
  var_dump(session_set_cookie_params({"lifetime": -10}));
  var_dump(ini_get("session.cookie_lifetime"));
  echo("Done");
  ob_end_flush();
}
--EXPECTF--
string(1) "0"
bool(true)
string(1) "0"
string(1) "0"

Warning: session_set_cookie_params(): CookieLifetime cannot be negative in %s on line %d
bool(false)
string(1) "0"
Done
