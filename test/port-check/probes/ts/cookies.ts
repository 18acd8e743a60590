// Cookies both ways: setcookie() with names and values PHP encodes, a raw Set-Cookie header, and what comes back.
import { $_COOKIE, echo, header, setcookie } from 'tsfpm';

export default function (): void {
  setcookie('arr[x]', '1');
  setcookie('utf', 'привет');
  setcookie('empty', '');
  setcookie('zero', '0', 0, '', '', false, true);
  header('Set-Cookie: manual=1; Path=/', false);
  header('Content-Type: text/plain');
  for (const [name, value] of Object.entries($_COOKIE)) {
    echo(name, '=', typeof value === 'object' ? JSON.stringify(value) : String(value), '\n');
  }
}
