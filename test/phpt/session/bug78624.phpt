--TEST--
Test session_set_save_handler() : session_gc() returns the number of deleted records.
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug78624.phpt
--INI--
session.name=PHPSESSID
session.save_handler=files
session.gc_probability=0
--FILE--
import { echo, ob_start, session_gc, session_id, session_set_save_handler, session_start, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';
import type { SessionHandlerInterface } from 'tsfpm';

export default async function (): Promise<void> {
  ob_start();
  echo("*** Test session_set_save_handler() : session_gc() returns the number of deleted records. ***\n");

  class MySession implements SessionHandlerInterface {
    open(path: string, name: string): boolean {
      echo('Open', "\n");
      return true;
    }

    read(key: string): string | false {
      echo('Read ', session_id() as string, "\n");
      return '';
    }

    write(key: string, data: string): boolean {
      echo('Write ', session_id() as string, "\n");
      return true;
    }

    close(): boolean {
      echo('Close ', session_id() as string, "\n");
      return true;
    }

    destroy(key: string): boolean {
      echo('Destroy ', session_id() as string, "\n");
      return true;
    }

    gc(ts: number): number | false {
      echo('Garbage collect', "\n");
      return 1;
    }
  }

  let handler_ = new MySession;
  session_set_save_handler(handler_);
  await session_start();
  var_dump(await session_gc());
  await session_write_close();
}
--EXPECTF--
*** Test session_set_save_handler() : session_gc() returns the number of deleted records. ***
Open
Read %s
Garbage collect
int(1)
Write %s
Close %s
