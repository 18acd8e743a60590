/**
 * A resettable time limit: max_execution_time and set_time_limit() before the response is
 * finished, tsfpm.tail_timeout after it. `expired` settles when the limit passes; 0 means none.
 * The watchdog reads `expiresAt` to judge a script that blocks the event loop, where the timer
 * itself cannot fire until the script gives the loop back.
 *
 * Every running limit shares one timer, set for the earliest of them: a request costs no timer of
 * its own (requests end long before their limit, so the timer seldom moves).
 * @module
 */
import type { CallSite } from '../php/call-site.ts';

/** Limits whose time has not come, and the one timer that wakes for the earliest. */
const running = new Set<Deadline>();
let timer: NodeJS.Timeout | undefined;
let timerAt = Infinity;

/** Sets the shared timer for `at` (performance.now() ms) unless it already wakes by then. */
function wakeBy(at: number): void {
  if (timerAt <= at) return;
  if (timer !== undefined) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(Deadline.expireDue, Math.max(0, at - performance.now()));
  timer.unref();
}

/** Node's timers count whole milliseconds of loop time, so one may wake a fraction early by performance.now(). */
const TIMER_SLACK_MS = 1;

export class Deadline {
  #seconds = 0;
  #expiresAt: number | undefined;
  #passed: number | undefined;
  #expired: Promise<number> | undefined;
  #listeners: ((seconds: number) => void)[] = [];
  #stuckSite: CallSite | undefined;
  #tailStopped = false;

  constructor(seconds: number) {
    this.reset(seconds);
  }

  /** Calls `listener` once, with the limit, when a limit passes (at once if one has). */
  onExpired(listener: (seconds: number) => void): void {
    if (this.#passed !== undefined) listener(this.#passed);
    else this.#listeners.push(listener);
  }

  /** Resolves with the limit that passed; made on first use, since most requests never ask. */
  get expired(): Promise<number> {
    return (this.#expired ??= new Promise((resolve) => this.onExpired(resolve)));
  }

  /** The shared timer: every limit due passes; the timer is set again for the earliest left. */
  static expireDue(this: void): void {
    timer = undefined;
    timerAt = Infinity;
    const now = performance.now() + TIMER_SLACK_MS;
    let next = Infinity;
    for (const deadline of running) {
      const at = deadline.#expiresAt!;
      if (at <= now) {
        deadline.clear();
        deadline.#fire(deadline.#seconds);
      } else if (at < next) next = at;
    }
    if (next !== Infinity) wakeBy(next);
  }

  #fire(seconds: number): void {
    if (this.#passed !== undefined) return;
    this.#passed = seconds;
    for (const listener of this.#listeners.splice(0)) listener(seconds);
  }

  /** The limit has passed: the script was abandoned to it. */
  get passed(): boolean {
    return this.#passed !== undefined;
  }

  get seconds(): number {
    return this.#seconds;
  }

  /** When the limit passes, in performance.now() milliseconds; undefined when none is running. */
  get expiresAt(): number | undefined {
    return this.#expiresAt;
  }

  /** Restarts the clock with a new limit, as set_time_limit() does. */
  reset(seconds: number): void {
    this.clear();
    this.#seconds = seconds;
    if (seconds > 0) {
      this.#expiresAt = performance.now() + seconds * 1000;
      running.add(this);
      wakeBy(this.#expiresAt);
    }
  }

  /** Where the watchdog found the script stuck when it stopped it at this limit (PHP's "on line N"). */
  get stuckSite(): CallSite | undefined {
    return this.#stuckSite;
  }

  /** The watchdog stops the script stuck at `site` at this limit. */
  noteStuckAt(site: CallSite | undefined): void {
    this.#stuckSite = site;
  }

  /** The watchdog stopped a background tail at max_execution_time (not at tsfpm.tail_timeout). */
  get tailStopped(): boolean {
    return this.#tailStopped;
  }

  /** Makes the limit pass now, as `seconds`: the watchdog's stop of a background tail held to max_execution_time. */
  stopTail(seconds: number): void {
    this.#tailStopped = true;
    this.clear();
    this.#fire(seconds);
  }

  clear(): void {
    running.delete(this);
    this.#expiresAt = undefined;
  }
}
