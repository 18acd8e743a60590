/**
 * Sessions on Redis: connect-redis on node-redis, plus what PHP-style locking needs: writes and
 * destroys fenced by the session lock in one Lua script (RedisLocker.fencedSet), and a
 * phpredis-compatible format (`PHPREDIS_SESSION:<id>` keys, PHP's serialize format, TTL =
 * session.gc_maxlifetime, lock key `<key>_LOCK`) so a PHP application using phpredis and tsfpm
 * share sessions during a migration. On Redis Cluster the lock key is `clusterLockKeyFor`'s.
 * @module
 */
import { RedisStore } from 'connect-redis';
import type { HeldLock } from '../lock/contract.ts';
import type { RedisLocker } from './redis-lock.ts';
import { recordWithout } from '../serialize/php-values.ts';
import { decodeSession, encodeSession, type SessionSerializeHandler } from '../serialize/session-codec.ts';

export type RedisSessionFormat = 'express' | 'phpredis';

export interface RedisSessionStoreOptions {
  /** A connected node-redis client. */
  client: unknown;
  /** `express`: connect-redis's JSON under `sess:` (shared with express-session); `phpredis`: PHP's format under `PHPREDIS_SESSION:`. */
  format: RedisSessionFormat;
  /** Key prefix; defaults to the format's. */
  prefix?: string;
  /** session.serialize_handler, for the phpredis format. */
  serializeHandler: SessionSerializeHandler;
  /** Seconds a session lives without a write or touch: session.gc_maxlifetime. */
  ttlSeconds: number;
  warn: (message: string) => void;
}

/** The lock key for a data key, as phpredis names it. */
export const lockKeyFor = (dataKey: string): string => `${dataKey}_LOCK`;

/**
 * The lock key for a data key on Redis Cluster, in the data key's slot, since the fencing scripts touch
 * both: `<data key>_LOCK` when the data key has a hash tag of its own, else `{<data key>}_LOCK`, whose
 * tag is the whole data key (the data key itself stays as connect-redis and phpredis name it). Throws
 * when no lock key can share the slot: a data key holding a `}` outside a hash tag.
 */
export function clusterLockKeyFor(dataKey: string): string {
  if (hashTag(dataKey) !== undefined) return `${dataKey}_LOCK`;
  if (dataKey.includes('}')) throw new Error(`no lock key can share a Redis Cluster slot with ${dataKey}: use a key prefix with a hash tag or without "}"`);
  return `{${dataKey}}_LOCK`;
}

/** What Redis Cluster hashes a key by, when not the whole key: the text between its first `{` and the next `}`, if any. */
function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

export class RedisSessionStore extends RedisStore {
  readonly #ttl: number;
  #locker: RedisLocker | undefined;

  constructor(options: RedisSessionStoreOptions) {
    const php = options.format === 'phpredis';
    super({
      client: options.client,
      prefix: options.prefix ?? (php ? 'PHPREDIS_SESSION:' : 'sess:'),
      ttl: options.ttlSeconds,
      serializer: php
        ? {
            parse: (text: string) => decodeSession(Buffer.from(text), options.serializeHandler) as never,
            stringify: (sess: object) => {
              return encodeSession(recordWithout(sess, 'cookie'), options.serializeHandler, options.warn).toString();
            },
          }
        : JSON,
    });
    this.#ttl = options.ttlSeconds;
  }

  /** The locker whose lock keys fence this store's writes. */
  useLocker(locker: RedisLocker): void {
    this.#locker = locker;
  }

  /** The Redis key of a session's data. */
  keyFor(id: string): string {
    return this.prefix + id;
  }

  async setFenced(id: string, sess: object, lock: HeldLock): Promise<boolean> {
    if (!this.#locker) throw new Error('RedisSessionStore.setFenced needs useLocker() first');
    return this.#locker.fencedSet(lock, this.keyFor(id), this.serializer.stringify(sess as never), this.#ttl);
  }

  /** setFenced() and the lock's release in one round trip. Not async: the locker's promise is the only one. */
  setFencedAndRelease(id: string, sess: object, lock: HeldLock): Promise<boolean> {
    try {
      if (!this.#locker) throw new Error('RedisSessionStore.setFencedAndRelease needs useLocker() first');
      return this.#locker.fencedSetAndRelease(lock, this.keyFor(id), this.serializer.stringify(sess as never), this.#ttl);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** A stored value as get() decodes it: what the lock read with `keyFor(id)` as its readKey. */
  parseStored(text: string): object {
    return this.serializer.parse(text);
  }

  async destroyFenced(id: string, lock: HeldLock): Promise<boolean> {
    if (!this.#locker) throw new Error('RedisSessionStore.destroyFenced needs useLocker() first');
    return this.#locker.fencedDelete(lock, this.keyFor(id));
  }
}
