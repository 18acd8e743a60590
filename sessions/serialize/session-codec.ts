/**
 * The session serialize handlers (session.serialize_handler, ext/session/session.c) that turn `$_SESSION` into the
 * bytes a store keeps, and back:
 *
 * - `php` (the default): `name|serialize(value)` per variable, concatenated: `int|i:42;str|s:1:"x";`.
 * - `php_serialize`: serialize($_SESSION) as one array: `a:2:{s:3:"int";i:42;i:5;s:1:"x";}`.
 * - `php_binary`: per variable, one length byte, the name, serialize(value).
 *
 * Every variable of one session shares one back-reference table, so `$_SESSION['b'] = &$_SESSION['a']` survives.
 * Encoding the data that was decoded gives the same bytes (except for the cases listed in php-serialize.ts),
 * which is what lazy_write compares.
 */

import { TsfpmError } from '../tsfpm-error.ts';
import { PhpSerializer, serialize } from './php-serialize.ts';
import { PhpUnserializeError, PhpUnserializer, type UnserializeOptions } from './php-unserialize.ts';
import { arrayEntries, recordFromEntries, type PhpMap, type PhpRecord, type PhpValue } from './php-values.ts';

export type SessionSerializeHandler = 'php' | 'php_serialize' | 'php_binary';

/** The handler for a session.serialize_handler value (case-insensitive, like PHP), or undefined if PHP has none by that name. */
export function parseSerializeHandler(name: string): SessionSerializeHandler | undefined {
  const lower = name.toLowerCase();
  return lower === 'php' || lower === 'php_serialize' || lower === 'php_binary' ? lower : undefined;
}

/** What PHP says (E_WARNING) when stored data cannot be decoded; the session is then destroyed and session_start() fails. */
export const DECODE_FAILED_MESSAGE = 'Failed to decode session object. Session has been destroyed';

/** Stored session data that the handler cannot decode. The caller destroys the session, as PHP does. */
export class SessionDecodeError extends TsfpmError {
  constructor(readonly handler: SessionSerializeHandler, readonly detail: string, options?: ErrorOptions) {
    super('TSFPM_ERR_SESSION_DECODE', DECODE_FAILED_MESSAGE, options);
  }
}

/**
 * session_encode(): the bytes to store for `vars`. Warnings PHP would emit go to `warn`:
 * - `php`/`php_binary`: an int key (`$_SESSION[5]`, or `"5"`, which PHP makes an int) is skipped with
 *   `Skipping numeric key 5`.
 * - `php`: a name containing `|` makes the whole encoding fail, and PHP 8.2 then stores "" (every variable is lost).
 *   8.2 says nothing; the message passed to `warn` is the one later PHP versions emit.
 * - `php_binary`: PHP silently drops names longer than 127 bytes; tsfpm reports it.
 * @throws TypeError/RangeError for JS values with no PHP equivalent (see php-serialize.ts)
 */
export function encodeSession(
  vars: PhpRecord | PhpValue[] | PhpMap,
  handler: SessionSerializeHandler,
  warn: (message: string) => void,
): Buffer {
  if (handler === 'php_serialize') return serialize(vars);
  const writer = new PhpSerializer();
  for (const [key, value] of arrayEntries(vars)) {
    if (typeof key === 'number' || typeof key === 'bigint') {
      warn(`Skipping numeric key ${key}`);
      continue;
    }
    const name = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (handler === 'php') {
      if (name.includes(0x7c)) {
        warn(`Failed to write session data. Data contains invalid key "${name.toString('utf8')}"`);
        return Buffer.alloc(0);
      }
      writer.writeRaw(name);
      writer.writeRaw('|');
    } else {
      if (name.length > 127) {
        warn(`Skipping session variable "${name.toString('utf8')}": php_binary names are limited to 127 bytes`);
        continue;
      }
      writer.writeRaw(Buffer.from([name.length]));
      writer.writeRaw(name);
    }
    writer.write(value);
  }
  return writer.toBuffer();
}

/**
 * session_decode(): `$_SESSION` from stored bytes (a string is taken as UTF-8). Empty data is an empty session.
 * A later duplicate name overwrites an earlier one in place, as in PHP.
 * @throws SessionDecodeError when PHP would fail too, and when a variable name is not valid UTF-8 (PHP accepts those;
 *   a JS object cannot hold them)
 */
export function decodeSession(data: Buffer | string, handler: SessionSerializeHandler, options: UnserializeOptions = {}): PhpRecord {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const reader = new PhpUnserializer(bytes, options);
  try {
    if (handler === 'php_serialize') return decodeWholeArray(reader, bytes);
    const entries: Array<[string, PhpValue]> = [];
    while (reader.offset < bytes.length) {
      const [nameStart, nameEnd] = handler === 'php' ? phpName(bytes, reader.offset) : binaryName(bytes, reader.offset);
      const name = decodeName(bytes.subarray(nameStart, nameEnd));
      if (name === undefined) throw new SessionDecodeError(handler, `the session variable name at offset ${nameStart} is not valid UTF-8`);
      reader.seek(handler === 'php' ? nameEnd + 1 : nameEnd);
      entries.push([name, reader.readValue()]);
    }
    return recordFromEntries(entries);
  } catch (error) {
    if (error instanceof PhpUnserializeError) throw new SessionDecodeError(handler, error.message, { cause: error });
    throw error;
  }

  function phpName(bytes: Buffer, start: number): [number, number] {
    const bar = bytes.indexOf(0x7c, start);
    if (bar < 0) throw reader.fail('no "|" after a session variable name', start);
    return [start, bar];
  }

  function binaryName(bytes: Buffer, start: number): [number, number] {
    // The high bit once flagged an unset variable; PHP masks it off.
    const length = bytes[start]! & 0x7f;
    if (start + length >= bytes.length) throw reader.fail('session variable name runs past the end', start);
    return [start + 1, start + 1 + length];
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeName(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** php_serialize: bytes after the array are ignored, and a serialized null is an empty session. */
function decodeWholeArray(reader: PhpUnserializer, bytes: Buffer): PhpRecord {
  if (bytes.length === 0) return Object.create(null) as PhpRecord;
  const vars = reader.readRecord();
  // PHP would make $_SESSION that scalar, which no later session call can use; tsfpm refuses it instead.
  if (vars === undefined) throw reader.fail('the stored value is not an array', 0);
  return vars;
}
