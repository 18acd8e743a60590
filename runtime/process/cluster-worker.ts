/**
 * One worker of `--workers N`: the same server as a single process, on the port the primary
 * (cluster-primary.ts) shares between its workers. It stops as the primary says (a relayed stop
 * signal; SIGQUIT when it is being replaced), asks to be replaced once it has served
 * pm.max_requests requests, and answers the pool-wide status and metrics through the primary
 * (joinPeers).
 *
 * Signals sent to the worker itself (SIGTERM, SIGINT, SIGQUIT) stop it gracefully and the primary
 * starts another; a second one does not cut, since a signal sent to the whole process group (Ctrl-C
 * in a terminal, systemd's stop) reaches both: only the primary counts them. SIGUSR2 is the
 * primary's.
 * @module
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { GATHER_MS, isMessage, type PartKind, type ToPrimary, type ToWorker } from './cluster-protocol.ts';
import { joinPeers, type Peers } from '../admin/snapshot.ts';
import type { ServerConfig } from '../http/server-config.ts';
import { gracefulStop, STOP_SIGNALS, type StopSignal } from './graceful-stop.ts';
import { asctime } from '../php/log.ts';
import { metricsOf } from '../admin/metrics.ts';
import { serverFor } from '../http/server.ts';
import { localSnapshot, type PoolSnapshot } from '../admin/snapshot.ts';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Runs the worker until it has stopped; resolves with its exit code. */
export async function runWorker(config: ServerConfig, host: string, port: number): Promise<number> {
  const server = serverFor(config);
  try {
    await server.listen(port, host);
  } catch (err) {
    process.stderr.write(`[${asctime()}] Failed to listen on ${host}:${port} (reason: ${(err as Error).message})\n`);
    cluster.worker?.disconnect();
    return 1;
  }
  const send = (message: ToPrimary): void => {
    if (process.connected) process.send!(message);
  };
  const stopper = gracefulStop(server, `[pool ${config.pool.settings.name}] child ${process.pid} `);
  const start = (signal: StopSignal, handOver: boolean): void => {
    if (stopper.start(signal, handOver)) send({ tsfpm: 'draining' });
  };
  const peers = new PrimaryPeers(config, send);
  joinPeers(config, peers);

  process.on('message', (message: unknown) => {
    if (!isMessage<ToWorker>(message)) return;
    if (message.tsfpm === 'signal') {
      if (message.again) stopper.again(message.signal);
      else start(message.signal, message.handOver);
    }
    else if (message.tsfpm === 'report') void peers.report(message.id, message.kind);
    else if (message.tsfpm === 'gathered') peers.gathered(message.id, message.parts);
  });
  // a signal to this worker alone stops it (the primary starts another); a group-wide one (Ctrl-C,
  // systemd) reaches the primary too, whose relay is then no second signal: only the primary's count
  for (const signal of STOP_SIGNALS) process.on(signal, () => start(signal, true));
  process.on('SIGUSR2', () => {});

  const maxRequests = config.settings.typed['pm.max_requests'];
  if (maxRequests > 0) {
    let served = 0;
    server.http.on('request', () => {
      if (++served === maxRequests) send({ tsfpm: 'max-requests', served });
    });
  }

  await stopper.done;
  // the channel to the primary is all that is left holding the process
  cluster.worker?.disconnect();
  return 0;
}

/** The peers of a worker: the other workers' parts, gathered by the primary. */
class PrimaryPeers implements Peers {
  readonly #config: ServerConfig;
  readonly #send: (message: ToPrimary) => void;
  readonly #waiting = new Map<number, (parts: unknown[]) => void>();
  #lastId = 0;

  constructor(config: ServerConfig, send: (message: ToPrimary) => void) {
    this.#config = config;
    this.#send = send;
  }

  async snapshots(): Promise<PoolSnapshot[]> {
    const others = (await this.#gather('snapshot')) as PoolSnapshot[];
    return [localSnapshot(this.#config), ...others];
  }

  /** prom-client's AggregatorRegistry adds the workers' metrics up (by each metric's aggregator). */
  async metrics(): Promise<{ contentType: string; text: string }> {
    const [own, others] = await Promise.all([this.#ownMetrics(), this.#gather('metrics')]);
    const registry = AggregatorRegistry.aggregate([own, ...(others as MetricsJson[])]);
    return { contentType: registry.contentType, text: await registry.metrics() };
  }

  /** The primary asks for this worker's part of another worker's page. */
  async report(id: number, kind: PartKind): Promise<void> {
    const part = kind === 'snapshot' ? localSnapshot(this.#config) : await this.#ownMetrics();
    this.#send({ tsfpm: 'reported', id, part });
  }

  gathered(id: number, parts: unknown[]): void {
    this.#waiting.get(id)?.(parts);
  }

  #ownMetrics(): Promise<MetricsJson> {
    return metricsOf(this.#config).registry.getMetricsAsJSON();
  }

  /** The other workers' parts; the primary bounds its wait, this bounds a primary that does not answer. */
  #gather(kind: PartKind): Promise<unknown[]> {
    if (!process.connected) return Promise.resolve([]);
    const id = ++this.#lastId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        this.#config.log(`tsfpm: the primary did not answer within ${(2 * GATHER_MS) / 1000} s; showing this worker's ${kind} only`);
        resolve([]);
      }, 2 * GATHER_MS);
      this.#waiting.set(id, (parts) => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(parts);
      });
      this.#send({ tsfpm: 'gather', id, kind });
    });
  }
}
