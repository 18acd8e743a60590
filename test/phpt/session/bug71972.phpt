--TEST--
Bug #71972 (Cyclic references causing session_start(): Failed to decode session object)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug71972.phpt
--INI--
session.save_handler=files
--FILE--
import { $_SESSION, ob_start, session_decode, session_encode, session_start } from 'tsfpm';
import { php_object, var_dump } from './_php.ts';
import type { PhpObject } from 'tsfpm/sessions';

export default async function (): Promise<void> {
  ob_start();
  await session_start();
  $_SESSION['boogie'] = 1;
  $_SESSION['obj1'] = php_object('stdClass');
  for (let x_ = 2; x_ < 20; x_++) {
    cyclic_ref(x_);
  }

  function cyclic_ref(num_: number) {
    const obj = php_object('stdClass');
    $_SESSION['obj' + num_] = obj;
    obj.props.set('test', php_object('stdClass'));//NOTE: No bug if try commenting out this too.
    obj.props.set('obj1', $_SESSION['obj1'] as PhpObject);
  }

  // session_decode(...) == $_SESSION: PHP compares true with a non-empty array as true
  var_dump((await session_decode(session_encode() as string)) == (Object.keys($_SESSION).length > 0));
}
--EXPECT--
bool(true)
