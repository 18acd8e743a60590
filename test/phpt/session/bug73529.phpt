--TEST--
Bug #73529 session_decode() silently fails on wrong input
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug73529.phpt
--FILE--
import { $_SESSION, echo, ini_set, ob_get_clean, ob_start, session_decode, session_destroy, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';
import { serialize } from 'tsfpm/sessions';

export default async function (): Promise<void> {
  ob_start();
  ini_set("session.serialize_handler", "php_serialize");
  await session_start();
  let result1_ = await session_decode('foo|s:3:"bar";');
  let session1_ = { ...$_SESSION };
  await session_destroy();

  ini_set("session.serialize_handler", "php");
  await session_start();
  let result2_ = await session_decode(serialize({ "foo": "bar" }).toString());
  let session2_ = { ...$_SESSION };
  await session_destroy();

  echo(ob_get_clean() as string);
  var_dump(result1_);
  var_dump(session1_);
  var_dump(result2_);
  var_dump(session2_);
}
--EXPECTF--
Warning: session_decode(): Failed to decode session object. Session has been destroyed in %s on line %d

Warning: session_destroy(): Trying to destroy uninitialized session in %s on line %d

Warning: session_decode(): Failed to decode session object. Session has been destroyed in %s on line %d

Warning: session_destroy(): Trying to destroy uninitialized session in %s on line %d
bool(false)
array(0) {
}
bool(false)
array(0) {
}
