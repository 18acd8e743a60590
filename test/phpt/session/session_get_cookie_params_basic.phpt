--TEST--
Test session_get_cookie_params() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_get_cookie_params_basic.phpt
--INI--
session.cookie_lifetime=0
session.cookie_path="/"
session.cookie_domain=""
session.cookie_secure=0
session.cookie_httponly=0
session.cookie_samesite=""
--FILE--
import { echo, ob_end_flush, ob_start, session_get_cookie_params, session_set_cookie_params } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_get_cookie_params() : basic functionality ***\n");

  var_dump(session_get_cookie_params());
  var_dump(session_set_cookie_params(3600, "/path", "blah", false, false));
  var_dump(session_get_cookie_params());
  var_dump(session_set_cookie_params(1234567890, "/guff", "foo", true, true));
  var_dump(session_get_cookie_params());
  var_dump(session_set_cookie_params({
    "lifetime": 123,
    "path": "/bar",
    "domain": "baz",
    "secure": false,
    "httponly": false,
    "samesite": "please"}));
  var_dump(session_get_cookie_params());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_get_cookie_params() : basic functionality ***
array(6) {
  ["lifetime"]=>
  int(0)
  ["path"]=>
  string(1) "/"
  ["domain"]=>
  string(0) ""
  ["secure"]=>
  bool(false)
  ["httponly"]=>
  bool(false)
  ["samesite"]=>
  string(0) ""
}
bool(true)
array(6) {
  ["lifetime"]=>
  int(3600)
  ["path"]=>
  string(5) "/path"
  ["domain"]=>
  string(4) "blah"
  ["secure"]=>
  bool(false)
  ["httponly"]=>
  bool(false)
  ["samesite"]=>
  string(0) ""
}
bool(true)
array(6) {
  ["lifetime"]=>
  int(%d)
  ["path"]=>
  string(5) "/guff"
  ["domain"]=>
  string(3) "foo"
  ["secure"]=>
  bool(true)
  ["httponly"]=>
  bool(true)
  ["samesite"]=>
  string(0) ""
}
bool(true)
array(6) {
  ["lifetime"]=>
  int(123)
  ["path"]=>
  string(4) "/bar"
  ["domain"]=>
  string(3) "baz"
  ["secure"]=>
  bool(false)
  ["httponly"]=>
  bool(false)
  ["samesite"]=>
  string(6) "please"
}
Done
