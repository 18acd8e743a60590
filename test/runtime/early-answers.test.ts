/**
 * A client that writes its whole request before it reads (curl, most HTTP libraries) must
 * receive the answer tsfpm gives before reading the body — a body over post_max_size, or a
 * refusal (404, 400, 417, 431) — not a reset: tsfpm half-closes and drops what the client still
 * sends, as nginx's lingering_close (runtime/http/lingering-close.ts). The bodies are larger than the
 * kernel's socket buffers, so a server that closed at once would reset the connection mid-upload.
 */
import { expect } from 'chai';
import { connect } from 'node:net';
import { fpmCase } from '../support/fpm-fixture.ts';
import { exchange, type Exchange } from '../support/raw-socket.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { sleep } from '../support/wait.ts';

const BODY_BYTES = 24 * 1024 * 1024;
const body = 'a=' + 'x'.repeat(BODY_BYTES - 2);

const scripts = {
  // test/fixtures/fpm: post-over-post-max-size
  'post.ts': `export default ({ $_POST, $_FILES, file_get_contents, error_get_last, echo }) =>
    echo(JSON.stringify({ _POST: $_POST, _FILES: $_FILES, 'php://input bytes': file_get_contents('php://input').length, 'last error': error_get_last() }));`,
};

/** A POST with the big body and Connection: close; `extra` header lines go before Content-Length. */
function post(path: string, ...extra: string[]): string {
  return [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', 'Content-Type: application/x-www-form-urlencoded', ...extra, `Content-Length: ${body.length}`, '', body].join('\r\n');
}

/** A chunked POST whose first chunk line is `first`, then the big body in 1 MiB chunks. */
function chunked(first: string): string {
  const mib = 'x'.repeat(1024 * 1024);
  const chunks = Array.from({ length: BODY_BYTES / mib.length }, () => `${mib.length.toString(16)}\r\n${mib}\r\n`).join('');
  return ['POST /post.ts HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', 'Transfer-Encoding: chunked', '', `${first}\r\nx\r\n${chunks}0\r\n\r\n`].join('\r\n');
}

describe('a client that writes its whole request before reading', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(scripts, { production: true, ini: { post_max_size: '1K', 'tsfpm.max_header_size': '8K', 'tsfpm.max_headers_count': 20 } });
    // loaded and compiled before the specs, so that it answers at once
    await exchange(s.port, 'GET /post.ts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  });
  after(() => s.close());

  const send = (request: string): Promise<Exchange> => exchange(s.port, request, { writeFirst: true, timeoutMs: 15_000 });

  it('gets the script\'s answer for a body over post_max_size: empty $_POST and $_FILES and PHP\'s warning, as PHP-FPM', async () => {
    const php = fpmCase('post-over-post-max-size');
    const phpSeen = JSON.parse(php.response.body);
    // the script answers while most of the body is still to come
    const request = post('/post.ts');
    const split = request.indexOf('\r\n\r\n') + 4 + 1024 * 1024;
    const answer = await exchange(s.port, [request.slice(0, split), request.slice(split)], { writeFirst: true, gapMs: 300, timeoutMs: 15_000 });
    expect(answer.end).to.equal('closed');
    expect(answer.status).to.equal(php.response.status);
    const seen = JSON.parse(answer.data.toString('latin1').split('\r\n\r\n')[1]!);
    expect(seen._POST).to.deep.equal({});
    expect(seen._FILES).to.deep.equal({});
    expect(phpSeen._POST).to.deep.equal([]);
    expect(phpSeen._FILES).to.deep.equal([]);
    expect(seen['last error']).to.deep.equal({ ...phpSeen['last error'], message: phpSeen['last error'].message.replace('300002', String(BODY_BYTES)) });
    // php://input: PHP 8.2 keeps the whole body; tsfpm drops it to bound memory (php-compat.md)
    expect(seen['php://input bytes']).to.equal(0);
  });

  for (const [status, what, request] of [
    [404, 'a script that does not exist', post('/missing.ts')],
    [400, 'a path that leaves the document root', post('/a/..%2f..%2fetc')],
    [431, 'a head over tsfpm.max_header_size (refused by the HTTP parser)', post('/post.ts', `X-Big: ${'y'.repeat(10_000)}`)],
    [431, 'more header lines than tsfpm.max_headers_count', post('/post.ts', ...Array.from({ length: 30 }, (_, i) => `X-H${i}: ${i}`))],
    [400, 'HTTP/1.1 without Host', post('/post.ts').replace('Host: 127.0.0.1\r\n', '')],
    [417, 'an Expect other than 100-continue', post('/post.ts', 'Expect: something')],
    [413, 'chunk extensions over the HTTP parser\'s limit', chunked(`1;${'e'.repeat(20_000)}`)],
  ] as const) {
    it(`gets ${status} for ${what}, not a reset`, async () => {
      const answer = await send(request);
      expect(answer.status).to.equal(status);
      expect(answer.end).to.equal('closed');
    });
  }

  it('is closed by the server once it stops sending, after nginx\'s lingering_timeout, when it never closes its side', async () => {
    const head = post('/missing.ts');
    const client = connect({ port: s.port, host: '127.0.0.1', allowHalfOpen: true });
    const received: Buffer[] = [];
    client.on('data', (d: Buffer) => received.push(d));
    client.on('error', () => {});
    // the head and a little of the body, then silence; the client keeps its side open
    client.write(head.slice(0, head.indexOf('\r\n\r\n') + 4 + 1000));
    await new Promise((resolve) => client.once('end', resolve));
    expect(Buffer.concat(received).toString('latin1')).to.match(/^HTTP\/1\.1 404 /);
    const open = (): Promise<number> => new Promise((resolve, reject) => s.server.http.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    for (let i = 0; i < 100 && (await open()) > 0; i++) await sleep(100);
    expect(await open()).to.equal(0);
    expect(client.destroyed).to.equal(false);
    client.destroy();
  });
});
