/**
 * The JS values that stand for PHP values in PHP's serialize() format: php-serialize.ts writes them,
 * php-unserialize.ts reads them, and the session codec and stores pass them around.
 *
 * Value model (PHP → JS on unserialize, JS → PHP on serialize):
 *
 * | PHP                         | bytes                          | JS                                                     |
 * |-----------------------------|--------------------------------|--------------------------------------------------------|
 * | null                        | `N;`                           | `null` (`undefined` at the top level also writes `N;`) |
 * | bool                        | `b:1;`                         | `boolean`                                              |
 * | int                         | `i:-7;`                        | `number` when Number.isSafeInteger, else `bigint`      |
 * | float                       | `d:0.1;` `d:INF;` `d:-0;`      | `number` (-0, NaN and ±Infinity included)              |
 * | float with an integral value| `d:1;`                         | {@link PhpFloat}: a JS `1` would be written `i:1;`     |
 * | string                      | `s:<bytes>:"…";`               | `string` if the bytes are valid UTF-8, else `Buffer`   |
 * | array 0..n-1 in order       | `a:n:{i:0;…}`                  | `PhpValue[]`                                           |
 * | any other array             | `a:n:{…}`                      | {@link PhpRecord}, or {@link PhpMap} if a key is not UTF-8 |
 * | object                      | `O:8:"stdClass":n:{…}`         | {@link PhpObject} (props keep PHP's mangled names)     |
 * | enum case                   | `E:11:"Suit:Hearts";`          | {@link PhpEnum}                                        |
 * | Serializable object         | `C:3:"Foo":n:{…}`              | {@link PhpCustomObject} (payload kept opaque)          |
 *
 * Strings: lengths are bytes. JS strings are written as UTF-8; a lone surrogate becomes U+FFFD.
 * Undecodable strings stay Buffers, so re-serializing them is byte-identical.
 *
 * Arrays: a PHP array key that is a canonical decimal integer in the int64 range ("5", "-3", not "05" or "-0")
 * is an int key in PHP, and such keys are written `i:`. JS lists integer-like keys first, in ascending order,
 * whatever the insertion order, so a decoded record whose PHP order differs from JS's carries its PHP key
 * order under the hidden {@link PHP_KEY_ORDER} symbol. The serializer writes the keys it lists (those still
 * present) in that order, then any others in JS order. `undefined` values and holes in sparse arrays mean
 * "unset": the key is not written. A `Map` is written in its own order, with keys exactly as typed: number or
 * bigint → `i:`, string or Buffer → `s:`.
 */

/** A PHP float whose value is integral (PHP `1.0`, written `d:1;`), kept apart from the JS number `1` (`i:1;`). */
export class PhpFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return String(this.value);
  }
  toJSON(): number {
    return this.value;
  }
}

/**
 * A PHP object. `props` keeps the serialized names and order: protected properties are `\0*\0name` and private ones
 * `\0DeclaringClass\0name`. Objects whose class has `__serialize()` (e.g. ArrayObject) may have int keys.
 */
export class PhpObject {
  readonly props: PhpMap;
  constructor(readonly className: string, props: PhpMap | PhpRecord = new Map()) {
    this.props = props instanceof Map ? props : new Map(Object.entries(props));
  }
}

/** A PHP enum case, e.g. `Suit::Hearts`. PHP enum cases are singletons, so equal cases are written as `r:` after the first. */
export class PhpEnum {
  constructor(readonly className: string, readonly caseName: string) {}
}

/** An object serialized by a `Serializable::serialize()` method (`C:`). Its payload can only be kept as it is. */
export class PhpCustomObject {
  constructor(readonly className: string, readonly payload: Buffer) {}
}

/** A PHP array with string keys, as a prototype-less object. */
export interface PhpRecord {
  [key: string]: PhpValue;
}

/** An array key: numbers and bigints are int keys, strings and Buffers string keys. */
export type PhpArrayKey = number | bigint | string | Buffer;

/** An ordered PHP array with typed keys (used when a key is not valid UTF-8, or to control the order). */
export type PhpMap = Map<PhpArrayKey, PhpValue>;

export type PhpValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | PhpFloat
  | PhpValue[]
  | PhpRecord
  | PhpMap
  | PhpObject
  | PhpEnum
  | PhpCustomObject;

/** Hidden property holding a decoded record's PHP key order, when JS would enumerate its keys differently. */
export const PHP_KEY_ORDER: unique symbol = Symbol('tsfpm.phpKeyOrder');

/**
 * Builds a record from ordered entries (a later duplicate overwrites in place, like PHP),
 * remembering the order under {@link PHP_KEY_ORDER} when JS would enumerate it differently.
 */
export function recordFromEntries(entries: Iterable<readonly [string, PhpValue]>): PhpRecord {
  const list = [...entries];
  return fillRecord(Object.create(null), list.map(([key]) => key), list.map(([, value]) => value));
}

/**
 * {@link recordFromEntries} into a record that exists already: the reader creates each record before its
 * entries are known, so that back-references can point at it.
 */
export function fillRecord(record: PhpRecord, keys: readonly PhpArrayKey[], values: readonly PhpValue[]): PhpRecord {
  let order: string[] = keys.map(String);
  for (let i = 0; i < order.length; i++) record[order[i]!] = values[i]!;
  const jsOrder = Object.keys(record);
  if (jsOrder.length !== order.length) order = [...new Set(order)]; // duplicates keep their first place
  if (jsOrder.some((key, i) => key !== order[i])) {
    Object.defineProperty(record, PHP_KEY_ORDER, { value: order, writable: true, configurable: true });
  }
  return record;
}

/**
 * The entries PHP would see in an array-like JS value, in PHP order. Canonical integer keys of records and
 * arrays come out as numbers (bigints beyond 2^53), others as strings. Map keys are returned as typed.
 */
export function arrayEntries(value: PhpValue[] | PhpRecord | PhpMap): Array<[PhpArrayKey, PhpValue]> {
  const entries: Array<[PhpArrayKey, PhpValue]> = [];
  if (value instanceof Map) {
    for (const [key, item] of value) if (item !== undefined) entries.push([key, item]);
    return entries;
  }
  const record = value as Record<string, PhpValue | undefined>;
  for (const key of orderedKeys(value)) {
    const item = record[key];
    if (item === undefined) continue;
    const int = phpIntKey(key);
    entries.push([int === undefined ? key : int, item]);
  }
  return entries;
}

/** A record's keys in PHP order: its hidden PHP_KEY_ORDER (a decoded record) first, then any others in JS order. */
export function orderedKeys(value: object): string[] {
  const own = Object.keys(value);
  const order = (value as { [PHP_KEY_ORDER]?: readonly string[] })[PHP_KEY_ORDER];
  if (!order) return own;
  const present = new Set(own);
  const listed = order.filter((key) => present.has(key));
  const listedSet = new Set(listed);
  return [...listed, ...own.filter((key) => !listedSet.has(key))];
}

/**
 * Whether `a` and `b` certainly serialize alike, judged without serializing them: session.lazy_write's check of
 * $_SESSION against the data as read. Arrays, records (key order included) and scalars are compared; an unset
 * entry (undefined) counts as absent, as the serializer skips it. A Map, Buffer, object or any other instance
 * counts as changed unless it is the very same PhpFloat or PhpEnum value: such a session is simply written.
 */
export function samePhpValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return typeof a !== 'object' || a === null || a instanceof PhpFloat || a instanceof PhpEnum;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => samePhpValue(item, b[i]));
  const proto = Object.getPrototypeOf(a);
  if (proto === Object.prototype || proto === null) return Object.getPrototypeOf(b) === proto && sameRecord(a, b);
  if (a instanceof PhpFloat) return b instanceof PhpFloat && Object.is(a.value, b.value);
  if (a instanceof PhpEnum) return b instanceof PhpEnum && a.className === b.className && a.caseName === b.caseName;
  return false;
}

/** {@link samePhpValue} for two records: the same set keys in the same PHP order, with values alike. */
export function sameRecord(a: object, b: object): boolean {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const leftKeys = orderedKeys(a).filter((key) => left[key] !== undefined);
  const rightKeys = orderedKeys(b).filter((key) => right[key] !== undefined);
  return leftKeys.length === rightKeys.length && leftKeys.every((key, i) => key === rightKeys[i] && samePhpValue(left[key], right[key]));
}

/** A copy of `record` without `key` (a store's `cookie`), in its PHP key order. */
export function recordWithout(record: object, key: string): PhpRecord {
  const source = record as Record<string, PhpValue>;
  return recordFromEntries(orderedKeys(record).filter((k) => k !== key).map((k) => [k, source[k]!] as const));
}

/**
 * PHP's zend_zval_type_name() for a JS value a script passes where PHP checks types: an integral number is int,
 * another number float, an array or prototype-less object array, a plain object stdClass, an instance its class name,
 * a function Closure.
 */
export function phpTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (value instanceof PhpFloat) return 'float';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'function') return 'Closure';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    if (proto === null) return 'array';
    const name = proto.constructor?.name;
    return !name || proto.constructor === Object ? 'stdClass' : name;
  }
  return typeof value;
}

/** PHP_INT_MAX and PHP_INT_MIN. */
export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);
const CANONICAL_INT = /^(?:0|-?[1-9][0-9]{0,18})$/;

/** The int a string array key becomes in PHP (ZEND_HANDLE_NUMERIC_STR), or undefined if it stays a string. */
export function phpIntKey(key: string): number | bigint | undefined {
  if (!CANONICAL_INT.test(key)) return undefined;
  const n = Number(key);
  if (Number.isSafeInteger(n)) return n;
  const big = BigInt(key);
  return big >= INT64_MIN && big <= INT64_MAX ? big : undefined;
}
