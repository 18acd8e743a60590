/**
 * What the status page shows, as plain data: PHP-FPM's pool fields, tsfpm's own beside them, and
 * (for `&full`) one entry per live request. A process takes its own snapshot; with several
 * processes the primary gathers theirs and they are merged into one pool, as PHP-FPM's status
 * shows one pool for all its children.
 * @module
 */
import type { Pool } from '../pool/pool.ts';
import { requestState, type RequestEnvironment, type RequestState } from '../request/request-context.ts';

/** The pool-wide view of several processes, gathered by the primary. */
export interface Peers {
  /** Every process's status snapshot, this one's included. */
  snapshots(): Promise<PoolSnapshot[]>;
  /** The Prometheus text of every process, aggregated. */
  metrics(): Promise<{ contentType: string; text: string }>;
}

/** A server as its pool's own pages see it (http/server-config.ts's ServerConfig is one). */
export interface AdminEnvironment extends RequestEnvironment {
  /** Children, queue, tail budget and the status page's counters. */
  readonly pool: Pool;
}

const peersByServer = new WeakMap<AdminEnvironment, Peers>();

/** The worker process of `--workers N` joins its server to the other processes serving the same port. */
export function joinPeers(env: AdminEnvironment, peers: Peers): void {
  peersByServer.set(env, peers);
}

/** The other processes whose figures the status page and metrics gather; undefined for a single process. */
export function peersOf(env: AdminEnvironment): Peers | undefined {
  return peersByServer.get(env);
}

export interface RequestSnapshot {
  /** The process serving it. */
  readonly pid: number;
  readonly state: RequestState;
  /** Unix time (s) the request started. */
  readonly startTime: number;
  /** Microseconds since it started (PHP-FPM's "request duration"). */
  readonly requestDuration: number;
  readonly requestMethod: string;
  readonly requestUri: string;
  readonly contentLength: number;
  readonly script: string;
  /** Holds a session lock now. */
  readonly sessionLocked: boolean;
}

export interface PoolSnapshot {
  readonly pool: string;
  readonly processManager: string;
  /** Unix time (s). */
  readonly startTime: number;
  readonly acceptedConn: number;
  readonly listenQueue: number;
  readonly maxListenQueue: number;
  readonly listenQueueLen: number;
  readonly idleProcesses: number;
  readonly activeProcesses: number;
  readonly totalProcesses: number;
  readonly maxActiveProcesses: number;
  readonly maxChildrenReached: number;
  readonly slowRequests: number;
  // tsfpm's own
  readonly workers: number;
  readonly tails: number;
  readonly tailQueue: number;
  readonly maxTails: number;
  readonly tailsRefused: number;
  readonly listenQueueRefused: number;
  readonly locksHeld: number;
  readonly lockWaiters: number;
  readonly lockWaits: number;
  readonly lockWaitSeconds: number;
  readonly lockTimeouts: number;
  readonly requests: readonly RequestSnapshot[];
}

export function localSnapshot(env: AdminEnvironment, now = Date.now()): PoolSnapshot {
  const { pool } = env;
  const c = pool.counters;
  const requests: RequestSnapshot[] = [];
  const perf = performance.now();
  for (const ctx of env.pool.live) {
    const elapsedMs = perf - ctx.startedAt;
    requests.push({
      pid: process.pid,
      state: requestState(ctx),
      startTime: Math.floor((now - elapsedMs) / 1000),
      requestDuration: Math.round(elapsedMs * 1000),
      requestMethod: ctx.req.method ?? 'GET',
      requestUri: ctx.req.url ?? '/',
      contentLength: ctx.input.length,
      script: ctx.target.file,
      sessionLocked: ctx.sessionLocked,
    });
  }
  return {
    pool: pool.settings.name,
    processManager: pool.settings.processManager,
    startTime: pool.startTime,
    acceptedConn: c.acceptedConn,
    listenQueue: pool.listenQueue,
    maxListenQueue: c.maxListenQueue,
    listenQueueLen: pool.settings.backlog,
    idleProcesses: pool.settings.maxChildren - pool.activeProcesses,
    activeProcesses: pool.activeProcesses,
    totalProcesses: pool.settings.maxChildren,
    maxActiveProcesses: c.maxActiveProcesses,
    maxChildrenReached: c.maxChildrenReached,
    slowRequests: c.slowRequests,
    workers: 1,
    tails: pool.tails,
    tailQueue: pool.tailQueue,
    maxTails: pool.settings.maxTails,
    tailsRefused: c.tailsRefused,
    listenQueueRefused: c.listenQueueRefused,
    locksHeld: pool.locksHeld,
    lockWaiters: pool.lockWaiters,
    lockWaits: c.lockWaits,
    lockWaitSeconds: c.lockWaitSeconds,
    lockTimeouts: c.lockTimeouts,
    requests,
  };
}

/** One pool from several processes' snapshots: counts add up, maxima of sums are approximated by sums. */
export function mergeSnapshots(parts: readonly PoolSnapshot[]): PoolSnapshot {
  const [first] = parts;
  if (first === undefined) throw new Error('mergeSnapshots: no snapshot');
  if (parts.length === 1) return first;
  const sum = (key: keyof PoolSnapshot): number => parts.reduce((total, p) => total + (p[key] as number), 0);
  return {
    pool: first.pool,
    processManager: first.processManager,
    startTime: Math.min(...parts.map((p) => p.startTime)),
    acceptedConn: sum('acceptedConn'),
    listenQueue: sum('listenQueue'),
    maxListenQueue: sum('maxListenQueue'),
    listenQueueLen: sum('listenQueueLen'),
    idleProcesses: sum('idleProcesses'),
    activeProcesses: sum('activeProcesses'),
    totalProcesses: sum('totalProcesses'),
    maxActiveProcesses: sum('maxActiveProcesses'),
    maxChildrenReached: sum('maxChildrenReached'),
    slowRequests: sum('slowRequests'),
    workers: sum('workers'),
    tails: sum('tails'),
    tailQueue: sum('tailQueue'),
    maxTails: sum('maxTails'),
    tailsRefused: sum('tailsRefused'),
    listenQueueRefused: sum('listenQueueRefused'),
    locksHeld: sum('locksHeld'),
    lockWaiters: sum('lockWaiters'),
    lockWaits: sum('lockWaits'),
    lockWaitSeconds: sum('lockWaitSeconds'),
    lockTimeouts: sum('lockTimeouts'),
    requests: parts.flatMap((p) => p.requests),
  };
}
