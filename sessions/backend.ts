/**
 * A session backend: an express-session Store (where the data lives) paired with the SessionLocker
 * that matches how that store is shared, adapted once, when the backend is opened, to the
 * promise-based calls the session state machine makes. Optional store capabilities get their
 * default here, not at each call:
 *
 * | capability | when the store has it | default |
 * |---|---|---|
 * | exists | `exists(id)` without decoding (files) | a `get` |
 * | fenced write | `setFenced(id, sess, lock)` (Redis: one Lua script) | the locker's check, then `set` |
 * | write and unlock | `setFencedAndRelease(id, sess, lock)` (Redis: one script, one round trip) | the fenced write, then the lock's release |
 * | read with the lock | `keyFor(id)` + `parseStored(text)`: the locker reads that key as it grants the lock (Redis) | a `get` after the lock |
 * | fenced destroy | `destroyFenced(id, lock)` | the locker's check, then `destroy` |
 * | touch | `touch(id, sess)`: refreshes the expiry, never the data | nothing (as PHP's mod_user without updateTimestamp: a write) |
 * | gc | `gc(maxlifetime)` → deleted count (files) | 0: the store expires entries itself (Redis TTL, MemoryStore) |
 * | no cookie record | `storesCookie: false`: writes get $_SESSION as it is (files) | $_SESSION copied with the `cookie` record |
 *
 * Call order per request, as mod_files.c documents it for PHP: acquire lock → read → (gc) →
 * write | touch → release; destroy and regenerate run under the lock too.
 * @module
 */
import type { Store } from 'express-session';
import type { HeldLock, SessionLocker } from './lock/contract.ts';
import { orderedKeys, recordFromEntries, recordWithout, type PhpValue } from './serialize/php-values.ts';

/** $_SESSION's contents. */
export type SessionData = { [key: string]: unknown };

/** The `cookie` record express-session keeps inside each stored session. */
export interface StoredCookie {
  originalMaxAge: number | null;
  expires: string | null;
  secure?: boolean;
  httpOnly: boolean;
  domain?: string;
  path: string;
  sameSite?: string;
}

/** The cookie record stored with a session written now: express-session's expiry is session.gc_maxlifetime. */
export function storedCookie(gcMaxlifetime: number, httpOnly: boolean, path: string, previous?: StoredCookie): StoredCookie {
  const maxAge = gcMaxlifetime * 1000;
  return { ...previous, originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge).toISOString(), httpOnly, path: path || '/' };
}

/** What a store may offer beyond express-session's contract. */
export interface StoreCapabilities {
  /** Whether `id` is stored, without reading it (strict mode's validate_sid). Default: a `get`. */
  exists?(id: string): Promise<boolean>;
  setFenced?(id: string, sess: object, lock: HeldLock): Promise<boolean>;
  setFencedAndRelease?(id: string, sess: object, lock: HeldLock): Promise<boolean>;
  /** The key the locker reads as it grants the lock (LockOptions.readKey), with `parseStored` to decode it. */
  keyFor?(id: string): string;
  parseStored?(text: string): object;
  destroyFenced?(id: string, lock: HeldLock): Promise<boolean>;
  gc?(maxlifetime: number): Promise<number>;
  /**
   * false: the store keeps $_SESSION only, never express-session's cookie record (PHP's files), and is handed
   * $_SESSION itself to write, which it encodes before it first awaits anything.
   */
  readonly storesCookie?: boolean;
}

export interface SessionBackend {
  /** The handler name PHP's messages use: files, memory, redis. */
  readonly name: string;
  readonly savePath: string;
  /** The express-session store; absent for a script's own save handler (session_set_save_handler). */
  readonly store?: Store & StoreCapabilities;
  readonly locker: SessionLocker;
  /** The stored data and cookie record, or null when the ID is unknown (not an error). */
  read(id: string): Promise<StoredSession | null>;
  /** What to pass as LockOptions.readKey for `id`, when the locker can read the data as it grants the lock. */
  readKey(id: string): string | undefined;
  /** Decodes what the locker read with `readKey`. */
  parse(text: string | null): StoredSession | null;
  /**
   * Writes under the lock; false (nothing written) when the lock was lost. With `release`, the lock is let
   * go too: in the same step where the store can (the caller's release() then does nothing).
   */
  write(id: string, data: SessionData, cookie: StoredCookie, lock: HeldLock | undefined, release?: boolean): Promise<boolean>;
  touch(id: string, data: SessionData, cookie: StoredCookie): Promise<void>;
  destroy(id: string, lock: HeldLock | undefined): Promise<boolean>;
  exists(id: string): Promise<boolean>;
  gc(maxlifetime: number): Promise<number>;
  close(): Promise<void>;
}

/** A session as read: its data and express-session's cookie record. */
export interface StoredSession {
  data: SessionData;
  cookie: StoredCookie | undefined;
}

/** Data and cookie record apart; the data keeps PHP's key order (a spread would put integer-like keys first). */
function split(stored: Record<string, unknown> | null): StoredSession | null {
  if (stored === null) return null;
  return { data: recordWithout(stored, 'cookie'), cookie: stored['cookie'] as StoredCookie | undefined };
}

/** Calls a callback-style store method as a promise. */
function call<T = unknown>(fn: (cb: (err?: unknown, value?: any) => void) => unknown): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const result = fn((err, value) => (err ? reject(err) : resolve(value as T)));
    // connect-redis returns a promise as well as calling back; errors arrive through the callback
    if (result instanceof Promise) result.catch(reject);
  });
}

/** Adapts `store` and `locker` into a backend. */
export function createBackend(options: {
  name: string;
  savePath: string;
  store: Store & StoreCapabilities;
  locker: SessionLocker;
  close?: () => Promise<void>;
}): SessionBackend {
  const { store, locker } = options;
  // in $_SESSION's PHP key order, which a spread would lose for integer-like keys
  // a store that keeps no cookie record is given $_SESSION itself: no copy made only to be taken apart again
  const withCookie =
    store.storesCookie === false
      ? (data: SessionData): object => data
      : (data: SessionData, cookie: StoredCookie): object =>
          recordFromEntries([...orderedKeys(data).map((key) => [key, data[key] as PhpValue] as const), ['cookie', cookie as unknown as PhpValue] as const]);
  const setFenced = store.setFenced
    ? (id: string, sess: object, lock: HeldLock) => store.setFenced!(id, sess, lock)
    : (id: string, sess: object, lock: HeldLock) => locker.fencedWrite(lock, async () => void (await call((cb) => store.set(id, sess as never, cb))));
  const destroyFenced = store.destroyFenced
    ? (id: string, lock: HeldLock) => store.destroyFenced!(id, lock)
    : (id: string, lock: HeldLock) => locker.fencedWrite(lock, async () => void (await call((cb) => store.destroy(id, cb))));
  const touch = store.touch
    ? async (id: string, sess: object) => void (await call((cb) => store.touch!(id, sess as never, cb)))
    : async () => {};
  return {
    name: options.name,
    savePath: options.savePath,
    store,
    locker,
    async read(id) {
      return split((await call<Record<string, unknown> | null>((cb) => store.get(id, cb))) ?? null);
    },
    readKey: (id) => (store.keyFor && store.parseStored ? store.keyFor(id) : undefined),
    parse: (text) => (text === null ? null : split(store.parseStored!(text) as Record<string, unknown>)),
    // not async: the store's own promise is returned as it is, with no second one around it, on every request
    write(id, data, cookie, lock, release = false) {
      let sess: object;
      try {
        sess = withCookie(data, cookie);
      } catch (err) {
        return Promise.reject(err);
      }
      if (lock && release && store.setFencedAndRelease) return store.setFencedAndRelease(id, sess, lock);
      if (lock) return setFenced(id, sess, lock);
      return call((cb) => store.set(id, sess as never, cb)).then(() => true);
    },
    touch: (id, data, cookie) => touch(id, withCookie(data, cookie)),
    async destroy(id, lock) {
      if (lock) return destroyFenced(id, lock);
      await call((cb) => store.destroy(id, cb));
      return true;
    },
    exists: store.exists ? (id) => store.exists!(id) : async (id) => (await call((cb) => store.get(id, cb))) != null,
    gc: (maxlifetime) => (store.gc ? store.gc(maxlifetime) : Promise.resolve(0)),
    close: async () => {
      await locker.close();
      await options.close?.();
    },
  };
}
