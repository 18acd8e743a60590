/**
 * PHP's serialize() (ext/standard/var.c, PHP 8.2): the bytes a real PHP reads for the JS values of
 * php-values.ts, so that tsfpm and a real PHP can share session files and phpredis keys.
 *
 * References: a JS array/record/Map met a second time (shared or cyclic) is written `R:n;`, and a PhpObject,
 * PhpCustomObject or an enum case met a second time is written `r:n;`, numbered the way PHP numbers its slots.
 * PHP numbers the values inside a `C:` payload in the same table (its Serializable methods call serialize() and
 * unserialize() on it), so when a payload is one serialized value, its values count here too.
 *
 * Byte-identical round trips (unserialize then serialize) hold for everything PHP's serialize() writes,
 * except:
 *  - `R:` to a scalar (`$a['x'] = &$a['y']` with an int inside) is read as a copy and written out as a value.
 *  - `R:` to an object is written back as `r:`.
 *  - Input PHP never writes: non-canonical numbers (`i:+5;`, `d:1.0;`), `S:` escaped strings, string keys that
 *    PHP turns into ints (`s:1:"5"`), and duplicate keys. These are normalised the way PHP normalises them, except
 *    int keys of an object (`O:8:"stdClass":1:{i:5;…}`), which stay ints since only PHP knows whether the class has
 *    __unserialize() (ArrayObject's keys are ints), and an array holding itself (`a:1:{i:0;R:1;}`), which stays
 *    a cycle where PHP's copy of it reads back as `a:1:{i:0;N;}`.
 *
 * What PHP could not read back is refused: a TypeError for JS values with no PHP equivalent (functions, symbols,
 * objects other than arrays, plain objects, Maps, Buffers and php-values.ts's classes; array keys that are not
 * safe integers), a RangeError for bigints outside PHP's int range and nesting deeper than maxDepth.
 */

import {
  arrayEntries, INT64_MAX, INT64_MIN, PhpCustomObject, PhpEnum, PhpFloat, PhpObject,
  type PhpArrayKey, type PhpRecord, type PhpValue,
} from './php-values.ts';
import { customPayloadSlots, DEFAULT_MAX_DEPTH } from './php-unserialize.ts';

export interface SerializeOptions {
  /** Nesting limit: deeper data is refused, since PHP could not read it back. @default 4096 */
  maxDepth?: number;
}

/** serialize($value). */
export function serialize(value: PhpValue | undefined, options: SerializeOptions = {}): Buffer {
  const writer = new PhpSerializer(options);
  writer.write(value);
  return writer.toBuffer();
}

/** Formats a float the way PHP does with serialize_precision=-1 (zend_gcvt over the shortest round-trip digits). */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NAN';
  if (value === Infinity) return 'INF';
  if (value === -Infinity) return '-INF';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponent] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const decpt = Number(exponent) + 1; // position of the decimal point relative to the digits
  if (decpt < -3 || decpt > 17) {
    const e = decpt - 1;
    return `${sign}${digits[0]}.${digits.length > 1 ? digits.slice(1) : '0'}E${e < 0 ? '-' : '+'}${Math.abs(e)}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (digits.length <= decpt) return sign + digits + '0'.repeat(decpt - digits.length);
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** An array or object being written: its entries and how far we are. */
interface WriteFrame {
  readonly entries: Array<[PhpArrayKey, PhpValue]>;
  index: number;
  readonly nested: 0 | 1;
}

/**
 * Writes consecutive values sharing one back-reference table, as PHP's php_var_serialize() with one var_hash
 * (the `php` and `php_binary` session handlers serialize every variable with the same table).
 * Nesting is walked with an explicit stack, so the depth limit, not the JS call stack, bounds it.
 */
export class PhpSerializer {
  #buffer = Buffer.allocUnsafe(256);
  #length = 0;
  #slot = 0;
  readonly #seen = new Map<unknown, number>();
  readonly #stack: WriteFrame[] = [];
  #depth = 0;
  readonly #maxDepth: number;

  constructor(options: SerializeOptions = {}) {
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  /** Appends raw bytes, or a string as UTF-8 (session names and delimiters). */
  writeRaw(bytes: Uint8Array | string): void {
    if (typeof bytes === 'string') {
      if (bytes.length < 32 && isAsciiString(bytes)) return this.#ascii(bytes);
      this.#reserve(Buffer.byteLength(bytes, 'utf8'));
      this.#length += this.#buffer.write(bytes, this.#length, 'utf8');
    } else {
      this.#reserve(bytes.length);
      this.#buffer.set(bytes, this.#length);
      this.#length += bytes.length;
    }
  }

  /** Appends serialize($value). @throws TypeError/RangeError for JS values PHP has no equivalent for. */
  write(value: PhpValue | undefined): void {
    const stack = this.#stack;
    this.#value(value);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.index === frame.entries.length) {
        this.#ascii('}');
        this.#depth -= frame.nested;
        stack.pop();
        continue;
      }
      const [key, item] = frame.entries[frame.index++]!;
      this.#key(key);
      this.#value(item);
    }
  }

  toBuffer(): Buffer {
    return Buffer.from(this.#buffer.subarray(0, this.#length));
  }

  /** Writes a scalar whole, or the head of an array/object and pushes its entries. */
  #value(value: PhpValue | undefined): void {
    this.#slot++;
    if (value === null || value === undefined) return this.#ascii('N;');
    switch (typeof value) {
      case 'boolean':
        return this.#ascii(value ? 'b:1;' : 'b:0;');
      case 'number':
        return this.#ascii(Number.isSafeInteger(value) && !Object.is(value, -0) ? `i:${value};` : `d:${formatFloat(value)};`);
      case 'bigint':
        return this.#ascii(`i:${this.#int64(value)};`);
      case 'string':
        return this.#string(value);
      case 'object':
        break;
      default:
        throw this.#unsupported(value);
    }
    if (value instanceof Uint8Array) return this.#string(value);
    if (value instanceof PhpFloat) return this.#ascii(`d:${formatFloat(value.value)};`);
    if (value instanceof PhpEnum) {
      const name = Buffer.from(`${value.className}:${value.caseName}`, 'utf8');
      if (this.#backReference(`enum ${name.toString('latin1')}`, 'r')) return;
      this.#ascii(`E:${name.length}:"`);
      this.writeRaw(name);
      return this.#ascii('";');
    }
    if (value instanceof PhpCustomObject) {
      if (this.#backReference(value, 'r')) return;
      this.#className('C', value.className);
      this.#ascii(`:${value.payload.length}:{`);
      this.writeRaw(value.payload);
      this.#slot += customPayloadSlots(value);
      return this.#ascii('}');
    }
    if (value instanceof PhpObject) {
      if (this.#backReference(value, 'r')) return;
      this.#className('O', value.className);
      return this.#open(arrayEntries(value.props), true);
    }
    if (Array.isArray(value) || value instanceof Map || isPlainObject(value)) {
      if (this.#backReference(value, 'R')) return;
      this.#ascii('a');
      return this.#open(arrayEntries(value as PhpRecord), false);
    }
    throw this.#unsupported(value);
  }

  /** Writes `r:n;`/`R:n;` if `key` was written before (`R:` takes no slot of its own, `r:` does), else records its slot. */
  #backReference(key: unknown, kind: 'r' | 'R'): boolean {
    const slot = this.#seen.get(key);
    if (slot === undefined) {
      this.#seen.set(key, this.#slot);
      return false;
    }
    if (kind === 'R') this.#slot--;
    this.#ascii(`${kind}:${slot};`);
    return true;
  }

  #className(tag: 'O' | 'C', className: string): void {
    const name = Buffer.from(className, 'utf8');
    this.#ascii(`${tag}:${name.length}:"`);
    this.writeRaw(name);
    this.#ascii('"');
  }

  /** `:n:{` of an array or object. Depth is counted as unserialize() counts it: objects and non-empty arrays. */
  #open(entries: Array<[PhpArrayKey, PhpValue]>, isObject: boolean): void {
    const nested = isObject || entries.length > 0 ? 1 : 0;
    if (this.#maxDepth > 0 && this.#depth + nested > this.#maxDepth) {
      throw new RangeError(`serialize(): nesting deeper than ${this.#maxDepth} at ${this.#where()}`);
    }
    this.#depth += nested;
    this.#ascii(`:${entries.length}:{`);
    this.#stack.push({ entries, index: 0, nested });
  }

  #key(key: PhpArrayKey): void {
    if (typeof key === 'number') {
      if (!Number.isSafeInteger(key)) throw new TypeError(`serialize(): array key ${key} is not an integer at ${this.#where()}`);
      this.#ascii(`i:${key};`);
    } else if (typeof key === 'bigint') {
      this.#ascii(`i:${this.#int64(key)};`);
    } else {
      this.#string(key);
    }
  }

  /** `s:<bytes>:"…";` for a JS string (as UTF-8) or raw bytes. */
  #string(value: string | Uint8Array): void {
    if (typeof value === 'string' && value.length < 32 && isAsciiString(value)) return this.#ascii(`s:${value.length}:"${value}";`);
    this.#ascii(`s:${typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length}:"`);
    this.writeRaw(value);
    this.#ascii('";');
  }

  #int64(value: bigint): bigint {
    if (value < INT64_MIN || value > INT64_MAX) throw new RangeError(`serialize(): ${value} is outside PHP's int range at ${this.#where()}`);
    return value;
  }

  /** Appends text made of single-byte characters; short runs are copied by hand, which beats a native call. */
  #ascii(text: string): void {
    this.#reserve(text.length);
    if (text.length > 32) {
      this.#length += this.#buffer.write(text, this.#length, 'latin1');
      return;
    }
    const buffer = this.#buffer;
    for (let i = 0; i < text.length; i++) buffer[this.#length++] = text.charCodeAt(i);
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }

  /** The key path of the value being written, for error messages. */
  #where(): string {
    const path = this.#stack.map(({ entries, index }) => {
      const key = entries[index - 1]?.[0];
      return key instanceof Uint8Array ? '<bytes>' : String(key);
    });
    return path.length ? path.join(' › ') : 'the top level';
  }

  #unsupported(value: unknown): TypeError {
    const what = typeof value === 'object' ? (value as object).constructor?.name ?? 'object' : typeof value;
    return new TypeError(`serialize(): a ${what} has no PHP equivalent (at ${this.#where()})`);
  }
}

function isAsciiString(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}
