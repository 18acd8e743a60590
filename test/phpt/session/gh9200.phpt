--TEST--
GH-9200: setcookie has an obsolete expires date format
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/gh9200.phpt
--INI--
session.cookie_lifetime=3600
--FILE--
import { echo, exit, headers_list, session_id, session_name, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  session_name("foo");
  session_id('bar');
  await session_start();

  for (const header_ of headers_list()) {
    if (/^Set-Cookie: foo=bar; expires=(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9][0-9] (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 2[0-9][0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] GMT; Max-Age=3600; path=\/$/.test(header_)) {
      echo("Success", "\n");
      exit();
    }
  }

  echo("Fail", "\n");
}
--EXPECT--
Success
