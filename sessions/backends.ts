/**
 * Opens the backend that session.save_handler and session.save_path name, once per distinct
 * configuration per process, and closes them all on shutdown:
 * - `files`: PHP's sess_<id> files (FilesStore) locked with flock, as PHP's own files handler;
 * - `memory`: express-session's MemoryStore with an in-process lock;
 * - `redis`: connect-redis on node-redis with the Redis lock (pub/sub wake-ups, fenced writes).
 * @module
 */
import session from 'express-session';
import { tmpdir } from 'node:os';
import { createClient } from 'redis';
import { createBackend, type SessionBackend } from './backend.ts';
import { FileLocker } from './file-lock.ts';
import { FilesStore } from './files-store.ts';
import { MemoryLocker } from './memory-lock.ts';
import { RedisLocker } from './redis-lock.ts';
import { lockKeyFor, RedisSessionStore, type RedisSessionFormat } from './redis-store.ts';
import type { SessionSerializeHandler } from './session-codec.ts';

export interface BackendSettings {
  readonly handler: string;
  readonly savePath: string;
  readonly serializeHandler: SessionSerializeHandler;
  readonly gcMaxlifetime: number;
  readonly redisFormat: RedisSessionFormat;
  readonly log: (line: string) => void;
}

const open = new Map<string, Promise<SessionBackend>>();

/** The backend for these settings, shared by every request that uses the same ones. */
export function openBackend(settings: BackendSettings): Promise<SessionBackend> {
  const key = JSON.stringify([settings.handler, settings.savePath, settings.serializeHandler, settings.gcMaxlifetime, settings.redisFormat]);
  let backend = open.get(key);
  if (!backend) {
    backend = create(settings);
    open.set(key, backend);
    backend.catch(() => open.delete(key));
  }
  return backend;
}

/** Closes every backend opened in this process (lock holders, Redis connections, flock children). */
export async function closeBackends(): Promise<void> {
  const all = [...open.values()];
  open.clear();
  await Promise.all(all.map(async (b) => (await b.catch(() => undefined))?.close()));
}

async function create(settings: BackendSettings): Promise<SessionBackend> {
  const warn = (message: string) => settings.log(`PHP Warning:  ${message}`);
  switch (settings.handler) {
    case 'memory':
      return createBackend({ name: 'memory', savePath: settings.savePath, store: new session.MemoryStore(), locker: new MemoryLocker() });
    case 'redis':
      return openRedis(settings, warn);
    default: {
      const savePath = settings.savePath || tmpdir();
      const store = new FilesStore({ savePath, serializeHandler: settings.serializeHandler === 'php_serialize' ? 'php_serialize' : 'php', gcMaxlifetime: settings.gcMaxlifetime, warn });
      const locker = new FileLocker({ path: (id) => store.pathFor(id), mode: store.savePath.mode, log: settings.log });
      return createBackend({ name: 'files', savePath, store, locker });
    }
  }
}

/**
 * session.save_path for Redis, in phpredis' forms: `tcp://host:port?database=N&prefix=P&auth=PW`,
 * `unix:///path/redis.sock?...`, or a `redis://` / `rediss://` URL. A comma-separated list (phpredis
 * shards by weight) uses its first entry.
 */
export function parseRedisSavePath(savePath: string): { url: string; socket?: string; database?: number; prefix?: string; password?: string } {
  const first = (savePath.split(/[\s,]+/).find(Boolean) ?? 'tcp://127.0.0.1:6379').trim();
  const withScheme = /^[a-z]+:\/\//i.test(first) ? first : `tcp://${first}`;
  const url = new URL(withScheme.replace(/^unix:\/\//i, 'unix://localhost'));
  const params = url.searchParams;
  const database = params.get('database') ?? (url.pathname.length > 1 && url.protocol !== 'unix:' ? url.pathname.slice(1) : null);
  const password = params.get('auth') ?? (url.password ? decodeURIComponent(url.password) : undefined);
  const result: ReturnType<typeof parseRedisSavePath> = {
    url: url.protocol === 'unix:' ? '' : `${url.protocol === 'rediss:' ? 'rediss' : 'redis'}://${url.hostname}:${url.port || 6379}`,
  };
  if (url.protocol === 'unix:') result.socket = url.pathname;
  if (database !== null && database !== '') result.database = Number(database);
  if (params.get('prefix') !== null) result.prefix = params.get('prefix')!;
  if (password) result.password = password;
  return result;
}

async function openRedis(settings: BackendSettings, warn: (message: string) => void): Promise<SessionBackend> {
  const where = parseRedisSavePath(settings.savePath);
  const client = createClient({
    ...(where.socket ? { socket: { path: where.socket, tls: false as const } } : { url: where.url }),
    ...(where.database !== undefined ? { database: where.database } : {}),
    ...(where.password ? { password: where.password } : {}),
    // fail commands at once while Redis is down instead of queueing them until it returns
    disableOfflineQueue: true,
  });
  let lastError = '';
  client.on('error', (err: Error) => {
    if (err.message !== lastError) settings.log(`tsfpm: Redis session store (${settings.savePath || 'tcp://127.0.0.1:6379'}): ${err.message}`);
    lastError = err.message;
  });
  client.on('ready', () => (lastError = ''));
  await client.connect();
  const store = new RedisSessionStore({
    client,
    format: settings.redisFormat,
    ...(where.prefix !== undefined ? { prefix: where.prefix } : {}),
    serializeHandler: settings.serializeHandler,
    ttlSeconds: settings.gcMaxlifetime,
    warn,
  });
  const locker = new RedisLocker({ client, lockKey: (id: string) => lockKeyFor(store.keyFor(id)), log: settings.log });
  store.useLocker(locker);
  return createBackend({
    name: 'redis',
    savePath: settings.savePath,
    store,
    locker,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  });
}
