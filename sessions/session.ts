/**
 * The PHP session state machine for one request (ext/session/session.c): session_start() with
 * the ID from the cookie (or a new one), the lock, the read, lazy write at close, abort, reset,
 * destroy and regenerate. It knows nothing of HTTP: the request side is `SessionHost`.
 *
 *   NONE ──start──► (lock, read) ──► ACTIVE ──write_close / finish / end──► write|touch, unlock ──► NONE
 *                                       │ abort ──► unlock, no write ──► NONE
 *                                       │ destroy ──► delete, unlock ──► NONE (id "")
 *                                       └ regenerate_id ──► lock the new ID, keep or delete the old one
 *
 * A script's own save handler (session_set_save_handler(), user-handler.ts) adds PHP's mod_user calls around this:
 * open before the ID is chosen, create_sid / validateId, close after the write, and regenerate_id's close, open, read.
 * session_encode()/session_decode() read and fill $_SESSION in the session.serialize_handler format.
 * @module
 */
import { randomInt } from 'node:crypto';
import { storedCookie, type SessionBackend, type SessionData, type StoredCookie } from './backend.ts';
import { cacheLimiterHeaders } from './cache-limiter.ts';
import { phpOpenFailure } from './files/files-store.ts';
import { classifyClientId, createSessionId, INVALID_ID_MESSAGE } from './id.ts';
import type { AcquireResult, HeldLock } from './lock/contract.ts';
import { guardRecord } from './serialize/ordered-record.ts';
import { orderedKeys, PHP_KEY_ORDER, sameRecord } from './serialize/php-values.ts';
import { DECODE_FAILED_MESSAGE, decodeSession, encodeSession, parseSerializeHandler, SessionDecodeError, type SessionSerializeHandler } from './serialize/session-codec.ts';
import { handlerStartupFailure, sessionSettingProblem } from './session-settings.ts';
import { readAndCloseValue, startOptionText, startOptionTypeError, StartOptionTypeError } from './start-options.ts';
import { HandlerReturnedFalse, isUserBackend, type UserBackendHooks } from './user-handler.ts';

export const PHP_SESSION_DISABLED = 0;
export const PHP_SESSION_NONE = 1;
export const PHP_SESSION_ACTIVE = 2;

/** The request as the session sees it. */
export interface SessionHost {
  /** A session.* or redis.session.* setting for this request. */
  setting(name: string): string;
  /** The same setting read as an integer, as PHP's ini does (0 when not a number). */
  int(name: string): number;
  /** The same setting read as a boolean, as PHP's ini does ("1", "on", "yes", "true"). */
  bool(name: string): boolean;
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
  /** The backend for the current settings: the backend itself when it is open already, else the promise of it. */
  backend(): SessionBackend | Promise<SessionBackend>;
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

/**
 * A copy of plain objects and arrays, so edits to $_SESSION never reach the data as read; other values are shared.
 * Records keep their PHP key order (php-values.ts' PHP_KEY_ORDER).
 */
function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const copy = Object.create(proto) as Record<string, unknown>;
      const keys = orderedKeys(value);
      for (const k of keys) copy[k] = deepCopy((value as Record<string, unknown>)[k]);
      const jsOrder = Object.keys(copy);
      if (keys.some((k, i) => jsOrder[i] !== k)) Object.defineProperty(copy, PHP_KEY_ORDER, { value: keys, writable: true, configurable: true });
      return copy as T;
    }
  }
  return value;
}

function clear(target: SessionData): void {
  for (const key of Object.keys(target)) delete target[key];
}

/** Empties `target` ($_SESSION) and fills it with a copy of `source`, key by key in PHP order. */
function fill(target: SessionData, source: SessionData): void {
  clear(target);
  for (const key of orderedKeys(source)) target[key] = deepCopy(source[key]);
}

/** PHP's Error for a create_sid() that returns no string. */
class SessionIdTypeError extends Error {
  override name = 'Error';
  constructor() {
    super('Session id must be a string');
  }
}

/** `: detail` for a warning, or nothing when a user handler just returned false (PHP's text has no detail). */
function detailOf(err: unknown): string {
  return err instanceof HandlerReturnedFalse ? '' : `: ${(err as Error).message}`;
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
  /** The close writes even if $_SESSION is as read: the ID is new (regenerated) or nothing was read (PHP's lazy_write needs data). */
  #mustWrite = false;
  #cookie: StoredCookie | undefined;
  /** The data as read, for session_reset() and lazy_write's comparison: $_SESSION holds a copy of it. */
  #stored: SessionData = {};
  #slowTimer: NodeJS.Timeout | undefined;
  /** A lock release started by a synchronous call (session_abort), awaited at the finish and the end. */
  #releasing: Promise<void> | undefined;
  /** A session_start() not settled yet: the request's end waits for it (or closes the session when it settles), so a lock it takes is never left held. */
  #starting: Promise<boolean> | undefined;
  /** The request has ended: a session_start() now (from code the request left running) is refused. */
  #ended = false;
  /** session_set_save_handler()'s backend, replacing the configured one for this request. */
  #userBackend: (SessionBackend & UserBackendHooks) | undefined;
  /** The user backend whose open() succeeded and whose close() is due. */
  #opened: UserBackendHooks | undefined;
  /** Inside session_start(), from the backend's open on: SessionHandler's methods may be called. */
  #opening = false;
  /** Inside the user handler's close(). */
  #closing = false;
  /** $_SESSION exists (a session was started once): session_encode() works on it even after the close, as PHP. */
  #hasVars = false;

  /** `data`: $_SESSION, a record from createOrderedRecord(). */
  constructor(host: SessionHost, data: SessionData) {
    this.#host = host;
    this.data = data;
  }

  get id(): string {
    return this.#id;
  }

  /** Whether a session is active or being started: PHP's SessionHandler refuses to open outside one. */
  get opening(): boolean {
    return this.#opening || this.#closing || this.status === PHP_SESSION_ACTIVE;
  }

  /** The lock this request holds, if any (diagnostics and tests). */
  get lock(): HeldLock | undefined {
    return this.#lock;
  }

  #setting(name: string): string {
    return this.#host.setting(name);
  }

  #int(name: string): number {
    return this.#host.int(name);
  }

  #bool(name: string): boolean {
    return this.#host.bool(name);
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
   * `mapError` turns what the start fails with into what its caller reports (in the same step, no promise more).
   */
  start(options: Record<string, unknown> = {}, mapError?: (err: unknown) => unknown): Promise<boolean> {
    if (this.#ended) {
      this.#host.log(`tsfpm: session_start() refused: called after its request ended (${this.#host.owner})`);
      return Promise.resolve(false);
    }
    // a second call before the first settled: PHP's calls are sequential, so it runs after the first
    const previous = this.#starting;
    const restore = previous ? () => {} : this.#guardUntilRead();
    const run = previous ? previous.catch(() => false).then(() => this.#start(options, restore)) : this.#startNow(options, restore);
    // then(), not finally(): finally() costs three promises where this costs one, on every request with a session
    const started: Promise<boolean> = run.then(
      (ok) => (this.#startSettled(started, restore), ok),
      (err: unknown) => {
        this.#startSettled(started, restore);
        throw mapError ? mapError(err) : err;
      },
    );
    this.#starting = started;
    return started;
  }

  /** A start settled: the watch on $_SESSION ends, and SessionHandler's methods may no longer be called (#opening). */
  #startSettled(started: Promise<boolean>, restore: () => void): void {
    restore();
    this.#opening = false;
    if (this.#starting === started) this.#starting = undefined;
  }

  /** #start called now: what it throws before its first wait becomes its rejection. */
  #startNow(options: Record<string, unknown>, unguard: () => void): Promise<boolean> {
    try {
      return this.#start(options, unguard);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Until the session is read, a use of $_SESSION by the script is a missing `await`: $_SESSION (an ordered
   * record) reports each key read, tested or set meanwhile, and the first one warns. The returned function
   * ends the watch; it runs before the read data is put in.
   */
  #guardUntilRead(): () => void {
    let warned = false;
    guardRecord(this.data, () => {
      if (warned) return;
      warned = true;
      this.#host.warning(`$_SESSION used before session_start() finished: the session is not read yet, and what is set now is lost when it is; write \`await session_start()\``);
    });
    return () => guardRecord(this.data, undefined);
  }

  /**
   * Not async: up to the lock, a start with the backend open already waits for nothing, and each await (and
   * async call) would be a promise more, with the promise hooks AsyncLocalStorage runs for each. Throws what
   * an async function would reject with (the caller turns it into a rejection).
   */
  #start(options: Record<string, unknown>, unguard: () => void): Promise<boolean> {
    const host = this.#host;
    if (this.status === PHP_SESSION_ACTIVE) {
      host.notice('session_start(): Ignoring session_start() because a session is already active');
      return Promise.resolve(true);
    }
    if (this.#bool('session.use_cookies') && host.headersSent()) {
      host.warning('session_start(): Session cannot be started after headers have already been sent');
      return Promise.resolve(false);
    }
    let readAndClose = false;
    for (const [key, value] of Object.entries(options)) {
      // PHP ignores int keys; a JS object lists them as digit strings
      if (/^(?:0|-?[1-9]\d*)$/.test(key)) continue;
      const typeError = startOptionTypeError(key, value);
      if (typeError) throw new StartOptionTypeError(typeError);
      const checked = value as string | number | boolean;
      if (key === 'read_and_close') {
        readAndClose = readAndCloseValue(checked);
        continue;
      }
      const text = startOptionText(checked);
      const problem = sessionSettingProblem(`session.${key}`, text, 'runtime');
      if (problem) host.warning(`session_start(): ${problem}`);
      if (problem || !host.setSetting(`session.${key}`, text)) host.warning(`session_start(): Setting option "${key}" failed`);
    }
    const startupFailure = handlerStartupFailure(this.#userBackend ? 'user' : this.#setting('session.save_handler'), this.#setting('session.serialize_handler'));
    if (startupFailure) {
      host.warning(`session_start(): ${startupFailure}`);
      return Promise.resolve(this.#fail());
    }
    const name = this.#setting('session.name');
    // PHP keeps the ID of a session closed in this request: a second session_start() reopens it
    // an empty ID, from session_id('') too, means a new one (PHP)
    let id = this.#pendingId || this.#id || undefined;
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
          return Promise.resolve(this.#openBackend()).then((backend) => {
            host.warning(`session_start(): Failed to read session data: ${backend?.name ?? this.#setting('session.save_handler')} (path: ${this.#setting('session.save_path')})`);
            clear(this.data);
            return false;
          });
        }
      }
    }
    const opened = this.#openBackend();
    if (opened instanceof Promise) return opened.then((backend) => this.#startOn(backend, id, fromClient, name, readAndClose, unguard));
    return this.#startOn(opened, id, fromClient, name, readAndClose, unguard);
  }

  #startOn(backend: SessionBackend | undefined, id: string | undefined, fromClient: boolean, name: string, readAndClose: boolean, unguard: () => void): Promise<boolean> {
    if (!backend) return Promise.resolve(this.#fail());
    // session_id() answers the ID being opened from here on, in the save handler's calls too (PHP's PS(id));
    // #opening until the start settles (#startSettled)
    this.#id = id ?? '';
    this.#opening = true;
    return this.#startWith(backend, id, fromClient, name, readAndClose, unguard);
  }

  async #startWith(backend: SessionBackend, id: string | undefined, fromClient: boolean, name: string, readAndClose: boolean, unguard: () => void): Promise<boolean> {
    const host = this.#host;
    if (isUserBackend(backend) && !(await this.#openUser(backend))) {
      host.warning(`session_start(): Failed to initialize storage module: ${backend.name} (path: ${backend.savePath})`);
      return this.#fail();
    }
    try {
      // strict mode refuses an ID the store does not have, whoever chose it, as PHP
      if (id !== undefined && this.#bool('session.use_strict_mode') && !(await backend.exists(id))) {
        id = undefined;
        fromClient = false;
      }
      const newId = id === undefined;
      // PHP's own IDs are made here and now: no await for them
      id ??= isUserBackend(backend) ? await this.#createId(backend) : this.#newId();
      this.#id = id;
      const acquiring = this.#acquire(backend, id, newId);
      const read = acquiring && (await acquiring);
      if (read === false) {
        await this.#closeUser();
        return this.#fail();
      }
      const stored = read === undefined ? await backend.read(id) : backend.parse(read);
      this.#stored = stored?.data ?? {};
      unguard();
      fill(this.data, this.#stored);
      this.#cookie = stored?.cookie;
    } catch (err) {
      if (err instanceof SessionDecodeError && isUserBackend(backend)) return this.#decodeFailed(backend, id!, 'session_start');
      await this.#closeUser();
      await this.#unlock();
      // what a script's own handler throws reaches the script, as in PHP
      if (err instanceof SessionIdTypeError || (isUserBackend(backend) && !(err instanceof HandlerReturnedFalse))) {
        this.#fail();
        throw err;
      }
      const openFailure = phpOpenFailure(err);
      if (openFailure) host.warning(`session_start(): ${openFailure}`);
      host.warning(`session_start(): Failed to read session data: ${backend.name} (path: ${backend.savePath})${openFailure ? '' : detailOf(err)}`);
      return this.#fail();
    }
    this.#hasVars = true;
    this.#id = id;
    this.#pendingId = undefined;
    this.#backend = backend;
    // PHP keeps the data as read for lazy_write only when there was some: an empty session is always written
    this.#mustWrite = Object.keys(this.#stored).length === 0;
    this.status = PHP_SESSION_ACTIVE;
    if (this.#bool('session.use_cookies') && (!fromClient || this.#int('session.cookie_lifetime') > 0)) this.#sendCookie('session_start', name, id);
    for (const line of this.#cacheHeaders()) host.replaceHeader(line);
    if (this.#gcDue()) await this.gc(backend);
    if (readAndClose) {
      this.abort();
      await this.#releasing;
    }
    return true;
  }

  /** php_session_send_cookie(): a name a cookie cannot carry is not sent, with PHP's warning; the session goes on. */
  #sendCookie(fn: string, name: string, id: string): void {
    if (/[=,;.[ \t\r\n\v\f]/.test(name)) {
      this.#host.warning(`${fn}(): session.name cannot contain any of the following '=,;.[ \\t\\r\\n\\013\\014'`);
      return;
    }
    this.#host.sendCookie(name, id);
  }

  #fail(): false {
    clear(this.data);
    this.status = PHP_SESSION_NONE;
    this.#id = '';
    return false;
  }

  /** PHP's mod_user open(save_path, name), before anything else of a request's session. */
  async #openUser(backend: SessionBackend & UserBackendHooks): Promise<boolean> {
    const opened = await backend.open(this.#setting('session.save_path'), this.#setting('session.name'));
    if (opened) this.#opened = backend;
    else await backend.closeSession();
    return opened;
  }

  /** PHP's mod_user close(), once per successful open(). */
  async #closeUser(): Promise<void> {
    const opened = this.#opened;
    this.#opened = undefined;
    if (!opened) return;
    // PHP calls close() while the session still counts as active
    this.#closing = true;
    try {
      await opened.closeSession();
    } finally {
      this.#closing = false;
    }
  }

  /** A new ID: the user handler's create_sid() where it has one, else PHP's own. */
  async #createId(backend: SessionBackend): Promise<string> {
    if (isUserBackend(backend) && backend.createSid) {
      const created: unknown = await backend.createSid();
      if (typeof created !== 'string') throw new SessionIdTypeError();
      return created;
    }
    return this.#newId();
  }

  /** Data the serialize handler cannot decode: PHP destroys the session, closes it and warns. */
  async #decodeFailed(backend: SessionBackend, id: string, fn: string): Promise<false> {
    try {
      await backend.destroy(id, this.#lock);
    } finally {
      await this.#closeUser();
      await this.#unlock();
      this.#host.warning(`${fn}(): ${DECODE_FAILED_MESSAGE}`);
      this.status = PHP_SESSION_NONE;
      this.#id = '';
      this.#hasVars = false;
      clear(this.data);
    }
    return false;
  }

  /** The backend, undefined (with PHP's warning) when it cannot be opened; no promise when it is open already. */
  #openBackend(): SessionBackend | undefined | Promise<SessionBackend | undefined> {
    if (this.#userBackend) return this.#userBackend;
    let opened: SessionBackend | Promise<SessionBackend>;
    try {
      opened = this.#host.backend();
    } catch (err) {
      return this.#backendFailed(err);
    }
    return opened instanceof Promise ? opened.catch((err: unknown) => this.#backendFailed(err)) : opened;
  }

  #backendFailed(err: unknown): undefined {
    this.#host.warning(`session_start(): Failed to initialize storage module: ${this.#setting('session.save_handler')} (path: ${this.#setting('session.save_path')}): ${(err as Error).message}`);
    return undefined;
  }

  /**
   * Takes the lock on `id`; on timeout warns (naming the holder) and fails, or goes on read-only where configured.
   * Resolves false for a failure, else the session's stored text when the locker read it with the lock (null: none
   * stored), or undefined when the data is still to be read. `newId`: the ID was just made here (LockOptions.newId).
   * Undefined at once, without a promise, where no lock is taken.
   */
  #acquire(backend: SessionBackend, id: string, newId: boolean): Promise<false | string | null | undefined> | undefined {
    this.#readOnly = false;
    if (backend.name === 'redis' && !this.#bool('redis.session.locking_enabled')) return undefined;
    if (isUserBackend(backend) && backend.lockless) return undefined;
    this.#host.lockEvents?.waiting(id);
    let acquiring: Promise<AcquireResult>;
    try {
      const readKey = backend.readKey(id);
      acquiring = backend.locker.acquire(id, { waitMs: this.#lockWaitMs(backend), ttlMs: this.#lockTtlMs(), owner: this.#host.owner, newId, ...(readKey === undefined ? {} : { readKey }) });
    } catch (err) {
      return this.#notAcquired(err);
    }
    return acquiring.then(
      (result) => this.#acquired(backend, id, result),
      (err: unknown) => this.#notAcquired(err),
    );
  }

  /** The locker failed (rather than answered ok: false): no wait goes on, and the error is the start's. */
  #notAcquired(err: unknown): never {
    this.#host.lockEvents?.waited(0, false);
    throw err;
  }

  /** #acquire's answer once the locker has answered. */
  #acquired(backend: SessionBackend, id: string, result: AcquireResult): false | string | null | undefined {
    this.#host.lockEvents?.waited(result.waitedMs, result.ok);
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

  /** Lets the lock go; undefined, without a promise, when none is held. */
  #unlock(): Promise<void> | undefined {
    clearTimeout(this.#slowTimer);
    const lock = this.#lock;
    if (!lock) return undefined;
    this.#lock = undefined;
    this.#host.lockEvents?.released();
    return lock.release();
  }

  #cacheHeaders(): string[] {
    return cacheLimiterHeaders(this.#setting('session.cache_limiter'), this.#int('session.cache_expire'), Date.now(), () => this.#host.scriptMtime());
  }

  /** Whether this start collects garbage: session.gc_probability in session.gc_divisor. */
  #gcDue(): boolean {
    const probability = this.#int('session.gc_probability');
    if (probability <= 0) return false;
    const divisor = this.#int('session.gc_divisor');
    // PHP: a divisor of 0 or less collects at every start (its random draw is always 0)
    return (divisor <= 0 ? 0 : randomInt(divisor)) < probability;
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
    return storedCookie(this.#int('session.gc_maxlifetime'), this.#bool('session.cookie_httponly'), this.#setting('session.cookie_path'), this.#cookie);
  }

  /** session_write_close(): writes (or, unchanged with lazy_write, touches) and unlocks; false when no session is active. */
  async writeClose(): Promise<boolean> {
    if (this.status !== PHP_SESSION_ACTIVE) return false;
    const backend = this.#backend!;
    let ok = true;
    try {
      if (this.#readOnly) {
        if (!sameRecord(this.data, this.#stored)) this.#host.warning(`session_write_close(): Session data not written: the session was opened read-only because its lock was not acquired`);
      } else if (this.#bool('session.lazy_write') && !this.#mustWrite && sameRecord(this.data, this.#stored)) {
        await backend.touch(this.#id, this.data, this.#storedCookie());
      } else if (!(await backend.write(this.#id, this.data, this.#storedCookie(), this.#lock, true))) {
        ok = false;
        this.#host.warning(`session_write_close(): Failed to write session data (${backend.name}): the session lock expired and was taken over by another request`);
      }
    } catch (err) {
      if (isUserBackend(backend) && !(err instanceof HandlerReturnedFalse)) {
        // an exception or exit() in the script's write(): PHP unwinds without calling close()
        this.#opened = undefined;
        this.status = PHP_SESSION_NONE;
        await this.#unlock();
        throw err;
      }
      if (err instanceof HandlerReturnedFalse && isUserBackend(backend)) {
        // PHP 8.2 warns and still answers true
        this.#host.warning(`session_write_close(): Failed to write session data using user defined save handler. (session.save_path: ${backend.savePath}, handler: ${handlerName(backend, err.method)})`);
      } else {
        ok = false;
        this.#host.warning(`session_write_close(): Failed to write session data (${backend.name}). Please verify that the current setting of session.save_path is correct (${backend.savePath})${detailOf(err)}`);
      }
    } finally {
      this.status = PHP_SESSION_NONE;
      try {
        if (this.#opened) await this.#closeUser();
      } finally {
        await this.#unlock();
      }
    }
    return ok;
  }

  /** session_abort(): closes without writing; the lock is released in the background at once. $_SESSION keeps its edits in memory. */
  abort(): boolean {
    if (this.status !== PHP_SESSION_ACTIVE) return false;
    this.status = PHP_SESSION_NONE;
    // a synchronous user close() runs here, before abort returns, as in PHP
    const closing = this.#closeUser();
    this.#releasing = closing
      .finally(() => this.#unlock())
      .catch((err: Error) => this.#host.log(`tsfpm: session lock release failed: ${err.message}`));
    return true;
  }

  /** session_reset(): back to the data as read. The lock was held since the read, so it is what the store holds. */
  reset(): boolean {
    if (this.status !== PHP_SESSION_ACTIVE) return false;
    fill(this.data, this.#stored);
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
      this.#host.warning(`session_destroy(): Session object destruction failed${detailOf(err)}`);
    } finally {
      this.status = PHP_SESSION_NONE;
      this.#id = '';
      this.#hasVars = false;
      try {
        await this.#closeUser();
      } finally {
        await this.#unlock();
      }
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
    if (isUserBackend(backend)) return this.#regenerateUser(backend, deleteOld);
    const oldLock = this.#lock;
    const oldId = this.#id;
    const newId = this.#newId();
    this.#lock = undefined;
    if ((await this.#acquire(backend, newId, true)) === false) {
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
    this.#mustWrite = true;
    if (this.#bool('session.use_cookies')) this.#sendCookie('session_regenerate_id', this.#setting('session.name'), newId);
    return true;
  }

  /**
   * session_regenerate_id() on a user handler, in PHP's order: destroy or write the old session, close, open,
   * create_sid, read the new ID; the data is written under it at the close. With tsfpm's lock, the new ID is
   * locked before the old one is let go.
   */
  async #regenerateUser(backend: SessionBackend & UserBackendHooks, deleteOld: boolean): Promise<boolean> {
    const oldId = this.#id;
    try {
      if (deleteOld) await backend.destroy(oldId, this.#lock);
      else await backend.write(oldId, this.data, this.#storedCookie(), this.#lock);
    } catch (err) {
      if (!(err instanceof HandlerReturnedFalse)) throw err;
      this.#host.warning(deleteOld ? 'session_regenerate_id(): Session object destruction failed' : 'session_regenerate_id(): Session write failed');
      return false;
    }
    const oldLock = this.#lock;
    this.#lock = undefined;
    await this.#closeUser();
    if (!(await this.#openUser(backend))) {
      await oldLock?.release();
      this.status = PHP_SESSION_NONE;
      this.#host.warning('session_regenerate_id(): Failed to open session');
      return false;
    }
    const newId = await this.#createId(backend);
    if ((await this.#acquire(backend, newId, true)) === false) {
      this.#lock = oldLock;
      return false;
    }
    await oldLock?.release();
    try {
      await backend.read(newId);
    } catch (err) {
      if (!(err instanceof HandlerReturnedFalse)) throw err;
      this.#host.warning('session_regenerate_id(): Failed to create(read) session ID: user (path: ' + backend.savePath + ')');
      return false;
    }
    this.#id = newId;
    this.#mustWrite = true;
    if (this.#bool('session.use_cookies')) this.#sendCookie('session_regenerate_id', this.#setting('session.name'), newId);
    return true;
  }

  /** session_set_save_handler(): this request's sessions use `backend` from the next start on. */
  setUserBackend(backend: (SessionBackend & UserBackendHooks) | undefined): void {
    this.#userBackend = backend;
  }

  /** The user handler set by session_set_save_handler(), if any. */
  get userHandler(): UserBackendHooks['handler'] | undefined {
    return this.#userBackend?.handler;
  }

  /** The serialize handler in effect, or undefined for a name PHP does not have. */
  #serializeHandler(): SessionSerializeHandler | undefined {
    return parseSerializeHandler(this.#setting('session.serialize_handler'));
  }

  /**
   * session_encode(): $_SESSION in the session.serialize_handler format; false (with PHP's warning) before any session
   * and after session_destroy(), false without one for a session that encodes to nothing.
   */
  encode(): string | false {
    const handler = this.#serializeHandler();
    if (!this.#hasVars || handler === undefined) {
      this.#host.warning('session_encode(): Cannot encode non-existent session');
      return false;
    }
    const encoded = encodeSession(this.data as never, handler, (message) => this.#host.warning(`session_encode(): ${message}`));
    // PHP 8.2 answers false for a session that encodes to nothing (empty, or only numeric keys skipped)
    return encoded.length === 0 ? false : encoded.toString('utf8');
  }

  /**
   * session_decode($data): merges the decoded variables into $_SESSION. Data that cannot be decoded destroys the
   * session, as PHP: the stored copy is deleted, the session closed, and false returned with PHP's warning.
   */
  async decode(data: string): Promise<boolean> {
    const handler = this.#serializeHandler();
    if (this.status !== PHP_SESSION_ACTIVE || handler === undefined) {
      this.#host.warning('session_decode(): Session data cannot be decoded when there is no active session');
      return false;
    }
    let vars: SessionData;
    try {
      vars = decodeSession(data, handler);
    } catch (err) {
      if (!(err instanceof SessionDecodeError)) throw err;
      return this.#decodeFailed(this.#backend!, this.#id, 'session_decode');
    }
    for (const key of orderedKeys(vars)) this.data[key] = vars[key];
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
  release(end = false, waitForStart = true): Promise<void> {
    if (end) this.#ended = true;
    if (this.#starting) return this.#releaseStarting(this.#starting, end, waitForStart);
    // not async for the common case: one promise step after the write, where an async function costs three
    if (this.status === PHP_SESSION_ACTIVE) return this.writeClose().then(() => this.#releasing);
    return this.#releasing ?? Promise.resolve();
  }

  /** release() with `starting`, a session_start() still pending. */
  async #releaseStarting(starting: Promise<boolean>, end: boolean, waitForStart: boolean): Promise<void> {
    if (!waitForStart) {
      void starting
        .catch(() => false)
        .then(() => this.release(end))
        .catch((err: Error) => this.#host.log(`tsfpm: closing a session started late failed (${this.#host.owner}): ${err.message}`));
      return;
    }
    while (this.#starting) await this.#starting.catch(() => false);
    // what the script chained on that start (`session_start().then(…)`) runs before the session is written
    await new Promise((resolve) => setImmediate(resolve));
    if (this.status === PHP_SESSION_ACTIVE) await this.writeClose();
    if (this.#releasing) await this.#releasing;
  }
}

/** `H::write` or `{closure}`: how PHP names the user handler's method in its warnings. */
function handlerName(backend: UserBackendHooks, method: string): string {
  const handler = backend.handler as unknown as Record<string, unknown>;
  const named = (handler[method] as { phpName?: string } | undefined)?.phpName;
  if (named) return named;
  const ctor = Object.getPrototypeOf(handler)?.constructor as { name?: string } | undefined;
  return `${ctor && ctor !== Object && ctor.name ? ctor.name : 'SessionHandler'}::${method}`;
}
