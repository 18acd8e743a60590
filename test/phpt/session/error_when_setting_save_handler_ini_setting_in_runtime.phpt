--TEST--
Error when setting session.save_handler to user via ini_set
--ORIGINAL--
php-src PHP-8.2 (8.2.32) ext/session/tests/error_when_setting_save_handler_ini_setting_in_runtime.phpt
--FILE--
import { ini_set } from 'tsfpm';

export default async function (): Promise<void> {
  ini_set('session.save_handler', 'user');
}
--EXPECTF--
Warning: ini_set(): Session save handler "user" cannot be set by ini_set() in %s on line %d
