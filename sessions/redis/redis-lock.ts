/**
 * The Redis session lock, shared by every process and host that uses one Redis: phpredis's lock
 * (`SET <lock key> <value> NX PX <ttl>`, released by a Lua compare-and-delete) plus what phpredis
 * lacks: a token per acquisition, waiters woken by the release itself, arrival order within a
 * process, renewal by a live holder, and writes fenced by the lock.
 *
 * On the wire:
 * - lock key: `options.lockKey(id)`; `<data key>_LOCK` (`PHPREDIS_SESSION:<id>_LOCK`) shares the lock with phpredis.
 * - value: `<token>|<owner>`, the token a random UUID per acquisition. Only the exact value releases,
 *   renews or fences. phpredis writes `<host>|<pid>`; SET NX excludes both ways, and a value that does
 *   not start with a UUID is reported whole as the holder.
 * - channel `<lock key>:released`: the release script PUBLISHes there; a process subscribes while it
 *   has waiters for that key. phpredis does not publish, so behind a PHP holder waiters wake by polling.
 *   On Redis Cluster (`shardedPubSub`) the script SPUBLISHes instead: the channel shares the lock key's
 *   hash tag, so the message stays within that slot's shard (PUBLISH would go to every node).
 *
 * In one process the waiters for an ID queue in arrival order and only the first of them competes in
 * Redis: it tries, and if the lock is taken subscribes, tries once more (a release between the two is
 * not missed), then sleeps until a release message, a local release, or a poll (`pollMs`, or sooner
 * when the holder's TTL runs out first). A local release sends the next waiter's SET NX right behind
 * the release script on the same connection, so the hand-off costs one round trip.
 *
 * Redis errors never reach a waiter as an exception: they go to `log`, and the waiter resolves
 * `{ ok: false, holder: undefined }`. Commands queued while the connection is down fail after
 * `commandTimeoutMs`; one sent that gets no reply fails after twice that, and the client hears of it
 * (`LockClient.noReply`) so that it can replace a connection that only looks alive. A Redis that
 * stalled may still run such a command later: a key then held by an acquisition that failed here, or
 * by a lock whose release failed, is released by the next attempt on it instead of blocking the ID
 * until its TTL runs out.
 * @module
 */

import { createHash, randomUUID } from 'node:crypto';
import { lockOptionsRejection, type AcquireResult, type HeldLock, type LockOptions, type SessionLocker } from '../lock/contract.ts';
import { grant, refuse, WaiterQueue, type Waiter } from '../lock/waiter-queue.ts';

/**
 * What the locker uses of a node-redis v5 client (a connected `RedisClientType`), or of an adapter that
 * routes each command by its first key (cluster) or to the current master (Sentinel).
 */
export interface LockClient {
  readonly isReady: boolean;
  sendCommand<T = unknown>(args: ReadonlyArray<string | Buffer>, options?: { timeout?: number }): Promise<T>;
  /** A new connection for pub/sub; needed unless `RedisLockerOptions.subscriber` is given. */
  duplicate?(): LockSubscriber;
  /**
   * A command got no reply within twice `commandTimeoutMs`: the connection may be dead although it
   * looks open, and every command behind that one waits with it. The client may replace the connection.
   */
  noReply?(): void;
}

/** What the locker uses of a node-redis v5 client in pub/sub mode. */
export interface LockSubscriber {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => unknown): Promise<void>;
  unsubscribe(channel: string, listener: (message: string, channel: string) => unknown): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): void;
}

export interface RedisLockerOptions {
  /** A connected client for the lock commands; the locker never closes it. */
  readonly client: LockClient;
  /**
   * The connection that listens for releases. Default: `client.duplicate()`, made and connected when
   * a waiter first has to wait, closed by `close()`. One given here is connected if it is not, never closed.
   */
  readonly subscriber?: LockSubscriber;
  /**
   * Redis Cluster: releases are announced with SPUBLISH (Redis 7; ignored by older servers), and
   * `subscriber` must listen with SSUBSCRIBE. @default false
   */
  readonly shardedPubSub?: boolean;
  /** The lock key of a session ID; phpredis: `` id => `PHPREDIS_SESSION:${id}_LOCK` ``. */
  readonly lockKey: (id: string) => string;
  /** Poll interval (ms) of a waiting process, for missed wake-ups and holders that never publish. @default 100 */
  readonly pollMs?: number;
  /** How long (ms) a lock command may wait for a connection before it fails. @default 2000 */
  readonly commandTimeoutMs?: number;
  /** Receives the Redis errors that the lock turns into `ok: false` or ignores (release, renewal). */
  readonly log?: (line: string) => void;
}

interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** KEYS: lock · ARGV: value, ttl ms → 1 when taken, else [holder value, holder PTTL]. */
const ACQUIRE = script(`if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}`);

/** ACQUIRE that also reads a key when it takes the lock · KEYS: lock, data → {1, data} when taken, else [holder value, holder PTTL]. */
const ACQUIRE_READ = script(`if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, redis.call('GET', KEYS[2])} end
return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}`);

/** KEYS: lock · ARGV: value, channel → 1 when released (and published), 0 when not ours. */
const RELEASE = script(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], '')
return 1`);

/** RELEASE for Redis Cluster: SPUBLISH, whose failure on a server without it must not fail the release. */
const RELEASE_SHARDED = script(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.pcall('SPUBLISH', ARGV[2], '')
return 1`);

/** KEYS: lock · ARGV: value, ttl ms → 1 when renewed, 0 when not ours. */
const RENEW = script(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`);

/** KEYS: lock, data · ARGV: value, data, ttl s → 1 when written, 0 when the lock is not ours. */
const FENCED_SET = script(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1`);

/** FENCED_SET then RELEASE, in one script · KEYS: lock, data · ARGV: value, data, ttl s, channel. */
const FENCED_SET_RELEASE = script(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[4], '')
return 1`);

/** FENCED_SET_RELEASE for Redis Cluster (SPUBLISH, as RELEASE_SHARDED). */
const FENCED_SET_RELEASE_SHARDED = script(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
redis.call('DEL', KEYS[1])
redis.pcall('SPUBLISH', ARGV[4], '')
return 1`);

/** KEYS: lock, data · ARGV: value → 1 when deleted, 0 when the lock is not ours. */
const FENCED_DELETE = script(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
return 1`);

const OWN_VALUE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\|/;

/** The owner named by a lock value: ours after the token, anyone else's (phpredis `host|pid`) whole. */
function ownerOf(value: string): string {
  return OWN_VALUE.test(value) ? value.slice(37) : value;
}


/** A lock command sent and not answered yet. */
interface InFlight {
  readonly sentAt: number;
  readonly ok: (reply: unknown) => void;
  readonly fail: (error: unknown) => void;
}

/** One acquisition this locker holds. */
interface Held {
  readonly entry: Entry;
  readonly lock: HeldLock;
  readonly value: string;
  readonly owner: string;
  readonly ttlMs: number;
  lost: boolean;
  /** Released or lost: no more renewals, and no longer the entry's holder. */
  ended: boolean;
  renewing: boolean;
  renewal: NodeJS.Timeout | undefined;
}

/** This process's side of one lock key. */
interface Entry {
  readonly id: string;
  readonly key: string;
  readonly channel: string;
  readonly waiters: WaiterQueue;
  held: Held | undefined;
  /** The first waiter is competing in Redis (one attempt, or sleeping between attempts). */
  competing: boolean;
  /** A wake-up came while an attempt was in flight: try again at once. */
  retry: boolean;
  /** Ends the sleep between attempts. */
  wake: (() => void) | undefined;
  subscribed: boolean;
  /** The holder named by Redis at the last failed attempt. */
  lastHolder: string | undefined;
}

/** Session locks in Redis; see the module comment for the protocol. */
export class RedisLocker implements SessionLocker {
  readonly expires = true;
  readonly #client: LockClient;
  readonly #lockKey: (id: string) => string;
  readonly #pollMs: number;
  readonly #commandTimeoutMs: number;
  readonly #commandOptions: { readonly timeout: number };
  readonly #log: (line: string) => void;
  #subscriber: LockSubscriber | undefined;
  readonly #ownSubscriber: boolean;
  readonly #releaseScript: Script;
  #connecting: Promise<unknown> | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #byChannel = new Map<string, Entry>();
  /**
   * The property under which a lock this locker granted carries its Held: a WeakMap entry per lock would
   * keep every request's lock alive through young-generation GCs, until a full one.
   */
  readonly #heldKey = Symbol('held');
  /** Scripts this locker has sent with EVAL. */
  readonly #loaded = new Set<Script>();
  /**
   * Lock values that may hold a key in Redis for no one (an acquisition or a release that failed after
   * it may have reached Redis: no reply, a connection lost on the way), each until its TTL runs out.
   * An attempt that finds one holding its key releases it and tries again.
   */
  readonly #abandoned = new Map<string, number>();
  /** Lock commands awaiting their reply, in the order sent (#send). */
  readonly #inFlight = new Set<InFlight>();
  #sweeper: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: RedisLockerOptions) {
    this.#client = options.client;
    this.#subscriber = options.subscriber;
    this.#ownSubscriber = options.subscriber === undefined;
    if (this.#ownSubscriber && !options.client.duplicate) throw new TypeError('RedisLocker needs options.subscriber for a client without duplicate()');
    this.#releaseScript = options.shardedPubSub ? RELEASE_SHARDED : RELEASE;
    this.#lockKey = options.lockKey;
    this.#pollMs = options.pollMs ?? 100;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    this.#commandOptions = { timeout: this.#commandTimeoutMs };
    this.#log = options.log ?? (() => {});
  }

  acquire(id: string, options: LockOptions): Promise<AcquireResult> {
    const rejection = lockOptionsRejection(options);
    if (rejection) return rejection;
    const startedAt = performance.now();
    if (this.#closed) return Promise.resolve({ ok: false, holder: undefined, waitedMs: 0 });
    const entry = this.#entry(id);
    // One attempt only, and others are ahead: refuse without jumping the queue.
    if (options.waitMs === 0 && (entry.held || entry.waiters.length > 0)) {
      return Promise.resolve({ ok: false, holder: entry.held?.owner ?? entry.lastHolder, waitedMs: 0 });
    }
    return new Promise((resolve) => {
      entry.waiters.push({ options, startedAt, resolve, timer: undefined }, (waiter) => this.#giveUp(entry, waiter));
      this.#wake(entry);
    });
  }

  /**
   * Checks the lock and renews it in one script, then runs `write`: the write itself is not atomic with
   * the check, so a store that can should use `fencedSet`/`fencedDelete`. Rejects on Redis errors.
   */
  async fencedWrite(lock: HeldLock, write: () => Promise<void>): Promise<boolean> {
    const held = this.#heldOf(lock);
    if (!held || held.ended) return false;
    if (!(await this.#fenced(held, RENEW, [held.entry.key], [held.value, String(held.ttlMs)]))) return false;
    await write();
    return true;
  }

  /** `SET dataKey value EX ttlSeconds` if and only if `lock` still holds its key, in one script. Rejects on Redis errors. */
  async fencedSet(lock: HeldLock, dataKey: string, value: string | Buffer, ttlSeconds: number): Promise<boolean> {
    const held = this.#ours(lock);
    return this.#fenced(held, FENCED_SET, [held.entry.key, dataKey], [held.value, value, String(ttlSeconds)]);
  }

  /**
   * fencedSet() and release() in one script, so a session's write and unlock cost one round trip. The lock is
   * let go here at once, as by release(): the next waiter's attempt goes out right behind the script.
   */
  fencedSetAndRelease(lock: HeldLock, dataKey: string, value: string | Buffer, ttlSeconds: number): Promise<boolean> {
    let held: Held;
    try {
      held = this.#ours(lock);
    } catch (error) {
      return Promise.reject(error);
    }
    if (held.ended) return Promise.resolve(false);
    const script = this.#releaseScript === RELEASE ? FENCED_SET_RELEASE : FENCED_SET_RELEASE_SHARDED;
    // one promise for the caller, the script's reply handled in callbacks: this runs once per request
    return new Promise((resolve, reject) => {
      this.#send(
        script,
        [held.entry.key, dataKey],
        [held.value, value, String(ttlSeconds), held.entry.channel],
        (reply) => {
          if (Number(reply) === 1) return resolve(true);
          held.lost = true;
          this.#log(`tsfpm: session lock ${held.entry.key} of ${held.owner} expired and was lost`);
          resolve(false);
        },
        (error) => {
          this.#abandon(held.value, held.ttlMs);
          reject(error);
        },
      );
      this.#end(held);
    });
  }

  /** `DEL dataKey` if and only if `lock` still holds its key, in one script. Rejects on Redis errors. */
  async fencedDelete(lock: HeldLock, dataKey: string): Promise<boolean> {
    const held = this.#ours(lock);
    return this.#fenced(held, FENCED_DELETE, [held.entry.key, dataKey], [held.value]);
  }

  /** Refuses every waiter, releases every held lock, and closes the subscriber it made. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const entries = [...this.#entries.values()];
    for (const entry of entries) {
      for (const waiter of entry.waiters.drain()) refuse(waiter, entry.held?.owner);
      entry.wake?.();
    }
    await Promise.all(entries.map((entry) => entry.held?.lock.release()));
    for (const entry of entries) this.#forget(entry);
    if (this.#ownSubscriber && this.#subscriber?.isOpen) this.#subscriber.destroy();
  }

  #entry(id: string): Entry {
    let entry = this.#entries.get(id);
    if (!entry) {
      const key = this.#lockKey(id);
      entry = {
        id,
        key,
        channel: `${key}:released`,
        waiters: new WaiterQueue(),
        held: undefined,
        competing: false,
        retry: false,
        wake: undefined,
        subscribed: false,
        lastHolder: undefined,
      };
      this.#entries.set(id, entry);
      this.#byChannel.set(entry.channel, entry);
    }
    return entry;
  }

  #forget(entry: Entry): void {
    if (this.#entries.get(entry.id) !== entry) return;
    this.#entries.delete(entry.id);
    this.#byChannel.delete(entry.channel);
    // A subscriber of our own is destroyed by close(), subscriptions and all.
    const closing = this.#closed && this.#ownSubscriber;
    if (entry.subscribed && this.#subscriber && !closing) {
      // Fails only with the connection, which takes the subscription with it.
      this.#subscriber.unsubscribe(entry.channel, this.#onRelease).catch(() => {});
    }
  }

  /** Something may have freed the entry's key: a release here or elsewhere, a lost holder, a waiter gone. */
  #wake(entry: Entry): void {
    if (entry.wake) entry.wake();
    else if (entry.competing) entry.retry = true;
    else if (entry.held || this.#closed) return;
    else if (entry.waiters.length > 0) this.#compete(entry);
    else this.#forget(entry);
  }

  readonly #onRelease = (_message: string, channel: string): void => {
    const entry = this.#byChannel.get(channel);
    if (entry) this.#wake(entry);
  };

  /**
   * The first waiter's next attempt, unless the lock is held here or nobody waits. Each attempt ends in
   * #continue, which comes back here: a loop in callbacks rather than an async function, since it runs
   * for every session start (each await and async call is a promise, and promise hooks run for each).
   */
  #compete(entry: Entry): void {
    const waiter = entry.waiters.first;
    if (this.#closed || entry.held || !waiter) {
      entry.competing = false;
      if (!entry.held && entry.waiters.length === 0) this.#forget(entry);
      return;
    }
    entry.competing = true;
    entry.retry = false;
    const value = `${randomUUID()}|${waiter.options.owner}`;
    const readKey = waiter.options.readKey;
    const ttl = String(waiter.options.ttlMs);
    this.#send(
      readKey === undefined ? ACQUIRE : ACQUIRE_READ,
      readKey === undefined ? [entry.key] : [entry.key, readKey],
      [value, ttl],
      (reply) => this.#continue(entry, this.#attempted(entry, waiter, value, reply)),
      (error) => {
        this.#fail(`acquire ${entry.key}`, error);
        this.#abandon(value, waiter.options.ttlMs);
        entry.lastHolder = undefined;
        if (entry.waiters.remove(waiter)) refuse(waiter, undefined);
        this.#continue(entry, undefined);
      },
    );
  }

  /** After an attempt: the next one at once, or after `sleepMs` (a wake-up ends the sleep early), or once `next` settles. */
  #continue(entry: Entry, next: number | undefined | Promise<void>): void {
    if (next instanceof Promise) void next.then(() => this.#compete(entry));
    else if (next !== undefined && !entry.retry) this.#sleep(entry, next);
    else this.#compete(entry);
  }

  /**
   * The reply to `waiter`'s SET NX with `value`: the lock is granted, or refused. Returns how long to sleep
   * before the next attempt, undefined for at once, or a promise to wait for first (a subscription, a release).
   */
  #attempted(entry: Entry, waiter: Waiter, value: string, reply: unknown): number | undefined | Promise<void> {
    // taken: ACQUIRE's 1, or ACQUIRE_READ's {1, data}; refused: [holder value, holder PTTL] from either
    if (!Array.isArray(reply) || typeof reply[0] === 'number') {
      const held = this.#hold(entry, value, waiter.options);
      // It gave up while the reply was on its way: let the next one have the lock.
      if (!entry.waiters.remove(waiter)) void held.lock.release();
      else if (waiter.options.readKey === undefined) grant(waiter, held.lock);
      else grant(waiter, held.lock, (reply as unknown[])[1] == null ? null : String((reply as unknown[])[1]));
      return undefined;
    }
    const holding = reply[0] == null ? undefined : String(reply[0]);
    if (holding !== undefined && this.#abandoned.delete(holding)) {
      // Ours, given up on (a stalled Redis ran the acquisition late, or the release never came): free it, try again.
      return this.#eval(this.#releaseScript, [entry.key], [holding, entry.channel]).then(
        () => undefined,
        (error: unknown) => this.#fail(`release ${entry.key}`, error),
      );
    }
    entry.lastHolder = holding === undefined ? undefined : ownerOf(holding);
    if (waiter.options.waitMs === 0) {
      if (entry.waiters.remove(waiter)) refuse(waiter, entry.lastHolder);
      return undefined;
    }
    if (!entry.subscribed) return this.#subscribe(entry);
    const pttl = Number(reply[1]);
    return pttl > 0 ? Math.min(this.#pollMs, pttl + 1) : this.#pollMs;
  }

  #abandon(value: string, ttlMs: number): void {
    const now = performance.now();
    // oldest first; one with a longer TTL ahead only delays the rest's removal
    for (const [old, until] of this.#abandoned) {
      if (until > now) break;
      this.#abandoned.delete(old);
    }
    this.#abandoned.set(value, now + ttlMs);
  }

  /** Sleeps until `ms` pass or something wakes the entry, then competes again. */
  #sleep(entry: Entry, ms: number): void {
    const timer = setTimeout(() => entry.wake?.(), ms);
    entry.wake = () => {
      clearTimeout(timer);
      entry.wake = undefined;
      // in a microtask, as the await this replaces: whoever woke the entry finishes first
      queueMicrotask(() => this.#compete(entry));
    };
  }

  /** Subscribes to the entry's channel, waiting at most one poll for it: a slow subscription only delays wake-ups. */
  async #subscribe(entry: Entry): Promise<void> {
    entry.subscribed = true;
    const subscriber = this.#subscriberClient();
    const subscribed = (this.#connecting ??= subscriber.isOpen ? Promise.resolve() : subscriber.connect())
      .then(() => (this.#closed ? undefined : subscriber.subscribe(entry.channel, this.#onRelease)))
      .catch((error: unknown) => {
        this.#connecting = undefined;
        this.#fail(`subscribe ${entry.channel}`, error);
      });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([subscribed, new Promise((resolve) => (timer = setTimeout(resolve, this.#pollMs)))]);
    clearTimeout(timer);
  }

  #subscriberClient(): LockSubscriber {
    if (!this.#subscriber) {
      const subscriber = this.#client.duplicate!();
      let lastError = '';
      subscriber.on('error', (error) => {
        // a reconnecting client repeats the same error at every retry
        if (error.message !== lastError) this.#fail('subscriber', error);
        lastError = error.message;
      });
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  #hold(entry: Entry, value: string, options: LockOptions): Held {
    const acquiredAt = performance.now();
    // methods, not arrow properties: the TypeScript loader names each arrow with a defineProperty call
    const locker = this;
    const lock: HeldLock & { [key: symbol]: Held } = {
      id: entry.id,
      token: value.slice(0, 36),
      acquiredAt,
      get lost() {
        return held.lost;
      },
      verify() {
        return locker.#verify(held);
      },
      release() {
        return locker.#release(held);
      },
    };
    const held: Held = { entry, value, owner: options.owner, ttlMs: options.ttlMs, lost: false, ended: false, renewing: false, renewal: undefined, lock };
    lock[this.#heldKey] = held;
    held.renewal = setInterval(() => this.#renew(held), Math.max(1, Math.floor(options.ttlMs / 3))).unref();
    entry.held = held;
    return held;
  }

  #renew(held: Held): void {
    if (held.renewing || held.ended) return;
    held.renewing = true;
    this.#eval(RENEW, [held.entry.key], [held.value, String(held.ttlMs)])
      .then(
        (reply) => {
          if (Number(reply) === 0) this.#lose(held);
        },
        (error: unknown) => this.#fail(`renew ${held.entry.key}`, error),
      )
      .finally(() => (held.renewing = false));
  }

  async #verify(held: Held): Promise<boolean> {
    if (held.ended) return false;
    try {
      const value = await this.#client.sendCommand(['GET', held.entry.key], this.#commandOptions);
      if (value != null && String(value) === held.value) return true;
      this.#lose(held);
    } catch (error) {
      this.#fail(`verify ${held.entry.key}`, error);
    }
    return false;
  }

  #release(held: Held): Promise<void> {
    // released with the data already (fencedSetAndRelease), on every request: no async function to pay for
    return held.ended ? Promise.resolve() : this.#releaseHeld(held);
  }

  async #releaseHeld(held: Held): Promise<void> {
    // Sent before the next waiter's attempt, which #end starts: Redis runs them in this order.
    const released = this.#eval(this.#releaseScript, [held.entry.key], [held.value, held.entry.channel]);
    this.#end(held);
    try {
      await released;
    } catch (error) {
      this.#fail(`release ${held.entry.key}`, error);
      this.#abandon(held.value, held.ttlMs);
    }
  }

  #lose(held: Held): void {
    if (held.ended) return;
    held.lost = true;
    this.#log(`tsfpm: session lock ${held.entry.key} of ${held.owner} expired and was lost`);
    this.#end(held);
  }

  #end(held: Held): void {
    held.ended = true;
    clearInterval(held.renewal);
    const entry = held.entry;
    if (entry.held !== held) return;
    entry.held = undefined;
    this.#wake(entry);
  }

  #heldOf(lock: HeldLock): Held | undefined {
    return (lock as HeldLock & { [key: symbol]: Held | undefined })[this.#heldKey];
  }

  #ours(lock: HeldLock): Held {
    const held = this.#heldOf(lock);
    if (!held) throw new TypeError('RedisLocker: this lock was not acquired from this locker');
    return held;
  }

  /** Runs a fencing script; a refusal marks the lock lost. */
  async #fenced(held: Held, fence: Script, keys: string[], args: Array<string | Buffer>): Promise<boolean> {
    if (Number(await this.#eval(fence, keys, args)) === 1) return true;
    this.#lose(held);
    return false;
  }

  /**
   * Sends a script now, before anything the caller sends next (EVAL the first time, which caches it in Redis,
   * then EVALSHA, and EVAL again after a NOSCRIPT), and later calls `ok` with its reply or `fail` with the
   * error. A command caught by a dying connection can stay
   * unanswered; the queue of this ID must move on all the same, so it fails once commandTimeoutMs has passed
   * twice over, and the client gets the chance to replace that connection. One sweep every half
   * commandTimeoutMs finds such commands, rather than a timer per command (two per request, nearly all cleared
   * unfired). Callbacks rather than a promise: the lock's hot path pays no promise of its own per command.
   */
  #send(fn: Script, keys: readonly string[], args: ReadonlyArray<string | Buffer>, ok: (reply: unknown) => void, fail: (error: unknown) => void): void {
    const command: InFlight = { sentAt: performance.now(), ok, fail };
    this.#inFlight.add(command);
    this.#sweeper ??= setInterval(() => this.#sweep(), this.#commandTimeoutMs / 2).unref();
    const loaded = this.#loaded.has(fn);
    // inline callbacks and methods, not named closures: the TypeScript loader (esbuild's keepNames) names
    // each named closure it makes with a defineProperty call
    this.#command(loaded ? 'EVALSHA' : 'EVAL', loaded ? fn.sha : fn.source, keys, args).then(
      (reply) => {
        if (!loaded) this.#loaded.add(fn);
        this.#answered(command, reply);
      },
      (error: unknown) => {
        // A NOSCRIPT retry goes behind commands sent after it: a release would then land behind the next
        // waiter's SET NX, which fails and loses its turn. EVAL first keeps that to after a Redis restart.
        if (!loaded || !(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) return this.#failed(command, error);
        this.#command('EVAL', fn.source, keys, args).then(
          (reply) => this.#answered(command, reply),
          (retryError: unknown) => this.#failed(command, retryError),
        );
      },
    );
  }

  /** A command's reply, unless the sweep failed it already. */
  #answered(command: InFlight, reply: unknown): void {
    if (this.#inFlight.delete(command)) command.ok(reply);
  }

  #failed(command: InFlight, error: unknown): void {
    if (this.#inFlight.delete(command)) command.fail(error);
  }

  /** One EVAL or EVALSHA; a client that throws instead of rejecting fails the same way. */
  #command(verb: 'EVAL' | 'EVALSHA', script: string, keys: readonly string[], args: ReadonlyArray<string | Buffer>): Promise<unknown> {
    try {
      return this.#client.sendCommand([verb, script, String(keys.length), ...keys, ...args], this.#commandOptions);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** #send as a promise, for the commands off the hot path. Rejects on Redis errors. */
  #eval(fn: Script, keys: readonly string[], args: ReadonlyArray<string | Buffer>): Promise<unknown> {
    return new Promise((resolve, reject) => this.#send(fn, keys, args, resolve, reject));
  }

  /** Fails the commands unanswered for twice commandTimeoutMs (the oldest come first), and tells the client once; stops when none is left. */
  #sweep(): void {
    if (this.#inFlight.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
      return;
    }
    const limit = performance.now() - 2 * this.#commandTimeoutMs;
    let late = false;
    for (const command of this.#inFlight) {
      if (command.sentAt > limit) break;
      this.#inFlight.delete(command);
      command.fail(new Error(`no reply within ${2 * this.#commandTimeoutMs} ms`));
      late = true;
    }
    if (late) this.#client.noReply?.();
  }

  #giveUp(entry: Entry, waiter: Waiter): void {
    let holder = entry.held?.owner ?? entry.lastHolder;
    if (!entry.held && !this.#client.isReady) {
      this.#log(`tsfpm: session lock ${entry.key}: Redis is not available`);
      holder = undefined;
    }
    if (!entry.waiters.remove(waiter)) return;
    refuse(waiter, holder);
    if (entry.waiters.length === 0) this.#wake(entry);
  }

  #fail(what: string, error: unknown): void {
    // node-redis's TimeoutError (commandTimeoutMs ran out) has no message, only its class
    const reason = error instanceof Error ? error.message || error.constructor.name : String(error);
    this.#log(`tsfpm: Redis session lock: ${what} failed: ${reason}`);
  }
}

