/**
 * The primary of `--workers N`, as PHP-FPM's master: it serves no request itself but forks N
 * workers (cluster-worker.ts) that each run the same server on one port (node:cluster hands them
 * the connections in turn), and
 * - logs each worker's start and exit as PHP-FPM does (`[pool www] child 123 started`,
 *   `child 123 exited on signal 9 (SIGKILL) after 12.000000 seconds from start`);
 * - starts another worker when one dies unexpectedly;
 * - replaces a worker that served pm.max_requests, and on SIGUSR2 (FPM's reload) every worker one
 *   at a time: the new one is forked and listening before the old one stops gracefully, so no
 *   request finds the port unserved and the old one's responses and tails finish;
 * - relays SIGTERM, SIGINT and SIGQUIT to every worker (graceful-stop.ts says what each means) and
 *   exits once all have exited; a worker told to stop that is still there process_control_timeout
 *   + KILL_AFTER_MS later is killed, as PHP-FPM escalates to SIGKILL;
 * - relays the status page's and the metrics' questions between workers (cluster-protocol.ts).
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { constants } from 'node:os';
import { GATHER_MS, isMessage, type PartKind, type ToPrimary, type ToWorker } from './cluster-protocol.ts';
import type { ServerConfig } from '../http/server-config.ts';
import { STOP_SIGNALS, type StopSignal } from './graceful-stop.ts';

/** How long past process_control_timeout a stopping worker may take before it is killed (its own cut takes a moment). */
const KILL_AFTER_MS = 10_000;
/** How long a replaced worker gets to say it stopped accepting before the next replacement starts anyway. */
const DRAIN_ACK_MS = 5000;
/** A worker that died before it listened is restarted after this, not in a loop. */
const RESPAWN_DELAY_MS = 1000;

interface Child {
  readonly worker: Worker;
  readonly pid: number;
  readonly startedAt: number;
  /** starting → serving (listening) → stopping (told to stop) */
  state: 'starting' | 'serving' | 'stopping';
  /** A replacement is being started for it. */
  replacing: boolean;
  /** Forked to replace another, which keeps serving if this one cannot start. */
  readonly spare: boolean;
  /** Resolves true once it listens, false if it exits first. */
  readonly listening: Promise<boolean>;
  readonly listened: (ok: boolean) => void;
  /** Resolves once it has stopped accepting (or exited). */
  readonly drained: Promise<void>;
  readonly drainedNow: () => void;
  /** Armed when it is told to stop: kills it if it is still there process_control_timeout + KILL_AFTER_MS later. */
  killTimer?: NodeJS.Timeout;
}

interface Gathering {
  readonly parts: unknown[];
  readonly pending: Set<Child>;
  readonly finish: () => void;
}

export class ClusterPrimary {
  readonly #config: ServerConfig;
  readonly #count: number;
  readonly #pool: string;
  readonly #graceMs: number;
  readonly #children = new Map<Worker, Child>();
  readonly #gatherings = new Map<number, Gathering>();
  #lastGathering = 0;
  /** Every first worker listened. */
  #started = false;
  #stopping = false;
  #killed = false;
  #reloading = false;
  /** Replacements run one after the other. */
  #replacements: Promise<void> = Promise.resolve();
  #resolveExited: (code: number) => void = () => {};
  readonly exited: Promise<number> = new Promise((resolve) => (this.#resolveExited = resolve));

  constructor(config: ServerConfig, count: number) {
    this.#config = config;
    this.#count = count;
    this.#pool = config.pool.settings.name;
    this.#graceMs = config.settings.typed.process_control_timeout * 1000;
  }

  /**
   * Forks the workers; resolves with the port once all listen, or with `undefined` when one of
   * them cannot (it logs why) and the others are being stopped. Then `exited` gives the exit code.
   */
  async start(): Promise<{ port: number } | undefined> {
    let port = 0;
    cluster.on('listening', (worker, address) => {
      const child = this.#children.get(worker);
      if (!child) return;
      port = address.port;
      if (child.state === 'starting') child.state = 'serving';
      child.listened(true);
      if (this.#stopping) this.#signal(child, 'SIGTERM');
    });
    cluster.on('message', (worker, message: unknown) => {
      const child = this.#children.get(worker);
      if (child && isMessage<ToPrimary>(message)) this.#onMessage(child, message);
    });
    cluster.on('exit', (worker, code, signal) => this.#onExit(worker, code, signal));
    for (const signal of STOP_SIGNALS) process.on(signal, () => this.#stop(signal, true));
    process.on('SIGUSR2', () => void this.#reload());
    const first = Array.from({ length: this.#count }, () => this.#fork());
    const listening = await Promise.all(first.map((child) => child.listening));
    if (listening.includes(false)) {
      this.#stop('SIGTERM', false);
      return undefined;
    }
    this.#started = true;
    return { port };
  }

  #log(line: string): void {
    this.#config.log(line);
  }

  #fork(spare = false): Child {
    const worker = cluster.fork();
    let listened: (ok: boolean) => void = () => {};
    let drainedNow: () => void = () => {};
    const child: Child = {
      worker,
      pid: worker.process.pid ?? 0,
      startedAt: performance.now(),
      state: 'starting',
      replacing: false,
      spare,
      listening: new Promise((resolve) => (listened = resolve)),
      listened: (ok) => listened(ok),
      drained: new Promise((resolve) => (drainedNow = resolve)),
      drainedNow: () => drainedNow(),
    };
    this.#children.set(worker, child);
    this.#log(`NOTICE: [pool ${this.#pool}] child ${child.pid} started`);
    return child;
  }

  #signal(child: Child, signal: StopSignal, { handOver = false, again = false } = {}): void {
    child.state = 'stopping';
    this.#armKill(child);
    this.#send(child, { tsfpm: 'signal', signal, handOver, again });
  }

  /** PHP-FPM's last resort for a child that does not stop: SIGKILL, once the time it had is over. */
  #armKill(child: Child): void {
    child.killTimer ??= setTimeout(() => this.#kill(child), this.#graceMs + KILL_AFTER_MS);
  }

  #kill(child: Child): void {
    this.#log(`WARNING: [pool ${this.#pool}] child ${child.pid} still running ${(this.#graceMs + KILL_AFTER_MS) / 1000} s after it was told to stop, killing it`);
    if (this.#stopping) this.#killed = true;
    child.worker.process.kill('SIGKILL');
  }

  #send(child: Child, message: ToWorker): void {
    if (child.worker.isConnected()) child.worker.send(message);
  }

  /** A stop signal: the first stops every worker, later ones are relayed as well (a second SIGTERM or SIGINT cuts). */
  #stop(signal: StopSignal, fromSignal: boolean): void {
    const first = !this.#stopping;
    if (first) {
      this.#stopping = true;
      if (fromSignal) this.#log(`NOTICE: ${signal} received: finishing gracefully; every worker stops accepting and finishes its requests and background tails`);
    }
    // a worker still starting is told once it listens (the 'listening' handler); one already
    // stopping (being replaced) goes on with its graceful stop, unless this is a second signal
    for (const child of this.#children.values()) {
      if (child.state === 'serving' || (child.state === 'stopping' && !first)) this.#signal(child, signal, { again: !first });
      else if (child.state === 'starting') this.#armKill(child);
    }
    this.#exitIfDone();
  }

  #exitIfDone(): void {
    if (!this.#stopping || this.#children.size > 0) return;
    this.#log('NOTICE: exiting, bye-bye!');
    this.#resolveExited(this.#killed ? 1 : 0);
  }

  #onExit(worker: Worker, code: number, signal: string | null): void {
    const child = this.#children.get(worker);
    if (!child) return;
    this.#children.delete(worker);
    clearTimeout(child.killTimer);
    child.listened(false);
    child.drainedNow();
    const seconds = ((performance.now() - child.startedAt) / 1000).toFixed(6);
    const how = signal ? `on signal ${constants.signals[signal as NodeJS.Signals] ?? '?'} (${signal})` : `with code ${code}`;
    const level = signal || code !== 0 ? 'WARNING' : 'NOTICE';
    this.#log(`${level}: [pool ${this.#pool}] child ${child.pid} exited ${how} after ${seconds} seconds from start`);
    // gone: nothing to wait for from it
    for (const gathering of this.#gatherings.values()) if (gathering.pending.delete(child) && gathering.pending.size === 0) gathering.finish();
    if (this.#stopping) return this.#exitIfDone();
    // told to stop, its replacement on the way, a replacement that could not start (#replace
    // says so), or one of the first (start() says so)
    if (child.state === 'stopping' || child.replacing || (child.spare && child.state === 'starting') || !this.#started) return;
    // died on its own: PHP-FPM starts another at once; one that died before it listened, after a pause
    if (child.state === 'serving') this.#fork();
    else setTimeout(() => this.#stopping || this.#fork(), RESPAWN_DELAY_MS);
  }

  #onMessage(child: Child, message: ToPrimary): void {
    switch (message.tsfpm) {
      case 'max-requests':
        this.#log(`NOTICE: [pool ${this.#pool}] child ${child.pid} has served pm.max_requests (${message.served}) requests; replacing it`);
        void this.#replace(child);
        break;
      case 'gather':
        this.#gather(child, message.id, message.kind);
        break;
      case 'reported': {
        const gathering = this.#gatherings.get(message.id);
        if (gathering?.pending.delete(child)) {
          gathering.parts.push(message.part);
          if (gathering.pending.size === 0) gathering.finish();
        }
        break;
      }
      case 'draining':
        child.drainedNow();
        break;
    }
  }

  /** Forks the replacement, waits until it listens, then stops `old` gracefully. Queued: one at a time. */
  #replace(old: Child): Promise<void> {
    if (old.replacing) return this.#replacements;
    old.replacing = true;
    this.#replacements = this.#replacements.then(async () => {
      if (this.#stopping || old.state !== 'serving') return;
      const fresh = this.#fork(true);
      if (!(await fresh.listening)) {
        this.#log(`WARNING: [pool ${this.#pool}] the replacement for child ${old.pid} did not start; child ${old.pid} keeps serving`);
        old.replacing = false;
        return;
      }
      if (this.#stopping || old.state !== 'serving') return;
      this.#signal(old, 'SIGQUIT', { handOver: true });
      await Promise.race([old.drained, new Promise((resolve) => setTimeout(resolve, DRAIN_ACK_MS))]);
    });
    return this.#replacements;
  }

  /** SIGUSR2, PHP-FPM's reload: every worker serving now is replaced, one at a time. */
  async #reload(): Promise<void> {
    if (this.#stopping) return;
    if (this.#reloading) {
      this.#log(`NOTICE: SIGUSR2 received while reloading; ignored`);
      return;
    }
    this.#reloading = true;
    const started = performance.now();
    const old = [...this.#children.values()].filter((child) => child.state === 'serving');
    this.#log(`NOTICE: Reloading in progress ... (SIGUSR2: replacing ${old.length} workers one at a time)`);
    for (const child of old) await this.#replace(child);
    this.#reloading = false;
    if (!this.#stopping) this.#log(`NOTICE: reloaded: ${old.length} workers replaced in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  }

  /** Asks every other worker for its part; answers `asker` with those that came within GATHER_MS. */
  #gather(asker: Child, id: number, kind: PartKind): void {
    const others = [...this.#children.values()].filter((child) => child !== asker && child.state !== 'starting' && child.worker.isConnected());
    const relayId = ++this.#lastGathering;
    const parts: unknown[] = [];
    const pending = new Set(others);
    const finish = (): void => {
      clearTimeout(timer);
      this.#gatherings.delete(relayId);
      for (const child of pending) this.#log(`WARNING: [pool ${this.#pool}] child ${child.pid} did not answer for the ${kind === 'snapshot' ? 'status page' : 'metrics'} within ${GATHER_MS} ms; left out`);
      this.#send(asker, { tsfpm: 'gathered', id, parts });
    };
    const timer = setTimeout(finish, GATHER_MS);
    this.#gatherings.set(relayId, { parts, pending, finish });
    if (pending.size === 0) return finish();
    for (const child of others) this.#send(child, { tsfpm: 'report', id: relayId, kind });
  }
}
