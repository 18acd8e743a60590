/**
 * PHP's var_dump() for the ported php-src tests' scripts: tsfpm itself has no var_dump(), and the tests' expected
 * output is var_dump's. The runner copies this file next to the scripts as `_php.ts`.
 *
 * JS → PHP: an integral number is an int, any other number a float (printed as PHP 8.2 with serialize_precision
 * -1); arrays and plain objects are PHP arrays (canonical integer keys printed as ints); Buffers are byte strings.
 */
import { $_SERVER, echo, error_reporting } from 'tsfpm';
import { PhpFloat, PhpObject } from 'tsfpm/sessions';

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

/**
 * PHP's object handles (`#2`): numbered per request in the order objects are created with {@link php_object}, or
 * first dumped. This module outlives a request (tsfpm keeps modules loaded), so the count is kept per request.
 */
const handles = new WeakMap<object, number>();
let counter = { request: '', next: 1 };
function handleOf(object: object): number {
  const request = `${$_SERVER['REMOTE_PORT']} ${$_SERVER['REQUEST_TIME_FLOAT']}`;
  if (counter.request !== request) counter = { request, next: 1 };
  let handle = handles.get(object);
  if (handle === undefined) handles.set(object, (handle = counter.next++));
  return handle;
}

/** `new ClassName()` of the PHP original: a PhpObject that takes the next object handle, as PHP allocates it. */
export function php_object(className: string, props: Record<string, unknown> = {}): PhpObject {
  const object = new PhpObject(className, props as never);
  handleOf(object);
  return object;
}

/** How often each array or object is reached: one reached twice is a PHP reference (`&`), as tsfpm decodes `R:`. */
function countShared(value: unknown, seen: Map<object, number>): void {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return;
  const count = (seen.get(value) ?? 0) + 1;
  seen.set(value, count);
  if (count > 1) return;
  const items = value instanceof PhpObject ? [...value.props.values()] : Array.isArray(value) ? value : Object.values(value);
  for (const item of items) countShared(item, seen);
}

let shared = new Map<object, number>();

function dump(value: unknown, indent: string): string {
  if (value === null || value === undefined) return `${indent}NULL\n`;
  if (typeof value === 'boolean') return `${indent}bool(${value})\n`;
  if (typeof value === 'bigint') return `${indent}int(${value})\n`;
  if (typeof value === 'number') return Number.isInteger(value) && !Object.is(value, -0) ? `${indent}int(${value})\n` : `${indent}float(${phpFloat(value)})\n`;
  if (typeof value === 'string') return `${indent}string(${Buffer.byteLength(value)}) "${value}"\n`;
  if (Buffer.isBuffer(value)) return `${indent}string(${value.length}) "${value.toString('latin1')}"\n`;
  if (value instanceof PhpFloat) return `${indent}float(${phpFloat(Number(value))})\n`;
  if (value instanceof PhpObject) {
    let out = `${indent}object(${value.className})#${handleOf(value)} (${value.props.size}) {\n`;
    for (const [key, item] of value.props) out += `${indent}  ["${String(key)}"]=>\n${entry(item, `${indent}  `)}`;
    return `${out}${indent}}\n`;
  }
  const proto = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto && proto !== Object.prototype && proto !== Array.prototype) {
    // an instance of a script's class: PHP's object dump, public properties in declaration order
    const props = Object.entries(value as object);
    let out = `${indent}object(${(proto.constructor as { name: string }).name})#${handleOf(value as object)} (${props.length}) {\n`;
    for (const [key, item] of props) out += `${indent}  ["${key}"]=>\n${entry(item, `${indent}  `)}`;
    return `${out}${indent}}\n`;
  }
  if (typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]] as const);
    let out = `${indent}array(${entries.length}) {\n`;
    for (const [key, item] of entries) {
      out += `${indent}  [${INT_KEY.test(key) ? key : `"${key}"`}]=>\n${entry(item, `${indent}  `)}`;
    }
    return `${out}${indent}}\n`;
  }
  return `${indent}${String(value)}\n`;
}

/** An array element: `&` marks a value reached more than once (a PHP reference). */
function entry(value: unknown, indent: string): string {
  const text = dump(value, indent);
  return value !== null && typeof value === 'object' && !(value instanceof PhpObject) && (shared.get(value) ?? 0) > 1 ? `${indent}&${text.slice(indent.length)}` : text;
}

/** var_dump(...$values) */
export function var_dump(...values: unknown[]): void {
  for (const value of values) {
    shared = new Map();
    countShared(value, shared);
    echo(dump(value, ''));
  }
}

/** PHP's `@expr`: runs `call` with error_reporting 0, then restores it (also for an async call). */
export async function silence<T>(call: () => T | Promise<T>): Promise<T> {
  const old = error_reporting(0);
  try {
    return await call();
  } finally {
    error_reporting(old);
  }
}

/** print_r() of an array, for the tests that print one. */
export function print_r(value: unknown[] | Record<string, unknown>): void {
  const entries = Object.entries(value);
  echo(`Array\n(\n${entries.map(([k, v]) => `    [${k}] => ${String(v)}\n`).join('')})\n`);
}
