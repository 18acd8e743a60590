/**
 * One benchmark server per child process, so the load generator never shares an event loop with it:
 * `node --import tsx test/bench/servers.ts <tsfpm|tsfpm-dev|node|express> <docroot>` prints its port.
 * The IPC message 'memory' answers with this process's memory after a full GC (when run with
 * --expose-gc) and the pool's tail count; any other message stops the server.
 */
import express from 'express';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, type TsfpmServer } from '../../runtime/index.ts';

const [kind, docroot, sendmail] = process.argv.slice(2);
/** Extra settings, as JSON in TSFPM_BENCH_INI (the session benchmarks pass the handler and its path). */
const extraIni = JSON.parse(process.env.TSFPM_BENCH_INI ?? '{}') as Record<string, string>;
const hello = 'Hello, world';
let tsfpm: TsfpmServer | undefined;

async function start(): Promise<number> {
  if (kind === 'tsfpm' || kind === 'tsfpm-dev') {
    tsfpm = createServer({
      docroot: docroot!,
      production: kind === 'tsfpm',
      ini: { ...(sendmail ? { sendmail_path: sendmail } : {}), ...extraIni },
      log: () => {},
    });
    return (await tsfpm.listen(0, '127.0.0.1')).port;
  }
  const handler = (_req: unknown, res: import('node:http').ServerResponse) => {
    res.setHeader('Content-Type', 'text/html; charset=UTF-8');
    res.end(hello);
  };
  if (kind === 'node') {
    const server = createHttpServer(handler);
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
process.stdout.write(`${port}\n`);
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

process.on('message', (message) => {
  if (message !== 'memory') process.exit(0);
  // twice: the first pass runs finalizers that free more on the second
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const report: MemoryReport = { rss, heapUsed, external, arrayBuffers, gc: globalThis.gc !== undefined, tails: tsfpm?.config.pool.tails ?? 0, live: tsfpm?.config.live.size ?? 0 };
  process.send!(report);
});
