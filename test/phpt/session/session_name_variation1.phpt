--TEST--
Test session_name() function : variation
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_name_variation1.phpt
--INI--
session.save_path=
session.name=PHPSESSID
session.save_handler=files
--FILE--
import { echo, ob_end_flush, ob_start, session_destroy, session_name, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_name() : variation ***\n");

  var_dump(session_name("\0"));
  var_dump(await session_start());
  var_dump(session_name());
  var_dump(await session_destroy());
  var_dump(session_name());

  var_dump(session_name("\t"));
  var_dump(await session_start());
  var_dump(session_name());
  var_dump(await session_destroy());
  var_dump(session_name());

  var_dump(session_name(""));
  var_dump(await session_start());
  var_dump(session_name());
  var_dump(await session_destroy());
  var_dump(session_name());

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_name() : variation ***
string(9) "PHPSESSID"
bool(true)
string(9) "PHPSESSID"
bool(true)
string(9) "PHPSESSID"
string(9) "PHPSESSID"

Warning: session_start(): session.name cannot contain any of the following '=,;.[ \t\r\n\013\014' in %s on line %d
bool(true)
string(1) "	"
bool(true)
string(1) "	"

Warning: session_name(): session.name "" cannot be numeric or empty in %s on line %d
string(1) "	"

Warning: session_start(): session.name cannot contain any of the following '=,;.[ \t\r\n\013\014' in %s on line %d
bool(true)
string(1) "	"
bool(true)
string(1) "	"
Done
