/**
 * The queue every locker keeps per session ID: the acquire() calls of this process still waiting for that
 * ID, in arrival order. How a turn is taken differs (a function call in memory, flock on a file, SET NX in
 * Redis); how waiters line up, give up and are answered does not, and lives here.
 *
 * A waiter leaves the queue in one of three ways, and nothing here refers to it afterwards:
 * - its turn: the locker takes it off the head (`shift`), or takes it out once its attempt is answered
 *   (`remove`), and answers it with `grant`, or `refuse` when the turn ends without the lock;
 * - its `waitMs` runs out: the queue calls back the locker, which takes it out (`remove`) and `refuse`s it;
 * - the locker closes: `drain` takes every waiter out, and the locker refuses each.
 * `grant` and `refuse` stop the waiter's timer, so a waiter that is answered never fires it later.
 * @module
 */

import type { AcquireResult, HeldLock, LockOptions } from './contract.ts';

/** One acquire() call waiting for its turn. */
export interface Waiter {
  readonly options: LockOptions;
  /** performance.now() at acquire(): `waitedMs` counts from here. */
  readonly startedAt: number;
  readonly resolve: (result: AcquireResult) => void;
  /** Runs out after `options.waitMs`; none for waitMs 0 (one attempt only). */
  timer: NodeJS.Timeout | undefined;
}

/** The waiters for one session ID in this process, first come first served. */
export class WaiterQueue<W extends Waiter = Waiter> {
  readonly #waiters: W[] = [];

  get length(): number {
    return this.#waiters.length;
  }

  /** The waiter whose turn is next. */
  get first(): W | undefined {
    return this.#waiters[0];
  }

  /** Queues `waiter` last; once its `waitMs` runs out (unless it was answered first) `timedOut(waiter)` runs. */
  push(waiter: W, timedOut: (waiter: W) => void): void {
    if (waiter.options.waitMs > 0) waiter.timer = setTimeout(timedOut, waiter.options.waitMs, waiter);
    this.#waiters.push(waiter);
  }

  /** Takes the first waiter off for its turn; its timer keeps running until it is answered. */
  shift(): W | undefined {
    return this.#waiters.shift();
  }

  /** Puts a waiter whose turn did not settle it back at the head, ahead of everyone. */
  unshift(waiter: W): void {
    this.#waiters.unshift(waiter);
  }

  /** Takes `waiter` out of the queue; false when it is not in it (taken off for its turn, or answered). */
  remove(waiter: W): boolean {
    const index = this.#waiters.indexOf(waiter);
    if (index < 0) return false;
    this.#waiters.splice(index, 1);
    return true;
  }

  /** Takes every waiter out, first to last (the locker closes). */
  drain(): W[] {
    return this.#waiters.splice(0);
  }
}

/** Answers `waiter` with the lock; `value` is what `options.readKey` held, for a locker that read it. */
export function grant(waiter: Waiter, lock: HeldLock, value?: string | null): void {
  clearTimeout(waiter.timer);
  const waitedMs = performance.now() - waiter.startedAt;
  // absent, not undefined, when nothing was read: `value` in the result means "read"
  waiter.resolve(value === undefined ? { ok: true, lock, waitedMs } : { ok: true, lock, value, waitedMs });
}

/** Answers `waiter` without the lock, naming the holder when known. */
export function refuse(waiter: Waiter, holder: string | undefined): void {
  clearTimeout(waiter.timer);
  waiter.resolve({ ok: false, holder, waitedMs: performance.now() - waiter.startedAt });
}
