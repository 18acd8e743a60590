--TEST--
Bug #80889 (Cannot set save handler when save_handler is invalid)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug80889a.phpt
--INI--
session.save_handler=whatever
--FILE--
import { ini_get, session_set_save_handler } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  let initHandler_ = ini_get('session.save_handler');
  session_set_save_handler(
    function (savePath: string, sessionName: string) {
      return true;
    },
    function () {
      return true;
    },
    function (id: string) {
      return '';
    },
    function (id: string, data: string) {
      return true;
    },
    function (id: string) {
      return true;
    },
    function (maxlifetime: number) {
      return true;
    }
  );
  let setHandler_ = ini_get('session.save_handler');
  var_dump(initHandler_, setHandler_);
}
--EXPECT--
string(8) "whatever"
string(4) "user"
