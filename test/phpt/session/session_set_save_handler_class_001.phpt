--TEST--
Test session_set_save_handler() : basic class wrapping existing handler
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/session_set_save_handler_class_001.phpt
--INI--
session.use_strict_mode=1
session.name=PHPSESSID
session.save_handler=files
--FILE--
import { $_SESSION, SessionHandler, echo, ini_get, ob_start, session_id, session_set_save_handler, session_start, session_unset, session_write_close } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ob_start();

  echo("*** Testing session_set_save_handler() : basic class wrapping existing handler ***\n");

  class MySession extends SessionHandler {
    i = 0;
    override open(path: string, name: string): Promise<boolean> {
      ++this.i;
      echo('Open ', session_id() as string, "\n");
      return super.open(path, name);
    }
    override create_sid(): string {
      // This method should be removed when 5.5 become unsupported.
      ++this.i;
      echo('Old Create SID ', session_id() as string, "\n");
      return super.create_sid();
    }
    override read(key: string): Promise<string | false> {
      ++this.i;
      echo('Read ', session_id() as string, "\n");
      return super.read(key);
    }
    override write(key: string, data: string): Promise<boolean> {
      ++this.i;
      echo('Write ', session_id() as string, "\n");
      return super.write(key, data);
    }
    override close(): Promise<boolean> {
      ++this.i;
      echo('Close ', session_id() as string, "\n");
      return super.close();
    }
    createSid(): string {
      // User should use this rather than create_sid()
      // If both create_sid() and createSid() exists,
      // createSid() is used.
      ++this.i;
      echo('New Create ID ', session_id() as string, "\n");
      return super.create_sid();
    }
    validateId(key: string): boolean {
      ++this.i;
      echo('Validate ID ', session_id() as string, "\n");
      return true;
      // User must implement their own method and
      // cannot call parent as follows.
      // return parent::validateSid($key);
    }
    updateTimestamp(key: string, data: string): Promise<boolean> {
      ++this.i;
      echo('Update Timestamp ', session_id() as string, "\n");
      return super.write(key, data);
      // User must implement their own method and
      // cannot call parent as follows
      // return parent::updateTimestamp($key, $data);
    }
  }

  let oldHandler_ = ini_get('session.save_handler');
  let handler_ = new MySession;
  session_set_save_handler(handler_);
  await session_start();

  var_dump(session_id(), oldHandler_, ini_get('session.save_handler'), handler_.i, $_SESSION);

  $_SESSION['foo'] = "hello";

  await session_write_close();
  session_unset();

  await session_start();
  var_dump($_SESSION);

  await session_write_close();
  session_unset();
  var_dump(handler_.i);
}
--EXPECTF--
*** Testing session_set_save_handler() : basic class wrapping existing handler ***
Open 
Old Create SID 
Read %s
string(%d) "%s"
string(5) "files"
string(4) "user"
int(3)
array(0) {
}
Write %s
Close %s
Open %s
Validate ID %s
Read %s
array(1) {
  ["foo"]=>
  string(5) "hello"
}
Update Timestamp %s
Close %s
int(10)
