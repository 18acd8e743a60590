/**
 * PHP's SessionHandler class: the save handler that was in effect (session.save_handler: files, memory, redis)
 * behind SessionHandlerInterface's methods, so an app can extend it and override some of them — the usual way
 * to add encryption or logging around PHP's own storage:
 *
 *     class Logged extends SessionHandler { async write(id: string, data: string) { log(id); return super.write(id, data); } }
 *     session_set_save_handler(new Logged());
 *
 * As PHP's files handler, read() takes the session's lock and close() releases it: a SessionHandler keeps the lock
 * of the handler it wraps. Calling a method before open() is PHP's Error "Parent session handler is not open".
 * A SessionHandler belongs to the request it was created in.
 * @module
 */
import type { SessionBackend } from '../sessions/backend.ts';
import { createSessionId } from '../sessions/id.ts';
import type { HeldLock } from '../sessions/lock.ts';
import { decodeSession, encodeSession, parseSerializeHandler } from '../sessions/session-codec.ts';
import type { SessionHandlerInterface } from '../sessions/user-handler.ts';
import { requireRequest } from './context.ts';
import { E_WARNING } from './error-reporting.ts';
import type { RequestContext } from './request-context.ts';
import { openConfiguredBackend } from './session-host.ts';

/** PHP's Error for a SessionHandler method called before open(). */
export class SessionHandlerNotOpenError extends Error {
  override name = 'Error';
  constructor() {
    super('Parent session handler is not open');
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

  #opened(): SessionBackend {
    if (!this.#backend) throw new SessionHandlerNotOpenError();
    return this.#backend;
  }

  #serializeHandler() {
    return parseSerializeHandler(this.#ctx.ini.get('session.serialize_handler') ?? 'php') ?? 'php';
  }

  async open(_path: string, _name: string): Promise<boolean> {
    this.#backend = await openConfiguredBackend(this.#ctx, this.#module);
    return true;
  }

  async close(): Promise<boolean> {
    this.#opened();
    const lock = this.#lock;
    this.#lock = undefined;
    await lock?.release();
    this.#backend = undefined;
    return true;
  }

  /** The session's data in the serialize_handler format ("" when unknown), read under the wrapped handler's lock. */
  async read(id: string): Promise<string | false> {
    const backend = this.#opened();
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
    const backend = this.#opened();
    const vars = decodeSession(data, this.#serializeHandler());
    const maxAge = this.#ctx.ini.int('session.gc_maxlifetime') * 1000;
    const cookie = { originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge).toISOString(), httpOnly: this.#ctx.ini.bool('session.cookie_httponly'), path: this.#ctx.ini.get('session.cookie_path') || '/' };
    return backend.write(id, vars, cookie, this.#lock?.id === id ? this.#lock : undefined);
  }

  async destroy(id: string): Promise<boolean> {
    return this.#opened().destroy(id, this.#lock?.id === id ? this.#lock : undefined);
  }

  async gc(max_lifetime: number): Promise<number | false> {
    return this.#opened().gc(max_lifetime);
  }

  /** A new ID in the configured length and alphabet. */
  create_sid(): string {
    const ini = this.#ctx.ini;
    return createSessionId(ini.int('session.sid_length') || 32, ini.int('session.sid_bits_per_character') || 4);
  }
}
