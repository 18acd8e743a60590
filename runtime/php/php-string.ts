/**
 * PHP's string conversion for echo and print: true is "1", false and null are "", floats print
 * with `precision` (14) significant digits in PHP's %G style (`0.1 + 0.2` is "0.3", `1e20` is
 * "1.0E+20"), INF/NAN as PHP names them.
 * @module
 */

const PRECISION = 14;

function formatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NAN';
  if (!Number.isFinite(x)) return x > 0 ? 'INF' : '-INF';
  if (Object.is(x, -0)) return '-0';
  const [mantissa, expText] = x.toExponential(PRECISION - 1).split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= PRECISION) {
    let m = mantissa.replace(/0+$/, '');
    if (m.endsWith('.')) m += '0';
    return `${m}E${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
  }
  const fixed = x.toFixed(Math.max(0, PRECISION - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Why a value cannot be printed: PHP's Error text, or a warning with the text PHP prints instead. */
export type Conversion = { text: string | Buffer; warning?: string };

/** The bytes echo prints for `value`. Throws PHP's Error for objects that have no toString of their own. */
export function phpString(value: unknown): Conversion {
  switch (typeof value) {
    case 'string':
      return { text: value };
    case 'number':
      return { text: Number.isSafeInteger(value) ? String(value) : formatFloat(value) };
    case 'bigint':
      return { text: String(value) };
    case 'boolean':
      return { text: value ? '1' : '' };
    case 'undefined':
      return { text: '' };
    case 'symbol':
    case 'function':
      throw new Error(`Object of class Closure could not be converted to string`);
    default:
      if (value === null) return { text: '' };
      if (value instanceof Uint8Array) return { text: Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
      if (Array.isArray(value)) return { text: 'Array', warning: 'Array to string conversion' };
      if ((value as object).toString !== Object.prototype.toString) return { text: String(value) };
      throw new Error(`Object of class ${(value as object).constructor?.name ?? 'stdClass'} could not be converted to string`);
  }
}
