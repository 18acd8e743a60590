// The page the tool's own specs plant defects in (a copy of this file is changed, never the file).
import { $_SESSION, echo, header, session_start, setcookie } from 'tsfpm';

export default async function (): Promise<void> {
  await session_start();
  $_SESSION['user'] = 'ann';
  $_SESSION['visits'] = (($_SESSION['visits'] as number | undefined) ?? 0) + 1;
  setcookie('theme', 'dark', { path: '/', httponly: true, samesite: 'Lax' });
  header('X-Page: 1');
  echo('Hello, ann\n');
  echo('visit ', String($_SESSION['visits']), '\n');
}
