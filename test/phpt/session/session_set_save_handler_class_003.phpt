--TEST--
Test session_set_save_handler() : inheritance
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_class_003.phpt
--INI--
session.save_handler=files
session.name=PHPSESSID
--FILE--
import { $_SESSION, SessionHandler, echo, ob_start, session_id, session_set_save_handler, session_start, session_unset, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : inheritance ***\n");

  class MySession3 extends SessionHandler {
    i: number | string = 0;
    override open(path: string, name: string): Promise<boolean> {
      ++(this.i as number);
      return super.open(path, name);
    }
    override read(key: string): Promise<string | false> {
      ++(this.i as number);
      return super.read(key);
    }
  }

  class MySession4 extends MySession3 {
    override write(id: string, data: string): Promise<boolean> {
      this.i = "hai";
      return super.write(id, data);
    }
  }

  let handler_: MySession3 = new MySession3;
  session_set_save_handler(handler_);
  await session_start();

  $_SESSION['foo'] = "hello";

  await session_write_close();
  session_unset();

  await session_start();

  var_dump($_SESSION, handler_.i);

  await session_write_close();
  session_unset();

  handler_ = new MySession4;
  session_set_save_handler(handler_);

  await session_start();

  $_SESSION['bar'] = 'hello';
  await session_write_close();
  session_unset();

  var_dump(session_id(), $_SESSION, handler_.i);
}
--EXPECTF--
*** Testing session_set_save_handler() : inheritance ***
array(1) {
  ["foo"]=>
  string(5) "hello"
}
int(4)
string(%d) "%s"
array(2) {
  ["foo"]=>
  string(5) "hello"
  ["bar"]=>
  string(5) "hello"
}
string(3) "hai"
