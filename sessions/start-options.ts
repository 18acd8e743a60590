/**
 * session_start()'s `$options` as PHP 8.2 reads them (ext/session/session.c, PHP_FUNCTION(session_start)): each
 * value must be a string, an int or a bool — anything else is a TypeError naming the option — and `read_and_close`
 * is read as an int (`zval_get_long`), so "yes" is 0 and "1abc" is 1.
 *
 * JS has one number type: an integral number is PHP's int, any other number a float. A PhpFloat is a float.
 * @module
 */
import { phpTypeName } from './serialize/php-values.ts';

export type StartOptionValue = string | number | boolean;

/** PHP's TypeError for an option of the wrong type; the runtime gives scripts its own TypeError class with this text. */
export class StartOptionTypeError extends TypeError {
  override name = 'TypeError';
}

/** The TypeError message PHP throws for option `key`, or undefined when the value's type is accepted. */
export function startOptionTypeError(key: string, value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return undefined;
  if (typeof value === 'bigint') return undefined;
  return `session_start(): Option "${key}" must be of type string|int|bool, ${phpTypeName(value)} given`;
}

/** Whether `read_and_close` asks to close: its value as PHP's int is not 0. */
export function readAndCloseValue(value: StartOptionValue | bigint): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value !== 0 && value !== 0n;
  const match = /^[ \t\n\r\v\f]*[+-]?\d+/.exec(value);
  return match !== null && Number(match[0]) !== 0;
}

/** The ini string PHP makes of an option value (zval_get_string: true → "1", false → ""). */
export function startOptionText(value: StartOptionValue | bigint): string {
  if (typeof value === 'boolean') return value ? '1' : '';
  return String(value);
}
