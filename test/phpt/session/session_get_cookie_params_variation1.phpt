--TEST--
Test session_get_cookie_params() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_get_cookie_params_variation1.phpt
--INI--
session.cookie_lifetime=0
session.cookie_path="/"
session.cookie_domain=""
session.cookie_secure=0
session.cookie_httponly=0
session.cookie_samesite=""
--FILE--
import { echo, ini_set, ob_end_flush, ob_start, session_get_cookie_params } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_get_cookie_params() : variation ***\n");

  var_dump(session_get_cookie_params());
  ini_set("session.cookie_lifetime", 3600);
  var_dump(session_get_cookie_params());
  ini_set("session.cookie_path", "/path");
  var_dump(session_get_cookie_params());
  ini_set("session.cookie_domain", "foo");
  var_dump(session_get_cookie_params());
  ini_set("session.cookie_secure", true);
  var_dump(session_get_cookie_params());
  ini_set("session.cookie_httponly", true);
  var_dump(session_get_cookie_params());
  ini_set("session.cookie_samesite", "foo");
  var_dump(session_get_cookie_params());

  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_get_cookie_params() : variation ***
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
array(6) {
  ["lifetime"]=>
  int(3600)
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
array(6) {
  ["lifetime"]=>
  int(3600)
  ["path"]=>
  string(5) "/path"
  ["domain"]=>
  string(0) ""
  ["secure"]=>
  bool(false)
  ["httponly"]=>
  bool(false)
  ["samesite"]=>
  string(0) ""
}
array(6) {
  ["lifetime"]=>
  int(3600)
  ["path"]=>
  string(5) "/path"
  ["domain"]=>
  string(3) "foo"
  ["secure"]=>
  bool(false)
  ["httponly"]=>
  bool(false)
  ["samesite"]=>
  string(0) ""
}
array(6) {
  ["lifetime"]=>
  int(3600)
  ["path"]=>
  string(5) "/path"
  ["domain"]=>
  string(3) "foo"
  ["secure"]=>
  bool(true)
  ["httponly"]=>
  bool(false)
  ["samesite"]=>
  string(0) ""
}
array(6) {
  ["lifetime"]=>
  int(3600)
  ["path"]=>
  string(5) "/path"
  ["domain"]=>
  string(3) "foo"
  ["secure"]=>
  bool(true)
  ["httponly"]=>
  bool(true)
  ["samesite"]=>
  string(0) ""
}
array(6) {
  ["lifetime"]=>
  int(3600)
  ["path"]=>
  string(5) "/path"
  ["domain"]=>
  string(3) "foo"
  ["secure"]=>
  bool(true)
  ["httponly"]=>
  bool(true)
  ["samesite"]=>
  string(3) "foo"
}
Done
