/**
 * A resettable time limit: max_execution_time and set_time_limit() before the response is
 * finished, tsfpm.tail_timeout after it. `expired` settles when the limit passes; 0 means none.
 * The watchdog reads `expiresAt` to judge a script that blocks the event loop, where the timer
 * itself cannot fire until the script gives the loop back.
 * @module
 */
import type { CallSite } from './call-site.ts';

export class Deadline {
  #timer: NodeJS.Timeout | undefined;
  #seconds = 0;
  #expiresAt: number | undefined;
  #passed: number | undefined;
  #expired: Promise<number> | undefined;
  #listeners: ((seconds: number) => void)[] = [];
  /** Where the watchdog found the script stuck when it stopped it at this limit (PHP's "on line N"). */
  stuckAt: CallSite | undefined;
  /** The watchdog stopped a background tail at max_execution_time (not at tsfpm.tail_timeout). */
  tailStopped = false;

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
      this.#timer = setTimeout(() => {
        this.#expiresAt = undefined;
        this.#fire(seconds);
      }, seconds * 1000);
      this.#timer.unref();
    }
  }

  /** Makes the limit pass now, as `seconds`: the watchdog's stop of a background tail held to max_execution_time. */
  expireNow(seconds: number): void {
    this.clear();
    this.#fire(seconds);
  }

  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#expiresAt = undefined;
  }
}
