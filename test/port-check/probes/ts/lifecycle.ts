// The end of a script: shutdown functions in order, output buffers flushed at the end, exit() with a message.
import { $_GET, echo, exit, ob_get_level, ob_start, register_shutdown_function } from 'tsfpm';

export default function (): void {
  register_shutdown_function(() => {
    echo('shutdown 1\n');
  });
  register_shutdown_function(() => {
    echo('shutdown 2, level ', String(ob_get_level()), '\n');
  });
  ob_start();
  echo('in a buffer\n');
  if (String($_GET['how'] ?? '') === 'exit') {
    exit('exit message\n');
  }
  echo('end of script\n');
}
