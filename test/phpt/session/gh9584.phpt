--TEST--
GH-9584: PS(mod_user_class_name) must not leak into next request
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/gh9584.phpt
--FILE--
import { SessionHandler, echo, session_set_save_handler } from 'tsfpm';
import { randomBytes } from 'node:crypto';
import type { SessionHandlerInterface } from 'tsfpm';

export default async function (): Promise<void> {
  class MySessionHandler extends SessionHandler implements SessionHandlerInterface // , SessionUpdateTimestampHandlerInterface
  {
    override async open(path: string, sessname: string): Promise<boolean> { return true; }
    override async close(): Promise<boolean> { return true; }
    override async read(sessid: string): Promise<string | false> { return 'foo|s:3:"foo";'; }
    override async write(sessid: string, sessdata: string): Promise<boolean> { return false; }
    override async destroy(sessid: string): Promise<boolean> { return true; }
    override async gc(maxlifetime: number): Promise<number | false> { return 1; }
    override create_sid(): string { return randomBytes(20).toString('hex'); }
    validateId(sid: string): boolean { return true; }
    updateTimestamp(sessid: string, sessdata: string): boolean { return false; }
  }

  let handler_ = new MySessionHandler();
  session_set_save_handler(handler_);
  echo("===DONE===\n");
}
--EXPECT--
===DONE===
