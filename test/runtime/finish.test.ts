import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fpmCase } from '../support/fpm-fixture.ts';
import { installGates } from '../support/gates.ts';
import { rawGet } from '../support/http.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

const marker = tempDir();
const gates = installGates('finishGate');

const scripts = {
  // its tail goes on only once the test opens the gate ?id=
  'tail.ts': `
    import { $_GET, echo, fastcgi_finish_request, error_log } from 'tsfpm';
    import { writeFileSync } from 'node:fs';
    export default async function () {
      echo('done');
      await fastcgi_finish_request();
      await ${gates.call('$_GET.id')};
      writeFileSync(${JSON.stringify(join(marker, 'tail-ended-'))} + $_GET.id, 'x');
      error_log('tail ended ' + $_GET.id);
    }`,
  'levels.ts': `
    import { echo, ob_start, ob_get_level, fastcgi_finish_request, error_log } from 'tsfpm';
    export default async function () {
      echo('a'); ob_start(); echo('b'); ob_start(); echo('c'); ob_start(); echo('d');
      await fastcgi_finish_request();
      error_log('level after finish=' + ob_get_level());
    }`,
  'after.ts': `
    import { echo, fastcgi_finish_request, error_log, header, setcookie, headers_sent, connection_status, http_response_code } from 'tsfpm';
    export default async function (php) {
      echo('visible');
      const first = await fastcgi_finish_request();
      echo('invisible');
      header('X-Late: 1');
      const cookie = setcookie('late', '1');
      const second = await fastcgi_finish_request();
      const where = {};
      error_log(JSON.stringify({ first, second, cookie, sent: headers_sent(where), where, status: connection_status(), code: http_response_code(500), code2: http_response_code() }));
    }`,
  'tail-error.ts': `
    import { echo, fastcgi_finish_request } from 'tsfpm';
    export default async function () {
      echo('ok');
      await fastcgi_finish_request();
      throw new Error('boom in the tail');
    }`,
  'long-tail.ts': `
    import { echo, fastcgi_finish_request } from 'tsfpm';
    export default async function () {
      echo('ok');
      await fastcgi_finish_request();
      await ${gates.call("'long'")};
    }`,
  'hello.ts': `export default function ({ echo }) { echo('hello'); }`,
  // test/fixtures/fpm: connection-status-after-finish and connection-status-after-finish-bytes
  'status-after-finish.ts': `
    export default async function ({ echo, ignore_user_abort, fastcgi_finish_request, connection_status, flush, error_log }) {
      ignore_user_abort(true);
      echo('sent');
      await fastcgi_finish_request();
      const seen = { 'after finish': connection_status() };
      echo('a'.repeat(100));
      seen['after 100 bytes'] = connection_status();
      flush();
      seen['after flush()'] = connection_status();
      echo('more');
      seen['after more output'] = connection_status();
      error_log('status after finish: ' + JSON.stringify(seen));
    }`,
  'status-after-finish-bytes.ts': `
    export default async function ({ echo, ignore_user_abort, fastcgi_finish_request, connection_status, ob_get_level, error_log }) {
      ignore_user_abort(true);
      echo('sent');
      await fastcgi_finish_request();
      let bytes = null;
      for (let i = 1; i <= 64; i++) {
        echo('a'.repeat(256));
        if (connection_status() !== 0) { bytes = i * 256; break; }
      }
      error_log('bytes after finish: ' + JSON.stringify({ 'aborted once this many bytes were echoed': bytes, 'ob level': ob_get_level() }));
    }`,
};

describe('fastcgi_finish_request', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(scripts, { ini: { 'tsfpm.tail_timeout': 1 } });
  });
  after(async () => {
    gates.openAll();
    await s.close();
  });

  it('sends the whole response, with Content-Length, before the script ends', async () => {
    const res = await rawGet(s.port, '/tail.ts?id=whole');
    expect(res.status).to.equal(200);
    expect(res.body.toString()).to.equal('done');
    expect(res.header('content-length')).to.equal('4');
    expect(existsSync(join(marker, 'tail-ended-whole'))).to.equal(false);
    gates.open('whole');
    await s.waitForLog(/tail ended whole/);
    expect(existsSync(join(marker, 'tail-ended-whole'))).to.equal(true);
  });

  it('flushes every open output buffer in order and leaves none open', async () => {
    const res = await fetch(`${s.url}/levels.ts`);
    expect(await res.text()).to.equal('abcd');
    expect(await s.waitForLog(/level after finish=/)).to.contain('level after finish=0');
  });

  it('discards echo after the response is finished, and logs it once', async () => {
    const res = await fetch(`${s.url}/after.ts`);
    expect(await res.text()).to.equal('visible');
    await s.waitForLog(/output after the response was finished is discarded .*after\.ts/);
  });

  it('returns true the first time and false after; header() and setcookie() warn as PHP does', async () => {
    const res = await fetch(`${s.url}/after.ts`);
    expect(res.headers.get('x-late')).to.equal(null);
    expect(res.headers.get('set-cookie')).to.equal(null);
    const line = await s.waitForLog(/"first":true/);
    const seen = JSON.parse(line.slice(line.indexOf('{')));
    expect(seen).to.include({ first: true, second: false, cookie: false, sent: true, status: 0, code: 200, code2: 500 });
    expect(seen.where.file).to.match(/after\.ts$/);
    expect(seen.where.line).to.equal(5);
    const warning = s.logs.find((l) => l.includes('Cannot modify header information'));
    expect(warning).to.match(/PHP Warning: {2}Cannot modify header information - headers already sent by \(output started at .*after\.ts:5\) in .*after\.ts on line 7/);
  });

  it('reports connection_status() ABORTED once output after the finish meets flush() or fills FPM\'s 8 KiB buffer, as PHP-FPM', async () => {
    for (const [script, prefix, fixture] of [
      ['status-after-finish.ts', 'status after finish: ', 'connection-status-after-finish'],
      ['status-after-finish-bytes.ts', 'bytes after finish: ', 'connection-status-after-finish-bytes'],
    ] as const) {
      expect(await (await fetch(`${s.url}/${script}`)).text()).to.equal('sent');
      const line = await s.waitForLog(new RegExp(prefix));
      expect(JSON.parse(line.slice(line.indexOf(prefix) + prefix.length))).to.deep.equal(fpmCase(fixture).after);
    }
  });

  it('frees the keep-alive connection for the next request while the tail runs', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ body: string; port: number }>((resolve, reject) => {
        request(`${s.url}${path}`, { agent }, (res) => {
          const port = res.socket.localPort!;
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ body, port }));
        }).on('error', reject).end();
      });
    const first = await get('/tail.ts?id=keepalive');
    const second = await get('/hello.ts');
    agent.destroy();
    expect(first.body).to.equal('done');
    expect(second.body).to.equal('hello');
    expect(second.port).to.equal(first.port);
    // the tail is still at its gate: the second answer did not wait for it
    expect(existsSync(join(marker, 'tail-ended-keepalive'))).to.equal(false);
    gates.open('keepalive');
    await s.waitForLog(/tail ended keepalive/);
  });

  it('logs an error thrown after the finish with the script and URI, and the server goes on', async () => {
    expect(await (await fetch(`${s.url}/tail-error.ts?x=1`)).text()).to.equal('ok');
    const line = await s.waitForLog(/boom in the tail/);
    expect(line).to.match(/PHP Fatal error: {2}Uncaught Error: boom in the tail/);
    expect(line).to.contain('after fastcgi_finish_request(): script');
    expect(line).to.contain('/tail-error.ts?x=1');
    expect(await (await fetch(`${s.url}/hello.ts`)).text()).to.equal('hello');
  });

  it('stops tracking a tail that outlives tsfpm.tail_timeout, and logs it', async () => {
    expect(await (await fetch(`${s.url}/long-tail.ts`)).text()).to.equal('ok');
    // the tail waits at a gate opened only afterwards: the timeout, not its end, untracks it
    const line = await s.waitForLog(/exceeded tsfpm\.tail_timeout/);
    expect(line).to.contain('long-tail.ts');
    await waitUntil('the tail to leave pool.live', () => ![...s.server.config.pool.live].some((c) => c.target.file.endsWith('long-tail.ts')));
    gates.open('long');
  });
});
