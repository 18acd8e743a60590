import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bin, startCli } from '../support/cli.ts';
import { rawRequest } from '../support/http.ts';
import { startServer, tempDir } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

// The servers run in child processes: a script waits for the test by polling for a gate file it creates.
const untilGate = `while (!existsSync($_GET.gate)) await new Promise((r) => setTimeout(r, 20));`;

const scripts = {
  // answers at once, then waits in its background tail for the gate and leaves a marker file
  'tail.ts': `import { $_GET, echo, fastcgi_finish_request } from 'tsfpm';
import { existsSync, writeFileSync } from 'node:fs';
export default async () => {
  echo('accepted');
  await fastcgi_finish_request();
  ${untilGate}
  writeFileSync($_GET.dir + '/' + $_GET.id, '');
};`,
  // a response still being made: 100 KB once the gate is open
  'slow.ts': `import { $_GET, echo } from 'tsfpm';
import { existsSync, writeFileSync } from 'node:fs';
export default async () => {
  writeFileSync($_GET.started, '');
  ${untilGate}
  echo('x'.repeat(100_000));
};`,
  // holds its session lock until it is cut, its change not written yet
  'hold.ts': `import { $_GET, $_SESSION, echo, session_start } from 'tsfpm';
import { writeFileSync } from 'node:fs';
export default async () => {
  await session_start();
  $_SESSION.kept = 'yes';
  writeFileSync($_GET.started, '');
  await new Promise(() => {});
  echo('never');
};`,
  'read.ts': `import { $_SESSION, echo, session_start } from 'tsfpm';
export default async () => { await session_start({ read_and_close: true }); echo(JSON.stringify($_SESSION)); };`,
};

/** A gate file path; `open()` creates it. */
function gateFile(): { path: string; open(): void } {
  const path = join(tempDir(), 'open');
  return { path, open: () => writeFileSync(path, '') };
}

/** Starts `count` requests whose tails wait for `gate`; resolves once every response is in. */
async function startTails(url: string, markers: string, count: number, gate: string): Promise<void> {
  const bodies = await Promise.all(Array.from({ length: count }, (_, id) => fetch(`${url}/tail.ts?gate=${gate}&dir=${markers}&id=${id}`).then((r) => r.text())));
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
    const gate = gateFile();
    const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot]);
    await startTails(cli.url, markers, 100, gate.path);
    const exited = cli.stop('SIGTERM');
    await cli.waitForOutput(/waiting up to 300 s for \d+ responses in flight and 100 background tails/);
    expect(readdirSync(markers)).to.have.length(0);
    gate.open();
    expect(await exited).to.equal(0);
    expect(readdirSync(markers)).to.have.length(100);
    expect(cli.output()).to.match(/stopped after [\d.]+ s, every request finished/);
  });

  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    it(`${signal} stops as gracefully`, async () => {
      const markers = tempDir();
      const gate = gateFile();
      const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot]);
      await startTails(cli.url, markers, 5, gate.path);
      const exited = cli.stop(signal);
      await cli.waitForOutput(/waiting up to 300 s for \d+ responses in flight and 5 background tails/);
      gate.open();
      expect(await exited).to.equal(0);
      expect(readdirSync(markers)).to.have.length(5);
      expect(cli.output()).to.contain(`${signal}: stopping gracefully (process_control_timeout = 300 s)`);
    });
  }

  it('finishes a response in flight, with Connection: close, and refuses new connections meanwhile', async () => {
    const started = join(tempDir(), 'started');
    const gate = gateFile();
    const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot]);
    const port = Number(new URL(cli.url).port);
    const response = rawRequest(port, `GET /slow.ts?gate=${gate.path}&started=${started} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await waitUntil('the script to start', () => existsSync(started));
    const exited = cli.stop('SIGTERM');
    await cli.waitForOutput(/graceful stop: no longer accepting; waiting up to 300 s for 1 responses in flight/);
    const refused = await fetch(`${cli.url}/slow.ts`).then(() => 'served', (err: Error) => (err.cause as { code?: string } | undefined)?.code);
    expect(refused).to.equal('ECONNREFUSED');
    gate.open();
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
      // neither ends by itself: the holder never settles, the tail's gate is never opened
      const markers = tempDir();
      await startTails(cli.url, markers, 1, gateFile().path);
      expect(await cli.stop('SIGTERM')).to.equal(0);
      expect((await holder).status).to.equal(503);
      expect(readdirSync(markers)).to.deep.equal([]);
      expect(cli.output()).to.match(/tsfpm: cut at shutdown \(script \S+tail\.ts, GET \/tail\.ts\?gate=\S+&dir=\S+&id=0, Finishing\)/);
      expect(cli.output()).to.match(/tsfpm: cut at shutdown \(script \S+hold\.ts, GET \/hold\.ts\?started=\S+, Running\)/);
      expect(cli.output()).to.match(/stopped after [\d.]+ s; 2 requests cut at shutdown/);
      expect(readFileSync(join(sessions, 'sess_cutatshutdown0123456789abcd'), 'utf8')).to.equal('kept|s:3:"yes";');
      const next = await startServer(docroot, { ini: { 'session.save_path': sessions } });
      try {
        expect(await (await fetch(`${next.url}/read.ts`, { headers: { Cookie: cookie } })).text()).to.equal('{"kept":"yes"}');
      } finally {
        await next.close();
      }
    });

    it('0 cuts at once', async () => {
      const markers = tempDir();
      const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '-d', 'process_control_timeout=0']);
      await startTails(cli.url, markers, 3, gateFile().path);
      expect(await cli.stop('SIGTERM')).to.equal(0);
      expect(cli.output()).to.match(/stopped after [\d.]+ s; 3 requests cut at shutdown/);
    });
  });

  describe('a second signal', () => {
    it('SIGTERM or SIGINT again cuts at once; SIGQUIT again is logged and the wait goes on', async () => {
      const markers = tempDir();
      const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot]);
      await startTails(cli.url, markers, 2, gateFile().path);
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
