/**
 * setcookie() / setrawcookie(): each fixture case is a call a real PHP 8.2
 * made under `php -S` (test/fixtures/set-cookie/generate.php), with the
 * Set-Cookie header it queued, or the exception it threw, and its warnings.
 * The replay passes PHP's clock (`now`) so Max-Age matches.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import {
  PhpTypeError,
  PhpValueError,
  formatSetCookie,
  normalizeCookieArgs,
  rawUrlEncode,
} from '../../runtime/php/set-cookie.ts';

interface CookieCase {
  description: string;
  fn: 'setcookie' | 'setrawcookie';
  args: unknown[];
  now: number;
  result: boolean | null;
  setCookie: string | null;
  error: { class: string; message: string } | null;
  warnings: { level: number; message: string }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/set-cookie/cases.json', import.meta.url), 'utf8'),
) as { cases: CookieCase[] };

const LEVELS = { E_WARNING: 2, E_DEPRECATED: 8192 } as const;

/** Runs a call the way the runtime does: read the arguments, then build the header. */
function call(fn: CookieCase['fn'], args: unknown[], now: number) {
  const warnings: { level: number; message: string }[] = [];
  let setCookie: string | null = null;
  let error: { class: string; message: string } | null = null;
  try {
    const { name, value, options } = normalizeCookieArgs(fn, args, (message, level) => warnings.push({ level: LEVELS[level], message }));
    setCookie = formatSetCookie(name, value, options, fn === 'setrawcookie', now);
  } catch (err) {
    if (err instanceof PhpValueError) error = { class: 'ValueError', message: err.message };
    else if (err instanceof PhpTypeError) error = { class: err.phpClass, message: err.message };
    else throw err;
  }
  return { setCookie, error, warnings };
}

describe('setcookie() and setrawcookie()', () => {
  describe('as PHP 8.2 sends them', () => {
    for (const c of fixture.cases) {
      it(c.description, () => {
        const got = call(c.fn, c.args, c.now);
        expect(got.error).to.deep.equal(c.error);
        expect(got.setCookie).to.equal(c.setCookie);
        expect(got.warnings).to.deep.equal(c.warnings);
      });
    }
  });

  describe('formatSetCookie', () => {
    const now = 1_795_000_000;

    it('puts the attributes in PHP order', () => {
      const header = formatSetCookie('b', 'v', {
        expires: now + 3600, path: '/path', domain: 'example.com', secure: true, httponly: true, samesite: 'Lax',
      }, false, now);
      expect(header).to.equal(
        'b=v; expires=Wed, 18 Nov 2026 12:06:40 GMT; Max-Age=3600; path=/path; domain=example.com; secure; HttpOnly; SameSite=Lax',
      );
    });

    it('formats a session cookie the same way (PHPSESSID, cookie_lifetime as expires - now)', () => {
      const header = formatSetCookie('PHPSESSID', 'hm4m0abc', { expires: now + 1440, path: '/', httponly: true }, false, now);
      expect(header).to.equal('PHPSESSID=hm4m0abc; expires=Wed, 18 Nov 2026 11:30:40 GMT; Max-Age=1440; path=/; HttpOnly');
    });

    it('checks only up to a NUL byte, as strpbrk() does', () => {
      expect(formatSetCookie('a\0 b', 'v', {}, false, now)).to.equal('a\0 b=v');
    });
  });

  describe('rawUrlEncode', () => {
    it('keeps only A-Z a-z 0-9 - _ . ~ and encodes UTF-8 bytes in upper case', () => {
      expect(rawUrlEncode('hello world+é;=,~')).to.equal('hello%20world%2B%C3%A9%3B%3D%2C~');
    });
  });

  describe('normalizeCookieArgs', () => {
    it('treats a trailing undefined as not passed', () => {
      expect(normalizeCookieArgs('setcookie', ['a', 'b', { path: '/' }, undefined])).to.deep.equal({
        name: 'a', value: 'b', options: { path: '/' },
      });
    });

    it('reads a Map as an options array', () => {
      const { options } = normalizeCookieArgs('setcookie', ['a', 'b', new Map<string, unknown>([['SameSite', 'Strict'], ['secure', 1]])]);
      expect(options).to.deep.equal({ samesite: 'Strict', secure: true });
    });

    it('rejects numeric keys in a plain object, as PHP turns "0" into 0', () => {
      expect(() => normalizeCookieArgs('setcookie', ['a', 'b', { 0: 'x' }]))
        .to.throw(PhpValueError, 'setcookie(): option array cannot have numeric keys');
    });
  });
});
