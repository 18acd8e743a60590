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
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type HistogramConfiguration, type LabelValues, type MetricValueWithName } from 'prom-client';
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

/** One label set's observations: counts per bucket (not cumulative; the last one is +Inf), their sum and count. */
interface Series {
  readonly labels: LabelValues<string>;
  readonly counts: number[];
  sum: number;
  count: number;
}

/** A sample as prom-client's histogram hands it to the registry: its own labels, and the series' labels beside them. */
type PromStringValue = MetricValueWithName<string> & { sharedLabels: LabelValues<string> };

/**
 * A histogram counted in plain numbers, read into prom-client's shapes only when scraped:
 * prom-client's own observe() validates and hashes the label set on every call, a few µs per request.
 */
class TalliedHistogram extends Histogram<string> {
  readonly #name: string;
  readonly #help: string;
  readonly #bounds: readonly number[];
  /** With labels, a series is printed once it has a sample; without, from the start (as prom-client does). */
  readonly #labelled: boolean;
  readonly #series: Series[] = [];

  constructor(configuration: HistogramConfiguration<string> & { buckets: readonly number[] }) {
    super({ ...configuration, buckets: [...configuration.buckets] });
    this.#name = configuration.name;
    this.#help = configuration.help;
    this.#bounds = configuration.buckets;
    this.#labelled = (configuration.labelNames?.length ?? 0) > 0;
  }

  /** A label set to count into, made once: tally() is the per-request part. */
  series(labels: LabelValues<string>): Series {
    const series: Series = { labels, counts: new Array<number>(this.#bounds.length + 1).fill(0), sum: 0, count: 0 };
    this.#series.push(series);
    return series;
  }

  tally(series: Series, value: number): void {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  /** What prom-client's Histogram reads from its own state to print and to aggregate (get() splays the labels of these). */
  async getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; values: PromStringValue[]; aggregator: 'sum' }> {
    const name = this.#name;
    const values: PromStringValue[] = [];
    for (const { labels, counts, sum, count } of this.#series) {
      if (count === 0 && this.#labelled) continue;
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({ labels: { le }, sharedLabels: labels, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: `${name}_bucket` },
        { labels: {}, sharedLabels: labels, value: sum, metricName: `${name}_sum` },
        { labels: {}, sharedLabels: labels, value: count, metricName: `${name}_count` },
      );
    }
    return { name, help: this.#help, type: 'histogram', values, aggregator: 'sum' };
  }
}

/** What one method's requests add to: its response-time series and a count per status code. */
interface MethodTally {
  readonly responseTime: Series;
  readonly byStatus: Map<number, { readonly labels: { method: string; status: string }; count: number }>;
}

function createMetrics(pool: Pool): Metrics {
  const own = new Registry();
  const registers = [own];
  const methods = new Map<string, MethodTally>();
  new Counter({
    name: 'tsfpm_requests_total',
    help: 'Script requests, by method and status code, counted at their end.',
    labelNames: ['method', 'status'],
    registers,
    collect() {
      this.reset();
      for (const { byStatus } of methods.values()) for (const { labels, count } of byStatus.values()) this.inc(labels, count);
    },
  });
  const responseTime = new TalliedHistogram({
    name: 'tsfpm_response_time_seconds',
    help: 'From the start of a script request until its response was complete (the finish, for scripts that call fastcgi_finish_request()).',
    labelNames: ['method'],
    buckets: RESPONSE_BUCKETS,
    registers,
  });
  const tailDuration = new TalliedHistogram({ name: 'tsfpm_tail_duration_seconds', help: 'Background tails, from the finish of the response to the end of the script.', buckets: TAIL_BUCKETS, registers });
  const tails = tailDuration.series({});
  const lockWait = new TalliedHistogram({
    name: 'tsfpm_session_lock_wait_seconds',
    help: 'Waits for a session lock, by whether it was acquired or given up (session lock timeout).',
    labelNames: ['acquired'],
    buckets: LOCK_WAIT_BUCKETS,
    registers,
  });
  const lockAcquired = lockWait.series({ acquired: 'true' });
  const lockGivenUp = lockWait.series({ acquired: 'false' });
  for (const [name, help, read] of GAUGES) {
    new Gauge({ name, help, registers, collect() { this.set(read(pool)); } });
  }
  for (const [name, help, key] of COUNTERS) {
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(pool.counters[key]); } });
  }

  // one entry per method and status (node:http's parser admits only the methods it knows)
  pool.observe({
    requestEnded(request) {
      const { method, status } = request;
      let tally = methods.get(method);
      if (tally === undefined) methods.set(method, (tally = { responseTime: responseTime.series({ method }), byStatus: new Map() }));
      let byStatus = tally.byStatus.get(status);
      if (byStatus === undefined) tally.byStatus.set(status, (byStatus = { labels: { method, status: String(status) }, count: 0 }));
      byStatus.count++;
      responseTime.tally(tally.responseTime, request.responseSeconds);
      if (request.tailSeconds !== undefined) tailDuration.tally(tails, request.tailSeconds);
    },
    lockWaited(seconds, acquired) {
      lockWait.tally(acquired ? lockAcquired : lockGivenUp, seconds);
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
