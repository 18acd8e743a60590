import { expect } from 'chai';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AggregatorRegistry } from 'prom-client';
import { metricsOf } from '../../runtime/admin/metrics.ts';
import { waitUntil } from '../support/wait.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';
import { sleep } from '../support/wait.ts';

const marker = tempDir();
const releaseTail = join(marker, 'release-tail');
const releaseLock = join(marker, 'release-lock');
const releaseBusy = join(marker, 'release-busy');

/** A script line that waits (bounded) until the test writes `file`. */
const waitFor = (file: string): string =>
  `for (let i = 0; i < 500 && !existsSync(${JSON.stringify(file)}); i++) await new Promise((r) => setTimeout(r, 10));`;

const scripts = {
  'hello.ts': `export default ({ echo }) => echo('hello');`,
  'created.ts': `export default ({ http_response_code }) => { http_response_code(201); };`,
  'plain.txt': 'static',
  'tail.ts': `
    import { existsSync } from 'node:fs';
    export default async ({ echo, fastcgi_finish_request }) => {
      echo('done');
      await fastcgi_finish_request();
      ${waitFor(releaseTail)}
    };`,
  'hold.ts': `
    import { existsSync } from 'node:fs';
    export default async ({ session_start, error_log, echo }) => {
      await session_start();
      error_log('holding the session lock');
      ${waitFor(releaseLock)}
      echo('held');
    };`,
  'busy.ts': `
    import { existsSync } from 'node:fs';
    export default async ({ echo }) => {
      ${waitFor(releaseBusy)}
      echo('busy');
    };`,
  'wait.ts': `export default async ({ session_start, echo }) => { echo(String(await session_start())); };`,
};

const settings = { 'session.save_handler': 'memory', 'tsfpm.session_lock_timeout': 1, 'pm.max_children': 4 };

/** The value of the first sample of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const scrape = (s: TestServer): Promise<string> => metricsOf(s.server.config).text();

/** Every request, tails included, has ended: the pool's observers have seen them all. */
const settled = (s: TestServer): Promise<void> => waitUntil('the requests to end', () => s.server.config.pool.live.size === 0);

describe('Prometheus metrics (metricsOf)', function () {
  this.timeout(20_000);
  let s: TestServer;
  beforeEach(async () => {
    s = await startServer(scripts, { ini: settings });
  });
  afterEach(async () => {
    await s.close();
    rmSync(releaseTail, { force: true });
    rmSync(releaseLock, { force: true });
    rmSync(releaseBusy, { force: true });
  });

  it('counts script requests by method and status, and times their responses', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/hello.ts`)).status).to.equal(200);
    expect((await fetch(`${s.url}/hello.ts`, { method: 'POST', body: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status).to.equal(200);
    expect((await fetch(`${s.url}/created.ts`)).status).to.equal(201);
    expect(await (await fetch(`${s.url}/plain.txt`)).text()).to.equal('static');
    await settled(s);
    const text = await scrape(s);
    expect(text).to.match(/^# TYPE tsfpm_requests_total counter$/m);
    expect(text).to.match(/^# TYPE tsfpm_response_time_seconds histogram$/m);
    expect(sample(text, 'tsfpm_requests_total', { method: 'GET', status: '200' })).to.equal(3);
    expect(sample(text, 'tsfpm_requests_total', { method: 'POST', status: '200' })).to.equal(1);
    expect(sample(text, 'tsfpm_requests_total', { method: 'GET', status: '201' })).to.equal(1);
    expect(sample(text, 'tsfpm_response_time_seconds_count', { method: 'GET' })).to.equal(4);
    expect(sample(text, 'tsfpm_response_time_seconds_count', { method: 'POST' })).to.equal(1);
    expect(sample(text, 'tsfpm_response_time_seconds_sum', { method: 'GET' })).to.be.above(0);
    expect(sample(text, 'tsfpm_response_time_seconds_bucket', { method: 'GET', le: '+Inf' })).to.equal(4);
    // static files are not requests of the pool
    expect(sample(text, 'tsfpm_accepted_connections_total')).to.equal(5);
    expect(sample(text, 'tsfpm_tail_duration_seconds_count')).to.equal(0);
  });

  it('times a background tail after fastcgi_finish_request(); the tail holds no child', async () => {
    const res = await fetch(`${s.url}/tail.ts`);
    expect(await res.text()).to.equal('done');
    await waitUntil('the tail to start', () => s.server.config.pool.tails === 1);
    const during = await scrape(s);
    expect(sample(during, 'tsfpm_background_tails')).to.equal(1);
    expect(sample(during, 'tsfpm_active_processes')).to.equal(0);
    expect(sample(during, 'tsfpm_requests_total', { status: '200' })).to.equal(undefined);
    await sleep(100);
    writeFileSync(releaseTail, '');
    await settled(s);
    const after = await scrape(s);
    expect(sample(after, 'tsfpm_tail_duration_seconds_count')).to.equal(1);
    expect(sample(after, 'tsfpm_tail_duration_seconds_sum')).to.be.at.least(0.1);
    expect(sample(after, 'tsfpm_tail_duration_seconds_bucket', { le: '0.05' })).to.equal(0);
    expect(sample(after, 'tsfpm_requests_total', { method: 'GET', status: '200' })).to.equal(1);
    expect(sample(after, 'tsfpm_response_time_seconds_count', { method: 'GET' })).to.equal(1);
    expect(sample(after, 'tsfpm_background_tails')).to.equal(0);
  });

  it('times a wait for a session lock another request holds, with acquired="true"', async () => {
    const cookie = { Cookie: 'PHPSESSID=metricslockwait0123456789' };
    const holding = fetch(`${s.url}/hold.ts`, { headers: cookie }).then((r) => r.text());
    await s.waitForLog(/holding the session lock/);
    const waiting = fetch(`${s.url}/wait.ts`, { headers: cookie }).then((r) => r.text());
    await waitUntil('the second request to wait for the lock', () => s.server.config.pool.lockWaiters === 1);
    const during = await scrape(s);
    expect(sample(during, 'tsfpm_session_locks_held')).to.equal(1);
    expect(sample(during, 'tsfpm_session_lock_waiters')).to.equal(1);
    await sleep(100);
    writeFileSync(releaseLock, '');
    expect(await holding).to.equal('held');
    expect(await waiting).to.equal('true');
    await settled(s);
    const after = await scrape(s);
    // every session_start() with a lock is one observation: the holder's (uncontended) and the waiter's
    expect(sample(after, 'tsfpm_session_lock_wait_seconds_count', { acquired: 'true' })).to.equal(2);
    expect(sample(after, 'tsfpm_session_lock_wait_seconds_sum', { acquired: 'true' })).to.be.at.least(0.1);
    expect(sample(after, 'tsfpm_session_lock_wait_seconds_count', { acquired: 'false' })).to.equal(undefined);
    expect(sample(after, 'tsfpm_session_locks_held')).to.equal(0);
    expect(sample(after, 'tsfpm_session_lock_waiters')).to.equal(0);
  });

  it('times a wait given up at tsfpm.session_lock_timeout with acquired="false"', async () => {
    const cookie = { Cookie: 'PHPSESSID=metricslockgiveup0123456789' };
    const holding = fetch(`${s.url}/hold.ts`, { headers: cookie }).then((r) => r.text());
    await s.waitForLog(/holding the session lock/);
    // session_start() gives up with PHP's warnings and returns false
    expect(await (await fetch(`${s.url}/wait.ts`, { headers: cookie })).text()).to.match(/Failed to acquire session lock[^]*false$/);
    writeFileSync(releaseLock, '');
    await holding;
    await settled(s);
    const text = await scrape(s);
    expect(sample(text, 'tsfpm_session_lock_wait_seconds_count', { acquired: 'false' })).to.equal(1);
    expect(sample(text, 'tsfpm_session_lock_wait_seconds_sum', { acquired: 'false' })).to.be.at.least(0.5);
    expect(sample(text, 'tsfpm_session_lock_wait_seconds_count', { acquired: 'true' })).to.equal(1);
  });

  it('reads the pool settings and PHP-FPM counters at scrape time', async () => {
    const text = await scrape(s);
    expect(sample(text, 'tsfpm_max_children')).to.equal(4);
    for (const name of ['tsfpm_active_processes', 'tsfpm_listen_queue', 'tsfpm_tail_queue', 'tsfpm_max_children_reached_total', 'tsfpm_slow_requests_total', 'tsfpm_listen_queue_refused_total', 'tsfpm_tails_refused_total']) {
      expect(sample(text, name), name).to.equal(0);
    }
  });

  it('counts the 503s of a full listen queue and the times every child was busy', async () => {
    const small = await startServer(scripts, { ini: { ...settings, 'pm.max_children': 1, 'listen.backlog': 0 } });
    try {
      const busy = fetch(`${small.url}/busy.ts`).then((r) => r.text());
      await waitUntil('the only child to be taken', () => small.server.config.pool.activeProcesses === 1);
      const refused = await fetch(`${small.url}/hello.ts`);
      expect(refused.status).to.equal(503);
      const during = await scrape(small);
      expect(sample(during, 'tsfpm_active_processes')).to.equal(1);
      expect(sample(during, 'tsfpm_max_children')).to.equal(1);
      expect(sample(during, 'tsfpm_listen_queue_refused_total')).to.equal(1);
      expect(sample(during, 'tsfpm_max_children_reached_total')).to.equal(1);
      expect(sample(during, 'tsfpm_accepted_connections_total')).to.equal(2);
      writeFileSync(releaseBusy, '');
      expect(await busy).to.equal('busy');
      await settled(small);
      const after = await scrape(small);
      // a refused request never ran: only the busy one is a request of the pool
      expect(sample(after, 'tsfpm_requests_total', { status: '503' })).to.equal(undefined);
      expect(sample(after, 'tsfpm_requests_total', { status: '200' })).to.equal(1);
      expect(sample(after, 'tsfpm_active_processes')).to.equal(0);
    } finally {
      await small.close();
    }
  });

  it("includes Node's process metrics, event-loop lag among them", async () => {
    const text = await scrape(s);
    expect(sample(text, 'process_cpu_user_seconds_total')).to.be.above(0);
    expect(text).to.match(/^nodejs_eventloop_lag_seconds /m);
    expect(text).to.match(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(metricsOf(s.server.config).contentType).to.match(/^text\/plain; version=0\.0\.4/);
  });

  it("keeps each server's metrics apart, and they add up as AggregatorRegistry merges workers", async () => {
    const other = await startServer(scripts, { ini: settings });
    try {
      await fetch(`${s.url}/hello.ts`);
      for (let i = 0; i < 2; i++) await fetch(`${other.url}/hello.ts`);
      await settled(s);
      await settled(other);
      expect(sample(await scrape(s), 'tsfpm_requests_total')).to.equal(1);
      expect(sample(await scrape(other), 'tsfpm_requests_total')).to.equal(2);
      const workers = await Promise.all([s, other].map((t) => metricsOf(t.server.config).registry.getMetricsAsJSON()));
      const pool = await AggregatorRegistry.aggregate(workers).metrics();
      expect(sample(pool, 'tsfpm_requests_total', { method: 'GET', status: '200' })).to.equal(3);
      expect(sample(pool, 'tsfpm_response_time_seconds_count', { method: 'GET' })).to.equal(3);
      expect(sample(pool, 'tsfpm_max_children')).to.equal(8);
      expect(pool).to.not.match(/^process_start_time_seconds /m);
    } finally {
      await other.close();
    }
  });
});
