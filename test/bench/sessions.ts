/**
 * Session figures for `npm run bench`, side by side in one run:
 * - requests/s of a session counter (a new session per request, and one shared session) on memory,
 *   files and Redis, next to the same script without sessions;
 * - lock hand-off latency (release → the waiter holds the lock), median and p99, for each locker,
 *   next to a waiter polling at phpredis' default interval (20 ms).
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { FileLocker } from '../../sessions/files/file-lock.ts';
import type { SessionLocker } from '../../sessions/lock/contract.ts';
import { MemoryLocker } from '../../sessions/lock/memory-lock.ts';
import { RedisLocker } from '../../sessions/redis/redis-lock.ts';
import { startRedis } from '../support/redis.ts';
import { tempDir } from '../support/server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function launch(docroot: string, ini: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(here('./servers.ts'), ['tsfpm', docroot], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: { ...process.env, TSFPM_BENCH_INI: JSON.stringify(ini) },
    });
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

async function rps(port: number, path: string, cookie: string | undefined, connections: number): Promise<number> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections, duration: SECONDS, headers: cookie ? { cookie } : {} });
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors on ${path}`);
  return Math.round(result.requests.average);
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const round = (x: number) => Math.round(x * 1000) / 1000;

/** Release → next holder, `count` times, with the waiter already queued on `waiterLocker`. */
async function handOff(holder: SessionLocker, waiter: SessionLocker, count: number): Promise<{ medianMs: number; p99Ms: number }> {
  const times: number[] = [];
  const options = { waitMs: 10_000, ttlMs: 30_000, owner: 'bench' };
  for (let i = 0; i < count; i++) {
    const id = `handoff${i}x${Date.now()}`;
    const first = await holder.acquire(id, options);
    if (!first.ok) throw new Error('first acquire failed');
    const waiting = waiter.acquire(id, options).then((r) => ({ r, at: performance.now() }));
    await new Promise((r) => setTimeout(r, 2));
    const releasedAt = performance.now();
    await first.lock.release();
    const { r, at } = await waiting;
    if (!r.ok) throw new Error('waiter did not get the lock');
    times.push(at - releasedAt);
    await r.lock.release();
  }
  return { medianMs: round(percentile(times, 0.5)), p99Ms: round(percentile(times, 0.99)) };
}

/** phpredis' waiter: SET NX every lock_wait_time (20 ms), no wake-up. */
async function pollingHandOff(client: ReturnType<typeof createClient>, count: number): Promise<{ medianMs: number; p99Ms: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const key = `poll${i}x${Date.now()}_LOCK`;
    await client.set(key, 'holder', { expiration: { type: 'PX', value: 30_000 } });
    const waiting = (async () => {
      for (;;) {
        if ((await client.set(key, 'waiter', { condition: 'NX', expiration: { type: 'PX', value: 30_000 } })) === 'OK') return performance.now();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 2 + Math.random() * 20));
    const releasedAt = performance.now();
    await client.del(key);
    times.push((await waiting) - releasedAt);
  }
  return { medianMs: round(percentile(times, 0.5)), p99Ms: round(percentile(times, 0.99)) };
}

export async function sessionBench(): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  const docroot = tempDir({
    'hello.ts': `export default ({ echo }) => echo('Hello, world');`,
    'counter.ts': `export default async ({ session_start, $_SESSION, echo }) => { await session_start(); $_SESSION.n = ($_SESSION.n ?? 0) + 1; echo(String($_SESSION.n)); };`,
  });
  const handlers: Record<string, Record<string, string>> = {
    memory: { 'session.save_handler': 'memory' },
    files: { 'session.save_handler': 'files', 'session.save_path': tempDir({}, 'tsfpm-bench-sessions-') },
    redis: { 'session.save_handler': 'redis', 'session.save_path': `tcp://127.0.0.1:${redis.port}`, 'redis.session.lock_retries': '-1' },
  };
  const counter: Record<string, Record<string, number>> = {};
  const plain = await launch(docroot, {});
  counter['no session (hello)'] = { 'new session, 10 conn': await rps(plain.port, '/hello.ts', undefined, 10), 'shared session, 10 conn': NaN };
  plain.child.kill();
  for (const [name, ini] of Object.entries(handlers)) {
    const server = await launch(docroot, ini);
    const first = await fetch(`http://127.0.0.1:${server.port}/counter.ts`);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    await first.text();
    counter[name] = {
      'new session, 10 conn': await rps(server.port, '/counter.ts', undefined, 10),
      'shared session, 10 conn': await rps(server.port, '/counter.ts', cookie, 10),
    };
    server.child.kill();
  }

  const client = createClient({ url: redis.url });
  const other = createClient({ url: redis.url });
  await Promise.all([client.connect(), other.connect()]);
  const filesDir = tempDir({}, 'tsfpm-bench-locks-');
  const fileLocker = (): FileLocker => new FileLocker({ path: (id) => `${filesDir}/sess_${id}` });
  const memory = new MemoryLocker();
  const [fileA, fileB] = [fileLocker(), fileLocker()];
  const redisA = new RedisLocker({ client, lockKey: (id) => `sess:${id}_LOCK`, pollMs: 1000 });
  const redisB = new RedisLocker({ client: other, lockKey: (id) => `sess:${id}_LOCK`, pollMs: 1000 });
  const handoff = {
    'memory (in process)': await handOff(memory, memory, 200),
    'files (flock, two lockers)': await handOff(fileA, fileB, 100),
    'redis (pub/sub, two connections)': await handOff(redisA, redisB, 200),
    'redis, polling every 20 ms (phpredis default)': await pollingHandOff(client, 50),
  };
  await Promise.all([memory.close(), fileA.close(), fileB.close(), redisA.close(), redisB.close()]);
  await Promise.all([client.quit(), other.quit()]);
  await redis.stop();

  const ratio = Math.round((counter.redis!['new session, 10 conn']! / counter['no session (hello)']!['new session, 10 conn']!) * 100) / 100;
  console.log('\nsession counter, requests/s');
  console.table(counter);
  console.log('lock hand-off, release → waiter holds the lock (ms)');
  console.table(handoff);
  console.log(`redis session counter / same script without sessions: ${ratio}`);
  return { sessionCounterRequestsPerSecond: counter, lockHandOffMs: handoff, redisCounterVsNoSession: ratio };
}
