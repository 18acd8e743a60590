/**
 * PHP's conversions from an ini string to the value a setting uses: the ones
 * behind OnUpdateBool (zend_ini_parse_bool), OnUpdateLong and the size
 * settings (zend_ini_parse_quantity, PHP 8.2), ZEND_STRTOL and C atoi, plus
 * the E_* constants php.ini expressions may name.
 *
 * PHP works on bytes and 64-bit integers; these functions take JS strings
 * (measured as UTF-8 where bytes matter) and return JS numbers, so results
 * beyond ±2**53 lose precision.
 *
 * @module
 */

/** The E_* error-level constants of PHP 8.2 (Zend/zend_errors.h). */
export const ERROR_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  E_ERROR: 1,
  E_WARNING: 2,
  E_PARSE: 4,
  E_NOTICE: 8,
  E_CORE_ERROR: 16,
  E_CORE_WARNING: 32,
  E_COMPILE_ERROR: 64,
  E_COMPILE_WARNING: 128,
  E_USER_ERROR: 256,
  E_USER_WARNING: 512,
  E_USER_NOTICE: 1024,
  E_STRICT: 2048,
  E_RECOVERABLE_ERROR: 4096,
  E_DEPRECATED: 8192,
  E_USER_DEPRECATED: 16384,
  E_ALL: 32767,
});

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);
const ULONG_MAX = (1n << 64n) - 1n;

/** C isspace(): what strtol() and atoi() skip. */
function isCSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** strtoll(value, NULL, 10): saturates at the 64-bit limits as glibc does. */
function strtoll10(value: string): bigint {
  let i = 0;
  while (isCSpace(value[i])) i++;
  let negative = false;
  if (value[i] === '+' || value[i] === '-') {
    negative = value[i] === '-';
    i++;
  }
  let n = 0n;
  while (isDigit(value[i])) {
    n = n * 10n + BigInt(value.charCodeAt(i) - 48);
    if (n > LONG_MAX + 1n) break; // already out of range either way
    i++;
  }
  if (negative) {
    n = -n;
    return n < LONG_MIN ? LONG_MIN : n;
  }
  return n > LONG_MAX ? LONG_MAX : n;
}

/**
 * ZEND_STRTOL(value, NULL, 10): leading whitespace and a sign, then decimal
 * digits up to the first other character; out-of-range values saturate.
 * `"12abc"` → 12, `" -3"` → -3, `"abc"` → 0, `"0x10"` → 0.
 */
export function iniInt(value: string): number {
  return Number(strtoll10(value));
}

/**
 * C atoi() as glibc implements it: `(int) strtol(s, NULL, 10)`, so the result
 * is the low 32 bits of the saturated long (`"4294967297"` → 1).
 * PHP uses it in zend_ini_parse_bool and for php.ini expression operands.
 */
export function atoi(value: string): number {
  return Number(BigInt.asIntN(32, strtoll10(value)));
}

/**
 * zend_ini_parse_bool, the conversion behind every OnUpdateBool setting:
 * exactly "true", "yes" or "on" in any case is true, anything else is
 * `atoi(value) != 0`. So `"2"` and `"1abc"` are true while `"on "`, `"0x1"`
 * and `"4294967296"` are false. (php.ini itself turns bare On/Off/yes/no into
 * "1"/"" before this runs.)
 */
export function iniBool(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 'yes' || lower === 'on') return true;
  return atoi(value) !== 0;
}

// zend_is_whitespace: the characters zend_ini_parse_quantity trims.
function isQuantitySpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

function isDigitByte(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

/** smart_str_append_escaped: how PHP quotes a value inside a warning. */
function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const c of bytes) {
    if (c >= 32 && c <= 126 && c !== 0x5c) {
      out += String.fromCharCode(c);
      continue;
    }
    switch (c) {
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0b: out += '\\v'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x1b: out += '\\e'; break;
      default: out += '\\x' + c.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

function digitValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x7a) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x5a) return b - 0x41 + 10;
  return 99;
}

/**
 * strtoull(bytes[start..], &end, base) for the inputs zend_ini_parse_quantity
 * can hand it (no whitespace or sign left; base 0 only without a 0x prefix).
 */
function strtoull(bytes: Uint8Array, start: number, base: number): { value: bigint; end: number; overflow: boolean } {
  let i = start;
  if (base === 0) base = bytes[i] === 0x30 ? 8 : 10;
  const b = BigInt(base);
  let value = 0n;
  let overflow = false;
  while (i < bytes.length && digitValue(bytes[i]!) < base) {
    value = value * b + BigInt(digitValue(bytes[i]!));
    if (value > ULONG_MAX) overflow = true;
    i++;
  }
  return { value: overflow ? ULONG_MAX : value, end: i, overflow };
}

/** zend_ini_consume_quantity_prefix as PHP 8.2.36 has it: whitespace, a sign or another 0x/0o/0b. */
function consumesPrefix(bytes: Uint8Array, start: number): boolean {
  let i = start;
  while (i < bytes.length && isQuantitySpace(bytes[i])) i++;
  if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
  if (bytes[i] === 0x30 && !isDigitByte(bytes[i + 1]) && i + 1 !== bytes.length) {
    const c = bytes[i + 1];
    if (c === 0x78 || c === 0x58 || c === 0x6f || c === 0x4f || c === 0x62 || c === 0x42) i += 2;
  }
  return i !== start;
}

/** The outcome of zend_ini_parse_quantity: the 64-bit value and PHP's complaint, if any. */
export interface ParsedQuantity {
  value: bigint;
  /** The text PHP's ini_parse_quantity() warns with, or null for a clean value. */
  error: string | null;
}

/**
 * zend_ini_parse_quantity (signed) as in PHP 8.2: optional whitespace and
 * sign, decimal/octal digits or a 0x/0o/0b prefix, optional whitespace, then
 * one of k/K, m/M, g/G. Invalid input still yields PHP's "backwards
 * compatible" value, together with the message PHP warns with.
 */
export function parseQuantity(input: string): ParsedQuantity {
  const bytes = new TextEncoder().encode(input);
  const invalid = escapeBytes(bytes);
  let start = 0;
  let end = bytes.length;
  while (start < end && isQuantitySpace(bytes[start])) start++;
  while (start < end && isQuantitySpace(bytes[end - 1])) end--;
  if (start === end) return { value: 0n, error: null };
  const str = bytes.subarray(0, end);

  let digits = start;
  let negative = false;
  if (str[digits] === 0x2b) {
    digits++;
  } else if (str[digits] === 0x2d) {
    negative = true;
    digits++;
  }
  const noDigits = `Invalid quantity "${invalid}": no valid leading digits, interpreting as "0" for backwards compatibility`;
  if (!isDigitByte(str[digits])) return { value: 0n, error: noDigits };

  let base = 0;
  if (str[digits] === 0x30 && !isDigitByte(str[digits + 1])) {
    if (digits + 1 === end) return { value: 0n, error: null };
    const c = str[digits + 1]!;
    const lower = c | 0x20;
    if (lower === 0x67 || lower === 0x6d || lower === 0x6b) {
      // "0k": a zero with a multiplier, evaluated below
    } else {
      if (lower === 0x78) base = 16;
      else if (lower === 0x6f) base = 8;
      else if (lower === 0x62) base = 2;
      else {
        const prefix = escapeBytes(str.subarray(digits + 1, digits + 2));
        return { value: 0n, error: `Invalid prefix "0${prefix}", interpreting as "0" for backwards compatibility` };
      }
      digits += 2;
      if (digits === end || consumesPrefix(str, digits)) {
        return {
          value: 0n,
          error: `Invalid quantity "${invalid}": no digits after base prefix, interpreting as "0" for backwards compatibility`,
        };
      }
    }
  }

  const parsed = strtoull(str, digits, base);
  let value = parsed.value;
  let overflow = parsed.overflow;
  if (!overflow) {
    if (negative && value === LONG_MAX + 1n) {
      value = BigInt.asUintN(64, -value);
    } else if (value > LONG_MAX) {
      overflow = true;
    } else if (negative) {
      value = BigInt.asUintN(64, -value);
    }
  }
  if (parsed.end === digits) return { value: 0n, error: noDigits };

  let digitsEnd = parsed.end;
  while (digitsEnd < end && isQuantitySpace(str[digitsEnd])) digitsEnd++;
  const signed = (v: bigint): bigint => BigInt.asIntN(64, v);
  const outOfRange = `Invalid quantity "${invalid}": value is out of range, using overflow result for backwards compatibility`;
  if (digitsEnd === end) return { value: signed(value), error: overflow ? outOfRange : null };

  const suffix = str[end - 1]!;
  const interpreted = escapeBytes(str.subarray(0, digitsEnd));
  const chr = escapeBytes(str.subarray(end - 1, end));
  let shift: bigint;
  switch (suffix | 0x20) {
    case 0x67: shift = 30n; break;
    case 0x6d: shift = 20n; break;
    case 0x6b: shift = 10n; break;
    default:
      return {
        value: signed(value),
        error: `Invalid quantity "${invalid}": unknown multiplier "${chr}", interpreting as "${interpreted}" for backwards compatibility`,
      };
  }
  const factor = 1n << shift;
  if (!overflow) {
    const s = signed(value);
    overflow = s > 0n ? s > LONG_MAX / factor : s < LONG_MIN / factor;
  }
  value = BigInt.asUintN(64, value * factor);
  if (digitsEnd !== end - 1) {
    return {
      value: signed(value),
      error: `Invalid quantity "${invalid}", interpreting as "${interpreted}${chr}" for backwards compatibility`,
    };
  }
  return { value: signed(value), error: overflow ? outOfRange : null };
}

/**
 * A size or count setting as OnUpdateLong reads it (zend_ini_parse_quantity_warn):
 * `iniQuantity("8M", "post_max_size", warn)` → 8388608. Invalid input gives
 * PHP's fallback value and reports PHP's E_WARNING text, e.g.
 * `Invalid "post_max_size" setting. Invalid quantity "12X": unknown multiplier "X", interpreting as "12" for backwards compatibility`.
 */
export function iniQuantity(value: string, name: string, warn: (message: string) => void): number {
  const parsed = parseQuantity(value);
  if (parsed.error !== null) warn(`Invalid "${name}" setting. ${parsed.error}`);
  return Number(parsed.value);
}
