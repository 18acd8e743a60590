import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bin, startCli } from '../support/cli.ts';
import { rawRequest } from '../support/http.ts';
import { startServer, tempDir } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

const scripts = {
  // answers at once, then sleeps `ms` in its background tail and leaves a marker file
  'tail.ts': `import { $_GET, echo, fastcgi_finish_request } from 'tsfpm';
import { writeFileSync } from 'node:fs';
export default async () => {
  echo('accepted');
  await fastcgi_finish_request();
  await new Promise((r) => setTimeout(r, Number($_GET.ms)));
  writeFileSync($_GET.dir + '/' + $_GET.id, '');
};`,
  // a response still being made: 100 KB after `ms`
  'slow.ts': `import { $_GET, echo } from 'tsfpm';
import { writeFileSync } from 'node:fs';
export default async () => {
  writeFileSync($_GET.started, '');
  await new Promise((r) => setTimeout(r, Number($_GET.ms)));
  echo('x'.repeat(100_000));
};`,
  // holds its session lock for 30 s, its change not written yet
  'hold.ts': `import { $_GET, $_SESSION, echo, session_start } from 'tsfpm';
import { writeFileSync } from 'node:fs';
export default async () => {
  await session_start();
  $_SESSION.kept = 'yes';
  writeFileSync($_GET.started, '');
  await new Promise((r) => setTimeout(r, 30_000));
  echo('never');
};`,
  'read.ts': `import { $_SESSION, echo, session_start } from 'tsfpm';
export default async () => { await session_start({ read_and_close: true }); echo(JSON.stringify($_SESSION)); };`,
};

/** Starts `count` requests whose tails sleep `ms`; resolves once every response is in. */
async function startTails(url: string, markers: string, count: number, ms: number): Promise<void> {
  const bodies = await Promise.all(Array.from({ length: count }, (_, id) => fetch(`${url}/tail.ts?ms=${ms}&dir=${markers}&id=${id}`).then((r) => r.text())));
  expect(bodies.every((b) => b === 'accepted')).to.equal(true);
}

function exitCode(args: string[]): Promise<number | null> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: 'ignore' });
  return new Promise((resolve) => child.on('exit', resolve));
}

describe('graceful stop (SIGTERM, SIGINT, SIGQUIT)', function () {
  this.timeout(60_000);
  const docroot = tempDir(scripts);

  it('SIGTERM lets 100 background tails finish, then exits 0, keep-alive connections and all', async () => {
    const markers = tempDir();
    const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot]);
    await startTails(cli.url, markers, 100, 1500);
    const doneBeforeStop = readdirSync(markers).length;
    expect(await cli.stop('SIGTERM')).to.equal(0);
    expect(doneBeforeStop).to.be.below(100);
    expect(readdirSync(markers)).to.have.length(100);
    const [, waitedFor] = /waiting up to 300 s for \d+ responses in flight and (\d+) background tails/.exec(cli.output()) ?? [];
    expect(Number(waitedFor)).to.be.above(0);
    expect(cli.output()).to.match(/stopped after [\d.]+ s, every request finished/);
  });

  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    it(`${signal} stops as gracefully`, async () => {
      const markers = tempDir();
      const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot]);
      await startTails(cli.url, markers, 5, 800);
      expect(await cli.stop(signal)).to.equal(0);
      expect(readdirSync(markers)).to.have.length(5);
      expect(cli.output()).to.contain(`${signal}: stopping gracefully (process_control_timeout = 300 s)`);
    });
  }

  it('finishes a response in flight, with Connection: close, and refuses new connections meanwhile', async () => {
    const started = join(tempDir(), 'started');
    const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot]);
    const port = Number(new URL(cli.url).port);
    const response = rawRequest(port, `GET /slow.ts?ms=800&started=${started} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await waitUntil('the script to start', () => existsSync(started));
    const exited = cli.stop('SIGTERM');
    await cli.waitForOutput(/graceful stop: no longer accepting; waiting up to 300 s for 1 responses in flight/);
    const refused = await fetch(`${cli.url}/slow.ts`).then(() => 'served', (err: Error) => (err.cause as { code?: string } | undefined)?.code);
    expect(refused).to.equal('ECONNREFUSED');
    const res = await response;
    expect(res.status).to.equal(200);
    expect(res.body.length).to.equal(100_000);
    expect(res.header('connection')).to.equal('close');
    expect(await exited).to.equal(0);
  });

  describe('process_control_timeout', () => {
    it('cuts what is still running at the deadline: logged by script and URI, its session written and unlocked, exit 0', async () => {
      const sessions = tempDir({}, 'tsfpm-cut-sessions-');
      const started = join(tempDir(), 'started');
      const cookie = 'PHPSESSID=cutatshutdown0123456789abcd';
      const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '-d', 'process_control_timeout=1', '-d', `session.save_path=${sessions}`]);
      const holder = fetch(`${cli.url}/hold.ts?started=${started}`, { headers: { Cookie: cookie } });
      await waitUntil('the script to start', () => existsSync(started));
      await startTails(cli.url, tempDir(), 1, 30_000);
      const stopAt = performance.now();
      expect(await cli.stop('SIGTERM')).to.equal(0);
      expect(performance.now() - stopAt).to.be.below(10_000);
      expect((await holder).status).to.equal(503);
      expect(cli.output()).to.match(/tsfpm: cut at shutdown \(script \S+tail\.ts, GET \/tail\.ts\?ms=30000&dir=\S+&id=0, Finishing\)/);
      expect(cli.output()).to.match(/tsfpm: cut at shutdown \(script \S+hold\.ts, GET \/hold\.ts\?started=\S+, Running\)/);
      expect(cli.output()).to.match(/stopped after [\d.]+ s; 2 requests cut at shutdown/);
      expect(readFileSync(join(sessions, 'sess_cutatshutdown0123456789abcd'), 'utf8')).to.equal('kept|s:3:"yes";');
      const next = await startServer(docroot, { ini: { 'session.save_path': sessions } });
      try {
        const readAt = performance.now();
        expect(await (await fetch(`${next.url}/read.ts`, { headers: { Cookie: cookie } })).text()).to.equal('{"kept":"yes"}');
        expect(performance.now() - readAt).to.be.below(2000);
      } finally {
        await next.close();
      }
    });

    it('0 cuts at once', async () => {
      const markers = tempDir();
      const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '-d', 'process_control_timeout=0']);
      await startTails(cli.url, markers, 3, 30_000);
      expect(await cli.stop('SIGTERM')).to.equal(0);
      expect(cli.output()).to.match(/stopped after [\d.]+ s; 3 requests cut at shutdown/);
    });
  });

  describe('a second signal', () => {
    it('SIGTERM or SIGINT again cuts at once; SIGQUIT again is logged and the wait goes on', async () => {
      const markers = tempDir();
      const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot]);
      await startTails(cli.url, markers, 2, 30_000);
      const exited = cli.stop('SIGQUIT');
      await cli.waitForOutput(/SIGQUIT: stopping gracefully/);
      cli.child.kill('SIGQUIT');
      await cli.waitForOutput(/SIGQUIT: already stopping; still waiting for 2 requests/);
      cli.child.kill('SIGINT');
      expect(await exited).to.equal(0);
      expect(cli.output()).to.match(/SIGINT again: cutting the 2 requests still running/);
      expect(cli.output()).to.match(/2 requests cut at shutdown/);
      expect(readdirSync(markers)).to.have.length(0);
    });
  });

  describe('after a request used the files handler', () => {
    it('SIGTERM exits 0: closing the flock helper keeps the process alive until it is closed', async () => {
      const sessions = tempDir({}, 'tsfpm-stop-files-');
      try {
        const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '-d', 'session.save_handler=files', '-d', `session.save_path=${sessions}`]);
        const cookie = 'PHPSESSID=stopafterfiles0123456789abc';
        expect((await fetch(`${cli.url}/read.ts`, { headers: { Cookie: cookie } })).status).to.equal(200);
        expect(await cli.stop('SIGTERM')).to.equal(0);
        expect(cli.output()).to.match(/SIGTERM: stopping gracefully/);
      } finally {
        rmSync(sessions, { recursive: true, force: true });
      }
    });
  });

  describe('exit codes', () => {
    it('1 when it cannot listen, 64 for a usage error', async () => {
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as { port: number };
      try {
        const codes = await Promise.all([
          exitCode(['-S', `127.0.0.1:${port}`, '-t', docroot]),
          exitCode(['-S', `127.0.0.1:${port}`, '-t', docroot, '--workers', '2']),
          exitCode(['-S', '127.0.0.1:0', '--workers', 'many']),
          exitCode(['-S', '127.0.0.1:0', '-d', 'tsfpm.workers=0']),
        ]);
        expect(codes).to.deep.equal([1, 1, 64, 64]);
      } finally {
        taken.close();
      }
    });
  });
});
