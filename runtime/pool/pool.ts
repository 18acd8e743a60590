/**
 * PHP-FPM's pool, for scripts that share one event loop. A "child" is a slot for a script that has
 * not finished its response yet (pm.max_children); requests beyond it wait in a queue of
 * listen.backlog and beyond that get 503 with Retry-After. Background tails after
 * fastcgi_finish_request() have a budget of their own (tsfpm.max_tails, tsfpm.tail_overflow), so a
 * few slow tails cannot take the site down as they do in PHP-FPM, where they keep their child;
 * tsfpm.tails_hold_children restores that counting.
 *
 * The pool also keeps the counters of PHP-FPM's status page and tsfpm's own (tails, session locks),
 * and tells observers (metrics) when a request ends or a lock wait is over.
 * @module
 */
import type { EndedRequest, RequestContext, RequestPool, RequestSlot } from '../request/request-context.ts';

export interface PoolSettings {
  /** The pool's name on the status page and in log lines (PHP-FPM's `[www]`). */
  readonly name: string;
  /** pm, shown as "process manager". */
  readonly processManager: string;
  readonly maxChildren: number;
  /** listen.backlog: requests that may wait for a child; beyond it, 503. */
  readonly backlog: number;
  readonly maxTails: number;
  readonly tailOverflow: 'wait' | 'refuse';
  /** PHP-FPM's counting: a finished request keeps its child until its tail ends. */
  readonly tailsHoldChildren: boolean;
}

export interface PoolObserver {
  requestEnded(request: EndedRequest): void;
  lockWaited(seconds: number, acquired: boolean): void;
}

/** Counters that only grow, as PHP-FPM's scoreboard keeps them (and tsfpm's own beside them). */
export interface PoolCounters {
  acceptedConn: number;
  maxListenQueue: number;
  maxActiveProcesses: number;
  maxChildrenReached: number;
  slowRequests: number;
  /** Requests answered 503 because the queue was full. */
  listenQueueRefused: number;
  tailsStarted: number;
  /** Tails not started because tsfpm.max_tails were running and tsfpm.tail_overflow is refuse. */
  tailsRefused: number;
  lockWaits: number;
  lockWaitSeconds: number;
  lockTimeouts: number;
}

type Grant = (admitted: boolean) => void;

export class Pool implements RequestPool {
  readonly settings: PoolSettings;
  /** Unix time (s) the pool started. */
  readonly startTime = Math.floor(Date.now() / 1000);
  readonly counters: PoolCounters = {
    acceptedConn: 0,
    maxListenQueue: 0,
    maxActiveProcesses: 0,
    maxChildrenReached: 0,
    slowRequests: 0,
    listenQueueRefused: 0,
    tailsStarted: 0,
    tailsRefused: 0,
    lockWaits: 0,
    lockWaitSeconds: 0,
    lockTimeouts: 0,
  };
  readonly #observers: PoolObserver[] = [];
  readonly #live = new Set<RequestContext>();
  readonly #log: (line: string) => void;
  #children = 0;
  #tails = 0;
  readonly #childQueue: Grant[] = [];
  readonly #tailQueue: Grant[] = [];
  #locksHeld = 0;
  #lockWaiters = 0;
  #reachedLoggedAt = 0;

  constructor(settings: PoolSettings, log: (line: string) => void) {
    this.settings = settings;
    this.#log = log;
  }

  observe(observer: PoolObserver): void {
    this.#observers.push(observer);
  }

  /** Requests whose script has not settled yet, including those past fastcgi_finish_request(). */
  get live(): ReadonlySet<RequestContext> {
    return this.#live;
  }

  enter(ctx: RequestContext): void {
    this.#live.add(ctx);
  }

  leave(ctx: RequestContext): void {
    this.#live.delete(ctx);
  }

  /** Children in use: scripts before their finish (and, with tsfpm.tails_hold_children, their tails). */
  get activeProcesses(): number {
    return this.#children;
  }

  get listenQueue(): number {
    return this.#childQueue.length;
  }

  /** Requests in their background tail (running, not waiting for a tail slot). */
  get tails(): number {
    return this.#tails;
  }

  get tailQueue(): number {
    return this.#tailQueue.length;
  }

  get locksHeld(): number {
    return this.#locksHeld;
  }

  get lockWaiters(): number {
    return this.#lockWaiters;
  }

  /**
   * A new script request takes a child, waiting in the queue when all are busy. Resolves false
   * when the queue is full: the caller answers 503.
   */
  admit(): Promise<boolean> | boolean {
    this.counters.acceptedConn++;
    if (this.#children < this.settings.maxChildren) {
      this.#takeChild();
      return true;
    }
    this.#reachedMaxChildren();
    if (this.#childQueue.length >= this.settings.backlog) {
      this.counters.listenQueueRefused++;
      return false;
    }
    return new Promise<boolean>((resolve) => {
      this.#childQueue.push(resolve);
      this.counters.maxListenQueue = Math.max(this.counters.maxListenQueue, this.#childQueue.length);
    });
  }

  /** Gives a child back: to the first queued request, or to the idle ones. */
  releaseChild(): void {
    const next = this.#childQueue.shift();
    if (next) next(true);
    else this.#children--;
  }

  /**
   * The response is finished and the script goes on: it leaves its child (unless tails hold
   * children) and takes a tail slot. Resolves false when tsfpm.tail_overflow refuses the tail;
   * `description` names the request in that log line.
   */
  startTail(description: string): Promise<boolean> | boolean {
    if (!this.settings.tailsHoldChildren) this.releaseChild();
    if (this.#tails < this.settings.maxTails) {
      this.#tails++;
      this.counters.tailsStarted++;
      return true;
    }
    if (this.settings.tailOverflow === 'refuse') {
      if (this.settings.tailsHoldChildren) this.releaseChild();
      this.counters.tailsRefused++;
      this.#log(`tsfpm: background tail refused: ${this.#tails} tails are running (tsfpm.max_tails = ${this.settings.maxTails}, tsfpm.tail_overflow = refuse) (${description})`);
      return false;
    }
    return new Promise<boolean>((resolve) => this.#tailQueue.push(resolve)).then(() => {
      this.counters.tailsStarted++;
      return true;
    });
  }

  /** A tail ended: its slot goes to the next waiting tail. With tails holding children, so does the child. */
  endTail(): void {
    const next = this.#tailQueue.shift();
    if (next) next(true);
    else this.#tails--;
    if (this.settings.tailsHoldChildren) this.releaseChild();
  }

  /** A request ended: observers see it. */
  ended(request: EndedRequest): void {
    for (const observer of this.#observers) observer.requestEnded(request);
  }

  lockWaitStarted(): void {
    this.#lockWaiters++;
  }

  lockWaitEnded(seconds: number, acquired: boolean): void {
    this.#lockWaiters--;
    this.counters.lockWaits++;
    this.counters.lockWaitSeconds += seconds;
    if (acquired) this.#locksHeld++;
    else this.counters.lockTimeouts++;
    for (const observer of this.#observers) observer.lockWaited(seconds, acquired);
  }

  lockReleased(): void {
    this.#locksHeld--;
  }

  slowRequest(): void {
    this.counters.slowRequests++;
  }

  #takeChild(): void {
    this.#children++;
    this.counters.maxActiveProcesses = Math.max(this.counters.maxActiveProcesses, this.#children);
  }

  /** PHP-FPM's warning and counter, at most once a second as its maintenance tick gives them. */
  #reachedMaxChildren(): void {
    const now = Date.now();
    if (now - this.#reachedLoggedAt < 1000) return;
    this.#reachedLoggedAt = now;
    this.counters.maxChildrenReached++;
    this.#log(`WARNING: [pool ${this.settings.name}] server reached pm.max_children setting (${this.settings.maxChildren}), consider raising it`);
  }
}

/**
 * What one request holds of the pool: a child, then (after the finish) a tail slot. Whoever ends
 * the request calls release(), once or more.
 */
export class PoolSlot implements RequestSlot {
  readonly #pool: Pool;
  #holds: 'child' | 'tail' | 'none' = 'child';
  #released = false;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async toTail(description: string): Promise<boolean> {
    if (this.#holds !== 'child') return this.#holds === 'tail';
    this.#holds = 'none';
    const granted = await this.#pool.startTail(description);
    if (!granted) return false;
    if (this.#released) this.#pool.endTail();
    else this.#holds = 'tail';
    return !this.#released;
  }

  release(): void {
    this.#released = true;
    if (this.#holds === 'child') this.#pool.releaseChild();
    else if (this.#holds === 'tail') this.#pool.endTail();
    this.#holds = 'none';
  }
}
