--TEST--
Test session_set_save_handler() function: class with create_sid
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_class_017.phpt
--INI--
session.save_handler=files
session.name=PHPSESSID
--FILE--
import { $_SESSION, SessionHandler, echo, file_get_contents, ini_get, ob_start, session_id, session_set_save_handler, session_start, session_unset, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() function: class with create_sid ***\n");

  class MySession2 extends SessionHandler {
    path = '';
    override async open(path: string, name: string): Promise<boolean> {
      if (!path) {
        path = tmpdir(); // sys_get_temp_dir()
      }
      this.path = path + '/u_sess_' + name;
      return true;
    }
    override async close(): Promise<boolean> {
      return true;
    }
    override async read(id: string): Promise<string | false> {
      return existsSync(this.path + id) ? readFileSync(this.path + id, 'utf8') : ''; // (string)@file_get_contents()
    }
    override async write(id: string, data: string): Promise<boolean> {
      writeFileSync(this.path + id, data);
      return data.length > 0; // (bool)file_put_contents(): the bytes written
    }
    override async destroy(id: string): Promise<boolean> {
      rmSync(this.path + id, { force: true }); // @unlink()
      return true;
    }
    override async gc(maxlifetime: number): Promise<number | false> {
      // glob($this->path . '*')
      for (const filename of readdirSync(dirname(this.path)).filter((f) => f.startsWith(basename(this.path))).map((f) => `${dirname(this.path)}/${f}`)) {
        if (statSync(filename).mtimeMs / 1000 + maxlifetime < Date.now() / 1000) {
          rmSync(filename, { force: true });
        }
      }
      return 1; // return true
    }
    override create_sid(): string {
      return basename(import.meta.filename, '.ts'); // pathinfo(__FILE__)['filename']
    }
  }

  let handler_ = new MySession2;
  session_set_save_handler(handler_);
  await session_start();

  $_SESSION['foo'] = "hello";

  var_dump(session_id(), ini_get('session.save_handler'), $_SESSION);

  await session_write_close();
  session_unset();

  await session_start();
  var_dump($_SESSION);
}
--EXPECT--
*** Testing session_set_save_handler() function: class with create_sid ***
string(34) "session_set_save_handler_class_017"
string(4) "user"
array(1) {
  ["foo"]=>
  string(5) "hello"
}
array(1) {
  ["foo"]=>
  string(5) "hello"
}
