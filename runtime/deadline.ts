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
  #fire!: (seconds: number) => void;
  /** Resolves with the limit that passed. */
  readonly expired: Promise<number>;
  /** Where the watchdog found the script stuck when it stopped it at this limit (PHP's "on line N"). */
  stuckAt: CallSite | undefined;
  /** The watchdog stopped a background tail at max_execution_time (not at tsfpm.tail_timeout). */
  tailStopped = false;
  /** The limit has passed: the script was abandoned to it. */
  passed = false;

  constructor(seconds: number) {
    this.expired = new Promise((resolve) => (this.#fire = resolve));
    this.reset(seconds);
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
        this.passed = true;
        this.#fire(seconds);
      }, seconds * 1000);
      this.#timer.unref();
    }
  }

  /** Makes the limit pass now, as `seconds`: the watchdog's stop of a background tail held to max_execution_time. */
  expireNow(seconds: number): void {
    this.clear();
    this.passed = true;
    this.#fire(seconds);
  }

  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#expiresAt = undefined;
  }
}
