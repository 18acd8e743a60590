/**
 * A decoded PHP value as var_export() writes it, for comparing session contents and showing them in the report.
 * @module
 */
import { arrayEntries, PhpCustomObject, PhpEnum, PhpFloat, PhpObject, type PhpArrayKey, type PhpValue } from '../../sessions/serialize/php-values.ts';

export function phpValueText(value: PhpValue, indent = ''): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return Number.isInteger(value) || !Number.isFinite(value) ? numberText(value) : String(value);
  if (value instanceof PhpFloat) return `${value.value}.0`;
  if (typeof value === 'string') return quoted(value);
  if (Buffer.isBuffer(value)) return quoted(value.toString('latin1'));
  if (value instanceof PhpEnum) return `\\${value.className}::${value.caseName}`;
  if (value instanceof PhpCustomObject) return `\\${value.className}::unserialize(${quoted(value.payload.toString('latin1'))})`;
  if (value instanceof PhpObject) return `\\${value.className}::__set_state(${arrayText([...value.props], indent)})`;
  return arrayText(arrayEntries(value), indent);
}

function arrayText(entries: Array<[PhpArrayKey, PhpValue]>, indent: string): string {
  const inner = `${indent}  `;
  const lines = entries.map(([key, item]) => `${inner}${keyText(key)} => ${phpValueText(item, inner)},`);
  return `array (\n${lines.join('\n')}${lines.length ? '\n' : ''}${indent})`;
}

function keyText(key: PhpArrayKey): string {
  if (typeof key === 'number' || typeof key === 'bigint') return String(key);
  return quoted(typeof key === 'string' ? key : key.toString('latin1'));
}

/** An integral JS number read from `i:` is a PHP int; NaN and ±INF only come from floats. */
function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NAN';
  if (!Number.isFinite(value)) return value > 0 ? 'INF' : '-INF';
  return Object.is(value, -0) ? '-0.0' : String(value);
}

function quoted(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
