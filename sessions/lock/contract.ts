/**
 * The session lock contract. PHP holds a session's lock from session_start() until the session is
 * closed; tsfpm does the same on every store, so two requests of one user never lose each other's
 * writes. A locker is separate from the store (express-session's Store has no locking), and each
 * store names the locker that matches how it is shared: in-process, flock on the session file,
 * or Redis.
 *
 * Rules every implementation keeps:
 * - Each acquisition gets its own random `token`; only that token releases or renews the lock.
 * - Waiters in one process are served in arrival order; a release wakes the next waiter at once
 *   (polling only as a fallback for missed wake-ups and expired locks).
 * - A held lock has a time to live (`ttlMs`) so a crashed holder cannot block a session forever; a
 *   live holder renews it in the background until release.
 * - A lock that expired and was taken over is *lost*: its holder must not write (see `fencedWrite`).
 * - Waiting longer than `waitMs` resolves without a lock, naming the holder when known: never a hang.
 * @module
 */

export interface LockOptions {
  /** Give up after this long (ms); 0 = one attempt only. */
  readonly waitMs: number;
  /** Time to live of the held lock (ms); renewed by a live holder every third of it. */
  readonly ttlMs: number;
  /** Who asks, for diagnostics (`script /x.ts, GET /x`): a waiter that gives up is told this of the holder. */
  readonly owner: string;
  /**
   * A store key to read in the same step as the lock is granted (the session's data), where the locker can:
   * the Redis locker returns it as `value` and saves the round trip of a read. Others ignore it.
   */
  readonly readKey?: string;
  /**
   * The ID was just made by this process, so most likely nothing is stored under it: a locker may create
   * its entry exclusively and know it empty (the files locker: O_CREAT|O_EXCL, no read). Others ignore it.
   */
  readonly newId?: boolean;
}

export interface HeldLock {
  /** The session ID locked. */
  readonly id: string;
  /** Random per acquisition. */
  readonly token: string;
  /** performance.now() when it was acquired, for "held too long" diagnostics. */
  readonly acquiredAt: number;
  /** True once the holder knows the lock expired or was taken over. */
  readonly lost: boolean;
  /** Asks the backend whether this token still holds the lock. */
  verify(): Promise<boolean>;
  /** Releases the lock if this token still holds it and stops renewing; idempotent, never throws for a lost lock. */
  release(): Promise<void>;
}

export type AcquireResult =
  /** `value`: what `readKey` held when the lock was granted (null: no such key); absent when not read. */
  | { readonly ok: true; readonly lock: HeldLock; readonly waitedMs: number; readonly value?: string | null }
  | { readonly ok: false; readonly holder: string | undefined; readonly waitedMs: number };

export interface SessionLocker {
  /** Waits for the lock on `id` (at most `options.waitMs`). */
  acquire(id: string, options: LockOptions): Promise<AcquireResult>;
  /**
   * Runs `write` only while `lock` still holds its ID. Where the backend can, the check and the
   * write are one atomic step (the Redis store passes its write through the lock's script);
   * otherwise the check runs right before. Resolves false, without writing, for a lost lock.
   */
  fencedWrite(lock: HeldLock, write: () => Promise<void>): Promise<boolean>;
  /** Releases every lock this locker holds and closes its connections. */
  close(): Promise<void>;
}

/** One acquire() call still waiting: what a locker keeps in its per-ID FIFO queue. */
export interface LockWaiter {
  readonly options: LockOptions;
  readonly startedAt: number;
  readonly resolve: (result: AcquireResult) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Throws a TypeError naming the first option out of range, before anything waits: every locker's first step. */
export function checkLockOptions(options: LockOptions): void {
  if (!(options.waitMs >= 0) || !Number.isFinite(options.waitMs)) throw new TypeError(`LockOptions.waitMs must be a finite number >= 0, got ${options.waitMs}`);
  if (!Number.isInteger(options.ttlMs) || options.ttlMs <= 0) throw new TypeError(`LockOptions.ttlMs must be a positive integer, got ${options.ttlMs}`);
}
