--TEST--
GH-9583: session_create_id() fails with user defined save handler that doesn't have a validateId() method
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/gh9583.phpt
--FILE--
import { echo, ini_set, session_create_id, session_set_save_handler, session_start } from 'tsfpm';
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

  echo("\nvalidateId() " + ('validateId' in obj_ ? ('returns ' + ((obj_ as any).validateId(1) ? 'true' : 'false')) : 'is commented out'));
  echo("\n");

  let sessionId_ = session_create_id();

  echo("\nSession ID:" + sessionId_);
  echo("\n");
}
--EXPECTF--
validateId() is commented out

Session ID:%s
