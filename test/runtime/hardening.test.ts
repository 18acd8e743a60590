/**
 * Bad input over a real socket: the HTTP limits (tsfpm.max_header_size, max_headers_count,
 * header_timeout, request_timeout, keepalive_*), requests Node's parser refuses, malformed bodies,
 * hostile cookies, session IDs and paths, and tsfpm.response_headers. Every case answers a status
 * and logs a line naming its cause; afterwards nothing is left behind (temp files, locks, live
 * requests).
 */
import { expect } from 'chai';
import { readdirSync, rmSync } from 'node:fs';
import { rawGet, rawRequest } from '../support/http.ts';
import { exchange, statusLines } from '../support/raw-socket.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

const scripts = {
  'echo.ts': `export default ({ $_GET, $_POST, $_COOKIE, $_FILES, echo }) => echo(JSON.stringify({ get: $_GET, post: $_POST, cookie: $_COOKIE, files: Object.keys($_FILES) }));`,
  'session.ts': `export default async ({ $_GET, $_SESSION, session_start, session_id, echo }) => {
    const ok = await session_start($_GET.strict ? { use_strict_mode: 1 } : {});
    if (ok) $_SESSION.n = ($_SESSION.n ?? 0) + 1;
    echo(JSON.stringify({ ok, id: session_id(), n: ok ? $_SESSION.n : null }));
  };`,
  'headers.ts': `export default ({ header, header_remove, echo }) => { header('X-Frame-Options: DENY'); header_remove('Referrer-Policy'); echo('own headers'); };`,
  'fatal.ts': `export default () => { throw new Error('boom'); };`,
  'uri.ts': `export default ({ $_SERVER, $_GET, echo }) => echo(JSON.stringify({ uri: $_SERVER.REQUEST_URI, script: $_SERVER.SCRIPT_NAME, host: $_SERVER.HTTP_HOST ?? null, get: $_GET }));`,
  'page.txt': 'static text',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

/** A request head with Connection: close and the given extra lines. */
const head = (line: string, ...headers: string[]): string => `${line}\r\nHost: x\r\nConnection: close\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`;

/** The log line about the client at `localPort`. */
const logOf = (s: TestServer, localPort: number, pattern: RegExp, ms = 5000): Promise<string> =>
  s.waitForLog(new RegExp(`^127\\.0\\.0\\.1:${localPort} \\[\\d{3}\\]: .*${pattern.source}`), ms);

/** Nothing left behind: no live request, no session lock, no temp file. */
async function expectClean(s: TestServer, uploadDir: string): Promise<void> {
  const { config } = s.server;
  await waitUntil('no live request', () => config.pool.live.size === 0);
  expect(config.pool.locksHeld, 'session locks held').to.equal(0);
  expect(config.pool.lockWaiters, 'lock waiters').to.equal(0);
  expect(readdirSync(uploadDir), 'upload_tmp_dir').to.deep.equal([]);
}

describe('hardening against bad input', () => {
  let s: TestServer;
  let uploads: string;
  before(async () => {
    uploads = tempDir();
    s = await startServer(scripts, {
      ini: {
        display_errors: 0,
        upload_tmp_dir: uploads,
        'session.save_path': tempDir(),
        'tsfpm.max_header_size': '4K',
        'tsfpm.max_headers_count': 20,
        'tsfpm.header_timeout': 1,
        'tsfpm.request_timeout': 2,
        'tsfpm.keepalive_timeout': 1,
        'tsfpm.keepalive_requests': 3,
      },
    });
  });
  after(() => s.close());

  describe('HTTP limits', () => {
    it('answers 431 to a head over tsfpm.max_header_size, with a log line', async () => {
      const res = await exchange(s.port, head('GET /echo.ts HTTP/1.1', `X-Big: ${'a'.repeat(5000)}`));
      expect(res.status).to.equal(431);
      await logOf(s, res.localPort, /request head over tsfpm\.max_header_size \(4096 bytes\)/);
    });
    it('answers 431 to more than tsfpm.max_headers_count header lines, which Node would drop silently', async () => {
      const lines = Array.from({ length: 19 }, (_, i) => `X-H${i}: ${i}`);
      expect((await exchange(s.port, head('GET /echo.ts HTTP/1.1', ...lines.slice(0, 18)))).status, '20 lines').to.equal(200);
      const res = await exchange(s.port, head('GET /echo.ts HTTP/1.1', ...lines));
      expect(res.status).to.equal(431);
      await logOf(s, res.localPort, /GET \/echo\.ts - more than tsfpm\.max_headers_count \(20\) header lines/);
    });
    it('answers 408 to a head not finished within tsfpm.header_timeout (slowloris)', async () => {
      const res = await exchange(s.port, 'GET /echo.ts HTTP/1.1\r\nHost: x\r\nX-Slow: 1', { timeoutMs: 8000 });
      expect(res.status).to.equal(408);
      expect(res.end).to.equal('closed');
      expect(res.ms).to.be.at.least(900);
      await logOf(s, res.localPort, /request head not received within tsfpm\.header_timeout \(1 s\)/);
    });
    it('answers 408 to a connection that never sends a byte', async () => {
      const res = await exchange(s.port, '', { timeoutMs: 8000 });
      expect(res.status).to.equal(408);
      await logOf(s, res.localPort, /request head not received/);
    });
    it('answers 408 to a body that stops short of its Content-Length and waits (tsfpm.request_timeout)', async () => {
      const res = await exchange(s.port, head('POST /echo.ts HTTP/1.1', 'Content-Type: application/x-www-form-urlencoded', 'Content-Length: 100') + 'a=1', { timeoutMs: 8000 });
      expect(res.status).to.equal(408);
      await logOf(s, res.localPort, /POST \/echo\.ts - request body not received within tsfpm\.request_timeout \(2 s\)/);
      await logOf(s, res.localPort, /request body refused: the connection closed before the whole request body arrived \(3 of 100 bytes\)/);
    });
    it('answers 408 to an upload that stalls, and removes its temp file', async () => {
      const boundary = 'B0UND';
      const part = `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n${'x'.repeat(5000)}`;
      const res = await exchange(s.port, head('POST /echo.ts HTTP/1.1', `Content-Type: multipart/form-data; boundary=${boundary}`, 'Content-Length: 100000') + part, { timeoutMs: 8000 });
      expect(res.status).to.equal(408);
      await logOf(s, res.localPort, /POST \/echo\.ts - request body not received within tsfpm\.request_timeout/);
      await logOf(s, res.localPort, /request body refused: the connection closed before the whole request body arrived/);
      await expectClean(s, uploads);
    });
    it('closes an idle keep-alive connection after tsfpm.keepalive_timeout', async () => {
      const res = await exchange(s.port, 'GET /echo.ts HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 8000 });
      expect(statusLines(res.data)).to.deep.equal(['HTTP/1.1 200 OK']);
      expect(res.end).to.equal('closed');
    });
    it('closes the connection after tsfpm.keepalive_requests requests', async () => {
      // a fourth request is already waiting on the connection: its close is not the idle timeout's
      const get = 'GET /echo.ts HTTP/1.1\r\nHost: x\r\n\r\n';
      const res = await exchange(s.port, get.repeat(4), { timeoutMs: 8000 });
      expect(statusLines(res.data)).to.deep.equal(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
      const last = res.data.toString('latin1').split('HTTP/1.1 200 OK').pop()!;
      expect(last).to.match(/\r\nConnection: close\r\n/i);
      expect(res.end).to.equal('closed');
    });
    it('answers 400 to an HTTP/1.1 request without Host, with a log line', async () => {
      const res = await exchange(s.port, 'GET /echo.ts HTTP/1.1\r\nConnection: close\r\n\r\n');
      expect(res.status).to.equal(400);
      await logOf(s, res.localPort, /GET \/echo\.ts - HTTP\/1\.1 request without a Host header/);
      expect((await exchange(s.port, 'GET /echo.ts HTTP/1.0\r\n\r\n')).status, 'HTTP/1.0 needs no Host').to.equal(200);
    });
    it('routes an absolute-form target (curl -x) by its path, with REQUEST_URI as nginx passes it to PHP-FPM', async () => {
      const res = await rawRequest(s.port, 'GET http://example.test:81/uri.ts?x=1 HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n');
      expect(res.status).to.equal(200);
      expect(JSON.parse(res.body.toString())).to.deep.equal({ uri: '/uri.ts?x=1', script: '/uri.ts', host: 'other.test', get: { x: '1' } });
      const noHost = await rawRequest(s.port, 'GET https://example.test/uri.ts HTTP/1.1\r\nConnection: close\r\n\r\n');
      expect(noHost.status, 'the target carries the host').to.equal(200);
      expect(JSON.parse(noHost.body.toString())).to.include({ uri: '/uri.ts', script: '/uri.ts' });
      const other = await exchange(s.port, head('GET ftp://example.test/uri.ts HTTP/1.1'));
      expect(other.status).to.equal(400);
      await logOf(s, other.localPort, /absolute-form target of scheme ftp/);
    });
    it('answers 505 to an HTTP/2.0 or later request line on an HTTP/1 connection, as nginx, with a log line', async () => {
      for (const version of ['2.0', '3.1']) {
        const res = await exchange(s.port, head(`GET /uri.ts HTTP/${version}`));
        expect(res.status).to.equal(505);
        expect(res.data.toString()).to.not.contain('REQUEST_URI');
        await logOf(s, res.localPort, new RegExp(`HTTP/${version.replace('.', '\\.')} request line on an HTTP/1 connection`));
      }
      const old = await exchange(s.port, head('GET /uri.ts HTTP/0.9'));
      expect(old.status).to.equal(400);
      await logOf(s, old.localPort, /HTTP\/0\.9 request line$/);
      expect((await exchange(s.port, head('GET /uri.ts HTTP/1.0'))).status).to.equal(200);
    });
    it('runs the script with an empty $_POST and PHP\'s warning for a body over post_max_size, as PHP-FPM (no 413)', async () => {
      const small = await startServer(scripts, { ini: { display_errors: 0, post_max_size: '1K' } });
      try {
        const res = await fetch(`${small.url}/echo.ts`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `a=${'x'.repeat(2000)}` });
        expect(res.status).to.equal(200);
        expect(JSON.parse(await res.text()).post).to.deep.equal({});
        await small.waitForLog(/PHP Warning: {2}PHP Request Startup: POST Content-Length of 2002 bytes exceeds the limit of 1024 bytes/);
      } finally {
        await small.close();
        rmSync(small.docroot, { recursive: true, force: true });
      }
    });
    it('answers 417 to an Expect other than 100-continue, and 405 to CONNECT', async () => {
      const expectation = await exchange(s.port, head('POST /echo.ts HTTP/1.1', 'Expect: something', 'Content-Length: 0'));
      expect(expectation.status).to.equal(417);
      await logOf(s, expectation.localPort, /unsupported Expect: something/);
      const tunnel = await exchange(s.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      expect(tunnel.status).to.equal(405);
      await logOf(s, tunnel.localPort, /CONNECT example\.com:443 - CONNECT is not supported/);
    });
  });

  describe('requests Node\'s HTTP parser refuses: 400 and the parser\'s reason in the log', () => {
    const cases: [string, string, RegExp][] = [
      ['a non-numeric Content-Length', head('POST /echo.ts HTTP/1.1', 'Content-Length: abc'), /Invalid character in Content-Length \(HPE_INVALID_CONTENT_LENGTH\)/],
      ['a negative Content-Length', head('POST /echo.ts HTTP/1.1', 'Content-Length: -1'), /HPE_INVALID_CONTENT_LENGTH/],
      ['two Content-Length values in one line', head('POST /echo.ts HTTP/1.1', 'Content-Length: 1, 2') + 'ab', /HPE_INVALID_CONTENT_LENGTH/],
      ['two Content-Length lines that differ', head('POST /echo.ts HTTP/1.1', 'Content-Length: 1', 'Content-Length: 2') + 'ab', /Duplicate Content-Length \(HPE_UNEXPECTED_CONTENT_LENGTH\)/],
      ['two equal Content-Length lines (RFC 9110 allows them; Node does not)', head('POST /echo.ts HTTP/1.1', 'Content-Length: 2', 'Content-Length: 2') + 'ab', /HPE_UNEXPECTED_CONTENT_LENGTH/],
      ['Content-Length with Transfer-Encoding (request smuggling)', head('POST /echo.ts HTTP/1.1', 'Content-Length: 2', 'Transfer-Encoding: chunked') + '2\r\nab\r\n0\r\n\r\n', /HPE_INVALID_TRANSFER_ENCODING/],
      ['a Transfer-Encoding that does not end in chunked', head('POST /echo.ts HTTP/1.1', 'Transfer-Encoding: gzip') + 'ab', /HPE_INVALID_TRANSFER_ENCODING/],
      ['a chunk size that is not hex', head('POST /echo.ts HTTP/1.1', 'Content-Type: application/x-www-form-urlencoded', 'Transfer-Encoding: chunked') + 'zz\r\nab\r\n0\r\n\r\n', /HPE_INVALID_CHUNK_SIZE/],
      ['a chunk size that overflows', head('POST /echo.ts HTTP/1.1', 'Transfer-Encoding: chunked') + 'ffffffffffffffffff\r\nab\r\n0\r\n\r\n', /Chunk size overflow \(HPE_INVALID_CHUNK_SIZE\)/],
      ['a raw NUL in the path', head('GET /echo.ts\0x HTTP/1.1'), /HPE_INVALID_URL/],
      ['an unknown method', head('BREW /echo.ts HTTP/1.1'), /HPE_INVALID_METHOD/],
      ['a header line without a colon', head('GET /echo.ts HTTP/1.1', 'NoColon'), /HPE_INVALID_HEADER_TOKEN/],
      ['an obsolete folded header line', head('GET /echo.ts HTTP/1.1', 'X-A: 1', '  folded'), /HPE_INVALID_HEADER_TOKEN/],
      ['a control byte in a header value', head('GET /echo.ts HTTP/1.1', 'X-A: \x01'), /HPE_INVALID_HEADER_TOKEN/],
      ['bare LF line ends', 'GET /echo.ts HTTP/1.1\nHost: x\n\n', /HPE_/],
      ['binary garbage', '\x00\x01\x02\xff\r\n\r\n', /HPE_INVALID_METHOD/],
    ];
    for (const [what, request, cause] of cases) {
      it(`refuses ${what}`, async () => {
        const res = await exchange(s.port, request);
        expect(res.status, res.statusLine).to.equal(400);
        await logOf(s, res.localPort, new RegExp(`malformed request: .*${cause.source}`));
      });
    }
    it('refuses a body cut short by the client closing its side (400, no temp file)', async () => {
      const boundary = 'B0UND';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n${'x'.repeat(5000)}`;
      const res = await exchange(s.port, head('POST /echo.ts HTTP/1.1', `Content-Type: multipart/form-data; boundary=${boundary}`, 'Content-Length: 100000') + body, { halfClose: true });
      expect(res.status).to.equal(400);
      await logOf(s, res.localPort, /the client closed its side before the whole request was sent/);
      await logOf(s, res.localPort, /POST \/echo\.ts - request body refused: the connection closed before the whole request body arrived/);
      await expectClean(s, uploads);
    });
  });

  describe('malformed multipart/form-data: 400 and a log line, no temp file left (PHP runs the script with what it parsed)', () => {
    const B = 'XyZ';
    const part = (headers: string, value: string): string => `--${B}\r\n${headers}\r\n\r\n${value}\r\n`;
    const file = part('Content-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain', 'x'.repeat(3000));
    const post = (type: string, body: string) =>
      rawRequest(s.port, head('POST /echo.ts HTTP/1.1', `Content-Type: ${type}`, `Content-Length: ${Buffer.byteLength(body)}`) + body);
    const cases: [string, string, string, RegExp][] = [
      ['no boundary parameter', 'multipart/form-data', file + `--${B}--\r\n`, /Multipart: Boundary not found/],
      ['a boundary the body does not use', 'multipart/form-data; boundary=OTHER', file + `--${B}--\r\n`, /Unexpected end of form/],
      ['no final boundary', `multipart/form-data; boundary=${B}`, file, /Unexpected end of form/],
      ['truncated part headers', `multipart/form-data; boundary=${B}`, file + `--${B}\r\nContent-Disposition: form-da`, /Unexpected end of form|Malformed part header/],
    ];
    for (const [what, type, body, cause] of cases) {
      it(`refuses ${what}`, async () => {
        const res = await post(type, body);
        expect(res.status).to.equal(400);
        await s.waitForLog(new RegExp(`\\[400\\]: POST /echo\\.ts - request body refused: malformed multipart/form-data.*${cause.source}`));
        await expectClean(s, uploads);
      });
    }
    it('drops a part with no name and keeps the others (PHP stops at it: "File Upload Mime headers garbled")', async () => {
      const res = await post(`multipart/form-data; boundary=${B}`, part('Content-Disposition: form-data', 'x') + part('Content-Disposition: form-data; name="b"', '2') + `--${B}--\r\n`);
      expect(res.status).to.equal(200);
      expect(JSON.parse(res.body.toString()).post).to.deep.equal({ b: '2' });
    });
    it('names a file part without a name by its index, as rfc1867.c does', async () => {
      const res = await post(`multipart/form-data; boundary=${B}`, part('Content-Disposition: form-data; filename="x.txt"', 'x') + `--${B}--\r\n`);
      expect(JSON.parse(res.body.toString()).files).to.deep.equal(['0']);
      await expectClean(s, uploads);
    });
  });

  describe('percent-encoding, cookies', () => {
    it('keeps an invalid %zz literally in $_GET and $_POST values, as PHP', async () => {
      const body = 'a=%zz&b=%&c=%4&%zz=1';
      const res = await rawRequest(s.port, head('POST /echo.ts?q=%zz&r=%E0%A4%A HTTP/1.1', 'Content-Type: application/x-www-form-urlencoded', `Content-Length: ${body.length}`) + body);
      const json = JSON.parse(res.body.toString());
      expect(json.get).to.deep.equal({ q: '%zz', r: '\ufffd%A' });
      expect(json.post).to.deep.equal({ a: '%zz', b: '%', c: '%4', '%zz': '1' });
    });
    it('survives Cookie: ;;;= and other empty pairs with an empty $_COOKIE', async () => {
      for (const cookie of [';;;=', '=', ';', '=;=;', '   ', 'a', '%', '==x']) {
        const res = await rawGet(s.port, '/echo.ts', { Cookie: cookie });
        expect(res.status, cookie).to.equal(200);
      }
      const res = await rawGet(s.port, '/echo.ts', { Cookie: ';;;=' });
      expect(JSON.parse(res.body.toString()).cookie).to.deep.equal({});
    });
    it('takes a cookie as large as the head allows, and refuses a larger one with 431', async () => {
      const fits = await rawGet(s.port, '/echo.ts', { Cookie: `big=${'c'.repeat(3500)}` });
      expect(JSON.parse(fits.body.toString()).cookie.big).to.have.length(3500);
      const res = await exchange(s.port, head('GET /echo.ts HTTP/1.1', `Cookie: big=${'c'.repeat(5000)}`));
      expect(res.status).to.equal(431);
    });
  });

  describe('paths: every traversal encoding answers 400 or 404, never a file outside the document root', () => {
    const paths: [string, number][] = [
      ['/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', 400], // overlong UTF-8 dots: not UTF-8, so malformed
      ['/%e0%80%ae%e0%80%ae/etc/passwd', 400],
      ['/%c0%af..%c0%afetc/passwd', 400],
      ['/.%2e/.%2e/etc/passwd', 400],
      ['/%2e./%2e./etc/passwd', 400],
      ['/%2E%2E/%2E%2E/etc/passwd', 400],
      ['/a/%2e%2e%5c%2e%2e%5cetc%5cpasswd', 400],
      ['/..\\..\\etc\\passwd', 400],
      ['/%5c..%5c..%5cetc/passwd', 400],
      ['/..%00/etc/passwd', 400],
      ['/%u002e%u002e/etc/passwd', 400],
      ['/./.././../etc/passwd', 400],
      ['//..//..//etc/passwd', 400],
      ['/%252e%252e/%252e%252e/etc/passwd', 404],
      ['/%2e%2e%252f%2e%2e%252fetc/passwd', 404], // a name with a literal %2f in it
    ];
    for (const [path, status] of paths) {
      it(`${path} → ${status}`, async () => {
        const res = await rawGet(s.port, path);
        expect(res.status).to.equal(status);
        expect(res.body.toString()).not.to.match(/root:/);
      });
    }
  });

  for (const handler of ['files', 'memory']) {
    describe(`session IDs from the client (${handler} handler)`, () => {
      let t: TestServer;
      let savePath: string;
      before(async () => {
        savePath = tempDir();
        t = await startServer(scripts, { ini: { display_errors: 0, 'session.save_handler': handler, 'session.save_path': savePath } });
      });
      after(() => t.close());
      const start = async (id: string, query = '') => {
        const res = await rawGet(t.port, `/session.ts${query}`, { Cookie: `PHPSESSID=${id}` });
        return { res, json: JSON.parse(res.body.toString()) as { ok: boolean; id: string; n: number | null }, cookie: res.header('set-cookie') };
      };

      for (const [what, id] of [
        ['path characters', '../../etc/passwd'],
        ['a slash', 'a/b'],
        ['a NUL inside (PHP cuts the ID at it)', 'abc%00def'],
        ['300 characters', 'x'.repeat(300)],
        ['a dot', 'sess.1'],
      ]) {
        it(`refuses an ID with ${what}: session_start() is false with PHP's warnings, no file is written`, async () => {
          const { json } = await start(id!);
          expect(json).to.deep.equal({ ok: false, id: '', n: null });
          await t.waitForLog(/Session ID is too long or contains illegal characters/);
          await t.waitForLog(new RegExp(`Failed to read session data: ${handler}`));
          if (handler === 'files') expect(readdirSync(savePath).every((f) => /^sess_[0-9a-v]+$/.test(f))).to.equal(true);
        });
      }
      if (handler === 'memory') {
        it('takes an ID of 256 characters, the most PHP allows', async () => {
          expect((await start('x'.repeat(256))).json).to.include({ ok: true, id: 'x'.repeat(256), n: 1 });
        });
      } else {
        it('fails on an ID of 256 characters as PHP does: sess_<id> is longer than a file name may be', async () => {
          expect((await start('x'.repeat(256))).json).to.include({ ok: false });
          await t.waitForLog(/open\(.*sess_x+, O_RDWR\) failed: File name too long \(36\)/);
          await t.waitForLog(/Failed to read session data: files \(path: /);
          expect((await start('y'.repeat(250))).json).to.include({ ok: true, n: 1 });
        });
      }
      for (const [what, id] of [
        ['an empty ID', ''],
        ['an ID that starts with NUL', '%00abc'],
        ['an ID with a space', 'a%20b'],
      ]) {
        it(`replaces ${what} with a new one, as PHP`, async () => {
          const { json, cookie } = await start(id!);
          expect(json.ok).to.equal(true);
          expect(json.id).to.match(/^[0-9a-v]{26}$/);
          expect(cookie).to.contain(`PHPSESSID=${json.id}`);
        });
      }
      it('refuses session fixation under use_strict_mode: an unknown ID is replaced, a known one kept', async () => {
        const fixed = 'attackerchosenid0123456789';
        const { json, cookie } = await start(fixed, '?strict=1');
        expect(json.ok).to.equal(true);
        expect(json.id).not.to.equal(fixed);
        expect(cookie).to.contain(`PHPSESSID=${json.id}`);
        const again = await start(json.id, '?strict=1');
        expect(again.json).to.deep.equal({ ok: true, id: json.id, n: 2 });
        if (handler === 'files') expect(readdirSync(savePath)).not.to.include(`sess_${fixed}`);
      });
      it('holds no lock afterwards', async () => {
        expect(t.server.config.pool.locksHeld).to.equal(0);
      });
    });
  }

  describe('tsfpm.response_headers (production defaults) and cookie flags', () => {
    let p: TestServer;
    before(async () => {
      p = await startServer(scripts, {
        production: true,
        ini: {
          'session.save_handler': 'memory',
          'session.cookie_secure': 1,
          'session.cookie_httponly': 1,
          'session.cookie_samesite': 'Strict',
          'tsfpm.max_header_size': '4K',
        },
      });
    });
    after(() => p.close());

    const expectSecurityHeaders = (res: { header(name: string): string | undefined }, what: string) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.header(name), `${what}: ${name}`).to.equal(value);
    };

    it('adds them to script responses, static files, error pages and a script\'s 500', async () => {
      expectSecurityHeaders(await rawGet(p.port, '/echo.ts'), 'script');
      expectSecurityHeaders(await rawGet(p.port, '/page.txt'), 'static file');
      expectSecurityHeaders(await rawGet(p.port, '/nothing-here'), '404 page');
      expectSecurityHeaders(await rawGet(p.port, '/%zz'), '400 page');
      const fatal = await rawGet(p.port, '/fatal.ts');
      expect(fatal.status).to.equal(500);
      expectSecurityHeaders(fatal, 'fatal error');
    });
    it('adds them to the page of a request refused before it was read', async () => {
      const res = await exchange(p.port, head('GET / HTTP/1.1', `X-Big: ${'a'.repeat(5000)}`));
      expect(res.status).to.equal(431);
      expect(res.data.toString('latin1')).to.contain('\r\nX-Frame-Options: SAMEORIGIN\r\n');
    });
    it('lets a script replace one with header() and drop one with header_remove()', async () => {
      const res = await rawGet(p.port, '/headers.ts');
      expect(res.all('x-frame-options')).to.deep.equal(['DENY']);
      expect(res.header('referrer-policy')).to.equal(undefined);
      expect(res.header('x-content-type-options')).to.equal('nosniff');
    });
    it('sends session.cookie_secure, cookie_httponly and cookie_samesite on the session cookie', async () => {
      const res = await rawGet(p.port, '/session.ts');
      expect(res.header('set-cookie')).to.match(/^PHPSESSID=[0-9a-v]{26}; path=\/; secure; HttpOnly; SameSite=Strict$/);
    });
    it('refuses a setting line that is not a header at start-up, naming the setting', async () => {
      let error: unknown;
      await startServer(scripts, { ini: { 'tsfpm.response_headers': 'X-Ok: 1|not a header' } }).catch((err: unknown) => (error = err));
      expect(String(error)).to.match(/tsfpm\.response_headers: "not a header" is not a "Name: value" header line/);
    });
  });

  describe('tsfpm.keepalive_timeout=0', () => {
    it('closes every connection after its response, as nginx\'s keepalive_timeout 0', async () => {
      const k = await startServer(scripts, { ini: { 'tsfpm.keepalive_timeout': 0 } });
      try {
        // a second request already waiting on the connection is not answered
        const res = await exchange(k.port, 'GET /echo.ts HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2), { timeoutMs: 5000 });
        expect(statusLines(res.data)).to.deep.equal(['HTTP/1.1 200 OK']);
        expect(res.data.toString('latin1')).to.match(/\r\nConnection: close\r\n/i);
        expect(res.end).to.equal('closed');
      } finally {
        await k.close();
      }
    });
  });

  it('is left clean: no live request, lock or temp file, and it still answers', async () => {
    await expectClean(s, uploads);
    expect((await rawGet(s.port, '/echo.ts?ok=1')).status).to.equal(200);
  });
});
