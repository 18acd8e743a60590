/**
 * `$_SESSION` as a PHP array: its keys enumerate in insertion order, integer-like ones included.
 * A plain JS object lists `3` before `-3` and `a` whatever the order they were set in; PHP keeps
 * the order of assignment, and session_encode() (php_serialize) writes it. A Proxy whose ownKeys
 * answers the insertion order makes `Object.keys`, `for…in`, `JSON.stringify` and the session
 * codecs see PHP's order, without scripts changing how they use `$_SESSION`.
 * @module
 */
import { PHP_KEY_ORDER, type PhpRecord } from './php-values.ts';

/** A new, empty record that keeps its string keys in insertion order. */
export function createOrderedRecord<T extends object = PhpRecord>(): T {
  const order: string[] = [];
  const target = Object.create(null) as Record<string | symbol, unknown>;
  return new Proxy(target, {
    set(obj, key, value) {
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
      return obj[key];
    },
    ownKeys(obj) {
      return [...order, ...Object.getOwnPropertySymbols(obj)];
    },
  }) as T;
}

