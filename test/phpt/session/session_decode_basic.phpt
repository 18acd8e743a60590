--TEST--
Test session_decode() function : basic functionality
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_decode_basic.phpt
--FILE--
import { $_SESSION, echo, ob_end_flush, ob_start, session_decode, session_destroy, session_encode, session_start } from 'tsfpm';
import { php_object, var_dump } from './_php.ts';
import { PhpFloat } from 'tsfpm/sessions';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_decode() : basic functionality ***\n");

  // Get an unset variable
  let unset_var_: number | undefined = 10;
  unset_var_ = undefined; // unset($unset_var)

  // class classA { public function __toString() { return "Hello World!"; } }

  let heredoc_ = `Hello World!`;

  // fopen(__FILE__, "r"): a resource, which serialize() writes as i:0 (JS has no resources)
  let fp_ = 0;

  // Unexpected values to be passed as arguments
  let inputs_ = [

    // Integer data
    /*1*/ 0,
    1,
    12345,
    -2345,

    // Float data
    /*5*/ 10.5,
    -10.5,
    new PhpFloat(12.3456789000e10),
    12.3456789000E-10,
    .5,

    // Null data
    /*10*/ null,
    null,

    // Boolean data
    /*12*/ true,
    false,
    true,
    false,

    // Empty strings
    /*16*/ "",
    '',

    // Invalid string data
    /*18*/ "Nothing",
    'Nothing',
    heredoc_,

    // Object data
    /*21*/ php_object('classA'),

    // Undefined data
    /*22*/ undefined,

    // Unset data
    /*23*/ unset_var_,

    // Resource variable
    /*24*/ fp_
  ];

  var_dump(await session_start());
  let iterator_ = 1;
  for (const input_ of inputs_) {
    echo(`\n-- Iteration ${iterator_} --\n`);
    $_SESSION["data"] = input_;
    let encoded_ = session_encode() as string;
    var_dump(await session_decode(encoded_));
    var_dump($_SESSION);
    iterator_++;
  };

  var_dump(await session_destroy());
  // fclose($fp);
  echo("Done");
  ob_end_flush();
}
--EXPECT--
*** Testing session_decode() : basic functionality ***
bool(true)

-- Iteration 1 --
bool(true)
array(1) {
  ["data"]=>
  int(0)
}

-- Iteration 2 --
bool(true)
array(1) {
  ["data"]=>
  int(1)
}

-- Iteration 3 --
bool(true)
array(1) {
  ["data"]=>
  int(12345)
}

-- Iteration 4 --
bool(true)
array(1) {
  ["data"]=>
  int(-2345)
}

-- Iteration 5 --
bool(true)
array(1) {
  ["data"]=>
  float(10.5)
}

-- Iteration 6 --
bool(true)
array(1) {
  ["data"]=>
  float(-10.5)
}

-- Iteration 7 --
bool(true)
array(1) {
  ["data"]=>
  float(123456789000)
}

-- Iteration 8 --
bool(true)
array(1) {
  ["data"]=>
  float(1.23456789E-9)
}

-- Iteration 9 --
bool(true)
array(1) {
  ["data"]=>
  float(0.5)
}

-- Iteration 10 --
bool(true)
array(1) {
  ["data"]=>
  NULL
}

-- Iteration 11 --
bool(true)
array(1) {
  ["data"]=>
  NULL
}

-- Iteration 12 --
bool(true)
array(1) {
  ["data"]=>
  bool(true)
}

-- Iteration 13 --
bool(true)
array(1) {
  ["data"]=>
  bool(false)
}

-- Iteration 14 --
bool(true)
array(1) {
  ["data"]=>
  bool(true)
}

-- Iteration 15 --
bool(true)
array(1) {
  ["data"]=>
  bool(false)
}

-- Iteration 16 --
bool(true)
array(1) {
  ["data"]=>
  string(0) ""
}

-- Iteration 17 --
bool(true)
array(1) {
  ["data"]=>
  string(0) ""
}

-- Iteration 18 --
bool(true)
array(1) {
  ["data"]=>
  string(7) "Nothing"
}

-- Iteration 19 --
bool(true)
array(1) {
  ["data"]=>
  string(7) "Nothing"
}

-- Iteration 20 --
bool(true)
array(1) {
  ["data"]=>
  string(12) "Hello World!"
}

-- Iteration 21 --
bool(true)
array(1) {
  ["data"]=>
  object(classA)#2 (0) {
  }
}

-- Iteration 22 --
bool(true)
array(1) {
  ["data"]=>
  NULL
}

-- Iteration 23 --
bool(true)
array(1) {
  ["data"]=>
  NULL
}

-- Iteration 24 --
bool(true)
array(1) {
  ["data"]=>
  int(0)
}
bool(true)
Done
