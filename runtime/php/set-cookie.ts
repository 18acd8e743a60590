/**
 * setcookie() / setrawcookie() as PHP 8.2 implements them (ext/standard/head.c):
 * reading both call signatures with PHP's coercions and error texts, and
 * building the exact Set-Cookie header value. No I/O: the caller adds the
 * header (through the same path as header(), which rejects NUL, CR and LF
 * with its own warning) and returns true.
 *
 * Arguments arrive as JS values and are read as the PHP values a PHP caller
 * would pass: numbers are ints when integral and within 64 bits, floats
 * otherwise; arrays, Maps and plain objects are PHP arrays; null is null and
 * `undefined` means "not passed".
 *
 * @module
 */

/** The attributes setcookie() accepts, after PHP's coercions. */
export interface CookieOptions {
  /** Unix timestamp; 0 or less makes a session cookie. @default 0 */
  expires?: number;
  path?: string;
  domain?: string;
  secure?: boolean;
  httponly?: boolean;
  /** Sent as given: PHP does not check it against Strict/Lax/None. */
  samesite?: string;
}

import { PhpTypeError, ValueError as PhpValueError } from './errors.ts';

export { PhpTypeError, PhpValueError };

/** Receives PHP's non-fatal diagnostics with their level. */
export type CookieWarn = (message: string, level: 'E_WARNING' | 'E_DEPRECATED') => void;

type CookieFunction = 'setcookie' | 'setrawcookie';

const PARAMS = ['name', 'value', 'expires_or_options', 'path', 'domain', 'secure', 'httponly'] as const;
const LONG_MAX = 2 ** 63;

// ---------------------------------------------------------------------------
// PHP values

type PhpArray = Array<[string | bigint, unknown]>;

function isPhpArray(v: unknown): v is unknown[] | Map<unknown, unknown> | Record<string, unknown> {
  if (Array.isArray(v) || v instanceof Map) return true;
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** PHP turns decimal-integer string keys into int keys. */
function arrayKey(key: unknown): string | bigint {
  if (typeof key === 'number' || typeof key === 'bigint') return BigInt(key);
  const s = String(key);
  if (/^(0|-?[1-9][0-9]*)$/.test(s)) {
    const n = BigInt(s);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return n;
  }
  return s;
}

function entries(v: unknown[] | Map<unknown, unknown> | Record<string, unknown>): PhpArray {
  if (Array.isArray(v)) return v.map((item, i) => [BigInt(i), item]);
  if (v instanceof Map) return [...v].map(([k, item]) => [arrayKey(k), item]);
  return Object.entries(v).map(([k, item]) => [arrayKey(k), item]);
}

function isInt(v: unknown): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < LONG_MAX);
}

/** The type name PHP prints in "must be of type X, Y given". */
function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (isInt(v)) return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  if (isPhpArray(v)) return 'array';
  return (v as object).constructor?.name ?? 'object';
}

/** zend_gcvt: PHP's float to string, with `precision` significant digits or the shortest exact form. */
function formatFloat(v: number, precision: number | 'shortest'): string {
  if (Number.isNaN(v)) return 'NAN';
  if (!Number.isFinite(v)) return v > 0 ? 'INF' : '-INF';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const exp = precision === 'shortest' ? Math.abs(v).toExponential() : Math.abs(v).toExponential(precision - 1);
  const [mantissa, exponent] = exp.split('e') as [string, string];
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  const decpt = Number(exponent) + 1;
  if (decpt < 0 ? decpt < -3 : decpt > (precision === 'shortest' ? 17 : precision)) {
    const e = decpt - 1;
    return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${e < 0 ? '-' : '+'}${Math.abs(e)}`;
  }
  if (decpt < 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  const whole = digits.slice(0, decpt).padEnd(decpt, '0') || '0';
  const fraction = digits.slice(decpt);
  return sign + whole + (fraction ? `.${fraction}` : '');
}

/** zend_dval_to_lval: NaN and infinities are 0, out-of-range values wrap modulo 2**64. */
function floatToLong(d: number): number {
  if (!Number.isFinite(d)) return 0;
  if (d >= -LONG_MAX && d < LONG_MAX) return Math.trunc(d);
  return Number(BigInt.asIntN(64, BigInt(d)));
}

const NUMERIC = /^[ \t\n\r\v\f]*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/;

/** is_numeric_string: the number a string starts with, whether anything follows it, and whether it is a float. */
function numericPrefix(s: string): { value: number; isFloat: boolean; trailing: boolean } | null {
  const m = NUMERIC.exec(s);
  if (!m) return null;
  const text = m[1]!;
  const rest = s.slice(m[0].length);
  const value = Number(text);
  const isFloat = /[.eE]/.test(text) || !isInt(value);
  return { value, isFloat, trailing: !/^[ \t\n\r\v\f]*$/.test(rest) };
}

/** zval_get_long: silent, leading-numeric strings count, float strings saturate. */
function toLong(v: unknown): number {
  if (v === null || v === undefined || v === false) return 0;
  if (v === true) return 1;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return isInt(v) ? v : floatToLong(v);
  if (typeof v === 'string') {
    const n = numericPrefix(v);
    if (!n) return 0;
    if (!n.isFloat) return n.value;
    if (Number.isNaN(n.value)) return 0;
    // zend_dval_to_lval_cap saturates
    return n.value >= LONG_MAX ? LONG_MAX : n.value < -LONG_MAX ? -LONG_MAX : Math.trunc(n.value);
  }
  if (isPhpArray(v)) return entries(v).length > 0 ? 1 : 0;
  return 1;
}

/** zval_get_string (used for the options array). */
function toPhpString(v: unknown, warn: CookieWarn): string {
  if (v === null || v === undefined || v === false) return '';
  if (v === true) return '1';
  if (typeof v === 'string') return v;
  if (isInt(v)) return String(v);
  if (typeof v === 'number') return formatFloat(v, 14);
  if (isPhpArray(v)) {
    warn('Array to string conversion', 'E_WARNING');
    return 'Array';
  }
  return String(v); // an object with __toString
}

/** zend_is_true */
function isTrue(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === 'string') return v !== '' && v !== '0';
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (isPhpArray(v)) return entries(v).length > 0;
  return true;
}

// ---------------------------------------------------------------------------
// Parameter parsing (ZEND_PARSE_PARAMETERS in coercive typing mode)

class ParameterReader {
  readonly #fn: CookieFunction;
  readonly #warn: CookieWarn;

  constructor(fn: CookieFunction, warn: CookieWarn) {
    this.#fn = fn;
    this.#warn = warn;
  }

  #label(index: number): string {
    return `#${index + 1} ($${PARAMS[index]})`;
  }

  #typeError(index: number, expected: string, v: unknown): PhpTypeError {
    return new PhpTypeError(`${this.#fn}(): Argument ${this.#label(index)} must be of type ${expected}, ${typeName(v)} given`);
  }

  #nullDeprecated(index: number, expected: string): void {
    this.#warn(`${this.#fn}(): Passing null to parameter ${this.#label(index)} of type ${expected} is deprecated`, 'E_DEPRECATED');
  }

  string(index: number, v: unknown): string {
    if (typeof v === 'string') return v;
    if (v === null) {
      this.#nullDeprecated(index, 'string');
      return '';
    }
    if (typeof v === 'boolean') return v ? '1' : '';
    if (isInt(v)) return String(v);
    if (typeof v === 'number') return formatFloat(v, 14);
    if (isPhpArray(v)) throw this.#typeError(index, 'string', v);
    return String(v);
  }

  bool(index: number, v: unknown): boolean {
    if (typeof v === 'boolean') return v;
    if (v === null) {
      this.#nullDeprecated(index, 'bool');
      return false;
    }
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return isTrue(v);
    throw this.#typeError(index, 'bool', v);
  }

  /** Z_PARAM_ARRAY_HT_OR_LONG */
  arrayOrLong(index: number, v: unknown): PhpArray | number {
    if (isPhpArray(v)) return entries(v);
    if (v === null) {
      this.#nullDeprecated(index, 'array|int');
      return 0;
    }
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (isInt(v)) return Number(v);
    if (typeof v === 'number') {
      if (Number.isNaN(v) || v >= LONG_MAX || v < -LONG_MAX) throw this.#typeError(index, 'array|int', v);
      this.#warn(`Implicit conversion from float ${formatFloat(v, 'shortest')} to int loses precision`, 'E_DEPRECATED');
      return Math.trunc(v);
    }
    if (typeof v === 'string') {
      const n = numericPrefix(v);
      if (!n || n.trailing) throw this.#typeError(index, 'array|int', v);
      if (!n.isFloat) return n.value;
      if (Number.isNaN(n.value) || n.value >= LONG_MAX || n.value < -LONG_MAX) throw this.#typeError(index, 'array|int', v);
      if (!Number.isInteger(n.value)) {
        this.#warn(`Implicit conversion from float-string "${v}" to int loses precision`, 'E_DEPRECATED');
      }
      return Math.trunc(n.value);
    }
    throw this.#typeError(index, 'array|int', v);
  }
}

/** php_head_parse_cookie_options_array */
function readOptionsArray(fn: CookieFunction, options: PhpArray, into: CookieOptions, warn: CookieWarn): void {
  for (const [key, value] of options) {
    if (typeof key === 'bigint') throw new PhpValueError(`${fn}(): option array cannot have numeric keys`);
    switch (key.toLowerCase()) {
      case 'expires': into.expires = toLong(value); break;
      case 'path': into.path = toPhpString(value, warn); break;
      case 'domain': into.domain = toPhpString(value, warn); break;
      case 'secure': into.secure = isTrue(value); break;
      case 'httponly': into.httponly = isTrue(value); break;
      case 'samesite': into.samesite = toPhpString(value, warn); break;
      default: throw new PhpValueError(`${fn}(): option "${key}" is invalid`);
    }
  }
}

/**
 * Reads a setcookie()/setrawcookie() call in either PHP form:
 * `(name, value = "", expires = 0, path = "", domain = "", secure = false, httponly = false)`
 * or `(name, value, options)` with keys expires/path/domain/secure/httponly/samesite
 * (any case). Applies PHP's coercions (an int name becomes a string, "3600"
 * an int expiry, …) and reports its deprecations through `warn`.
 *
 * An `undefined` argument counts as not passed, which PHP cannot express in
 * the middle of a call.
 *
 * @throws PhpTypeError / PhpValueError with PHP's texts, e.g.
 *   `setcookie(): Argument #3 ($expires_or_options) must be of type array|int, string given`,
 *   `setcookie(): Expects exactly 3 arguments when argument #3 ($expires_or_options) is an array` (ArgumentCountError),
 *   `setcookie(): option "foo" is invalid`.
 */
export function normalizeCookieArgs(
  fnName: CookieFunction,
  args: unknown[],
  warn: CookieWarn = () => {},
): { name: string; value: string; options: CookieOptions } {
  let count = args.length;
  while (count > 0 && args[count - 1] === undefined) count--;
  if (count > 7) throw new PhpTypeError(`${fnName}() expects at most 7 arguments, ${count} given`, 'ArgumentCountError');
  if (count < 1) throw new PhpTypeError(`${fnName}() expects at least 1 argument, 0 given`, 'ArgumentCountError');

  const read = new ParameterReader(fnName, warn);
  const passed = (i: number): boolean => i < count && args[i] !== undefined;
  const name = read.string(0, args[0]);
  const value = passed(1) ? read.string(1, args[1]) : '';
  const expiresOrOptions = passed(2) ? read.arrayOrLong(2, args[2]) : 0;
  const options: CookieOptions = {};
  if (passed(3)) options.path = read.string(3, args[3]);
  if (passed(4)) options.domain = read.string(4, args[4]);
  if (passed(5)) options.secure = read.bool(5, args[5]);
  if (passed(6)) options.httponly = read.bool(6, args[6]);

  if (typeof expiresOrOptions === 'number') {
    options.expires = expiresOrOptions;
  } else {
    if (count > 3) {
      throw new PhpTypeError(
        `${fnName}(): Expects exactly 3 arguments when argument #3 ($expires_or_options) is an array`,
        'ArgumentCountError',
      );
    }
    readOptionsArray(fnName, expiresOrOptions, options, warn);
  }
  return { name, value, options };
}

// ---------------------------------------------------------------------------
// The header (php_setcookie)

const ILLEGAL = '",", ";", " ", "\\t", "\\r", "\\n", "\\013", or "\\014"';
const ILLEGAL_CHARS = /[,; \t\r\n\x0B\x0C]/;
const ILLEGAL_NAME_CHARS = /[=,; \t\r\n\x0B\x0C]/;
/** 9999-12-31 23:59:59 UTC, the last expiry PHP can write with a four-digit year. */
const LAST_EXPIRES = 253402300799;

/** PHP checks with strpbrk(), which stops at a NUL byte. */
function beforeNul(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

const UNRESERVED = /^[A-Za-z0-9_.~-]*$/;

/** rawurlencode(): everything but A-Z a-z 0-9 - _ . ~ as %XX of its UTF-8 bytes. */
export function rawUrlEncode(value: string): string {
  // a session ID, the common case, has nothing to encode
  if (UNRESERVED.test(value)) return value;
  let out = '';
  for (const b of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The Set-Cookie header value php_setcookie() builds, without the
 * `Set-Cookie: ` prefix:
 * `name=value[; expires=D, d M Y H:i:s GMT; Max-Age=N][; path=…][; domain=…][; secure][; HttpOnly][; SameSite=…]`.
 *
 * The value is rawurlencoded unless `raw` (setrawcookie). An empty value gives
 * `name=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0` (path and
 * the other attributes still follow). expires > 0 adds expires and
 * `Max-Age=max(0, expires - now)`; expires ≤ 0 adds neither. Empty path,
 * domain and samesite are left out.
 *
 * @param now the current Unix time in seconds (PHP's time()).
 * @throws PhpValueError with PHP's texts for an empty name, a name with
 *   `=,; \t\r\n\v\f`, a raw value / path / domain with `,; \t\r\n\v\f`, or an
 *   expiry after year 9999. Messages name setrawcookie() when `raw`.
 */
export function formatSetCookie(name: string, value: string, options: CookieOptions, raw: boolean, now: number): string {
  const fn: CookieFunction = raw ? 'setrawcookie' : 'setcookie';
  const { expires = 0, path = '', domain = '', secure = false, httponly = false, samesite = '' } = options;
  if (name === '') throw new PhpValueError(`${fn}(): Argument #1 ($name) cannot be empty`);
  if (ILLEGAL_NAME_CHARS.test(beforeNul(name))) {
    throw new PhpValueError(`${fn}(): Argument #1 ($name) cannot contain "=", ${ILLEGAL}`);
  }
  if (raw && ILLEGAL_CHARS.test(beforeNul(value))) {
    throw new PhpValueError(`${fn}(): Argument #2 ($value) cannot contain ${ILLEGAL}`);
  }
  if (ILLEGAL_CHARS.test(beforeNul(path))) throw new PhpValueError(`${fn}(): "path" option cannot contain ${ILLEGAL}`);
  if (ILLEGAL_CHARS.test(beforeNul(domain))) throw new PhpValueError(`${fn}(): "domain" option cannot contain ${ILLEGAL}`);

  let header: string;
  if (value === '') {
    // MSIE ignored an empty value, so PHP deletes with a date in the past.
    header = `${name}=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0`;
  } else {
    header = `${name}=${raw ? value : rawUrlEncode(value)}`;
    if (expires > 0) {
      if (expires > LAST_EXPIRES) throw new PhpValueError(`${fn}(): "expires" option cannot have a year greater than 9999`);
      const maxAge = Math.max(0, Math.trunc(expires - now));
      header += `; expires=${new Date(expires * 1000).toUTCString()}; Max-Age=${maxAge}`;
    }
  }
  if (path !== '') header += `; path=${path}`;
  if (domain !== '') header += `; domain=${domain}`;
  if (secure) header += '; secure';
  if (httponly) header += '; HttpOnly';
  if (samesite !== '') header += `; SameSite=${samesite}`;
  return header;
}
