// Output buffering: nested buffers, a callback, cleaning, and a header sent after output that is still buffered.
import { echo, header, headers_sent, ob_clean, ob_end_flush, ob_get_clean, ob_get_contents, ob_get_length, ob_get_level, ob_start } from 'tsfpm';

export default function (): void {
  echo('level ', String(ob_get_level()), '\n');
  ob_start();
  echo('dropped');
  ob_clean();
  echo('kept ');
  const inner = ob_get_contents();
  ob_end_flush();
  echo('inner was [', String(inner), ']\n');
  ob_start((buffer: string) => buffer.toUpperCase());
  echo('shouted\n');
  ob_end_flush();
  ob_start();
  echo('twelve chars');
  const length = ob_get_length();
  const text = ob_get_clean();
  echo('length ', String(length), ' of [', String(text), ']\n');
  header('X-After-Output: still possible');
  echo('headers_sent ', headers_sent() ? 'yes' : 'no', '\n');
}
