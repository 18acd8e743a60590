/**
 * The pool in Prometheus terms (prom-client): script requests by method and status, response and
 * background-tail times, session lock waits, the pool's gauges and counters read at scrape time,
 * and Node's process metrics (event-loop lag shows a script that blocks every other request).
 *
 * Each server has a registry of its own, never prom-client's global one, so servers in one process
 * (tests, an app mounting two document roots) keep apart. With several worker processes each worker
 * hands its registry to prom-client's AggregatorRegistry: every tsfpm metric adds up across workers
 * (prom-client's default 'sum': a pool's children, queues and limits are the sum of its workers'),
 * and the process metrics carry prom-client's own aggregators (start time omitted, lag averaged).
 * @module
 */
import type { AdminEnvironment } from './snapshot.ts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Pool, PoolCounters } from '../pool/pool.ts';

export interface Metrics {
  /** This server's registry: what AggregatorRegistry.setRegistries() takes in a worker. */
  readonly registry: Registry;
  /** The Content-Type of text(). */
  readonly contentType: string;
  /** The exposition text of this process. */
  text(): Promise<string>;
}

const RESPONSE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const TAIL_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const LOCK_WAIT_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Read from the pool at each scrape. */
const GAUGES: readonly (readonly [name: string, help: string, read: (pool: Pool) => number])[] = [
  ['tsfpm_active_processes', 'Children in use: scripts that have not finished their response (pm.max_children slots).', (p) => p.activeProcesses],
  ['tsfpm_max_children', 'The pm.max_children setting.', (p) => p.settings.maxChildren],
  ['tsfpm_listen_queue', 'Requests waiting for a child.', (p) => p.listenQueue],
  ['tsfpm_background_tails', 'Scripts running on after fastcgi_finish_request() or waitUntil().', (p) => p.tails],
  ['tsfpm_tail_queue', 'Background tails waiting for a slot (tsfpm.max_tails, tsfpm.tail_overflow = wait).', (p) => p.tailQueue],
  ['tsfpm_session_locks_held', 'Session locks held by requests of this pool.', (p) => p.locksHeld],
  ['tsfpm_session_lock_waiters', 'Requests waiting for a session lock.', (p) => p.lockWaiters],
];

/** The pool's own counters, mirrored at each scrape. */
const COUNTERS: readonly (readonly [name: string, help: string, key: keyof PoolCounters])[] = [
  ['tsfpm_accepted_connections_total', 'Script requests accepted by the pool (PHP-FPM: accepted conn).', 'acceptedConn'],
  ['tsfpm_max_children_reached_total', 'Times every child was busy (PHP-FPM: max children reached, at most once a second).', 'maxChildrenReached'],
  ['tsfpm_slow_requests_total', 'Requests that ran past request_slowlog_timeout.', 'slowRequests'],
  ['tsfpm_listen_queue_refused_total', 'Requests answered 503 because the listen queue (listen.backlog) was full.', 'listenQueueRefused'],
  ['tsfpm_tails_refused_total', 'Background tails not run because tsfpm.max_tails were running (tsfpm.tail_overflow = refuse).', 'tailsRefused'],
];

const byServer = new WeakMap<AdminEnvironment, Metrics>();

/**
 * The server's metrics, made on the first call, which subscribes them to the pool: the request
 * handler calls this when it is created, so they count from the first request.
 */
export function metricsOf(env: AdminEnvironment): Metrics {
  let metrics = byServer.get(env);
  if (!metrics) {
    metrics = createMetrics(env.pool);
    byServer.set(env, metrics);
  }
  return metrics;
}

function createMetrics(pool: Pool): Metrics {
  const own = new Registry();
  const registers = [own];
  const requests = new Counter({ name: 'tsfpm_requests_total', help: 'Script requests, by method and status code, counted at their end.', labelNames: ['method', 'status'], registers });
  const responseTime = new Histogram({
    name: 'tsfpm_response_time_seconds',
    help: 'From the start of a script request until its response was complete (the finish, for scripts that call fastcgi_finish_request()).',
    labelNames: ['method'],
    buckets: RESPONSE_BUCKETS,
    registers,
  });
  const tailDuration = new Histogram({ name: 'tsfpm_tail_duration_seconds', help: 'Background tails, from the finish of the response to the end of the script.', buckets: TAIL_BUCKETS, registers });
  const lockWait = new Histogram({
    name: 'tsfpm_session_lock_wait_seconds',
    help: 'Waits for a session lock, by whether it was acquired or given up (session lock timeout).',
    labelNames: ['acquired'],
    buckets: LOCK_WAIT_BUCKETS,
    registers,
  });
  for (const [name, help, read] of GAUGES) {
    new Gauge({ name, help, registers, collect() { this.set(read(pool)); } });
  }
  for (const [name, help, key] of COUNTERS) {
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(pool.counters[key]); } });
  }

  // label objects made once per method and status (node:http's parser admits only the methods it
  // knows), not per request: prom-client only reads them
  const methodLabels = new Map<string, { method: string }>();
  const statusLabels = new Map<string, Map<number, { method: string; status: string }>>();
  pool.observe({
    requestEnded(request) {
      const { method, status } = request;
      let byMethod = methodLabels.get(method);
      if (byMethod === undefined) methodLabels.set(method, (byMethod = { method }));
      let byStatus = statusLabels.get(method);
      if (byStatus === undefined) statusLabels.set(method, (byStatus = new Map()));
      let withStatus = byStatus.get(status);
      if (withStatus === undefined) byStatus.set(status, (withStatus = { method, status: String(status) }));
      requests.inc(withStatus);
      responseTime.observe(byMethod, request.responseSeconds);
      if (request.tailSeconds !== undefined) tailDuration.observe(request.tailSeconds);
    },
    lockWaited(seconds, acquired) {
      lockWait.observe({ acquired: String(acquired) }, seconds);
    },
  });

  const registry = Registry.merge([own, processRegistry()]);
  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
  };
}

let processMetrics: Registry | undefined;

/**
 * Node's process metrics, made once per process and shared by every server's registry: each set
 * starts an event-loop delay monitor and a GC observer that nothing stops.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
