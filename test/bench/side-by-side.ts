/**
 * The figures tsfpm is held to (issue #9), side by side in one run on this machine: nginx + PHP-FPM
 * 8.2 (pm=static, 5 children, Debian's php.ini; see php-fpm.ts) when installed, tsfpm's CLI with
 * production settings as one process and with --workers 2 (for hello world and the session counters:
 * the latter's targets are reported for both), bare node:http and node:http with an
 * AsyncLocalStorage store per request (the ceiling of a runtime built on it), and bare node:http in two
 * node:cluster workers (the ceiling of what a second worker adds on this machine). Each workload's
 * servers are measured in alternating rounds, so noise on this shared machine hits them alike;
 * figures are medians. Also: bytes allocated per hello-world request, and whether the shared-session
 * counters lost an update.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../support/redis.ts';
import { tempDir } from '../support/server.ts';
import { launchCli, stopCli, type CliServer } from './cli-server.ts';
import { load, loadGenerator, type LoadResult } from './load.ts';
import { startPhpFpm } from './php-fpm.ts';
import type { AllocationReport } from './servers.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

const TS_SCRIPTS = {
  'hello.ts': `export default ({ echo }) => echo('Hello, world');`,
  'counter.ts': `export default async ({ session_start, $_SESSION, echo }) => { await session_start(); $_SESSION.n = ($_SESSION.n ?? 0) + 1; echo(String($_SESSION.n)); };`,
};

/** Settings both sides get alike: Debian's php.ini leaves session gc to cron (gc_probability=0). */
const SESSION_INI = ['-d', 'session.gc_probability=0'];

interface Target {
  readonly name: string;
  readonly url: string;
  /** For a shared session: the cookie of a session made before the rounds. */
  cookie?: string;
}

function fork_(kind: string, docroot: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(here('./servers.ts'), [kind, docroot], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited ${code}`)));
  });
}

/** ROUNDS rounds over every target in turn; medians per target. */
async function rounds(targets: Target[]): Promise<Record<string, { rps: number; p99Ms: number; requests: number }>> {
  const samples = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  for (const t of targets) await load(t.url, { connections: CONNECTIONS, seconds: 1, headers: t.cookie ? { cookie: t.cookie } : {} }); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of targets) {
      const result = await load(t.url, { connections: CONNECTIONS, seconds: SECONDS, headers: t.cookie ? { cookie: t.cookie } : {} });
      if (result.errors > 0) throw new Error(`${t.name}: ${result.errors} failed requests of ${result.requests}`);
      samples.get(t.name)!.push(result);
    }
  }
  return Object.fromEntries(
    targets.map((t) => {
      const xs = samples.get(t.name)!;
      return [t.name, { rps: Math.round(median(xs.map((x) => x.requestsPerSecond))), p99Ms: round(median(xs.map((x) => x.p99Ms))), requests: xs.reduce((a, x) => a + x.requests, 0) }];
    }),
  );
}

async function sessionCookie(url: string): Promise<string> {
  const res = await fetch(url);
  await res.text();
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`${url} set no session cookie`);
  return cookie;
}

/** The shared session's counter now; it must have counted every request answered (lost updates show as fewer). */
async function counterValue(url: string, cookie: string): Promise<number> {
  const res = await fetch(url, { headers: { cookie } });
  return Number(await res.text());
}

async function allocation(docroot: string, kind: string): Promise<AllocationReport> {
  const server = await fork_(kind, docroot);
  try {
    const url = `http://127.0.0.1:${server.port}/hello.ts`;
    await load(url, { connections: 10, seconds: 1 });
    const ask = <T>(message: string): Promise<T> => new Promise((resolve) => {
      server.child.once('message', (m) => resolve(m as T));
      server.child.send(message);
    });
    await ask('alloc-start');
    await load(url, { connections: 10, seconds: SECONDS });
    return await ask<AllocationReport>('alloc-stop');
  } finally {
    server.child.kill();
  }
}

export async function sideBySide(): Promise<Record<string, unknown>> {
  const docroot = tempDir(TS_SCRIPTS);
  const sessions = tempDir({}, 'tsfpm-bench-sessions-');
  const sessions2 = tempDir({}, 'tsfpm-bench-sessions-');
  const redis = await startRedis();
  const fpm = await startPhpFpm(redis.port);
  const cli: CliServer[] = [];
  const forked: ChildProcess[] = [];
  const ts = async (extra: string[]): Promise<string> => {
    const server = await launchCli(docroot, ['--production', ...extra]);
    cli.push(server);
    return `http://127.0.0.1:${server.port}`;
  };
  try {
    // hello world
    const node = await fork_('node', docroot);
    const nodeAls = await fork_('node-als', docroot);
    const node2 = await fork_('node-2', docroot);
    forked.push(node.child, nodeAls.child, node2.child);
    const one = await ts([]);
    const two = await ts(['--workers', '2']);
    const hello: Target[] = [
      ...(fpm ? [{ name: 'nginx + PHP-FPM', url: `http://127.0.0.1:${fpm.filesPort}/hello.php` }] : []),
      { name: 'tsfpm', url: `${one}/hello.ts` },
      { name: 'tsfpm --workers 2', url: `${two}/hello.ts` },
      { name: 'node:http', url: `http://127.0.0.1:${node.port}/hello.ts` },
      { name: 'node:http + AsyncLocalStorage', url: `http://127.0.0.1:${nodeAls.port}/hello.ts` },
      { name: 'node:http, 2 cluster workers', url: `http://127.0.0.1:${node2.port}/hello.ts` },
    ];
    const helloFigures = await rounds(hello);
    await Promise.all(cli.splice(0).map(stopCli));
    for (const child of forked.splice(0)) child.kill();

    // session counters
    const files = await ts([...SESSION_INI, '-d', `session.save_path=${sessions}`]);
    const redisTs = await ts([...SESSION_INI, '-d', 'session.save_handler=redis', '-d', `session.save_path="tcp://127.0.0.1:${redis.port}?prefix=tsbench:"`]);
    // the same with two workers, each server with its own session folder or key prefix
    const files2 = await ts(['--workers', '2', ...SESSION_INI, '-d', `session.save_path=${sessions2}`]);
    const redis2 = await ts(['--workers', '2', ...SESSION_INI, '-d', 'session.save_handler=redis', '-d', `session.save_path="tcp://127.0.0.1:${redis.port}?prefix=tsbench2:"`]);
    const counters: Target[] = [
      ...(fpm ? [{ name: 'PHP-FPM files, new session', url: `http://127.0.0.1:${fpm.filesPort}/counter.php` }] : []),
      { name: 'tsfpm files, new session', url: `${files}/counter.ts` },
      ...(fpm ? [{ name: 'PHP-FPM files, shared session', url: `http://127.0.0.1:${fpm.filesPort}/counter.php`, cookie: '' }] : []),
      { name: 'tsfpm files, shared session', url: `${files}/counter.ts`, cookie: '' },
      ...(fpm?.redisPort ? [{ name: 'PHP-FPM phpredis, new session', url: `http://127.0.0.1:${fpm.redisPort}/counter.php` }] : []),
      { name: 'tsfpm redis, new session', url: `${redisTs}/counter.ts` },
      ...(fpm?.redisPort ? [{ name: 'PHP-FPM phpredis, shared session', url: `http://127.0.0.1:${fpm.redisPort}/counter.php`, cookie: '' }] : []),
      { name: 'tsfpm redis, shared session', url: `${redisTs}/counter.ts`, cookie: '' },
      { name: 'tsfpm redis server, no session (hello)', url: `${redisTs}/hello.ts` },
      { name: 'tsfpm --workers 2 files, new session', url: `${files2}/counter.ts` },
      { name: 'tsfpm --workers 2 files, shared session', url: `${files2}/counter.ts`, cookie: '' },
      { name: 'tsfpm --workers 2 redis, new session', url: `${redis2}/counter.ts` },
      { name: 'tsfpm --workers 2 redis server, no session (hello)', url: `${redis2}/hello.ts` },
    ];
    for (const t of counters) if (t.cookie === '') t.cookie = await sessionCookie(t.url);
    const counterFigures = await rounds(counters);
    const lostUpdates: Record<string, number> = {};
    for (const t of counters) {
      if (!t.cookie) continue;
      // the warm-up round and the first request are not in `requests`: the counter may only be higher
      const value = (await counterValue(t.url, t.cookie)) - 1;
      lostUpdates[t.name] = Math.max(0, counterFigures[t.name]!.requests - value);
    }

    const alloc = { tsfpm: await allocation(docroot, 'tsfpm'), 'node:http': await allocation(docroot, 'node') };

    const rps = (name: string) => helloFigures[name]?.rps ?? NaN;
    const c = (name: string) => counterFigures[name]?.rps ?? NaN;
    const targets = {
      'hello: tsfpm / PHP-FPM (≥ 2)': round(rps('tsfpm') / rps('nginx + PHP-FPM')),
      'hello: tsfpm / node:http (≥ 0.5)': round(rps('tsfpm') / rps('node:http')),
      'files, new session: tsfpm / PHP-FPM (≥ 1)': round(c('tsfpm files, new session') / c('PHP-FPM files, new session')),
      'files, shared session: tsfpm / PHP-FPM (≥ 1)': round(c('tsfpm files, shared session') / c('PHP-FPM files, shared session')),
      'redis, new session: tsfpm / PHP-FPM phpredis (≥ 1)': round(c('tsfpm redis, new session') / c('PHP-FPM phpredis, new session')),
      'redis, new session: tsfpm / same server without sessions (≥ 0.5)': round(c('tsfpm redis, new session') / c('tsfpm redis server, no session (hello)')),
      'files, new session: tsfpm --workers 2 / PHP-FPM (≥ 1)': round(c('tsfpm --workers 2 files, new session') / c('PHP-FPM files, new session')),
      'files, shared session: tsfpm --workers 2 / PHP-FPM (≥ 1)': round(c('tsfpm --workers 2 files, shared session') / c('PHP-FPM files, shared session')),
      'redis, new session: tsfpm --workers 2 / PHP-FPM phpredis (≥ 1)': round(c('tsfpm --workers 2 redis, new session') / c('PHP-FPM phpredis, new session')),
      'redis, new session: tsfpm --workers 2 / same server without sessions (≥ 0.5)': round(c('tsfpm --workers 2 redis, new session') / c('tsfpm --workers 2 redis server, no session (hello)')),
      '--workers 2 / 1 process (≥ 1.6)': round(rps('tsfpm --workers 2') / rps('tsfpm')),
      'ceiling: node:http, 2 cluster workers / 1 process': round(rps('node:http, 2 cluster workers') / rps('node:http')),
      'ceiling: node:http / PHP-FPM': round(rps('node:http') / rps('nginx + PHP-FPM')),
      'ceiling: node:http + AsyncLocalStorage / PHP-FPM': round(rps('node:http + AsyncLocalStorage') / rps('nginx + PHP-FPM')),
      'p99 at 50 connections: tsfpm / PHP-FPM (≤ 1)': round((helloFigures.tsfpm?.p99Ms ?? NaN) / (helloFigures['nginx + PHP-FPM']?.p99Ms ?? NaN)),
      'bytes allocated per hello request': alloc.tsfpm.bytesPerRequest,
    };
    console.log(`\nside by side (${loadGenerator}, ${CONNECTIONS} connections, median of ${ROUNDS} rounds of ${SECONDS} s${fpm ? '' : '; nginx + PHP-FPM not installed: its column skipped'})`);
    console.table(helloFigures);
    console.table(counterFigures);
    console.log('lost updates in shared-session counters (must be 0)');
    console.table(lostUpdates);
    console.log('bytes allocated per hello-world request');
    console.table(alloc);
    console.log('targets');
    console.table(targets);
    return { loadGenerator, connections: CONNECTIONS, phpFpm: fpm ? 'nginx + PHP-FPM 8.2, pm=static, 5 children' : 'not installed', hello: helloFigures, sessionCounters: counterFigures, lostUpdates, allocation: alloc, targets };
  } finally {
    await Promise.all(cli.map(stopCli));
    for (const child of forked) child.kill();
    await fpm?.stop();
    await redis.stop();
    rmSync(docroot, { recursive: true, force: true });
    rmSync(sessions, { recursive: true, force: true });
    rmSync(sessions2, { recursive: true, force: true });
  }
}


if (import.meta.url === `file://${process.argv[1]}`) await sideBySide();
