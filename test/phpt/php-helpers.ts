/**
 * PHP's var_dump() for the ported php-src tests' scripts: tsfpm itself has no var_dump(), and the tests' expected
 * output is var_dump's. The runner copies this file next to the scripts as `_php.ts`.
 *
 * JS → PHP: an integral number is an int, any other number a float (printed as PHP 8.2 with serialize_precision
 * -1); arrays and plain objects are PHP arrays (canonical integer keys printed as ints); Buffers are byte strings.
 */
import { echo } from 'tsfpm';

const INT_KEY = /^(?:0|-?[1-9]\d*)$/;

/** A float as PHP's var_dump() prints it. */
export function phpFloat(n: number): string {
  if (Number.isNaN(n)) return 'NAN';
  if (!Number.isFinite(n)) return n > 0 ? 'INF' : '-INF';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const decpt = Number(exp) + 1;
  if (decpt > 17 || decpt < -3) return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exp) < 0 ? '-' : '+'}${Math.abs(Number(exp))}`;
  if (Number.isInteger(n)) return BigInt(n).toString();
  return String(n);
}

function dump(value: unknown, indent: string): string {
  if (value === null || value === undefined) return `${indent}NULL\n`;
  if (typeof value === 'boolean') return `${indent}bool(${value})\n`;
  if (typeof value === 'bigint') return `${indent}int(${value})\n`;
  if (typeof value === 'number') return Number.isInteger(value) && !Object.is(value, -0) ? `${indent}int(${value})\n` : `${indent}float(${phpFloat(value)})\n`;
  if (typeof value === 'string') return `${indent}string(${Buffer.byteLength(value)}) "${value}"\n`;
  if (Buffer.isBuffer(value)) return `${indent}string(${value.length}) "${value.toString('latin1')}"\n`;
  if (typeof value === 'object' && value.constructor?.name === 'PhpFloat') return `${indent}float(${phpFloat(Number(value))})\n`;
  if (typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]] as const);
    let out = `${indent}array(${entries.length}) {\n`;
    for (const [key, item] of entries) {
      out += `${indent}  [${INT_KEY.test(key) ? key : `"${key}"`}]=>\n${dump(item, `${indent}  `)}`;
    }
    return `${out}${indent}}\n`;
  }
  return `${indent}${String(value)}\n`;
}

/** var_dump(...$values) */
export function var_dump(...values: unknown[]): void {
  for (const value of values) echo(dump(value, ''));
}
