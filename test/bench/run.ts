/**
 * `npm run bench`: figures, not pass/fail. Side by side in one run, on this machine:
 * - the targets tsfpm is held to (side-by-side.ts): hello world and session counters against nginx +
 *   PHP-FPM 8.2 and bare node:http, --workers 2, bytes allocated per request;
 * - requests/s of a hello-world script through tsfpm (production and dev settings) vs the same handler on
 *   bare node:http and on Express, at 1 and 50 connections, rounds interleaved so noise hits all alike;
 * - time to full response of hello-world, mail-fast and mail-slow with a 2 s sendmail_path;
 * - sessions (sessions.ts) and production figures (production.ts): latency under 10,000 background
 *   tails, memory per tail, one process vs --workers 2.
 * Writes test/bench/results.json and prints a table.
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fakeSendmail } from '../support/fake-sendmail.ts';
import { productionBench } from './production.ts';
import { sessionBench } from './sessions.ts';
import { sideBySide } from './side-by-side.ts';
import { tempDir } from '../support/server.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Running {
  child: ChildProcess;
  port: number;
}

function launch(kind: string, docroot: string, sendmail = ''): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = fork(here('./servers.ts'), [kind, docroot, sendmail], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited ${code}`)));
  });
}

async function rps(port: number, connections: number): Promise<number> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/hello.ts`, connections, duration: SECONDS, pipelining: 1 });
  if (result.non2xx || result.errors) throw new Error(`errors while benchmarking port ${port}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

async function timeToResponse(port: number, path: string, body: string | undefined, count: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    await res.text();
    times.push(performance.now() - started);
    // let the previous request's tail start (mail() spawns sendmail) before timing the next one
    await new Promise((r) => setTimeout(r, 100));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const versus = await sideBySide();
const docroot = tempDir({ 'hello.ts': `export default ({ echo }) => echo('Hello, world');` });
const kinds = ['tsfpm', 'tsfpm-dev', 'node', 'express'];
const servers = Object.fromEntries(await Promise.all(kinds.map(async (k) => [k, await launch(k, docroot)] as const)));
const throughput: Record<string, Record<number, number>> = {};
for (const connections of [1, 50]) {
  const samples: Record<string, number[]> = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of kinds) samples[k]!.push(await rps(servers[k]!.port, connections));
  }
  for (const k of kinds) (throughput[k] ??= {})[connections] = Math.round(median(samples[k]!));
}
for (const { child } of Object.values(servers)) child.kill();

const mail = fakeSendmail(2);
const scripts = fileURLToPath(new URL('../../scripts/', import.meta.url));
const mailServer = await launch('tsfpm', scripts, mail.command);
const helloServer = await launch('tsfpm', docroot);
const responseMs = {
  hello: await timeToResponse(helloServer.port, '/hello.ts', undefined, 30),
  'mail-fast': await timeToResponse(mailServer.port, '/mail-fast.php', 'email=bench%40example.com', 10),
  'mail-slow': await timeToResponse(mailServer.port, '/mail-slow.php', 'email=bench%40example.com', 3),
};
mailServer.child.kill();
helloServer.child.kill();

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const results = {
  date: new Date().toISOString(),
  node: process.version,
  secondsPerSample: SECONDS,
  rounds: ROUNDS,
  requestsPerSecond: throughput,
  ratios: Object.fromEntries(
    [1, 50].map((c) => [c, { 'tsfpm/node': ratio(throughput.tsfpm![c]!, throughput.node![c]!), 'tsfpm/express': ratio(throughput.tsfpm![c]!, throughput.express![c]!), 'tsfpm-dev/node': ratio(throughput['tsfpm-dev']![c]!, throughput.node![c]!) }]),
  ),
  timeToResponseMs: Object.fromEntries(Object.entries(responseMs).map(([k, v]) => [k, Math.round(v * 100) / 100])),
  fastMailMinusHelloMs: Math.round((responseMs['mail-fast'] - responseMs.hello) * 100) / 100,
  sideBySide: versus,
  sessions: {} as Record<string, unknown>,
  production: {} as Record<string, unknown>,
};
results.sessions = await sessionBench();
results.production = await productionBench();
writeFileSync(here('./results.json'), JSON.stringify(results, null, 2) + '\n');

console.log('\nrequests/s (median of %d rounds of %d s)', ROUNDS, SECONDS);
console.table(Object.fromEntries(kinds.map((k) => [k, { '1 conn': throughput[k]![1], '50 conn': throughput[k]![50] }])));
console.log('ratios');
console.table(results.ratios);
console.log('time to full response, median ms (sendmail_path takes 2 s)');
console.table(results.timeToResponseMs);
console.log(`fast mail script minus hello-world: ${results.fastMailMinusHelloMs} ms`);
