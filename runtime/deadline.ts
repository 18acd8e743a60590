/**
 * A resettable time limit: max_execution_time and set_time_limit() before the response is
 * finished, tsfpm.tail_timeout after it. `expired` settles when the limit passes; 0 means none.
 * @module
 */
export class Deadline {
  #timer: NodeJS.Timeout | undefined;
  #seconds = 0;
  #fire!: (seconds: number) => void;
  /** Resolves with the limit that passed. */
  readonly expired: Promise<number>;

  constructor(seconds: number) {
    this.expired = new Promise((resolve) => (this.#fire = resolve));
    this.reset(seconds);
  }

  get seconds(): number {
    return this.#seconds;
  }

  /** Restarts the clock with a new limit, as set_time_limit() does. */
  reset(seconds: number): void {
    this.clear();
    this.#seconds = seconds;
    if (seconds > 0) {
      this.#timer = setTimeout(() => this.#fire(seconds), seconds * 1000);
      this.#timer.unref();
    }
  }

  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
