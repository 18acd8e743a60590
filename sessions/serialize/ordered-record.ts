/**
 * `$_SESSION` as a PHP array: its keys enumerate in insertion order, integer-like ones included.
 * A plain JS object lists `3` before `-3` and `a` whatever the order they were set in; PHP keeps
 * the order of assignment, and session_encode() (php_serialize) writes it. A Proxy whose ownKeys
 * answers the insertion order makes `Object.keys`, `for…in`, `JSON.stringify` and the session
 * codecs see PHP's order, without scripts changing how they use `$_SESSION`.
 *
 * The same Proxy can watch the script's use of the record for a while (`guardRecord`): the session
 * layer learns of a read or write of `$_SESSION` made before session_start() settled, at no cost
 * once the guard is off.
 * @module
 */
import { PHP_KEY_ORDER, type PhpRecord } from './php-values.ts';

/** The symbol under which a record takes its guard: assigning to it sets or clears the guard. */
const GUARD = Symbol('tsfpm.recordGuard');

/** A new, empty record that keeps its string keys in insertion order. */
export function createOrderedRecord<T extends object = PhpRecord>(): T {
  const order: string[] = [];
  const target = Object.create(null) as Record<string | symbol, unknown>;
  let guard: ((key: string) => void) | undefined;
  return new Proxy(target, {
    set(obj, key, value) {
      if (key === GUARD) {
        guard = value as typeof guard;
        return true;
      }
      if (guard && typeof key === 'string') guard(key);
      if (typeof key === 'string' && !Object.hasOwn(obj, key)) order.push(key);
      obj[key] = value;
      return true;
    },
    defineProperty(obj, key, descriptor) {
      if (typeof key === 'string' && !Object.hasOwn(obj, key)) order.push(key);
      return Reflect.defineProperty(obj, key, descriptor);
    },
    deleteProperty(obj, key) {
      if (typeof key === 'string' && Object.hasOwn(obj, key)) order.splice(order.indexOf(key), 1);
      return Reflect.deleteProperty(obj, key);
    },
    get(obj, key) {
      // the codecs' ordering hint: already the order ownKeys gives, and never an own key of the record
      if (key === PHP_KEY_ORDER) return undefined;
      if (guard && typeof key === 'string') guard(key);
      return obj[key];
    },
    has(obj, key) {
      if (guard && typeof key === 'string') guard(key);
      return key in obj;
    },
    ownKeys(obj) {
      return [...order, ...Object.getOwnPropertySymbols(obj)];
    },
  }) as T;
}

/**
 * Calls `guard` with each string key the record's users read, test (`in`) or assign, until the guard is
 * cleared with `undefined`. `record` must come from createOrderedRecord(): other objects do not notice.
 */
export function guardRecord(record: object, guard: ((key: string) => void) | undefined): void {
  (record as { [GUARD]?: unknown })[GUARD] = guard;
}
