--TEST--
Test session_start() errors
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_start_error.phpt
--FILE--
import { PhpTypeError, echo, ob_end_flush, ob_start, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  try {
    await session_start({ option: new (class stdClass {})() });
  } catch (exception) {
    if (!(exception instanceof PhpTypeError)) throw exception;
    echo(exception.message + "\n");
  }

  var_dump(await session_start({ option: false }));

  ob_end_flush();
}
--EXPECTF--
session_start(): Option "option" must be of type string|int|bool, stdClass given

Warning: session_start(): Setting option "option" failed in %s on line %d
bool(true)
