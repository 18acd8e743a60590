/**
 * PHP's unserialize() (ext/standard/var_unserializer.re, PHP 8.2): bytes written by a real PHP, or by
 * php-serialize.ts, to the JS values of php-values.ts.
 *
 * References: `r:n;` (the same object again) and `R:n;` (a PHP `&` reference) are resolved while reading.
 * Arrays and objects become the same JS instance. Scalars are copied. Input PHP never writes is normalised
 * the way PHP normalises it (php-serialize.ts lists what therefore does not round-trip byte for byte).
 *
 * Reading takes two passes. Pass 1 parses into nodes so that a back-reference to an array still being read
 * (`a:1:{i:0;R:1;}`) has something to point at; pass 2 turns nodes into JS values once each array's keys are
 * known, since they decide between a JS array, a record and a Map.
 *
 * Unlike PHP, unserialize() does not check that a class or enum case exists. An unknown enum, which PHP
 * refuses, is kept like any other value. Names of classes and enums must be valid UTF-8.
 */

import { TsfpmError } from '../tsfpm-error.ts';
import {
  fillRecord, INT64_MAX, INT64_MIN, PhpCustomObject, PhpEnum, PhpFloat, PhpObject, phpIntKey,
  type PhpArrayKey, type PhpMap, type PhpRecord, type PhpValue,
} from './php-values.ts';

/** unserialize_max_depth's default. */
export const DEFAULT_MAX_DEPTH = 4096;

/** Malformed or truncated serialized data. `offset` is the byte where parsing failed. */
export class PhpUnserializeError extends TsfpmError {
  constructor(readonly detail: string, readonly offset: number, length: number) {
    super('TSFPM_ERR_UNSERIALIZE', `Error at offset ${offset} of ${length} bytes: ${detail}`);
  }
}

export interface UnserializeOptions {
  /** Nesting limit, as PHP's unserialize_max_depth (0 = none). @default 4096 */
  maxDepth?: number;
  /** Receives PHP's non-fatal warnings (`Numerical result out of range`). */
  warn?: (message: string) => void;
}

/**
 * unserialize($data). A string is taken as UTF-8 (pass a Buffer for PHP's bytes).
 * Bytes after the first complete value are ignored, as in PHP 8.2.
 * @throws PhpUnserializeError
 */
export function unserialize(data: Buffer | string, options: UnserializeOptions = {}): PhpValue {
  return new PhpUnserializer(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, options).readValue();
}

/** The slot counts of the `C:` payloads that were read. */
const payloadSlots = new WeakMap<PhpCustomObject, number>();

/**
 * How many back-reference slots the values inside a `C:` payload take (see PhpUnserializer#payloadSlots), which
 * serialize() must count too: remembered for payloads that were read, counted for payloads built in JS.
 */
export function customPayloadSlots(object: PhpCustomObject): number {
  return payloadSlots.get(object) ?? countPayloadSlots(object.payload);
}

function countPayloadSlots(payload: Buffer): number {
  const reader = new PhpUnserializer(payload);
  try {
    reader.readValue();
    return reader.offset === payload.length ? reader.slotCount : 0;
  } catch {
    return 0;
  }
}

/**
 * An array (no class name) or object as read, entries in order. Keys are ints as numbers (bigints beyond 2^53),
 * strings decoded when they are UTF-8, else raw bytes. Duplicate keys are resolved when the JS container is
 * filled: the later value wins, in the earlier place, as in PHP.
 */
class Container {
  readonly keys: PhpArrayKey[] = [];
  readonly values: Node[] = [];
  constructor(readonly className?: string) {}
}
type Node = null | boolean | number | bigint | string | Buffer | PhpFloat | PhpEnum | PhpCustomObject | Container;

/** An array or object being read: how many entries are left, and the key of the one being read. */
class ReadFrame {
  key: PhpArrayKey | undefined;
  constructor(readonly node: Container, public remaining: number) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Buffer): string | undefined {
  if (isAscii(bytes)) return bytes.toString('latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function isAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

const ch = (c: string): number => c.charCodeAt(0);
const [COLON, SEMI, QUOTE, LBRACE, RBRACE, BACKSLASH] = [':', ';', '"', '{', '}', '\\'].map(ch) as [number, number, number, number, number, number];
/** 64-bit HT_MAX_SIZE (Zend/zend_types.h). */
const HT_MAX_SIZE = 0x40000000;
const FLOAT_CHARS = new Set(Buffer.from('0123456789+-.eEINAF'));
const FLOAT_TOKEN = /^[+-]?(?:[0-9]+|[0-9]*\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][+-]?[0-9]+)?$/;

/**
 * Reads consecutive values sharing one back-reference table, as php_var_unserialize() with one var_hash
 * (the `php` and `php_binary` session handlers read every variable with the same table).
 */
export class PhpUnserializer {
  readonly #data: Buffer;
  #pos = 0;
  /** PHP's var_hash: every value but `R:` takes the next slot, numbered from 1. `undefined` = still being read. */
  readonly #slots: Array<Node | undefined> = [];
  readonly #values = new Map<Container, PhpValue>();
  #depth = 0;
  readonly #maxDepth: number;
  readonly #warn: ((message: string) => void) | undefined;

  constructor(data: Buffer, options: UnserializeOptions = {}) {
    this.#data = data;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#warn = options.warn;
  }

  get offset(): number {
    return this.#pos;
  }

  /** How many values have been read, which is what back-references (`r:n;`, `R:n;`) count. */
  get slotCount(): number {
    return this.#slots.length;
  }

  /** Moves the cursor (the session handlers read variable names themselves). */
  seek(offset: number): void {
    this.#pos = offset;
  }

  /** Reads one value at the cursor. @throws PhpUnserializeError */
  readValue(): PhpValue {
    return this.#toValue(this.#parse(), false);
  }

  /**
   * Reads one value for `$_SESSION` (php_serialize handler): an array always becomes a record, null an empty record;
   * anything else is returned as undefined.
   */
  readRecord(): PhpRecord | undefined {
    const node = this.#parse();
    if (node === null) return Object.create(null) as PhpRecord;
    if (!(node instanceof Container) || node.className !== undefined) return undefined;
    return this.#toValue(node, true) as PhpRecord;
  }

  /** Turns a failure into an error at `offset`. */
  fail(detail: string, offset = this.#pos): PhpUnserializeError {
    return new PhpUnserializeError(detail, offset, this.#data.length);
  }

  /** Pass 1 for one value. Open arrays and objects wait on an explicit stack, so nesting never grows the JS call stack. */
  #parse(): Node {
    const stack: ReadFrame[] = [];
    for (;;) {
      let value: Node | ReadFrame;
      const frame = stack[stack.length - 1];
      if (frame && frame.remaining === 0) {
        this.#close();
        stack.pop();
        value = frame.node;
      } else {
        if (frame) frame.key = this.#entryKey(frame.node.className === undefined);
        value = this.#parseOne();
        if (value instanceof ReadFrame) {
          stack.push(value);
          continue;
        }
      }
      const parent = stack[stack.length - 1];
      if (!parent) return value;
      parent.node.keys.push(parent.key!);
      parent.node.values.push(value);
      parent.remaining--;
    }
  }

  /** Reads a scalar whole, or the head of a non-empty array/object (returned as a frame to fill). */
  #parseOne(): Node | ReadFrame {
    const data = this.#data;
    const start = this.#pos;
    if (start >= data.length) throw this.fail('unexpected end of data');
    const tag = String.fromCharCode(data[start]!);
    if (tag === 'R') return this.#reference(start);
    const slot = this.#slots.push(undefined) - 1;
    if (tag === 'N') {
      this.#literal('N;');
      return (this.#slots[slot] = null);
    }
    if (data[start + 1] !== COLON) throw this.fail(`unexpected ${JSON.stringify(tag)}`, start);
    this.#pos += 2;
    let node: Node;
    switch (tag) {
      case 'r':
        node = this.#objectReference(start);
        break;
      case 'b': {
        const bit = data[this.#pos];
        if ((bit !== ch('0') && bit !== ch('1')) || data[this.#pos + 1] !== SEMI) throw this.fail('bad boolean', start);
        this.#pos += 2;
        node = bit === ch('1');
        break;
      }
      case 'i':
        node = this.#signedInt();
        this.#expect(SEMI);
        break;
      case 'd':
        node = this.#float(start);
        break;
      case 's':
      case 'S':
        node = this.#string(tag === 'S');
        break;
      case 'a':
        return this.#array(slot);
      case 'O':
        return this.#object(slot);
      case 'C':
        node = this.#customObject();
        break;
      case 'E':
        node = this.#enum();
        break;
      default:
        throw this.fail(`unknown type ${JSON.stringify(tag)}`, start);
    }
    return (this.#slots[slot] = node);
  }

  #reference(start: number): Node {
    this.#literal('R:');
    const target = this.#slotAt(this.#unsignedInt(), start);
    this.#expect(SEMI);
    return target;
  }

  #objectReference(start: number): Node {
    const target = this.#slotAt(this.#unsignedInt(), start);
    this.#expect(SEMI);
    const isObject = target instanceof Container ? target.className !== undefined : target instanceof PhpEnum || target instanceof PhpCustomObject;
    if (!isObject) throw this.fail('r: must refer to an object', start);
    return target;
  }

  #slotAt(id: number, start: number): Node {
    const target = id >= 1 ? this.#slots[id - 1] : undefined;
    if (target === undefined) throw this.fail(`back-reference to unknown slot ${id}`, start);
    return target;
  }

  #float(start: number): number | PhpFloat {
    const data = this.#data;
    let end = this.#pos;
    while (end < data.length && FLOAT_CHARS.has(data[end]!)) end++;
    const token = data.toString('latin1', this.#pos, end);
    let value: number;
    if (token === 'NAN') value = NaN;
    else if (token === 'INF') value = Infinity;
    else if (token === '-INF') value = -Infinity;
    else if (FLOAT_TOKEN.test(token)) value = Number(token);
    else throw this.fail('bad float', start);
    this.#pos = end;
    this.#expect(SEMI);
    // An integral float must stay a float, or it would be written back as `i:`.
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? new PhpFloat(value) : value;
  }

  /** A string value or key; bytes that stay bytes are copied, so they do not pin or alias the input. */
  #string(escaped: boolean): string | Buffer {
    const bytes = this.#stringBytes(escaped);
    return decodeUtf8(bytes) ?? Buffer.from(bytes);
  }

  /** The body of `s:<len>:"…";` (cursor after `s:`); `S:` bodies contain `\xx` hex escapes, each one byte. */
  #stringBytes(escaped: boolean): Buffer {
    const data = this.#data;
    const length = this.#unsignedInt();
    this.#expect(COLON);
    this.#expect(QUOTE);
    if (data.length - this.#pos < length) throw this.fail(`string length ${length} runs past the end`);
    let bytes: Buffer;
    if (!escaped) {
      bytes = data.subarray(this.#pos, this.#pos + length);
      this.#pos += length;
    } else {
      bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) {
        if (this.#pos >= data.length) throw this.fail('escaped string runs past the end');
        if (data[this.#pos] !== BACKSLASH) {
          bytes[i] = data[this.#pos++]!;
          continue;
        }
        const hex = data.toString('latin1', this.#pos + 1, this.#pos + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw this.fail('bad escape in S: string');
        bytes[i] = parseInt(hex, 16);
        this.#pos += 3;
      }
    }
    this.#expect(QUOTE);
    this.#expect(SEMI);
    return bytes;
  }

  #array(slot: number): Container | ReadFrame {
    const node = new Container();
    this.#slots[slot] = node; // before the elements, which may refer back to it
    const count = this.#unsignedInt();
    this.#expect(COLON);
    this.#expect(LBRACE);
    this.#checkCount(count);
    // As in PHP, an empty array does not count towards the depth limit (an empty object does).
    if (count === 0) {
      this.#expect(RBRACE);
      return node;
    }
    this.#enter();
    return new ReadFrame(node, count);
  }

  #object(slot: number): Container | ReadFrame {
    const node = new Container(this.#className());
    this.#slots[slot] = node;
    const count = this.#elementCount();
    this.#enter();
    if (count > 0) return new ReadFrame(node, count);
    this.#close();
    return node;
  }

  /** The `}` that ends an array or object. */
  #close(): void {
    this.#expect(RBRACE);
    this.#depth--;
  }

  #customObject(): PhpCustomObject {
    const className = this.#className();
    const length = Number(this.#signedInt(true));
    this.#expect(COLON);
    this.#expect(LBRACE);
    if (length < 0 || this.#data.length - this.#pos <= length) throw this.fail(`custom object length ${length} runs past the end`);
    const start = this.#pos;
    const end = start + length;
    if (this.#data[end] !== RBRACE) throw this.fail('custom object data not followed by }', end);
    const object = new PhpCustomObject(className, Buffer.from(this.#data.subarray(start, end)));
    payloadSlots.set(object, this.#payloadSlots(start, end));
    this.#pos = end + 1;
    return object;
  }

  /**
   * A Serializable::unserialize() usually calls unserialize() on its payload, and PHP numbers the values read there
   * in the same table, which shifts every later back-reference. So if the payload is one serialized value, its
   * values take slots here too (and can be referred to).
   */
  #payloadSlots(start: number, end: number): number {
    const [slots, depth] = [this.#slots.length, this.#depth];
    this.#pos = start;
    try {
      this.#parse();
      if (this.#pos === end) return this.#slots.length - slots;
    } catch (error) {
      if (!(error instanceof PhpUnserializeError)) throw error;
    }
    this.#slots.length = slots;
    this.#depth = depth;
    return 0;
  }

  #enum(): PhpEnum {
    const start = this.#pos;
    const bytes = this.#quoted();
    this.#expect(SEMI);
    const colon = bytes.indexOf(COLON);
    const className = colon > 0 ? decodeUtf8(bytes.subarray(0, colon)) : undefined;
    const caseName = colon > 0 ? decodeUtf8(bytes.subarray(colon + 1)) : undefined;
    if (className === undefined || !caseName || !isValidClassName(bytes.subarray(0, colon))) throw this.fail('bad enum name', start);
    return new PhpEnum(className, caseName);
  }

  /** `<len>:"Name":` of O:/C:, with PHP's class-name checks. */
  #className(): string {
    const start = this.#pos;
    const bytes = this.#quoted();
    this.#expect(COLON);
    const name = decodeUtf8(bytes);
    if (name === undefined || !isValidClassName(bytes)) throw this.fail('bad class name', start);
    return name;
  }

  /** `<len>:"<len bytes>"`, which must not be empty. */
  #quoted(): Buffer {
    const length = this.#unsignedInt();
    this.#expect(COLON);
    this.#expect(QUOTE);
    if (length === 0 || this.#data.length - this.#pos < length) throw this.fail(`name length ${length} is empty or runs past the end`);
    const bytes = this.#data.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    this.#expect(QUOTE);
    return bytes;
  }

  /** `<count>:{` of O:, where PHP accepts a sign. */
  #elementCount(): number {
    const count = Number(this.#signedInt(true));
    this.#expect(COLON);
    this.#expect(LBRACE);
    if (count < 0) throw this.fail('negative element count');
    this.#checkCount(count);
    return count;
  }

  /** Each element takes at least two bytes, so a count beyond that is a lie (IS_FAKE_ELEM_COUNT). */
  #checkCount(count: number): void {
    if (count >= HT_MAX_SIZE || count > (this.#data.length - this.#pos) / 2) throw this.fail(`element count ${count} exceeds the data`);
  }

  #enter(): void {
    if (this.#maxDepth > 0 && this.#depth >= this.#maxDepth) {
      throw this.fail(`Maximum depth of ${this.#maxDepth} exceeded`);
    }
    this.#depth++;
  }

  /** A key of an array (numeric strings become ints, ZEND_HANDLE_NUMERIC) or of an object (kept as written). */
  #entryKey(inArray: boolean): PhpArrayKey {
    const key = this.#key();
    return inArray && typeof key === 'string' ? (phpIntKey(key) ?? key) : key;
  }

  /** An array or property key: only `i:`, `s:` and `S:` (PHP reads keys without a var_hash, so they take no slot). */
  #key(): PhpArrayKey {
    const data = this.#data;
    const start = this.#pos;
    const tag = data[start];
    if (data[start + 1] !== COLON) throw this.fail('bad array key', start);
    this.#pos += 2;
    if (tag === ch('i')) {
      const value = this.#signedInt();
      this.#expect(SEMI);
      return value;
    }
    if (tag === ch('s') || tag === ch('S')) return this.#string(tag === ch('S'));
    throw this.fail('array keys must be int or string', start);
  }

  /** PHP's `uiv`: one or more digits. Lengths and counts too large to be real fail the later bounds checks. */
  #unsignedInt(): number {
    const start = this.#pos;
    while (isDigit(this.#data[this.#pos])) this.#pos++;
    if (this.#pos === start) throw this.fail('expected digits');
    return Number(this.#data.toString('latin1', start, this.#pos));
  }

  /**
   * PHP's `iv` read by parse_iv2(), as a number (a bigint beyond 2^53). Out-of-range values warn and clamp to
   * PHP_INT_MAX/MIN. The counts of `O:` and `C:` are read by parse_iv2() alone, without the grammar's check, so there
   * a bare sign or nothing reads as 0.
   */
  #signedInt(digitsOptional = false): number | bigint {
    const data = this.#data;
    const start = this.#pos;
    const negative = data[start] === ch('-');
    if (negative || data[start] === ch('+')) this.#pos++;
    const digitsStart = this.#pos;
    while (isDigit(data[this.#pos])) this.#pos++;
    if (this.#pos === digitsStart) {
      if (digitsOptional) return 0;
      throw this.fail('expected digits', start);
    }
    if (this.#pos - digitsStart <= 15) {
      const value = Number(data.toString('latin1', digitsStart, this.#pos));
      return negative && value !== 0 ? -value : value; // i:-0; is int 0, not the float -0
    }
    const digits = data.toString('latin1', digitsStart, this.#pos).replace(/^0+(?=.)/, '');
    const value = digits.length > 19 ? (negative ? INT64_MIN - 1n : INT64_MAX + 1n) : BigInt(negative ? `-${digits}` : digits);
    if (value > INT64_MAX || value < INT64_MIN) {
      this.#warn?.('Numerical result out of range');
      return value > 0n ? INT64_MAX : INT64_MIN;
    }
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }

  #literal(text: string): void {
    for (let i = 0; i < text.length; i++) this.#expect(text.charCodeAt(i));
  }

  #expect(byte: number): void {
    if (this.#data[this.#pos] !== byte) {
      throw this.fail(this.#pos >= this.#data.length ? 'unexpected end of data' : `expected ${JSON.stringify(String.fromCharCode(byte))}`);
    }
    this.#pos++;
  }

  /*
   * Pass 2: first a JS shell for every array and object reachable from `root` (its kind follows from its keys),
   * then the shells are filled. Shared and cyclic nodes thus become the same JS instance, without recursion.
   */
  #toValue(root: Node, rootAsRecord: boolean): PhpValue {
    if (!(root instanceof Container)) return root;
    const values = this.#values;
    const created: Container[] = [];
    const pending = [root];
    while (pending.length > 0) {
      const node = pending.pop()!;
      if (values.has(node)) continue;
      values.set(node, shellFor(node, node === root && rootAsRecord));
      created.push(node);
      for (const child of node.values) if (child instanceof Container && !values.has(child)) pending.push(child);
    }
    const valueOf = (node: Node): PhpValue => (node instanceof Container ? values.get(node)! : node);
    for (const node of created) {
      const shell = values.get(node)!;
      const { keys } = node;
      const items = node.values.map(valueOf);
      if (Array.isArray(shell)) for (const item of items) shell.push(item);
      else if (shell instanceof Map || shell instanceof PhpObject) fillMap(shell instanceof Map ? shell : shell.props, keys, items);
      else fillRecord(shell as PhpRecord, keys, items);
    }
    return values.get(root)!;
  }
}

/** The empty JS container a node becomes: a list for keys 0..n-1 in order, a Map if a key is not UTF-8, else a record. */
function shellFor(node: Container, asRecord: boolean): PhpValue {
  if (node.className !== undefined) return new PhpObject(node.className);
  if (node.keys.some((key) => key instanceof Buffer)) return new Map();
  return !asRecord && node.keys.every((key, i) => key === i) ? [] : (Object.create(null) as PhpRecord);
}

/** Fills a Map; a later duplicate key replaces the earlier value in place, as in PHP (Buffers compare by content). */
function fillMap(map: PhpMap, keys: PhpArrayKey[], items: PhpValue[]): void {
  keys.forEach((key, i) => {
    if (key instanceof Buffer) key = [...map.keys()].find((k) => k instanceof Buffer && k.equals(key as Buffer)) ?? key;
    map.set(key, items[i]!);
  });
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** zend_is_valid_class_name() plus unserialize's own rules: [A-Za-z0-9_\x80-\xff\\], not starting with a backslash. */
function isValidClassName(bytes: Buffer): boolean {
  if (bytes.length === 0 || bytes[0] === BACKSLASH) return false;
  for (const byte of bytes) {
    const ok =
      (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || isDigit(byte) || byte === 0x5f || byte >= 0x80 || byte === BACKSLASH;
    if (!ok) return false;
  }
  return true;
}
