--TEST--
Test session_encode() function : error functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_encode_error2.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_destroy, session_encode, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_encode() : error functionality ***\n");

  // Unexpected values to be passed as arguments
  let inputs_ = [

    // Integer data
    /*1*/ 0,
    1,
    12345,
    -2345,

    // Empty strings
    '',

    // Invalid string data
    'Nothing',
  ];

  let iterator_ = 1;
  for (const input_ of inputs_) {
    echo(`\n-- Iteration ${iterator_} --\n`);
    var_dump(await session_start());
    try {
      $_SESSION[input_] = "Hello World!";
    } catch (e) {
      echo((e as Error).message, "\n");
    }
    var_dump(session_encode());
    var_dump(await session_destroy());
    iterator_++;
  };

  echo("Done");
  ob_end_flush();
}
--EXPECTF--
*** Testing session_encode() : error functionality ***

-- Iteration 1 --
bool(true)

Warning: session_encode(): Skipping numeric key 0 in %s on line %d
bool(false)
bool(true)

-- Iteration 2 --
bool(true)

Warning: session_encode(): Skipping numeric key 1 in %s on line %d
bool(false)
bool(true)

-- Iteration 3 --
bool(true)

Warning: session_encode(): Skipping numeric key 12345 in %s on line %d
bool(false)
bool(true)

-- Iteration 4 --
bool(true)

Warning: session_encode(): Skipping numeric key -2345 in %s on line %d
bool(false)
bool(true)

-- Iteration 5 --
bool(true)
string(21) "|s:12:"Hello World!";"
bool(true)

-- Iteration 6 --
bool(true)
string(28) "Nothing|s:12:"Hello World!";"
bool(true)
Done
