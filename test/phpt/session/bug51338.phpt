--TEST--
Bug #51338 (URL-Rewriter should not get enabled if use_only_cookies is set to 1)
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/bug51338.phpt
--INI--
session.use_only_cookies=1
session.use_trans_sid=1
--FILE--
import { ob_list_handlers, session_start } from 'tsfpm';
import { print_r } from './_php.ts';

export default async function (): Promise<void> {
  await session_start();
  print_r(ob_list_handlers());
}
--EXPECT--
Array
(
)
