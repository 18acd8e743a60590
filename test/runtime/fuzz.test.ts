/**
 * A bounded fuzz test: a fixed seed and count of random and malformed requests over raw sockets
 * against a running server whose scripts echo the superglobals, use sessions (files handler, real
 * locks), move uploads and finish early. Every answer must be a well-formed HTTP response or a
 * closed connection; afterwards the server must be healthy: it answers, holds no lock and no live
 * request, leaves no temp file, logged no internal error, and its heap is back near its baseline.
 */
import { expect } from 'chai';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fuzzRequest, Random, type FuzzRequest } from '../support/fuzz-requests.ts';
import { rawGet } from '../support/http.ts';
import { exchange, statusLines, type Exchange } from '../support/raw-socket.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';
import { sleep } from '../support/wait.ts';

const SEED = 0x75f9a;
const COUNT = 5000;
const CONCURRENCY = 32;
/** Per request: longer than every server timeout below, so a hang shows as a timeout. */
const SOCKET_TIMEOUT_MS = 10_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const MB = 1024 * 1024;

/** What a response must look like: a status line, headers, the blank line. */
const WELL_FORMED = /^HTTP\/1\.1 \d{3} [^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/;

/** Lines of the server log that mean tsfpm itself failed (not the client). */
const INTERNAL = /internal error|outside any request|Unhandled promise rejection|Uncaught|PHP Fatal error/;

describe('fuzz: random and malformed requests over raw sockets', function () {
  this.timeout(120_000);
  let s: TestServer;
  let uploads: string;
  let moved: string;
  const processErrors: unknown[] = [];
  const onProcessError = (err: unknown): void => void processErrors.push(err);

  before(async () => {
    uploads = tempDir();
    moved = tempDir();
    mkdirSync(join(moved, 'in'));
    s = await startServer(
      {
        'echo.ts': `export default ({ $_GET, $_POST, $_COOKIE, $_FILES, $_SERVER, $_REQUEST, echo, file_get_contents }) =>
          echo(JSON.stringify({ get: $_GET, post: $_POST, cookie: $_COOKIE, files: $_FILES, request: $_REQUEST, uri: $_SERVER.REQUEST_URI, input: file_get_contents('php://input').length }));`,
        'session.ts': `export default async ({ $_SESSION, session_start, session_id, echo }) => {
          if (await session_start()) $_SESSION.n = ($_SESSION.n ?? 0) + 1;
          echo(JSON.stringify({ id: session_id(), n: $_SESSION.n ?? null }));
        };`,
        'upload.ts': `let next = 0;
          export default ({ $_FILES, move_uploaded_file, echo }) => {
            let count = 0;
            for (const file of Object.values($_FILES)) {
              if (typeof file.tmp_name === 'string' && file.error === 0 && move_uploaded_file(file.tmp_name, ${JSON.stringify(join(moved, 'in'))} + '/f' + next++)) count++;
            }
            echo(String(count));
          };`,
        'finish.ts': `export default async ({ $_SESSION, session_start, fastcgi_finish_request, echo }) => {
          await session_start();
          $_SESSION.finished = ($_SESSION.finished ?? 0) + 1;
          echo('finished');
          await fastcgi_finish_request();
          await new Promise((r) => setTimeout(r, 30));
          echo('dropped');
        };`,
        'static.txt': 'static',
        'dir/index.ts': `export default ({ echo }) => echo('dir');`,
      },
      {
        ini: {
          display_errors: 0,
          upload_tmp_dir: uploads,
          upload_max_filesize: '100K',
          post_max_size: '1M',
          'session.save_path': tempDir(),
          'tsfpm.session_lock_timeout': 10,
          'tsfpm.max_header_size': '8K',
          'tsfpm.max_headers_count': 50,
          'tsfpm.header_timeout': 2,
          'tsfpm.request_timeout': 3,
          'tsfpm.keepalive_timeout': 1,
          max_execution_time: 10,
        },
      },
    );
    process.on('uncaughtException', onProcessError);
    process.on('unhandledRejection', onProcessError);
  });
  after(async () => {
    process.off('uncaughtException', onProcessError);
    process.off('unhandledRejection', onProcessError);
    await s?.close();
  });

  it(`answers ${COUNT} requests (seed ${SEED}) with well-formed responses or a closed connection, and stays healthy`, async () => {
    for (let i = 0; i < 50; i++) await rawGet(s.port, i % 2 ? '/echo.ts?warm=1' : '/session.ts');
    const baseline = heapAfterGc();

    // requests are made one at a time and only a summary of each answer is kept, so that the heap
    // measured afterwards holds what the server kept, not the test's own data
    const random = new Random(SEED);
    const statuses = new Map<string, number>();
    const malformed: string[] = [];
    const serverErrors: string[] = [];
    const show = (bytes: Buffer): string => JSON.stringify(bytes.subarray(0, 200).toString('latin1'));
    const check = (request: FuzzRequest, outcome: Exchange): void => {
      // a 100 Continue comes first: the status that counts is the last one
      const lines = statusLines(outcome.data);
      const key = lines.length === 0 ? `no response (${outcome.end})` : lines.at(-1)!.split(' ')[1]!;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (outcome.end === 'timeout') malformed.push(`hung: ${request.kind}: ${show(request.bytes)}`);
      else if (outcome.data.length > 0 && !WELL_FORMED.test(outcome.data.toString('latin1'))) malformed.push(`malformed response to ${request.kind}: ${show(outcome.data)}`);
      // 505 is nginx's answer to an HTTP version it cannot speak (HTTP/2.0 over HTTP/1), not a failure
      for (const line of lines) if (/^HTTP\/1\.1 5(?!05 )/.test(line)) serverErrors.push(`${line} for ${request.kind}: ${show(request.bytes)}`);
    };
    const started = performance.now();
    let sent = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < COUNT) {
          sent++;
          const request = fuzzRequest(random);
          check(request, await exchange(s.port, request.bytes, { halfClose: request.halfClose, timeoutMs: SOCKET_TIMEOUT_MS }));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    // health: a normal request works, nothing is held, nothing is left
    expect((await rawGet(s.port, '/echo.ts?after=1')).status).to.equal(200);
    const { config } = s.server;
    for (let i = 0; i < 250 && config.pool.live.size > 0; i++) await sleep(20);
    const leftovers = readdirSync(uploads);
    const heap = heapAfterGc();
    const report = [
      `${COUNT} requests in ${seconds.toFixed(1)} s, concurrency ${CONCURRENCY}`,
      `statuses: ${[...statuses].sort().map(([k, v]) => `${k}×${v}`).join(', ')}`,
      `heap after GC: ${(baseline / MB).toFixed(1)} MB before, ${(heap / MB).toFixed(1)} MB after`,
    ].join('\n      ');
    console.log(`      ${report}`);

    expect(malformed, 'hung or malformed').to.deep.equal([]);
    expect(serverErrors, '5xx responses').to.deep.equal([]);
    expect(config.pool.live.size, 'live requests').to.equal(0);
    expect(config.pool.locksHeld, 'session locks held').to.equal(0);
    expect(config.pool.lockWaiters, 'lock waiters').to.equal(0);
    expect(leftovers, 'upload temp files').to.deep.equal([]);
    expect(s.logs.filter((l) => INTERNAL.test(l)), 'internal errors in the log').to.deep.equal([]);
    expect(processErrors, 'uncaught errors').to.deep.equal([]);
    expect(heap - baseline, 'heap growth').to.be.below(30 * MB);
  });
});
