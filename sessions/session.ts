/**
 * The PHP session state machine for one request (ext/session/session.c): session_start() with
 * the ID from the cookie (or a new one), the lock, the read, lazy write at close, abort, reset,
 * destroy and regenerate. It knows nothing of HTTP: the request side is `SessionHost`.
 *
 *   NONE ──start──► (lock, read) ──► ACTIVE ──write_close / finish / end──► write|touch, unlock ──► NONE
 *                                       │ abort ──► unlock, no write ──► NONE
 *                                       │ destroy ──► delete, unlock ──► NONE (id "")
 *                                       └ regenerate_id ──► lock the new ID, keep or delete the old one
 * @module
 */
import { randomInt } from 'node:crypto';
import type { SessionBackend, SessionData, StoredCookie } from './backend.ts';
import { cacheLimiterHeaders } from './cache-limiter.ts';
import { classifyClientId, createSessionId, INVALID_ID_MESSAGE } from './id.ts';
import type { AcquireResult, HeldLock } from './lock.ts';

export const PHP_SESSION_DISABLED = 0;
export const PHP_SESSION_NONE = 1;
export const PHP_SESSION_ACTIVE = 2;

/** The request as the session sees it. */
export interface SessionHost {
  /** A session.* or redis.session.* setting for this request. */
  setting(name: string): string;
  /** ini_set() for this request; false when refused. */
  setSetting(name: string, value: string): boolean;
  headersSent(): boolean;
  /** The session ID the client sent: the cookie (use_cookies), then GET/POST (use_only_cookies=0). */
  clientId(name: string): string | undefined;
  /** Replaces any queued `Set-Cookie: <name>=` line with this session cookie. */
  sendCookie(name: string, id: string): void;
  /** Adds a header line, replacing earlier ones of the same name (cache limiter). */
  replaceHeader(line: string): void;
  /** The main script's mtime (ms), for the private/public cache limiters' Last-Modified. */
  scriptMtime(): number | undefined;
  warning(message: string): void;
  notice(message: string): void;
  log(line: string): void;
  /** `script /x.ts, GET /x`: who holds a lock, for other requests' diagnostics. */
  readonly owner: string;
  /** The open backend for the current settings. */
  backend(): Promise<SessionBackend>;
  /** Extra ID characters accepted (express-session's `_` when its signed cookies are shared). */
  readonly idExtraChars: string;
  /** Told when this session starts and stops waiting for its lock, and when it lets a held lock go (status and metrics). */
  readonly lockEvents?: SessionLockEvents;
}

export interface SessionLockEvents {
  /** Waiting for the lock on session `id` begins. */
  waiting(id: string): void;
  waited(waitedMs: number, acquired: boolean): void;
  released(): void;
}

function fingerprint(data: SessionData): string {
  return JSON.stringify(data, (_key, value: unknown) => {
    if (value instanceof Map) return { map: [...value.entries()] };
    if (typeof value === 'bigint') return `${value}n`;
    return value;
  });
}

/** A copy of plain objects and arrays, so edits to $_SESSION never reach the data as read; other values are shared. */
function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const copy = Object.create(proto) as Record<string, unknown>;
      for (const [k, v] of Object.entries(value)) copy[k] = deepCopy(v);
      return copy as T;
    }
  }
  return value;
}

function clear(target: SessionData): void {
  for (const key of Object.keys(target)) delete target[key];
}

export class PhpSession {
  readonly #host: SessionHost;
  /** $_SESSION: one object for the whole request, filled and emptied in place. */
  readonly data: SessionData;
  status = PHP_SESSION_NONE;
  #id = '';
  /** An ID set with session_id() before start. */
  #pendingId: string | undefined;
  #backend: SessionBackend | undefined;
  #lock: HeldLock | undefined;
  #readOnly = false;
  #read = '';
  #cookie: StoredCookie | undefined;
  /** The data as read, for session_reset(). */
  #stored: SessionData = {};
  #slowTimer: NodeJS.Timeout | undefined;
  /** A lock release started by a synchronous call (session_abort), awaited at the finish and the end. */
  #releasing: Promise<void> | undefined;
  /** A session_start() not settled yet: the request's end waits for it (or closes the session when it settles), so a lock it takes is never left held. */
  #starting: Promise<boolean> | undefined;
  /** The request has ended: a session_start() now (from code the request left running) is refused. */
  #ended = false;

  constructor(host: SessionHost, data: SessionData) {
    this.#host = host;
    this.data = data;
  }

  get id(): string {
    return this.#id;
  }

  /** The lock this request holds, if any (diagnostics and tests). */
  get lock(): HeldLock | undefined {
    return this.#lock;
  }

  #setting(name: string): string {
    return this.#host.setting(name);
  }

  #int(name: string): number {
    return Number.parseInt(this.#setting(name), 10) || 0;
  }

  #bool(name: string): boolean {
    const v = this.#setting(name).toLowerCase();
    return v === '1' || v === 'on' || v === 'yes' || v === 'true';
  }

  #newId(): string {
    return createSessionId(this.#int('session.sid_length') || 32, this.#int('session.sid_bits_per_character') || 4);
  }

  /** A session_start() that has not settled yet (awaited by the script or not). */
  get starting(): Promise<boolean> | undefined {
    return this.#starting;
  }

  /**
   * session_start(): true when the session is active (or was read and closed with read_and_close).
   * PHP's is synchronous, so a port may not await it: until it settles, $_SESSION warns when used.
   */
  start(options: Record<string, unknown> = {}): Promise<boolean> {
    if (this.#ended) {
      this.#host.log(`tsfpm: session_start() refused: called after its request ended (${this.#host.owner})`);
      return Promise.resolve(false);
    }
    // a second call before the first settled: PHP's calls are sequential, so it runs after the first
    const previous = this.#starting;
    const restore = previous ? () => {} : this.#guardUntilRead();
    const run = previous ? previous.catch(() => false).then(() => this.#start(options, restore)) : this.#start(options, restore);
    const started = run.finally(() => {
      restore();
      if (this.#starting === started) this.#starting = undefined;
    });
    this.#starting = started;
    return started;
  }

  /**
   * Until the session is read, a use of $_SESSION by the script is a missing `await`: reads of a key
   * and writes of a new one reach the object's prototype, made a proxy that warns (once) meanwhile.
   * The returned function puts the prototype back; it runs before the read data is put in.
   */
  #guardUntilRead(): () => void {
    const data = this.data;
    const original = Object.getPrototypeOf(data) as object | null;
    let warned = false;
    const warn = (key: string | symbol): void => {
      if (warned || typeof key === 'symbol') return;
      warned = true;
      this.#host.warning(`$_SESSION used before session_start() finished: the session is not read yet, and what is set now is lost when it is; write \`await session_start()\``);
    };
    const target = original ?? Object.create(null);
    Object.setPrototypeOf(
      data,
      new Proxy(target, {
        get: (t, key, receiver) => (warn(key), Reflect.get(t, key, receiver)),
        has: (t, key) => (warn(key), Reflect.has(t, key)),
        set: (_t, key, value, receiver) => (warn(key), Reflect.defineProperty(receiver as object, key, { value, writable: true, enumerable: true, configurable: true })),
      }),
    );
    let restored = false;
    return () => {
      if (restored) return;
      restored = true;
      Object.setPrototypeOf(data, original);
    };
  }

  async #start(options: Record<string, unknown>, unguard: () => void): Promise<boolean> {
    const host = this.#host;
    if (this.status === PHP_SESSION_ACTIVE) {
      host.notice('session_start(): Ignoring session_start() because a session is already active');
      return true;
    }
    if (this.#bool('session.use_cookies') && host.headersSent()) {
      host.warning('session_start(): Session cannot be started after headers have already been sent');
      return false;
    }
    let readAndClose = false;
    for (const [key, value] of Object.entries(options)) {
      if (key === 'read_and_close') {
        readAndClose = Boolean(value);
        continue;
      }
      const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
      if (!host.setSetting(`session.${key}`, text)) host.warning(`session_start(): Setting option "${key}" failed`);
    }
    const name = this.#setting('session.name');
    let id = this.#pendingId;
    let fromClient = false;
    if (id === undefined) {
      const sent = host.clientId(name);
      if (sent !== undefined) {
        const kind = classifyClientId(sent, host.idExtraChars);
        if (kind === 'ok') {
          id = sent;
          fromClient = true;
        } else if (kind === 'invalid') {
          host.warning(`session_start(): ${INVALID_ID_MESSAGE}`);
          const backend = await this.#openBackend();
          host.warning(`session_start(): Failed to read session data: ${backend?.name ?? this.#setting('session.save_handler')} (path: ${this.#setting('session.save_path')})`);
          clear(this.data);
          return false;
        }
      }
    }
    const backend = await this.#openBackend();
    if (!backend) return this.#fail();
    try {
      if (id !== undefined && fromClient && this.#bool('session.use_strict_mode') && !(await backend.exists(id))) {
        id = undefined;
        fromClient = false;
      }
      id ??= this.#newId();
      const read = await this.#acquire(backend, id);
      if (read === false) return this.#fail();
      const stored = read === undefined ? await backend.read(id) : backend.parse(read);
      this.#stored = stored?.data ?? {};
      unguard();
      clear(this.data);
      Object.assign(this.data, deepCopy(this.#stored));
      this.#cookie = stored?.cookie;
    } catch (err) {
      await this.#unlock();
      host.warning(`session_start(): Failed to read session data: ${backend.name} (path: ${backend.savePath}): ${(err as Error).message}`);
      return this.#fail();
    }
    this.#id = id;
    this.#pendingId = undefined;
    this.#backend = backend;
    this.#read = fingerprint(this.data);
    this.status = PHP_SESSION_ACTIVE;
    if (this.#bool('session.use_cookies') && (!fromClient || this.#int('session.cookie_lifetime') > 0)) host.sendCookie(name, id);
    for (const line of this.#cacheHeaders()) host.replaceHeader(line);
    await this.#maybeGc(backend);
    if (readAndClose) {
      this.abort();
      await this.#releasing;
    }
    return true;
  }

  #fail(): false {
    clear(this.data);
    this.status = PHP_SESSION_NONE;
    return false;
  }

  async #openBackend(): Promise<SessionBackend | undefined> {
    try {
      return await this.#host.backend();
    } catch (err) {
      this.#host.warning(`session_start(): Failed to initialize storage module: ${this.#setting('session.save_handler')} (path: ${this.#setting('session.save_path')}): ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * Takes the lock on `id`; on timeout warns (naming the holder) and fails, or goes on read-only where configured.
   * Resolves false for a failure, else the session's stored text when the locker read it with the lock (null: none
   * stored), or undefined when the data is still to be read.
   */
  async #acquire(backend: SessionBackend, id: string): Promise<false | string | null | undefined> {
    this.#readOnly = false;
    if (backend.name === 'redis' && !this.#bool('redis.session.locking_enabled')) return undefined;
    const events = this.#host.lockEvents;
    events?.waiting(id);
    let result: AcquireResult;
    try {
      const readKey = backend.readKey(id);
      result = await backend.locker.acquire(id, { waitMs: this.#lockWaitMs(backend), ttlMs: this.#lockTtlMs(), owner: this.#host.owner, ...(readKey === undefined ? {} : { readKey }) });
    } catch (err) {
      events?.waited(0, false);
      throw err;
    }
    events?.waited(result.waitedMs, result.ok);
    if (result.ok) {
      this.#lock = result.lock;
      this.#watchSlowLock();
      return result.value;
    }
    const holder = result.holder ? ` held by ${result.holder}` : '';
    this.#host.log(`tsfpm: gave up waiting ${result.waitedMs.toFixed(0)} ms for the session lock on ${id}${holder} (${this.#host.owner})`);
    if (this.#bool('tsfpm.session_lock_readonly')) {
      this.#readOnly = true;
      this.#host.warning('session_start(): Failed to acquire session lock; the session is read-only for this request');
      return undefined;
    }
    this.#host.warning('session_start(): Failed to acquire session lock');
    this.#host.warning(`session_start(): Failed to read session data: ${backend.name} (path: ${backend.savePath})`);
    return false;
  }

  /** phpredis: lock_retries × lock_wait_time (µs); -1 retries, and every other handler: tsfpm.session_lock_timeout. */
  #lockWaitMs(backend: SessionBackend): number {
    if (backend.name === 'redis') {
      const retries = this.#int('redis.session.lock_retries');
      if (retries >= 0) return (retries || 100) * (this.#int('redis.session.lock_wait_time') || 20000) / 1000;
    }
    return this.#int('tsfpm.session_lock_timeout') * 1000;
  }

  /** phpredis' lock_expire, else max_execution_time, else 30 s; the holder renews it while alive. */
  #lockTtlMs(): number {
    return (this.#int('redis.session.lock_expire') || this.#int('max_execution_time') || 30) * 1000;
  }

  #watchSlowLock(): void {
    const seconds = this.#int('tsfpm.session_lock_slow_log');
    if (seconds <= 0) return;
    this.#slowTimer = setTimeout(() => this.#host.log(`tsfpm: session lock on ${this.#id} held for more than ${seconds} s (${this.#host.owner})`), seconds * 1000);
    this.#slowTimer.unref();
  }

  async #unlock(): Promise<void> {
    clearTimeout(this.#slowTimer);
    const lock = this.#lock;
    this.#lock = undefined;
    if (lock) this.#host.lockEvents?.released();
    await lock?.release();
  }

  #cacheHeaders(): string[] {
    return cacheLimiterHeaders(this.#setting('session.cache_limiter'), this.#int('session.cache_expire'), Date.now(), this.#host.scriptMtime());
  }

  async #maybeGc(backend: SessionBackend): Promise<void> {
    const probability = this.#int('session.gc_probability');
    const divisor = this.#int('session.gc_divisor') || 100;
    if (probability > 0 && randomInt(divisor) < probability) await this.gc(backend);
  }

  /** session_gc(): the number of sessions deleted. */
  async gc(backend = this.#backend): Promise<number | false> {
    if (!backend) return false;
    try {
      return await backend.gc(this.#int('session.gc_maxlifetime'));
    } catch (err) {
      this.#host.log(`tsfpm: session gc failed: ${(err as Error).message}`);
      return false;
    }
  }

  #storedCookie(): StoredCookie {
    const maxAge = this.#int('session.gc_maxlifetime') * 1000;
    return {
      ...this.#cookie,
      originalMaxAge: maxAge,
      expires: new Date(Date.now() + maxAge).toISOString(),
      httpOnly: this.#bool('session.cookie_httponly'),
      path: this.#setting('session.cookie_path') || '/',
    };
  }

  /** session_write_close(): writes (or, unchanged with lazy_write, touches) and unlocks; false when no session is active. */
  async writeClose(): Promise<boolean> {
    if (this.status !== PHP_SESSION_ACTIVE) return false;
    const backend = this.#backend!;
    let ok = true;
    try {
      if (this.#readOnly) {
        if (fingerprint(this.data) !== this.#read) this.#host.warning(`session_write_close(): Session data not written: the session was opened read-only because its lock was not acquired`);
      } else if (this.#bool('session.lazy_write') && fingerprint(this.data) === this.#read) {
        await backend.touch(this.#id, this.data, this.#storedCookie());
      } else if (!(await backend.write(this.#id, this.data, this.#storedCookie(), this.#lock, true))) {
        ok = false;
        this.#host.warning(`session_write_close(): Failed to write session data (${backend.name}): the session lock expired and was taken over by another request`);
      }
    } catch (err) {
      ok = false;
      this.#host.warning(`session_write_close(): Failed to write session data (${backend.name}). Please verify that the current setting of session.save_path is correct (${backend.savePath}): ${(err as Error).message}`);
    } finally {
      await this.#unlock();
      this.status = PHP_SESSION_NONE;
    }
    return ok;
  }

  /** session_abort(): closes without writing; the lock is released in the background at once. $_SESSION keeps its edits in memory. */
  abort(): boolean {
    if (this.status !== PHP_SESSION_ACTIVE) return false;
    this.status = PHP_SESSION_NONE;
    this.#releasing = this.#unlock().catch((err: Error) => this.#host.log(`tsfpm: session lock release failed: ${err.message}`));
    return true;
  }

  /** session_reset(): back to the data as read. The lock was held since the read, so it is what the store holds. */
  reset(): boolean {
    if (this.status !== PHP_SESSION_ACTIVE) return false;
    clear(this.data);
    Object.assign(this.data, deepCopy(this.#stored));
    return true;
  }

  /** session_unset() */
  unset(): boolean {
    if (this.status !== PHP_SESSION_ACTIVE) return false;
    clear(this.data);
    return true;
  }

  /** session_destroy(): deletes the stored session; $_SESSION keeps its data and no cookie is expired, as PHP. */
  async destroy(): Promise<boolean> {
    if (this.status !== PHP_SESSION_ACTIVE) {
      this.#host.warning('session_destroy(): Trying to destroy uninitialized session');
      return false;
    }
    let ok = true;
    try {
      ok = await this.#backend!.destroy(this.#id, this.#lock);
      if (!ok) this.#host.warning('session_destroy(): Session object destruction failed: the session lock was taken over by another request');
    } catch (err) {
      ok = false;
      this.#host.warning(`session_destroy(): Session object destruction failed: ${(err as Error).message}`);
    } finally {
      await this.#unlock();
      this.status = PHP_SESSION_NONE;
      this.#id = '';
    }
    return ok;
  }

  /**
   * session_regenerate_id(): a new ID for the same data, locked before the old one is let go, so
   * parallel regenerations cannot orphan the session. The old session is written and kept, or
   * deleted with `deleteOld`.
   */
  async regenerateId(deleteOld = false): Promise<boolean> {
    if (this.status !== PHP_SESSION_ACTIVE) {
      this.#host.warning('session_regenerate_id(): Session ID cannot be regenerated when there is no active session');
      return false;
    }
    if (this.#host.headersSent()) {
      this.#host.warning('session_regenerate_id(): Session ID cannot be regenerated after headers have already been sent');
      return false;
    }
    const backend = this.#backend!;
    const oldLock = this.#lock;
    const oldId = this.#id;
    const newId = this.#newId();
    this.#lock = undefined;
    if ((await this.#acquire(backend, newId)) === false) {
      this.#lock = oldLock;
      return false;
    }
    try {
      if (deleteOld) await backend.destroy(oldId, oldLock);
      else await backend.write(oldId, this.data, this.#storedCookie(), oldLock);
    } finally {
      await oldLock?.release();
    }
    this.#id = newId;
    // the new ID has nothing stored yet: make sure close writes it even when nothing changed
    this.#read = '';
    if (this.#bool('session.use_cookies')) this.#host.sendCookie(this.#setting('session.name'), newId);
    return true;
  }

  /** session_id(): the current ID, or "" ; with `id`, sets the ID the next start uses. */
  setPendingId(id: string): void {
    this.#pendingId = id;
  }

  get pendingId(): string | undefined {
    return this.#pendingId;
  }

  /**
   * Closes the session at the finish or the end of the request: PHP writes it at request shutdown.
   * A session_start() still pending (not awaited) is waited for first, so its lock is let go too;
   * with `waitForStart` false (a request stopped or abandoned to a time limit, which must not wait
   * for a lock) it closes the session once it settles instead. At the `end`, no session can start any more.
   */
  async release(end = false, waitForStart = true): Promise<void> {
    if (end) this.#ended = true;
    if (this.#starting && !waitForStart) {
      void this.#starting
        .catch(() => false)
        .then(() => this.release(end))
        .catch((err: Error) => this.#host.log(`tsfpm: closing a session started late failed (${this.#host.owner}): ${err.message}`));
      return;
    }
    while (this.#starting) await this.#starting.catch(() => false);
    if (this.status === PHP_SESSION_ACTIVE) await this.writeClose();
    await this.#releasing;
  }
}
