/**
 * One benchmark server per child process, so the load generator never shares an event loop with it:
 * `node --import tsx test/bench/servers.ts <tsfpm|tsfpm-dev|node|node-2|node-als|express> <docroot>` prints
 * its port (node-2: bare node:http in two node:cluster workers, as `--workers 2` runs tsfpm). IPC messages: 'memory' answers with this process's memory after a full GC (when run with
 * --expose-gc) and the pool's tail count; 'alloc-start' and 'alloc-stop' measure the bytes allocated
 * per request in between (from V8's heap before and after each GC); any other message stops it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import cluster from 'node:cluster';
import express from 'express';
import { createServer as createHttpServer, type Server } from 'node:http';
import v8 from 'node:v8';
import type { AddressInfo } from 'node:net';
import { createServer, type TsfpmServer } from '../../runtime/index.ts';

const [kind, docroot, sendmail] = process.argv.slice(2);
/** Extra settings, as JSON in TSFPM_BENCH_INI (the session benchmarks pass the handler and its path). */
const extraIni = JSON.parse(process.env.TSFPM_BENCH_INI ?? '{}') as Record<string, string>;
const hello = 'Hello, world';
let tsfpm: TsfpmServer | undefined;
let http: Server | undefined;

async function start(): Promise<number> {
  if (kind === 'tsfpm' || kind === 'tsfpm-dev') {
    tsfpm = createServer({
      docroot: docroot!,
      production: kind === 'tsfpm',
      ini: { ...(sendmail ? { sendmail_path: sendmail } : {}), ...extraIni },
      log: () => {},
    });
    http = tsfpm.http;
    return (await tsfpm.listen(0, '127.0.0.1')).port;
  }
  const handler = (_req: unknown, res: import('node:http').ServerResponse) => {
    res.setHeader('Content-Type', 'text/html; charset=UTF-8');
    res.end(hello);
  };
  if (kind === 'node-2' && cluster.isPrimary) {
    // workers that listen on port 0 share one port, which the primary learns from the first
    const listening = new Promise<number>((resolve) => cluster.once('listening', (_w, address) => resolve(address.port)));
    for (let i = 0; i < 2; i++) cluster.fork();
    process.once('SIGTERM', () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill();
      process.exit(0);
    });
    return listening;
  }
  if (kind === 'node' || kind === 'node-als' || kind === 'node-2') {
    // node-als: the least a request runtime built on AsyncLocalStorage pays (an async handler run in a store)
    const storage = new AsyncLocalStorage<object>();
    const server = (http = createHttpServer(
      kind === 'node'
        ? handler
        : (req, res) => {
            void storage.run({ req }, async () => handler(req, res));
          },
    ));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }
  const app = express();
  app.get('/hello.ts', (_req, res) => handler(_req, res));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return (server.address() as AddressInfo).port;
}

const port = await start();
if (cluster.isPrimary) process.stdout.write(`${port}\n`);
/** What test/bench/production.ts reads: memory after a full GC, and the requests in their tails. */
export interface MemoryReport {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  gc: boolean;
  tails: number;
  live: number;
}

let allocation: { profiler: { start(): void; stop(): { statistics: GcStatistics[] } }; requests: number; count: () => void; usedAtStart: number } | undefined;

interface GcStatistics {
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

/** What 'alloc-stop' answers. */
export interface AllocationReport {
  requests: number;
  bytesPerRequest: number;
  gcs: number;
}

process.on('message', (message) => {
  if (message === 'alloc-start') {
    const count = () => allocation!.requests++;
    const Profiler = (v8 as unknown as { GCProfiler: new () => { start(): void; stop(): { statistics: GcStatistics[] } } }).GCProfiler;
    allocation = { profiler: new Profiler(), requests: 0, count, usedAtStart: v8.getHeapStatistics().used_heap_size };
    http!.on('request', count);
    allocation.profiler.start();
    process.send!('alloc-started');
    return;
  }
  if (message === 'alloc-stop' && allocation) {
    const stats = allocation.profiler.stop().statistics;
    http!.off('request', allocation.count);
    // allocated between two GCs = used before the later one - used after the earlier one
    let bytes = 0;
    let after = allocation.usedAtStart;
    for (const gc of stats) {
      bytes += gc.beforeGC.heapStatistics.usedHeapSize - after;
      after = gc.afterGC.heapStatistics.usedHeapSize;
    }
    bytes += v8.getHeapStatistics().used_heap_size - after;
    const report: AllocationReport = { requests: allocation.requests, bytesPerRequest: Math.round(bytes / Math.max(1, allocation.requests)), gcs: stats.length };
    process.send!(report);
    return;
  }
  if (message !== 'memory') process.exit(0);
  // twice: the first pass runs finalizers that free more on the second
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const report: MemoryReport = { rss, heapUsed, external, arrayBuffers, gc: globalThis.gc !== undefined, tails: tsfpm?.config.pool.tails ?? 0, live: tsfpm?.config.pool.live.size ?? 0 };
  process.send!(report);
});
