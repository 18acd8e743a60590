--TEST--
Bug #80889 (Cannot set save handler when save_handler is invalid)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug80889.phpt
--INI--
session.save_handler=whatever
--FILE--
import { ini_get, session_set_save_handler } from 'tsfpm';
import { var_dump } from './_php.ts';
import type { SessionHandlerInterface } from 'tsfpm';

export default async function (): Promise<void> {
  class DummyHandler implements SessionHandlerInterface {
    open(savePath: string, sessionName: string): boolean {
      return true;
    }
    close(): boolean {
      return true;
    }
    read(id: string): string | false {
      return '';
    }
    write(id: string, data: string): boolean {
      return true;
    }
    destroy(id: string): boolean {
      return true;
    }
    gc(maxlifetime: number): number | false {
      return 1; // return true
    }
  }

  let initHandler_ = ini_get('session.save_handler');
  session_set_save_handler(new DummyHandler());
  let setHandler_ = ini_get('session.save_handler');
  var_dump(initHandler_, setHandler_);
}
--EXPECT--
string(8) "whatever"
string(4) "user"
