/**
 * Session IDs as PHP makes and checks them (ext/session/session.c): CSPRNG bytes mapped through
 * `0-9a-zA-Z,-` taking sid_bits_per_character bits at a time (`bin_to_readable`), and the
 * validation that runs before an ID reaches any store or file name.
 * @module
 */
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,-';

/** PHP's text when an ID could not name a session file (php_session_valid_key). */
export const INVALID_ID_MESSAGE =
  'Session ID is too long or contains illegal characters. Only the A-Z, a-z, 0-9, "-", and "," characters are allowed';

/** PS_MAX_SID_LENGTH */
const MAX_ID_LENGTH = 256;

/**
 * CSPRNG bytes fetched a few KB at a time and handed out once each, as node:crypto's randomUUID() does: one
 * randomFillSync costs about as much for 4 KB as for the 17 bytes of one ID.
 */
const pool = Buffer.allocUnsafe(4096);
let used = pool.length;

/** Takes `count` (at most the pool's size) unused random bytes: the start offset in `pool`. */
function takeRandom(count: number): number {
  if (used + count > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const start = used;
  used += count;
  return start;
}

/** A new ID of `length` characters at `bits` (4, 5 or 6) bits each, with an optional prefix (session_create_id). */
export function createSessionId(length: number, bits: number, prefix = ''): string {
  let next = takeRandom(Math.ceil((length * bits) / 8) + 1);
  const mask = (1 << bits) - 1;
  let out = '';
  let word = 0;
  let have = 0;
  while (out.length < length) {
    if (have < bits) {
      word |= pool[next++]! << have;
      have += 8;
    }
    out += ALPHABET[word & mask];
    word >>= bits;
    have -= bits;
  }
  return prefix + out;
}

/** What a cookie ID must not contain, or PHP drops it silently and makes a new one (php_session_start). */
const DROPPED = /[\r\n\t <>'"\\]/;

/**
 * How an ID from the client is treated: `drop` (silently replaced by a new ID, as PHP does for an
 * empty ID and for `\r \n \t space < > ' " \`), `invalid` (PHP's files handler refuses it and
 * session_start() fails), or `ok`. `extraChars` admits express-session's `_` when its signed
 * cookies are shared.
 */
export function classifyClientId(id: string, extraChars = ''): 'ok' | 'drop' | 'invalid' {
  // php_session_initialize makes a new ID when the first byte is NUL (`PHPSESSID=` or `PHPSESSID=%00…`)
  if (id === '' || id.startsWith('\0') || DROPPED.test(id)) return 'drop';
  return isValidSessionId(id, extraChars) ? 'ok' : 'invalid';
}

const ID_CHARS = /^[A-Za-z0-9,-]+$/;

/** php_session_valid_key: 1..256 characters of `A-Za-z0-9,-` (plus `extraChars`). */
export function isValidSessionId(id: string, extraChars = ''): boolean {
  if (id.length === 0 || id.length > MAX_ID_LENGTH) return false;
  if (ID_CHARS.test(id)) return true;
  if (extraChars === '') return false;
  for (const c of id) {
    if (!ID_CHARS.test(c) && !extraChars.includes(c)) return false;
  }
  return true;
}

/** session_create_id()'s prefix rule. */
export function isValidIdPrefix(prefix: string): boolean {
  return /^[A-Za-z0-9,-]*$/.test(prefix);
}
