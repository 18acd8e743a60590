--TEST--
Test session_set_save_handler() : using objects in close
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_class_006.phpt
--INI--
session.save_handler=files
session.name=PHPSESSID
--FILE--
import { SessionHandler, echo, ob_end_flush, ob_start, session_set_save_handler, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : using objects in close ***\n");

  class MySession7_Foo {
    state = 'ok';
    // function __destruct() { $this->state = 'destroyed'; }: JS objects have no destructor
  }

  class MySession7 extends SessionHandler {
    foo: MySession7_Foo | undefined;
    override close(): Promise<boolean> {
      var_dump(this.foo);
      var_dump(bar_); // @var_dump($GLOBALS['bar'])
      return super.close();
    }
  }

  let bar_ = new MySession7_Foo;
  let handler_ = new MySession7;
  handler_.foo = new MySession7_Foo;
  session_set_save_handler(handler_);
  await session_start();

  ob_end_flush();
}
--EXPECTF--
*** Testing session_set_save_handler() : using objects in close ***
object(MySession7_Foo)#%d (%d) {
  ["state"]=>
  string(2) "ok"
}
object(MySession7_Foo)#%d (%d) {
  ["state"]=>
  string(2) "ok"
}
