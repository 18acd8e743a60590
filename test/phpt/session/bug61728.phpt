--TEST--
Bug #61728 (PHP crash when calling ob_start in request_shutdown phase)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug61728.phpt
--FILE--
import { echo, ob_end_flush, ob_start, session_name, session_set_save_handler, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  function output_html(ext: string) {
    return String(Buffer.byteLength(ext)); // strlen($ext)
  }

  function open(save_path: string, session_name: string) {
    return true;
  }

  function close() {
    return true;
  }

  function read(id: string) {
    return '';
  }

  function write(id: string, sess_data: string) {
    ob_start(output_html);
    echo("laruence");
    ob_end_flush();
    return true;
  }

  function destroy(id: string) {
    return true;
  }

  function gc(maxlifetime: number) {
    return true;
  }

  session_set_save_handler(open, close, read, write, destroy, gc);
  await session_start();
}
--EXPECT--
8
