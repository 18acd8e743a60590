--TEST--
Bug #74941 session_start() triggers a warning after headers have been sent but cookies are not used
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug74941.phpt
--FILE--
import { echo, ini_set, session_id, session_start } from 'tsfpm';
import { var_dump } from './_php.ts';

export default async function (): Promise<void> {
  ini_set('session.use_cookies', false);
  ini_set('session.cache_limiter', false);

  echo(".\n");

  session_id('BUG74941');
  var_dump(await session_start());
}
--EXPECT--
.
bool(true)
