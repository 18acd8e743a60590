/**
 * PHP's SessionHandler class: the save handler that was in effect (session.save_handler: files, memory, redis)
 * behind SessionHandlerInterface's methods, so an app can extend it and override some of them — the usual way
 * to add encryption or logging around PHP's own storage:
 *
 *     class Logged extends SessionHandler { async write(id: string, data: string) { log(id); return super.write(id, data); } }
 *     session_set_save_handler(new Logged());
 *
 * As PHP's files handler, read() takes the session's lock and close() releases it: a SessionHandler keeps the lock
 * of the handler it wraps. As PHP 8.2: a method called outside a session starting or active throws Error "Session
 * is not active"; one called before open() warns "Parent session handler is not open" and returns false.
 * A SessionHandler belongs to the request it was created in.
 * @module
 */
import { storedCookie, type SessionBackend } from '../../sessions/backend.ts';
import { createSessionId } from '../../sessions/id.ts';
import type { HeldLock } from '../../sessions/lock/contract.ts';
import { decodeSession, encodeSession, parseSerializeHandler } from '../../sessions/serialize/session-codec.ts';
import type { SessionHandlerInterface } from '../../sessions/user-handler.ts';
import { requireRequest } from '../request/current-request.ts';
import { E_WARNING } from '../php/error-reporting.ts';
import type { RequestContext } from '../request/request-context.ts';
import { openConfiguredBackend, sessionOf } from '../request/session-host.ts';

/** PHP's Error for SessionHandler::open() called when no session is starting or active. */
export class SessionNotActiveError extends Error {
  override name = 'Error';
  constructor() {
    super('Session is not active');
  }
}

export class SessionHandler implements SessionHandlerInterface {
  readonly #ctx: RequestContext;
  /** The configured save handler this one wraps (PHP's default module). */
  readonly #module: string;
  #backend: SessionBackend | undefined;
  #lock: HeldLock | undefined;

  constructor() {
    this.#ctx = requireRequest('SessionHandler');
    const configured = this.#ctx.ini.get('session.save_handler') ?? 'files';
    this.#module = configured === 'user' ? 'files' : configured;
  }

  /**
   * PHP's checks before each method: no session starting or active is an Error; a handler not opened (open() not
   * called through the parent) is a warning, and the method answers false.
   */
  #opened(method: string): SessionBackend | undefined {
    if (!sessionOf(this.#ctx).opening) throw new SessionNotActiveError();
    if (!this.#backend) this.#ctx.raise(E_WARNING, `SessionHandler::${method}(): Parent session handler is not open`);
    return this.#backend;
  }

  #serializeHandler() {
    return parseSerializeHandler(this.#ctx.ini.get('session.serialize_handler') ?? 'php') ?? 'php';
  }

  async open(_path: string, _name: string): Promise<boolean> {
    if (!sessionOf(this.#ctx).opening) throw new SessionNotActiveError();
    try {
      this.#backend = await openConfiguredBackend(this.#ctx, this.#module);
    } catch (err) {
      // a store that cannot be opened (Redis down, a bad save_path): PHP's wrapped module warns and open() fails
      this.#ctx.raise(E_WARNING, `SessionHandler::open(): ${(err as Error).message}`);
      return false;
    }
    return true;
  }

  async close(): Promise<boolean> {
    if (!this.#opened('close')) return false;
    const lock = this.#lock;
    this.#lock = undefined;
    await lock?.release();
    this.#backend = undefined;
    return true;
  }

  /** The session's data in the serialize_handler format ("" when unknown), read under the wrapped handler's lock. */
  async read(id: string): Promise<string | false> {
    const backend = this.#opened('read');
    if (!backend) return false;
    if (!this.#lock || this.#lock.id !== id) {
      await this.#lock?.release();
      this.#lock = undefined;
      const ini = this.#ctx.ini;
      const result = await backend.locker.acquire(id, {
        waitMs: ini.int('tsfpm.session_lock_timeout') * 1000,
        ttlMs: (ini.int('redis.session.lock_expire') || ini.int('max_execution_time') || 30) * 1000,
        owner: this.#ctx.describe(),
      });
      if (!result.ok) return false;
      this.#lock = result.lock;
    }
    const stored = await backend.read(id);
    if (!stored) return '';
    return encodeSession(stored.data as never, this.#serializeHandler(), (message) => this.#ctx.raise(E_WARNING, `SessionHandler::read(): ${message}`)).toString('utf8');
  }

  async write(id: string, data: string): Promise<boolean> {
    const backend = this.#opened('write');
    if (!backend) return false;
    const vars = decodeSession(data, this.#serializeHandler());
    const ini = this.#ctx.ini;
    const cookie = storedCookie(ini.int('session.gc_maxlifetime'), ini.bool('session.cookie_httponly'), ini.get('session.cookie_path') ?? '/');
    return backend.write(id, vars, cookie, this.#lock?.id === id ? this.#lock : undefined);
  }

  async destroy(id: string): Promise<boolean> {
    const backend = this.#opened('destroy');
    return backend ? backend.destroy(id, this.#lock?.id === id ? this.#lock : undefined) : false;
  }

  async gc(max_lifetime: number): Promise<number | false> {
    const backend = this.#opened('gc');
    return backend ? backend.gc(max_lifetime) : false;
  }

  /** A new ID in the configured length and alphabet. */
  create_sid(): string {
    if (!sessionOf(this.#ctx).opening) throw new SessionNotActiveError();
    const ini = this.#ctx.ini;
    return createSessionId(ini.int('session.sid_length') || 32, ini.int('session.sid_bits_per_character') || 4);
  }
}
