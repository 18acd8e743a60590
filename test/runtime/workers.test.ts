import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { startCli, type CliServer } from '../support/cli.ts';
import { rawGet } from '../support/http.ts';
import { useRedis } from '../support/redis.ts';
import { tempDir } from '../support/server.ts';
import { sleep, waitUntil } from '../support/wait.ts';

const scripts = {
  'pid.ts': `export default ({ echo }) => echo(String(process.pid));`,
  // answers with its pid at once, then sleeps `ms` in its background tail and leaves a marker file
  'tail.ts': `import { $_GET, echo, fastcgi_finish_request } from 'tsfpm';
import { writeFileSync } from 'node:fs';
export default async () => {
  echo(String(process.pid));
  await fastcgi_finish_request();
  await new Promise((r) => setTimeout(r, Number($_GET.ms)));
  writeFileSync($_GET.dir + '/' + $_GET.id, '');
};`,
  'incr.ts': `import { session_start, $_SESSION, echo } from 'tsfpm';
export default async () => { await session_start(); const n = $_SESSION.n ?? 0; await new Promise((r) => setTimeout(r, 1)); $_SESSION.n = n + 1; echo(String($_SESSION.n)); };`,
  'read.ts': `import { session_start, $_SESSION, echo } from 'tsfpm';
export default async () => { await session_start({ read_and_close: true }); echo(JSON.stringify($_SESSION)); };`,
  // blocks its worker's event loop, as a script stuck in synchronous code does, until the test creates ?gate=
  'block.ts': `import { $_GET, echo } from 'tsfpm';
import { existsSync, writeFileSync } from 'node:fs';
export default () => { writeFileSync($_GET.started, ''); while (!existsSync($_GET.gate)); echo('done'); };`,
};

interface LoadResult {
  /** Response bodies (the serving worker's pid) with the time each arrived. */
  readonly answers: { pid: string; at: number }[];
  readonly failures: string[];
  /** Background tails started: marker id → the pid that answered. */
  readonly tails: Map<string, string>;
}

/** GET over a keep-alive agent; rejects on a network error. */
function get(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/**
 * `clients` keep-alive clients requesting in a loop until `done()` (checked between requests) or
 * `maxMs`; every `tailEvery`-th request of a client starts a tail. Their connections are closed at
 * the end, so that a replaced worker is not left waiting for their keep-alive timeout.
 */
async function load(url: string, clients: number, done: () => boolean, options: { maxMs?: number; tailEvery?: number; markers?: string } = {}): Promise<LoadResult> {
  const { maxMs = 15_000, tailEvery = 0, markers = '' } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const result: LoadResult = { answers: [], failures: [], tails: new Map() };
  const until = Date.now() + maxMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; !done() && Date.now() < until; i++) {
        const tail = tailEvery > 0 && i % tailEvery === tailEvery - 1 ? `${client}-${i}` : undefined;
        const path = tail ? `/tail.ts?ms=500&dir=${markers}&id=${tail}` : '/pid.ts';
        try {
          const { status, body } = await get(agent, url + path);
          if (status !== 200) result.failures.push(`${path}: ${status} ${body.slice(0, 200)}`);
          else {
            result.answers.push({ pid: body, at: performance.now() });
            if (tail) result.tails.set(tail, body);
          }
        } catch (err) {
          result.failures.push(`${path}: ${(err as Error).message}`);
        }
      }
    }),
  );
  agent.destroy();
  return result;
}

/** The pids of the `[pool www] child N started` lines so far. */
function startedPids(cli: CliServer): string[] {
  return [...cli.output().matchAll(/\[pool www\] child (\d+) started/g)].map((m) => m[1]!);
}

async function pidsOf(cli: CliServer, requests: number): Promise<Set<string>> {
  const port = Number(new URL(cli.url).port);
  const pids = new Set<string>();
  // a new connection each: node:cluster hands connections to the workers in turn
  for (let i = 0; i < requests; i++) pids.add((await rawGet(port, '/pid.ts')).body.toString());
  return pids;
}

describe('--workers N (several processes on one port)', function () {
  this.timeout(60_000);
  const docroot = tempDir(scripts);
  const redis = useRedis();
  let cli: CliServer | undefined;
  afterEach(async () => {
    await cli?.stop('SIGKILL');
    cli = undefined;
  });

  it('serves one port from 2 worker processes, logging each start as PHP-FPM does', async () => {
    cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '--workers', '2']);
    const pids = await pidsOf(cli, 6);
    expect([...pids].sort()).to.deep.equal(startedPids(cli).sort());
    expect(pids).to.have.length(2);
    expect(pids.has(String(cli.child.pid))).to.equal(false);
    expect(cli.output()).to.match(/2 workers \(pm\.max_requests = 0\)/);
  });

  it('takes the number from PHP_CLI_SERVER_WORKERS, as php -S', async () => {
    cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot], { PHP_CLI_SERVER_WORKERS: '2' });
    expect(await pidsOf(cli, 4)).to.have.length(2);
  });

  for (const [handler, settings] of [
    ['files', () => ['-d', `session.save_path=${tempDir({}, 'tsfpm-worker-sessions-')}`]],
    ['redis', () => ['-d', 'session.save_handler=redis', '-d', `session.save_path=tcp://127.0.0.1:${redis().port}`, '-d', 'redis.session.lock_retries=-1']],
  ] as const) {
    it(`keeps one session consistent across workers (${handler}): 200 concurrent increments make 200`, async () => {
      cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '--workers', '2', ...settings()]);
      const cookie = `PHPSESSID=acrossworkers0123456789${handler}`;
      const counts = await Promise.all(Array.from({ length: 200 }, () => fetch(`${cli!.url}/incr.ts`, { headers: { Cookie: cookie } }).then((r) => r.text())));
      expect(new Set(counts).size).to.equal(200);
      expect(JSON.parse(await (await fetch(`${cli.url}/read.ts`, { headers: { Cookie: cookie } })).text())).to.deep.equal({ n: 200 });
    });
  }

  it('starts another worker when one is killed, and keeps serving', async () => {
    cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '--workers', '2']);
    const [victim, survivor] = startedPids(cli);
    process.kill(Number(victim), 'SIGKILL');
    await cli.waitForOutput(new RegExp(`WARNING: \\[pool www\\] child ${victim} exited on signal 9 \\(SIGKILL\\) after \\d+\\.\\d{6} seconds from start`));
    const port = Number(new URL(cli.url).port);
    for (let i = 0; i < 10; i++) expect((await rawGet(port, '/pid.ts')).status).to.equal(200);
    await waitUntil('a third worker started', () => startedPids(cli!).length === 3, 15_000);
    const [, , replacement] = startedPids(cli);
    const seen = new Set<string>();
    for (const until = Date.now() + 15_000; !seen.has(replacement!) && Date.now() < until; ) for (const pid of await pidsOf(cli, 2)) seen.add(pid);
    expect([...seen].sort()).to.deep.equal([survivor, replacement].sort());
  });

  it('SIGUSR2 replaces every worker one at a time under load: no request fails, no tail is lost', async () => {
    const markers = tempDir();
    cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '--workers', '2']);
    const before = startedPids(cli);
    let reloadedAt = Infinity;
    const running = load(cli.url, 20, () => performance.now() > reloadedAt + 500, { tailEvery: 5, markers });
    await sleep(500);
    const signalledAt = performance.now();
    process.kill(cli.child.pid!, 'SIGUSR2');
    await cli.waitForOutput(/NOTICE: reloaded: 2 workers replaced in [\d.]+ s/, 20_000);
    reloadedAt = performance.now();
    const result = await running;
    expect(result.failures).to.deep.equal([]);
    expect(result.answers.filter((a) => a.at > signalledAt && a.at < reloadedAt).length).to.be.above(0);
    // every old worker has finished its tails and exited; only new ones answer
    for (const pid of before) await cli.waitForOutput(new RegExp(`child ${pid} exited with code 0`));
    const after = await pidsOf(cli, 4);
    expect(after).to.have.length(2);
    for (const pid of before) expect(after.has(pid)).to.equal(false);
    const oldTails = [...result.tails].filter(([, pid]) => before.includes(pid));
    expect(oldTails.length).to.be.above(0);
    for (const [id] of oldTails) expect(existsSync(join(markers, id)), `tail ${id}`).to.equal(true);
  });

  it('replaces a worker that has served pm.max_requests, losing no request', async () => {
    cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '--workers', '2', '-d', 'pm.max_requests=50']);
    const replaced = (): number => (cli!.output().match(/child \d+ exited with code 0/g) ?? []).length;
    let served = 0;
    const result = await load(cli.url, 10, () => served++ >= 300 && replaced() >= 2, { maxMs: 30_000 });
    expect(result.failures).to.deep.equal([]);
    expect(cli.output()).to.match(/NOTICE: \[pool www\] child \d+ has served pm\.max_requests \(50\) requests; replacing it/);
    expect(replaced()).to.be.at.least(2);
    expect(new Set(result.answers.map((a) => a.pid)).size).to.be.above(2);
  });

  describe('the status page and metrics over every worker', () => {
    it('pm.status_path shows workers: 2 and the accepted conn of both; the metrics add up', async () => {
      cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '--workers', '2']);
      expect(await pidsOf(cli, 10)).to.have.length(2);
      const status = await (await fetch(`${cli.url}/fpm-status?json`)).json();
      expect(status).to.include({ workers: 2, 'accepted conn': 10 });
      const metrics = await (await fetch(`${cli.url}/fpm-metrics`)).text();
      expect(metrics).to.match(/^tsfpm_accepted_connections_total 10$/m);
    });

    it('leaves out a worker that does not answer within a second, and logs it', async () => {
      cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '--workers', '2']);
      const dir = tempDir();
      const [started, gate] = [join(dir, 'started'), join(dir, 'gate')];
      const blocked = fetch(`${cli.url}/block.ts?gate=${gate}&started=${started}`);
      await waitUntil('the blocking script running', () => existsSync(started), 15_000);
      // one of the two goes to the worker that is not blocked (node:cluster skips a worker that has not taken its last connection)
      const status = await Promise.any([0, 1].map(() => fetch(`${cli!.url}/fpm-status?json`).then((r) => r.json())));
      // the blocked worker is released only now: the page did not wait for it
      writeFileSync(gate, '');
      expect(status).to.include({ workers: 1 });
      await cli.waitForOutput(/WARNING: \[pool www\] child \d+ did not answer for the status page within 1000 ms; left out/);
      expect(await (await blocked).text()).to.equal('done');
    });
  });

  it('SIGTERM to every process at once (systemd, Ctrl-C) stops every worker gracefully; the primary exits 0 once all have exited', async () => {
    const markers = tempDir();
    cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '--workers', '2']);
    const bodies = await Promise.all(Array.from({ length: 10 }, (_, id) => fetch(`${cli!.url}/tail.ts?ms=800&dir=${markers}&id=${id}`).then((r) => r.text())));
    expect(new Set(bodies).size).to.equal(2);
    // the relayed signal reaches each worker after its own: one stop, not a second signal that cuts
    for (const pid of startedPids(cli)) process.kill(Number(pid), 'SIGTERM');
    expect(await cli.stop('SIGTERM')).to.equal(0);
    expect(cli.output()).not.to.match(/cut at shutdown/);
    for (let id = 0; id < 10; id++) expect(existsSync(join(markers, String(id)))).to.equal(true);
    expect(cli.output()).to.match(/NOTICE: exiting, bye-bye!/);
  });
});
