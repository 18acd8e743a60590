/**
 * The standalone HTTP server (what the CLI runs), with a graceful close: stop accepting, let every
 * response in flight and every background tail finish (up to a deadline), then cut what is left.
 * @module
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConfig, type ServerConfig, type TsfpmOptions } from './server-config.ts';
import { Connections } from './connections.ts';
import { createRequestHandler } from './dispatch.ts';
import { applyHttpLimits, httpServerOptions } from './http-limits.ts';
import { stopRequest } from '../request/run-request.ts';
import { stopWatchdog } from '../pool/watchdog.ts';

/** How often a stopping server looks at its requests and connections. */
const TICK_MS = 50;
/** After the cut, how long the 503s of cut responses get to leave before every connection is closed. */
const FLUSH_MS = 1000;

export interface TsfpmServer {
  readonly http: Server;
  readonly config: ServerConfig;
  /** Listens on `port` (0 = any free one) at `host`; resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * The graceful stop. It stops accepting at once; responses in flight are finished (with
   * `Connection: close`), background tails run on, idle keep-alive connections are closed once
   * nothing else is left (with `handOver`, by their keep-alive timeout: see connections.ts). At
   * `graceMs` every request still live is cut with stopRequest(): logged "cut at shutdown" with its
   * script and URI, its session written and unlocked, a 503 if its response had not started.
   * Called again while stopping, it can only bring the deadline nearer (`close(0)`: cut now) and
   * end a hand-over. Resolves with the number of requests cut.
   */
  close(graceMs?: number, options?: CloseOptions): Promise<number>;
}

export interface CloseOptions {
  /** Other processes go on serving this port (a worker being replaced): their clients move over. */
  readonly handOver?: boolean;
}

interface Stopping {
  handOver: boolean;
  deadline: number;
  /** Ends the current wait early: the deadline moved. */
  wake: () => void;
  readonly done: Promise<number>;
}

export function createServer(options: TsfpmOptions): TsfpmServer {
  return serverFor(createConfig(options));
}

/** The server of a config already built (the CLI reads its settings before it knows which process it is). */
export function serverFor(config: ServerConfig): TsfpmServer {
  const handler = createRequestHandler(config);
  const http = createHttpServer(httpServerOptions(config));
  const connections = new Connections(http);
  const gate = applyHttpLimits(http, config, connections);
  http.on('request', (req, res) => {
    if (gate(req, res, connections.request(req, res))) handler(req, res);
  });
  let stopping: Stopping | undefined;
  return {
    http,
    config,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve(http.address() as AddressInfo);
        });
      });
    },
    close(graceMs = 10_000, { handOver = false } = {}) {
      const deadline = Date.now() + Math.max(0, graceMs);
      if (stopping) {
        if (!handOver) stopping.handOver = false;
        if (deadline < stopping.deadline) {
          stopping.deadline = deadline;
          stopping.wake();
        }
        return stopping.done;
      }
      const state: Omit<Stopping, 'done'> = { handOver, deadline, wake: () => {} };
      stopping = Object.assign(state, { done: stop(http, config, connections, state) });
      return stopping.done;
    },
  };
}

async function stop(http: Server, config: ServerConfig, connections: Connections, state: Omit<Stopping, 'done'>): Promise<number> {
  const started = performance.now();
  // http.Server#close() also closes idle keep-alive connections at once, racing their clients'
  // next requests: that one step is skipped, connections.ts closes them
  const closeIdle = http.closeIdleConnections;
  http.closeIdleConnections = () => {};
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  http.closeIdleConnections = closeIdle;
  connections.drain();
  const tails = [...config.pool.live].filter((ctx) => ctx.phase === 'finished').length;
  const seconds = Math.round((state.deadline - Date.now()) / 1000);
  config.log(`tsfpm: graceful stop: no longer accepting; waiting up to ${seconds} s for ${connections.responses} responses in flight and ${tails} background tails`);
  while (Date.now() < state.deadline && (config.pool.live.size > 0 || connections.size > 0)) {
    if (!state.handOver && config.pool.live.size === 0 && connections.responses === 0) connections.closeIdle();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(TICK_MS, Math.max(0, state.deadline - Date.now())));
      state.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  const cut = [...config.pool.live];
  await Promise.all(cut.map((ctx) => stopRequest(ctx, 503, 'cut at shutdown')));
  const flushBy = Date.now() + FLUSH_MS;
  while (connections.responses > 0 && Date.now() < flushBy) await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  connections.destroyAll();
  await closed;
  stopWatchdog(config);
  const took = ((performance.now() - started) / 1000).toFixed(1);
  config.log(`tsfpm: stopped after ${took} s${cut.length ? `; ${cut.length} requests cut at shutdown` : ', every request finished'}`);
  return cut.length;
}
