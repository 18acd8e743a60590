--TEST--
GH-7787: Provide more SessionHandler failure information
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/gh7787.phpt
--INI--
session.use_strict_mode=0
session.save_handler=files
--FILE--
import { $_SESSION, SessionHandler, ob_start, session_set_save_handler, session_start, session_write_close } from 'tsfpm';
import { randomBytes } from 'node:crypto';
import type { SessionHandlerInterface } from 'tsfpm';

export default async function (): Promise<void> {
  class MySessionHandler extends SessionHandler implements SessionHandlerInterface // , SessionUpdateTimestampHandlerInterface
  {
    override async open(path: string, sessname: string): Promise<boolean> {
      return true;
    }

    override async close(): Promise<boolean> {
      return true;
    }

    override async read(sessid: string): Promise<string | false> {
      return 'foo|s:3:"foo";';
    }

    override async write(sessid: string, sessdata: string): Promise<boolean> {
      return false;
    }

    override async destroy(sessid: string): Promise<boolean> {
      return true;
    }

    override async gc(maxlifetime: number): Promise<number | false> {
      return 1; // return TRUE
    }

    override create_sid(): string {
      return randomBytes(20).toString('hex'); // sha1(random_bytes(32))
    }

    validateId(sid: string): boolean {
      return true;
    }

    updateTimestamp(sessid: string, sessdata: string): boolean {
      return false;
    }
  }

  ob_start();

  let handler_ = new MySessionHandler();
  session_set_save_handler(handler_);

  await session_start();
  $_SESSION['foo'] = 'bar';
  await session_write_close();

  await session_start();
  await session_write_close();

  session_set_save_handler(
    () => true,
    () => true,
    () => 'foo|s:3:"foo";',
    () => false,
    () => true,
    () => true,
    () => randomBytes(20).toString('hex'),
    () => true,
    () => false,
  );

  await session_start();
  $_SESSION['foo'] = 'bar';
  await session_write_close();

  await session_start();
  await session_write_close();
}
--EXPECTF--
Warning: session_write_close(): Failed to write session data using user defined save handler. (session.save_path: , handler: MySessionHandler::write) in %s on line %d

Warning: session_write_close(): Failed to write session data using user defined save handler. (session.save_path: , handler: MySessionHandler::updateTimestamp) in %s on line %d

Warning: session_write_close(): Failed to write session data using user defined save handler. (session.save_path: , handler: write) in %s on line %d

Warning: session_write_close(): Failed to write session data using user defined save handler. (session.save_path: , handler: update_timestamp) in %s on line %d
