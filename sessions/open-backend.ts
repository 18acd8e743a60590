/**
 * Opens the backend that session.save_handler and session.save_path name, once per distinct
 * configuration per process, and closes them all on shutdown:
 * - `files`: PHP's sess_<id> files (FilesStore) locked with flock, as PHP's own files handler;
 * - `memory`: express-session's MemoryStore with an in-process lock;
 * - `redis`: connect-redis on node-redis with the Redis lock (pub/sub wake-ups, fenced writes), on one
 *   Redis, a Redis Cluster or a master found through Sentinel (save_path forms in redis-client.ts);
 * - `rediscluster`: the same on a Redis Cluster named in phpredis' `seed[]=host:port&…` form.
 * @module
 */
import session from 'express-session';
import { tmpdir } from 'node:os';
import { createBackend, type SessionBackend } from './backend.ts';
import { FileLocker } from './files/file-lock.ts';
import { FilesStore, type LockedFile } from './files/files-store.ts';
import { MemoryLocker } from './lock/memory-lock.ts';
import { connectRedis, parseRedisSavePath } from './redis/redis-client.ts';
import { RedisLocker } from './redis/redis-lock.ts';
import { clusterLockKeyFor, lockKeyFor, RedisSessionStore, type RedisSessionFormat } from './redis/redis-store.ts';
import type { SessionSerializeHandler } from './serialize/session-codec.ts';

export interface BackendSettings {
  readonly handler: string;
  readonly savePath: string;
  readonly serializeHandler: SessionSerializeHandler;
  readonly gcMaxlifetime: number;
  readonly redisFormat: RedisSessionFormat;
  readonly log: (line: string) => void;
}

/** A backend being opened, and once it is, the backend itself. */
interface Opening {
  readonly promise: Promise<SessionBackend>;
  backend: SessionBackend | undefined;
}

const open = new Map<string, Opening>();

/** The settings last asked for and their entry: nearly every request asks for the same, and finds it without a key. */
let last: { readonly settings: BackendSettings; readonly entry: Opening } | undefined;

function opening(settings: BackendSettings): Opening {
  if (last && sameBackend(last.settings, settings)) return last.entry;
  // fields joined by NUL, which no handler name or save path holds
  const key = `${settings.handler}\0${settings.savePath}\0${settings.serializeHandler}\0${settings.gcMaxlifetime}\0${settings.redisFormat}`;
  let entry = open.get(key);
  if (!entry) {
    const promise = create(settings);
    const created: Opening = { promise, backend: undefined };
    open.set(key, created);
    promise.then(
      (backend) => (created.backend = backend),
      () => {
        open.delete(key);
        if (last?.entry === created) last = undefined;
      },
    );
    entry = created;
  }
  last = { settings, entry };
  return entry;
}

/** Whether `a` and `b` name the same backend (the fields of opening()'s key). */
function sameBackend(a: BackendSettings, b: BackendSettings): boolean {
  return a.handler === b.handler && a.savePath === b.savePath && a.serializeHandler === b.serializeHandler && a.gcMaxlifetime === b.gcMaxlifetime && a.redisFormat === b.redisFormat;
}

/** The backend for these settings, shared by every request that uses the same ones. */
export function openBackend(settings: BackendSettings): Promise<SessionBackend> {
  return opening(settings).promise;
}

/** openBackend(), but the backend itself once it is open: a session start then waits no turn of the event loop for it. */
export function openedBackend(settings: BackendSettings): SessionBackend | Promise<SessionBackend> {
  const entry = opening(settings);
  return entry.backend ?? entry.promise;
}

/** Closes every backend opened in this process (lock holders, Redis connections, flock children). */
export async function closeBackends(): Promise<void> {
  const all = [...open.values()];
  open.clear();
  last = undefined;
  await Promise.all(all.map(async ({ promise }) => (await promise.catch(() => undefined))?.close()));
}

async function create(settings: BackendSettings): Promise<SessionBackend> {
  const warn = (message: string) => settings.log(`PHP Warning:  ${message}`);
  switch (settings.handler) {
    case 'memory':
      return createBackend({ name: 'memory', savePath: settings.savePath, store: new session.MemoryStore(), locker: new MemoryLocker() });
    case 'redis':
    case 'rediscluster':
      return openRedis(settings, warn);
    default: {
      const savePath = settings.savePath || tmpdir();
      // the store reads and writes through the descriptor that holds the lock
      const lockedFile = (id: string): LockedFile | undefined => locker.lockedFile(id);
      const store = new FilesStore({ savePath, serializeHandler: settings.serializeHandler === 'php_serialize' ? 'php_serialize' : 'php', gcMaxlifetime: settings.gcMaxlifetime, warn, lockedFile });
      const locker = new FileLocker({ path: (id) => store.pathFor(id), mode: store.savePath.mode, log: settings.log });
      return createBackend({ name: 'files', savePath, store, locker });
    }
  }
}

async function openRedis(settings: BackendSettings, warn: (message: string) => void): Promise<SessionBackend> {
  const where = parseRedisSavePath(settings.handler, settings.savePath);
  const connection = await connectRedis(where, settings.savePath || 'tcp://127.0.0.1:6379', settings.log);
  // phpredis' rediscluster handler names its keys apart from its redis handler
  const phpredisClusterPrefix = settings.handler === 'rediscluster' && settings.redisFormat === 'phpredis' ? 'PHPREDIS_CLUSTER_SESSION:' : undefined;
  const prefix = where.prefix ?? phpredisClusterPrefix;
  const store = new RedisSessionStore({
    client: connection.client,
    format: settings.redisFormat,
    ...(prefix !== undefined ? { prefix } : {}),
    serializeHandler: settings.serializeHandler,
    ttlSeconds: settings.gcMaxlifetime,
    warn,
  });
  const lockKey = connection.cluster ? clusterLockKeyFor : lockKeyFor;
  const locker = new RedisLocker({
    client: connection.lockClient,
    ...(connection.subscriber ? { subscriber: connection.subscriber } : {}),
    shardedPubSub: connection.cluster,
    lockKey: (id: string) => lockKey(store.keyFor(id)),
    log: settings.log,
  });
  store.useLocker(locker);
  return createBackend({
    // the name PHP's messages and the redis.session.* lock settings go by, for every Redis topology
    name: 'redis',
    savePath: settings.savePath,
    store,
    locker,
    close: () => connection.close(),
  });
}
