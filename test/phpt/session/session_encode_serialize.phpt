--TEST--
Test session_encode() function : Numeric key raise error. bug65359
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_encode_serialize.phpt
--FILE--
import { $_SESSION, echo, ini_set, ob_start, session_encode, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  ini_set('session.serialize_handler', 'php_serialize');
  var_dump(await session_start());
  $_SESSION[-3] = 'foo';
  $_SESSION[3] = 'bar';
  $_SESSION['var'] = 123;
  var_dump(session_encode());
  await session_write_close();

  // Should finish without errors
  echo('Done' + "\n");
}
--EXPECT--
bool(true)
string(51) "a:3:{i:-3;s:3:"foo";i:3;s:3:"bar";s:3:"var";i:123;}"
Done
