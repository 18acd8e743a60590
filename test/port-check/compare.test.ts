/**
 * port-check's comparison, in process: what counts as a difference between the PHP original's answer and the
 * port's, and what is masked or left out.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSession } from '../../sessions/serialize/session-codec.ts';
import { compareBodies } from '../../runtime/port-check/body-compare.ts';
import { CookieJar } from '../../runtime/port-check/cookie-jar.ts';
import { compareHeaders } from '../../runtime/port-check/headers-compare.ts';
import { jsonLines } from '../../runtime/port-check/json-lines.ts';
import { Masks } from '../../runtime/port-check/masks.ts';
import { compareSessions, readSession } from '../../runtime/port-check/session-contents.ts';

type H = Array<[string, string]>;
const DATE = 'Mon, 07 Dec 2026 12:00:00 GMT';

describe('port-check comparison', () => {
  describe('headers', () => {
    it('leaves out transport headers: Date, Server, Connection, Keep-Alive, Content-Length vs Transfer-Encoding, X-Powered-By, Host', () => {
      const php: H = [['Host', '127.0.0.1:1'], ['Date', DATE], ['Connection', 'close'], ['X-Powered-By', 'PHP/8.2'], ['Content-Length', '5'], ['Content-Type', 'text/html; charset=UTF-8']];
      const ts: H = [['Content-Type', 'text/html; charset=UTF-8'], ['Transfer-Encoding', 'chunked'], ['Keep-Alive', 'timeout=5'], ['Server', 'x'], ['Date', 'Mon, 07 Dec 2026 12:00:01 GMT']];
      expect(compareHeaders(php, ts)).to.deep.equal([]);
    });

    it('reports a header one side lacks, a changed value, and repeated headers with all their values', () => {
      expect(compareHeaders([['X-A', '1']], [['X-A', '1'], ['X-Extra', 'yes']])).to.deep.equal([{ field: 'header X-Extra', php: '(absent)', ts: 'yes' }]);
      expect(compareHeaders([['Content-type', 'text/plain;charset=UTF-8']], [['Content-Type', 'text/plain; charset=UTF-8']])).to.deep.equal([
        { field: 'header Content-type', php: 'text/plain;charset=UTF-8', ts: 'text/plain; charset=UTF-8' },
      ]);
      expect(compareHeaders([['X-P', 'first'], ['X-P', 'second']], [['X-P', 'second'], ['X-P', 'first']])).to.deep.equal([{ field: 'header X-P', php: 'first | second', ts: 'second | first' }]);
    });

    it("compares names case-insensitively and then PHP's order", () => {
      expect(compareHeaders([['X-A', '1'], ['x-b', '2']], [['x-a', '1'], ['X-B', '2']])).to.deep.equal([]);
      expect(compareHeaders([['X-A', '1'], ['X-B', '2']], [['X-B', '2'], ['X-A', '1']])).to.deep.equal([{ field: 'header order', php: 'X-A, X-B', ts: 'X-B, X-A' }]);
    });

    it("leaves out Content-Type's place in the order: nginx sends it first", () => {
      expect(compareHeaders([['Content-Type', 'text/html'], ['Location', '/x']], [['Location', '/x'], ['Content-type', 'text/html']])).to.deep.equal([]);
    });

    it('compares Set-Cookie attribute by attribute, naming the cookie and the attribute', () => {
      const php: H = [['Set-Cookie', 'theme=dark; path=/; HttpOnly; SameSite=Lax']];
      expect(compareHeaders(php, [['Set-Cookie', 'theme=dark; path=/; SameSite=Lax']])).to.deep.equal([{ field: 'Set-Cookie theme: HttpOnly', php: 'HttpOnly', ts: '(absent)' }]);
      expect(compareHeaders(php, [['Set-Cookie', 'theme=dark; path=/app; HttpOnly; SameSite=Lax']])).to.deep.equal([{ field: 'Set-Cookie theme: path', php: '/', ts: '/app' }]);
      expect(compareHeaders(php, [['Set-Cookie', 'theme=light; path=/; HttpOnly; SameSite=Lax']])).to.deep.equal([{ field: 'Set-Cookie theme: value', php: 'dark', ts: 'light' }]);
      expect(compareHeaders(php, [['Set-Cookie', 'theme=dark; HttpOnly; path=/; SameSite=Lax']])).to.deep.equal([
        { field: 'Set-Cookie theme: attribute order', php: 'path; HttpOnly; SameSite', ts: 'HttpOnly; path; SameSite' },
      ]);
      expect(compareHeaders(php, [])).to.deep.equal([{ field: 'Set-Cookie theme', php: php[0]![1], ts: '(absent)' }]);
    });

    it('takes expiry dates as offsets from each response\'s Date, so answers a second apart match, and past dates must be equal', () => {
      const cookie = (expires: string): string => `a=b; expires=${expires}; Max-Age=60; path=/`;
      const php: H = [['Date', DATE], ['Set-Cookie', cookie('Mon, 07 Dec 2026 12:01:00 GMT')]];
      expect(compareHeaders(php, [['Date', 'Mon, 07 Dec 2026 12:00:01 GMT'], ['Set-Cookie', cookie('Mon, 07 Dec 2026 12:01:01 GMT')]])).to.deep.equal([]);
      expect(compareHeaders(php, [['Date', DATE], ['Set-Cookie', cookie('Mon, 07 Dec 2026 12:02:00 GMT')]])).to.deep.equal([
        { field: 'Set-Cookie a: expires', php: 'Mon, 07 Dec 2026 12:01:00 GMT', ts: 'Mon, 07 Dec 2026 12:02:00 GMT' },
      ]);
      expect(compareHeaders([['Date', DATE], ['Expires', 'Thu, 19 Nov 1981 08:52:00 GMT']], [['Date', DATE], ['Expires', 'Thu, 19 Nov 1981 08:52:01 GMT']])).to.have.length(1);
    });
  });

  describe('bodies', () => {
    const text = (php: string, ts: string, type = 'text/html', htmlWhitespace = false) =>
      compareBodies({ php: { text: php, bytes: Buffer.from(php), type }, ts: { text: ts, bytes: Buffer.from(ts), type } }, { htmlWhitespace });

    it('reports the first differing line with both values, and a unified diff', () => {
      const d = text('<p>Hello</p>\n<p>Ann</p>\n', '<p>Hello</p>\n<p>Anne</p>\n')!;
      expect(d.field).to.equal('body line 2');
      expect([d.php, d.ts]).to.deep.equal(['<p>Ann</p>', '<p>Anne</p>']);
      expect(d.diff).to.equal('--- php\n+++ ts\n@@ -1,3 +1,3 @@\n <p>Hello</p>\n-<p>Ann</p>\n+<p>Anne</p>');
      expect(text('same', 'same')).to.equal(undefined);
    });

    it('keeps CR: CRLF and LF line ends differ', () => {
      expect(text('a\r\nb', 'a\nb')!.field).to.equal('body line 1');
    });

    it('compares JSON as values, keeping the order of keys as PHP sent them', () => {
      expect(text('{"path":"a\\/b","e":"\\u00e9","n":1.0}', '{"path":"a/b","e":"é","n":1}', 'application/json')).to.equal(undefined);
      const d = text('{"2":"b","1":"a"}', '{"1":"a","2":"b"}', 'application/json')!;
      expect(d.field).to.equal('body line 2');
      expect([d.php, d.ts]).to.deep.equal(['  "2": "b",', '  "1": "a",']);
    });

    it('collapses whitespace in HTML only with --html-whitespace', () => {
      const php = '<ul>\n  <li>a</li>\n</ul>\n';
      const ts = '<ul><li>a</li></ul>';
      expect(text(php, ts)).to.not.equal(undefined);
      expect(text(php, ts, 'text/html; charset=UTF-8', true)).to.equal(undefined);
      expect(text('<b>a  b</b>', '<b>a b</b>', 'text/html', true)).to.equal(undefined);
      expect(text('<b>ab</b>', '<b>a b</b>', 'text/html', true)).to.not.equal(undefined);
    });

    it('compares bytes that are not UTF-8 by size and first differing offset', () => {
      const d = compareBodies({ php: { text: undefined, bytes: Buffer.from([1, 2, 255]), type: '' }, ts: { text: undefined, bytes: Buffer.from([1, 3, 255, 0]), type: '' } }, { htmlWhitespace: false })!;
      expect(d).to.deep.equal({ field: 'body (bytes, first difference at offset 1)', php: '3 bytes', ts: '4 bytes' });
    });

    it('reads JSON in a canonical form with one value per line', () => {
      expect(jsonLines('{"a":[1,{}],"b":null}')).to.deep.equal(['{', '  "a": [', '    1,', '    {}', '  ],', '  "b": null', '}']);
      expect(jsonLines('{"a":1')).to.equal(undefined);
      expect(jsonLines('[1] 2')).to.equal(undefined);
    });
  });

  describe('masks', () => {
    it("pairs session IDs by order (PHP's first with the port's first) wherever they appear, and lists each pair", () => {
      const masks = new Masks('PHPSESSID', []);
      masks.observe('php', [['Set-Cookie', 'PHPSESSID=php1; path=/']]);
      masks.observe('ts', [['Set-Cookie', 'PHPSESSID=ts1; path=/']]);
      masks.observe('php', [['Set-Cookie', 'PHPSESSID=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT']]);
      expect(masks.apply('php', 'id php1 in body')).to.equal('id ‹session-id-1› in body');
      expect(masks.apply('ts', 'PHPSESSID=ts1; path=/')).to.equal('PHPSESSID=‹session-id-1›; path=/');
      expect(masks.apply('ts', 'php1 is not the port\'s')).to.equal("php1 is not the port's");
      expect(masks.list()).to.deep.equal([{ kind: 'session-id', label: '‹session-id-1›', php: 'php1', ts: 'ts1', count: 2 }]);
    });

    it('masks temporary upload names, also JSON-escaped, and --mask regexes, counting each', () => {
      const masks = new Masks('PHPSESSID', [/csrf=\w+/]);
      expect(masks.apply('php', '{"tmp_name":"\\/tmp\\/phpAbC123"} /var/tmp/phpZZZ999 csrf=abc')).to.equal('{"tmp_name":"‹upload-tmp-name›"} ‹upload-tmp-name› ‹mask /csrf=\\w+/›');
      expect(masks.apply('ts', '/tmp/phpinfo.php')).to.equal('/tmp/phpinfo.php');
      expect(masks.list()).to.deep.equal([
        { kind: 'upload-name', label: '‹upload-tmp-name› (temporary upload names)', count: 2 },
        { kind: 'regex', label: '/csrf=\\w+/', count: 1 },
      ]);
    });
  });

  describe('cookie jar', () => {
    it('sends what a browser would: by path, replaced by name, deleted by a past expiry', () => {
      const jar = new CookieJar();
      jar.store(['PHPSESSID=abc; path=/', 'pref=1; path=/admin', 'implicit=1'], '/shop/cart.php');
      expect(jar.header('/index.php')).to.equal('PHPSESSID=abc');
      expect(jar.header('/admin/x.php')).to.equal('pref=1; PHPSESSID=abc');
      expect(jar.header('/shop/list.php?x=1')).to.equal('implicit=1; PHPSESSID=abc');
      jar.store(['PHPSESSID=def; path=/'], '/');
      expect(jar.value('PHPSESSID')).to.equal('def');
      jar.store(['PHPSESSID=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; path=/'], '/');
      expect(jar.header('/index.php')).to.equal(undefined);
    });

    it('sends values back exactly as they were set, percent-encoding included', () => {
      const jar = new CookieJar();
      jar.store(['utf=%D0%BF%D1%80%D0%B8; path=/', 'raw=a%20b'], '/');
      expect(jar.header('/')).to.equal('utf=%D0%BF%D1%80%D0%B8; raw=a%20b');
    });
  });

  describe('session contents', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tsfpm-port-check-sessions-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('decodes each side\'s sess_ file and names the variable that differs or is missing', async () => {
      writeFileSync(join(dir, 'sess_phpid'), encodeSession({ user: 'ann', cart: ['book'], n: 2 }, 'php', () => {}));
      writeFileSync(join(dir, 'sess_tsid'), encodeSession({ cart: ['book', 'pen'], n: 2 }, 'php', () => {}));
      const php = await readSession({ savePath: dir, handler: 'php' }, 'phpid');
      const ts = await readSession({ savePath: dir, handler: 'php' }, 'tsid');
      expect(php).to.deep.equal([
        ['user', "'ann'"],
        ['cart', "array (\n  0 => 'book',\n)"],
        ['n', '2'],
      ]);
      expect(compareSessions(php, ts)).to.deep.equal([
        { field: 'session user', php: "'ann'", ts: '(absent)' },
        { field: 'session cart', php: "array (\n  0 => 'book',\n)", ts: "array (\n  0 => 'book',\n  1 => 'pen',\n)" },
      ]);
      expect(await readSession({ savePath: dir, handler: 'php' }, 'none')).to.equal(undefined);
      expect(compareSessions(php, undefined)).to.deep.equal([{ field: 'session', php: 'session with 3 variable(s): user, cart, n', ts: '(no session)' }]);
    });
  });
});
