--TEST--
GH-9583: session_create_id() fails with user defined save handler that doesn't have a validateId() method
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/gh9583-extra.phpt
--FILE--
import { echo, ini_set, session_id, session_set_save_handler, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';
import type { SessionHandlerInterface } from 'tsfpm';

export default async function (): Promise<void> {
  class SessionHandlerTester implements SessionHandlerInterface
  {
    close(): boolean { return true; }
    destroy(id: string): boolean { return true; }
    gc(max_lifetime: number): number | false { return 1; }
    open(path: string, name: string): boolean { return true; }
    read(id: string): string { return ''; }
    write(id: string, data: string): boolean { return true; }
    //public function create_sid() { return uniqid(); }
    //public function validateId($key) { return true; }
  }

  let obj_ = new SessionHandlerTester();
  ini_set('session.use_strict_mode','1');
  session_set_save_handler(obj_);
  await session_start();
  let originalSessionId_ = session_id();
  await session_write_close();

  await session_start();
  let newSessionId_ = session_id();

  echo('validateId() ', ('validateId' in obj_ ? ('returns ' + ((obj_ as any).validateId(1) ? 'true' : 'false')) : 'is commented out'), "\n");
  var_dump(originalSessionId_ == newSessionId_);
}
--EXPECT--
validateId() is commented out
bool(true)
