/**
 * PHP's `user` save handler (ext/session/mod_user.c): a script's own storage, given to session_set_save_handler()
 * as an object shaped as SessionHandlerInterface or as positional callbacks, adapted to a SessionBackend for one
 * request. The handler sees PHP's strings: read() returns the encoded session ("" when unknown, false on failure),
 * write() receives session_encode()'s bytes in the session.serialize_handler format.
 *
 * Calls are PHP's, in PHP's order: open(save_path, name) → create_sid() (no ID) / validateId() (strict mode) →
 * read(id) → gc() (by probability) → write(id, data) | updateTimestamp(id, data) (lazy_write, unchanged) → close().
 * A method that returns a plain value runs synchronously at the point PHP calls it, so output it prints lands
 * where PHP prints it; a method may also return a promise (a database call).
 *
 * PHP takes no lock for a user handler; with tsfpm.session_user_handler_lock=1 tsfpm holds the configured
 * handler's lock for the session ID (`lockedBy`).
 * @module
 */
import type { SessionBackend, SessionData } from './backend.ts';
import type { SessionLocker } from './lock/contract.ts';
import { decodeSession, encodeSession, type SessionSerializeHandler } from './serialize/session-codec.ts';

type Maybe<T> = T | Promise<T>;

/** PHP's SessionHandlerInterface, with SessionIdInterface's create_sid and SessionUpdateTimestampHandlerInterface. */
export interface SessionHandlerInterface {
  open(path: string, name: string): Maybe<boolean>;
  close(): Maybe<boolean>;
  read(id: string): Maybe<string | false>;
  write(id: string, data: string): Maybe<boolean>;
  destroy(id: string): Maybe<boolean>;
  gc(max_lifetime: number): Maybe<number | false>;
  create_sid?(): Maybe<string>;
  validateId?(id: string): Maybe<boolean>;
  updateTimestamp?(id: string, data: string): Maybe<boolean>;
}

const REQUIRED = ['open', 'close', 'read', 'write', 'destroy', 'gc'] as const;

/** The first SessionHandlerInterface method `handler` lacks, or undefined. */
export function missingHandlerMethod(handler: object): string | undefined {
  return REQUIRED.find((name) => typeof (handler as Record<string, unknown>)[name] !== 'function');
}

/** A handler's call returned false; PHP's warning for it is the caller's. */
export class HandlerReturnedFalse extends Error {
  constructor(readonly method: string) {
    super('');
    this.name = 'HandlerReturnedFalse';
  }
}

export interface UserBackendOptions {
  /** session.save_path, as PHP passes it to open() and names it in warnings. */
  readonly savePath: string;
  /** The current session.serialize_handler (read at each call: PHP encodes with the handler in effect). */
  readonly serializeHandler: () => SessionSerializeHandler;
  /** `Skipping numeric key` and other codec warnings, already prefixed by the calling function's name. */
  readonly warn: (message: string) => void;
  /** The lock to hold around the handler, or undefined for none (PHP). */
  readonly locker: SessionLocker | undefined;
  /**
   * Runs each call of the handler as part of the request, so that what it prints or calls reaches that request also
   * when the session is closed at the end of the request. Default: the call as it is.
   */
  readonly inRequest?: <T>(call: () => T) => T;
}

/** A lock nobody takes: the backend of a user handler without tsfpm's lock never asks it. */
const NO_LOCKER: SessionLocker = {
  acquire: () => Promise.reject(new Error('a user save handler takes no lock')),
  fencedWrite: (_lock, write) => write().then(() => true),
  close: () => Promise.resolve(),
};

/** What a backend call answers for a handler's return value: false is PHP's FAILURE. */
async function succeeded(method: string, result: Maybe<boolean | number | string | false>): Promise<void> {
  if ((await result) === false) throw new HandlerReturnedFalse(method);
}

/** A SessionBackend that calls `handler` as PHP's mod_user does. */
export function createUserBackend(script: SessionHandlerInterface, options: UserBackendOptions): SessionBackend & UserBackendHooks {
  const inRequest = options.inRequest ?? (<T>(call: () => T): T => call());
  // every method of the script's handler, called inside its request
  const handler = new Proxy(script, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => inRequest(() => (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  const encode = (data: SessionData): string => encodeSession(data as never, options.serializeHandler(), options.warn).toString('utf8');
  return {
    name: 'user',
    savePath: options.savePath,
    locker: options.locker ?? NO_LOCKER,
    lockless: options.locker === undefined,
    handler: script,
    // the script's read() is PHP's PS_READ: never done by the lock
    readKey: () => undefined,
    parse: () => null,
    async open(savePath, name) {
      return (await handler.open(savePath, name)) !== false;
    },
    async closeSession() {
      return (await handler.close()) !== false;
    },
    createSid: handler.create_sid ? async () => handler.create_sid!() : undefined,
    async read(id) {
      const raw: unknown = await handler.read(id);
      // PHP's mod_user takes only a string as data; false, and anything else (a forgotten return), is a failed read
      if (typeof raw !== 'string') throw new HandlerReturnedFalse('read');
      return { data: decodeSession(raw, options.serializeHandler()), cookie: undefined };
    },
    async write(id, data) {
      await succeeded('write', handler.write(id, encode(data)));
      return true;
    },
    async touch(id, data) {
      const text = encode(data);
      await succeeded(handler.updateTimestamp ? 'updateTimestamp' : 'write', handler.updateTimestamp ? handler.updateTimestamp(id, text) : handler.write(id, text));
    },
    async destroy(id) {
      await succeeded('destroy', handler.destroy(id));
      return true;
    },
    async exists(id) {
      if (handler.validateId) return (await handler.validateId(id)) === true;
      // mod_user without validateId: PHP's php_session_validate_sid, which accepts any ID the handler can read
      return typeof (await handler.read(id)) === 'string';
    },
    async gc(maxlifetime) {
      const deleted = await handler.gc(maxlifetime);
      return typeof deleted === 'number' ? deleted : 0;
    },
    close: () => Promise.resolve(),
  };
}

/** What a user backend adds to SessionBackend: PHP's open/close calls around each use, and create_sid. */
export interface UserBackendHooks {
  readonly handler: SessionHandlerInterface;
  /** True when no lock is taken (PHP's behaviour). */
  readonly lockless: boolean;
  open(savePath: string, name: string): Promise<boolean>;
  closeSession(): Promise<boolean>;
  readonly createSid: (() => Promise<string>) | undefined;
}

/** Whether `backend` is a user handler's. */
export function isUserBackend(backend: SessionBackend): backend is SessionBackend & UserBackendHooks {
  return (backend as Partial<UserBackendHooks>).handler !== undefined;
}
