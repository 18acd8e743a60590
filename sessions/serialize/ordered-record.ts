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

type Target = Record<string | symbol, unknown>;

/**
 * The Proxy handler of one record, holding its key order and guard. Its traps are methods, shared by every
 * record, rather than closures made for each one (a record is made per request).
 */
class OrderedRecordHandler implements ProxyHandler<Target> {
  readonly order: string[] = [];
  guard: ((key: string) => void) | undefined = undefined;

  set(obj: Target, key: string | symbol, value: unknown): boolean {
    if (key === GUARD) {
      this.guard = value as OrderedRecordHandler['guard'];
      return true;
    }
    if (typeof key === 'string') {
      this.guard?.(key);
      if (!Object.hasOwn(obj, key)) this.order.push(key);
    }
    obj[key] = value;
    return true;
  }

  defineProperty(obj: Target, key: string | symbol, descriptor: PropertyDescriptor): boolean {
    if (typeof key === 'string' && !Object.hasOwn(obj, key)) this.order.push(key);
    return Reflect.defineProperty(obj, key, descriptor);
  }

  deleteProperty(obj: Target, key: string | symbol): boolean {
    if (typeof key === 'string' && Object.hasOwn(obj, key)) this.order.splice(this.order.indexOf(key), 1);
    return Reflect.deleteProperty(obj, key);
  }

  get(obj: Target, key: string | symbol): unknown {
    // the codecs' ordering hint: already the order ownKeys gives, and never an own key of the record
    if (key === PHP_KEY_ORDER) return undefined;
    if (typeof key === 'string') this.guard?.(key);
    return obj[key];
  }

  has(obj: Target, key: string | symbol): boolean {
    if (typeof key === 'string') this.guard?.(key);
    return key in obj;
  }

  ownKeys(obj: Target): (string | symbol)[] {
    return [...this.order, ...Object.getOwnPropertySymbols(obj)];
  }
}

/** A new, empty record that keeps its string keys in insertion order. */
export function createOrderedRecord<T extends object = PhpRecord>(): T {
  return new Proxy(Object.create(null) as Target, new OrderedRecordHandler()) as T;
}

/**
 * Calls `guard` with each string key the record's users read, test (`in`) or assign, until the guard is
 * cleared with `undefined`. `record` must come from createOrderedRecord(): other objects do not notice.
 */
export function guardRecord(record: object, guard: ((key: string) => void) | undefined): void {
  (record as { [GUARD]?: unknown })[GUARD] = guard;
}
