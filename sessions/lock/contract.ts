/**
 * The session lock contract. PHP holds a session's lock from session_start() until the session is
 * closed; tsfpm does the same on every store, so two requests of one user never lose each other's
 * writes. A locker is separate from the store (express-session's Store has no locking), and each
 * store names the locker that matches how it is shared: in-process, flock on the session file,
 * or Redis.
 *
 * Rules every implementation keeps:
 * - Each acquisition gets its own random `token`; only that token releases or renews the lock.
 * - Waiters in one process are served in arrival order (the shared queue in waiter-queue.ts); a
 *   release wakes the next waiter at once (polling only for holders elsewhere that do not announce
 *   their release, and for expired locks).
 * - Waiting longer than `waitMs` resolves `ok: false`, naming the holder when known: never a hang.
 *   waitMs 0 is one attempt, refused at once when others are ahead.
 * - acquire() rejects with a TypeError for options out of range, before anything waits; other
 *   rejections are the locker's own, listed below. After close() it resolves `ok: false`.
 * - A lock that is *lost* (see each locker) must not be written under: `fencedWrite` refuses it.
 * - `expires` says whether a held lock has a time to live; the contract suite reads it.
 *
 * What each locker guarantees:
 * - MemoryLocker (one process): expires. The lock lives `ttlMs` past its last renewal and a live holder
 *   renews it every third of that, so it runs out only when the event loop stalls that long; the stalled
 *   holder's lock is then lost and the next waiter gets it. acquire() rejects for nothing else. The
 *   locks die with the process, which is the only one that could wait for them.
 * - FileLocker (flock on the sess_ file, shared with PHP's files handler): does not expire. A holder keeps
 *   the lock however long it stalls, until it releases it or its process ends: the kernel drops the flock
 *   with the descriptor, so a crashed holder frees the session at once. `ttlMs` is checked, not used. The
 *   lock is lost only when its file is deleted while held (another process's session_destroy() or GC).
 *   acquire() also rejects with the open() error when the file cannot be opened (a nested save_path
 *   folder that does not exist, an ID the path refuses) and with the flock() error where there is none.
 * - RedisLocker (a key shared with phpredis, on one Redis, a Cluster or a master found through Sentinel):
 *   expires. The key has a PX TTL of `ttlMs` that a live holder renews every third of it; a holder whose
 *   process dies leaves the key until the TTL runs out, and a stalled holder's lock is lost once another
 *   process takes the expired key (or the key is replaced). acquire() rejects for nothing else: Redis
 *   errors are logged and resolve `ok: false`. A Sentinel failover can drop a key the old master had not
 *   yet passed to its replica: the lock is then lost, and the fenced write refuses it.
 * @module
 */

export interface LockOptions {
  /** Give up after this long (ms); 0 = one attempt only. */
  readonly waitMs: number;
  /** Time to live of the held lock (ms); renewed by a live holder every third of it. Unused where the lock does not expire. */
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
  /**
   * Whether a held lock has a time to live: true (or absent), it lives `ttlMs` past its holder's last renewal
   * and a holder stalled past that loses it to the next waiter; false, the holder keeps it until it releases
   * it or its process ends, however long it stalls (flock), and `ttlMs` is not used.
   */
  readonly expires?: boolean;
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

/** checkLockOptions() as acquire() reports it: the TypeError as a rejected promise, or undefined when all is in range. */
export function lockOptionsRejection(options: LockOptions): Promise<never> | undefined {
  try {
    checkLockOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  return undefined;
}

/** Throws a TypeError naming the first option out of range, before anything waits: every locker's first step. */
export function checkLockOptions(options: LockOptions): void {
  if (!(options.waitMs >= 0) || !Number.isFinite(options.waitMs)) throw new TypeError(`LockOptions.waitMs must be a finite number >= 0, got ${options.waitMs}`);
  if (!Number.isInteger(options.ttlMs) || options.ttlMs <= 0) throw new TypeError(`LockOptions.ttlMs must be a positive integer, got ${options.ttlMs}`);
}
