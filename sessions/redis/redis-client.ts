/**
 * session.save_path for the Redis handlers, and the node-redis connection it names: one Redis
 * (`createClient`), a Redis Cluster (`createCluster`) or a master found through Sentinel
 * (`createSentinel`). Each comes back in the two shapes the Redis session backend needs: the client
 * connect-redis stores through, and the same connection as the session lock sees it (commands routed
 * by their first key, a listener for lock releases).
 *
 * save_path forms:
 * - `redis`: phpredis' `tcp://host:port?database=N&prefix=P&auth=PW`, `unix:///path/redis.sock?…`, or a
 *   `redis://` / `rediss://` URL; of a comma-separated list (phpredis shards by weight) the first entry.
 * - `redis` on a cluster: `redis-cluster://host:port,host:port?prefix=P&auth=PW` (seed nodes).
 * - `redis` through Sentinel: `redis-sentinel://host:port,host:port?name=MASTER&database=N&prefix=P&auth=PW&sentinel_auth=PW`
 *   (the Sentinels; `auth` is the master's password, `sentinel_auth` the Sentinels').
 * - `rediscluster`: phpredis' own `seed[]=host:port&seed[]=host:port&prefix=P&auth=PW`; its `timeout`,
 *   `read_timeout`, `persistent` and `failover` are accepted and ignored.
 * `auth` may also be phpredis' `auth[]=user&auth[]=password`; a URL may carry `user:password@`.
 *
 * On a cluster the lock key carries a hash tag that puts it in its data key's slot (the lock scripts
 * touch both), and lock releases travel by sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7), which stays
 * within that slot's shard.
 * @module
 */
import { createClient, createCluster, createSentinel } from 'redis';
import type { LockClient, LockSubscriber } from './redis-lock.ts';
import { clusterLockKeyFor } from './redis-store.ts';

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

interface Credentials {
  readonly username?: string;
  readonly password?: string;
}

/** What a Redis session.save_path names. */
export type RedisSavePath =
  | ({ readonly mode: 'standalone'; readonly url: string; readonly socket?: string; readonly database?: number; readonly prefix?: string } & Credentials)
  | ({ readonly mode: 'cluster'; readonly seeds: readonly RedisNodeAddress[]; readonly prefix?: string } & Credentials)
  | ({
      readonly mode: 'sentinel';
      readonly sentinels: readonly RedisNodeAddress[];
      readonly masterName: string;
      readonly database?: number;
      readonly prefix?: string;
      readonly sentinelPassword?: string;
    } & Credentials);

/** Parses session.save_path for `handler` (`redis` or `rediscluster`); throws an Error saying what is wrong. */
export function parseRedisSavePath(handler: string, savePath: string): RedisSavePath {
  const trimmed = savePath.trim();
  const where = handler === 'rediscluster' ? parsePhpredisCluster(trimmed) : /^redis-(cluster|sentinel):\/\//i.test(trimmed) ? parseMultiHost(trimmed) : parseStandalone(trimmed);
  if (where.mode === 'cluster' && where.prefix !== undefined) {
    // throws for a prefix whose braces leave no hash tag a lock key could share
    clusterLockKeyFor(`${where.prefix}id`);
  }
  return where;
}

function parseStandalone(savePath: string): RedisSavePath {
  const first = savePath.split(/[\s,]+/).find(Boolean) ?? 'tcp://127.0.0.1:6379';
  const withScheme = /^[a-z]+:\/\//i.test(first) ? first : `tcp://${first}`;
  const url = new URL(withScheme.replace(/^unix:\/\//i, 'unix://localhost'));
  const params = url.searchParams;
  const database = params.get('database') ?? (url.pathname.length > 1 && url.protocol !== 'unix:' ? url.pathname.slice(1) : null);
  const password = params.get('auth') ?? (url.password ? decodeURIComponent(url.password) : undefined);
  return {
    mode: 'standalone',
    url: url.protocol === 'unix:' ? '' : `${url.protocol === 'rediss:' ? 'rediss' : 'redis'}://${url.hostname}:${url.port || 6379}`,
    ...(url.protocol === 'unix:' ? { socket: url.pathname } : {}),
    ...(database !== null && database !== '' ? { database: Number(database) } : {}),
    ...(params.get('prefix') !== null ? { prefix: params.get('prefix')! } : {}),
    ...(password ? { password } : {}),
  };
}

const MULTI_HOST = /^redis-(cluster|sentinel):\/\/(?:([^@/?]*)@)?([^/?]*)(?:\/(\d*))?(?:\?(.*))?$/is;

/** `redis-cluster://[user:pw@]h:p,h:p[?…]` and `redis-sentinel://[user:pw@]h:p,h:p[/db]?name=…[&…]`. */
function parseMultiHost(savePath: string): RedisSavePath {
  const match = MULTI_HOST.exec(savePath);
  if (!match) throw new Error(`cannot parse session.save_path ${savePath}`);
  const [, kind, userinfo, hosts, path, query] = match;
  const params = new URLSearchParams(query ?? '');
  const credentials = credentialsOf(params, userinfo);
  const prefix = params.get('prefix') ?? undefined;
  if (kind!.toLowerCase() === 'cluster') {
    if ((path ?? params.get('database') ?? '0') !== '0') throw new Error('Redis Cluster has only database 0');
    return { mode: 'cluster', seeds: addresses(hosts!.split(','), 6379), ...credentials, ...(prefix !== undefined ? { prefix } : {}) };
  }
  const masterName = params.get('name');
  if (!masterName) throw new Error(`session.save_path ${savePath} names no master: add ?name=<master name>`);
  const database = params.get('database') ?? (path || null);
  const sentinelPassword = params.get('sentinel_auth') ?? undefined;
  return {
    mode: 'sentinel',
    sentinels: addresses(hosts!.split(','), 26379),
    masterName,
    ...credentials,
    ...(database !== null ? { database: Number(database) } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
  };
}

/** phpredis' rediscluster save_path: a query string with `seed[]` entries. */
function parsePhpredisCluster(savePath: string): RedisSavePath {
  const params = new URLSearchParams(savePath);
  const seeds = [...params].filter(([name]) => /^seed\[[^\]]*\]$/.test(name)).map(([, value]) => value);
  // phpredis' own warning for this case
  if (seeds.length === 0) throw new Error('No valid seeds detected');
  const prefix = params.get('prefix') ?? undefined;
  return { mode: 'cluster', seeds: addresses(seeds, 6379), ...credentialsOf(params, undefined), ...(prefix !== undefined ? { prefix } : {}) };
}

/** phpredis' `auth=PW`, `auth[]=USER&auth[]=PW` or `auth[user]=…&auth[pass]=…`, else a URL's `user:pw@`. */
function credentialsOf(params: URLSearchParams, userinfo: string | undefined): Credentials {
  const list = params.getAll('auth[]');
  const [user, password] =
    list.length >= 2
      ? [list[0], list[1]]
      : params.has('auth[pass]')
        ? [params.get('auth[user]') ?? undefined, params.get('auth[pass]')!]
        : params.has('auth') || list.length === 1
          ? [undefined, params.get('auth') ?? list[0]]
          : userinfo !== undefined
            ? splitUserinfo(userinfo)
            : [undefined, undefined];
  return { ...(user ? { username: user } : {}), ...(password ? { password } : {}) };
}

function splitUserinfo(userinfo: string): [string | undefined, string | undefined] {
  const colon = userinfo.indexOf(':');
  if (colon < 0) return [decodeURIComponent(userinfo), undefined];
  return [decodeURIComponent(userinfo.slice(0, colon)) || undefined, decodeURIComponent(userinfo.slice(colon + 1))];
}

/** `host:port`, `[ipv6]:port` or a bare host (`defaultPort`). */
function addresses(entries: readonly string[], defaultPort: number): RedisNodeAddress[] {
  const list = entries.map((entry) => entry.trim()).filter(Boolean);
  if (list.length === 0) throw new Error('no Redis node in session.save_path');
  return list.map((entry) => {
    const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(entry);
    if (!match) throw new Error(`cannot parse Redis node address ${entry}`);
    return { host: match[1] ?? match[2]!, port: match[3] ? Number(match[3]) : defaultPort };
  });
}

/** A connected session store connection. */
export interface RedisConnection {
  /** What connect-redis stores through: a node-redis client, cluster or sentinel. */
  readonly client: unknown;
  /** The same connection as the session lock uses it. */
  readonly lockClient: LockClient;
  /** The listener for lock releases where the lock must not make its own with `duplicate()`. */
  readonly subscriber?: LockSubscriber;
  /** Redis Cluster: lock keys need `clusterLockKeyFor`, and releases travel by sharded pub/sub. */
  readonly cluster: boolean;
  close(): Promise<void>;
}

/**
 * How long opening the store may take. node-redis' connect() keeps retrying while Redis is down and never
 * settles; session_start() must fail with a warning instead (phpredis' own connect timeout is a day).
 */
const CONNECT_TIMEOUT_MS = 2000;

/** `connecting`, or an error after CONNECT_TIMEOUT_MS, when `giveUp` stops the client's retries. */
async function within<T>(connecting: Promise<T>, giveUp: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      giveUp();
      reject(new Error(`could not connect within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
  });
  try {
    return await Promise.race([connecting, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes gracefully, or destroys the connection when that does not finish in a second: a client that is
 * reconnecting to a Redis that is gone never finishes its QUIT, and a server's shutdown must not hang on it.
 */
function closing(graceful: () => Promise<unknown>, destroyClient: () => void): () => Promise<void> {
  const destroy = (): void => {
    try {
      destroyClient();
    } catch {
      // already closed
    }
  };
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => resolve(destroy()), 1000);
    });
    try {
      await Promise.race([graceful().then(() => undefined, () => destroy()), late]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * Options of every node-redis client made here (data nodes and Sentinels):
 * - disableOfflineQueue: commands fail at once while Redis is unreachable instead of queueing.
 * - disableClientInfo: no CLIENT SETINFO in the connection handshake. node-redis 5.9 ignores that
 *   command's failure, including the connection's: a socket reset during the handshake (a reconnect that
 *   reaches a Redis as it dies) leaves a client that says it is ready on a dead socket, never answers and
 *   never reconnects (redis/node-redis#3108, fixed in 5.11). With the handshake empty, or holding only
 *   AUTH/SELECT, whose failure fails it, a reset sends the client back to reconnecting.
 */
const CLIENT_OPTIONS = { disableOfflineQueue: true, disableClientInfo: true } as const;

/**
 * The locker's `noReply` for one client: drops its connection and opens a new one. node-redis times a
 * command out only until it is written; after that, a connection that died without a word (a half-open
 * TCP connection, a peer gone without a reset) holds that command and every later one forever. Only a
 * client that says it is ready is replaced: one that is not is reconnecting already, and fails commands
 * at once meanwhile (disableOfflineQueue).
 */
function replacer(client: { readonly isReady: boolean; destroy(): void; connect(): Promise<unknown> }, log: (line: string) => void): () => void {
  let replacing = false;
  return () => {
    if (replacing || !client.isReady) return;
    replacing = true;
    log('a command got no reply: closing the connection and opening a new one');
    // fails every command still waiting on the old connection, connect-redis' as well
    client.destroy();
    // settles once connected, or once close() destroys the client while Redis is still away
    client
      .connect()
      .catch(() => {})
      .finally(() => (replacing = false));
  };
}

/**
 * Connects to what `where` names. Connection errors go to `log` (each distinct message once until the
 * connection is ready again); commands fail at once while Redis is unreachable instead of queueing. On
 * one Redis, a connection on which a lock command got no reply is replaced (`replacer`).
 */
export async function connectRedis(where: RedisSavePath, label: string, log: (line: string) => void): Promise<RedisConnection> {
  // a reconnecting client repeats its errors at every retry (a sentinel two of them, in turn)
  const logged = new Set<string>();
  const onError = (error: unknown) => {
    const message = error instanceof Error ? error.message || error.constructor.name : String(error);
    if (!logged.has(message)) log(`tsfpm: Redis session store (${label}): ${message}`);
    logged.add(message);
  };
  const onReady = () => logged.clear();
  const credentials = { ...(where.username ? { username: where.username } : {}), ...(where.password ? { password: where.password } : {}) };
  switch (where.mode) {
    case 'standalone': {
      const client = createClient({
        ...(where.socket ? { socket: { path: where.socket, tls: false as const } } : { url: where.url }),
        ...(where.database !== undefined ? { database: where.database } : {}),
        ...credentials,
        ...CLIENT_OPTIONS,
      });
      client.on('error', onError).on('ready', onReady);
      await within(client.connect(), () => client.destroy());
      return {
        client,
        lockClient: {
          get isReady() {
            return client.isReady;
          },
          // no per-command timeout: with disableOfflineQueue a command never waits for a connection, and
          // node-redis would arm an AbortSignal.timeout for each one (a timer that fires even after the reply)
          sendCommand: (args) => client.sendCommand(args),
          duplicate: () => client.duplicate(),
          noReply: replacer(client, (line) => log(`tsfpm: Redis session store (${label}): ${line}`)),
        },
        cluster: false,
        close: closing(() => client.quit(), () => client.destroy()),
      };
    }
    case 'cluster': {
      const cluster = createCluster({
        rootNodes: where.seeds.map(({ host, port }) => ({ socket: { host, port } })),
        defaults: { ...credentials, ...CLIENT_OPTIONS },
      });
      cluster.on('error', onError).on('node-error', onError).on('node-ready', onReady);
      await within(cluster.connect(), () => cluster.destroy());
      return {
        client: cluster,
        lockClient: {
          get isReady() {
            return cluster.isOpen;
          },
          sendCommand: (args, options) => cluster.sendCommand(firstKeyOf(args), false, [...args], options),
        },
        subscriber: shardedSubscriber(cluster, (line) => log(`tsfpm: Redis session store (${label}): ${line}`)),
        cluster: true,
        close: closing(() => cluster.close(), () => cluster.destroy()),
      };
    }
    case 'sentinel': {
      const sentinel = createSentinel({
        name: where.masterName,
        sentinelRootNodes: where.sentinels.map(({ host, port }) => ({ host, port })),
        nodeClientOptions: { ...credentials, ...(where.database !== undefined ? { database: where.database } : {}), ...CLIENT_OPTIONS },
        sentinelClientOptions: { ...(where.sentinelPassword ? { password: where.sentinelPassword } : {}), disableClientInfo: true },
        passthroughClientErrorEvents: true,
      });
      sentinel.on('error', onError).on('topology-change', onReady);
      await within(sentinel.connect(), () => sentinel.destroy());
      return {
        client: sentinel,
        lockClient: {
          get isReady() {
            return sentinel.isReady;
          },
          sendCommand: (args, options) => sentinel.sendCommand(false, [...args], options),
        },
        // the sentinel subscribes on a connection of its own, and moves it to a new master
        subscriber: {
          get isOpen() {
            return sentinel.isOpen;
          },
          connect: () => sentinel.connect(),
          subscribe: async (channel, listener) => void (await sentinel.subscribe(channel, listener)),
          // subscribed without buffer mode: messages and channels are strings
          unsubscribe: async (channel, listener) => void (await sentinel.unsubscribe(channel, listener as Parameters<typeof sentinel.unsubscribe>[1])),
          on: (event, listener) => sentinel.on(event, listener),
          destroy: () => void sentinel.destroy(),
        },
        cluster: false,
        close: closing(() => sentinel.close(), () => sentinel.destroy()),
      };
    }
  }
}

/** The key a lock command is routed by: EVAL/EVALSHA's first KEYS entry, else the first argument. */
export function firstKeyOf(args: ReadonlyArray<string | Buffer>): string | Buffer | undefined {
  const command = String(args[0]).toUpperCase();
  if (command === 'EVAL' || command === 'EVALSHA') return Number(args[2]) > 0 ? args[3] : undefined;
  return args[1];
}

/** What `shardedSubscriber` uses of a node-redis cluster. */
export interface ShardedPubSub {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  sSubscribe(channel: string, listener: (message: string, channel: string) => unknown): Promise<void>;
  sUnsubscribe(channel: string, listener: (message: string, channel: string) => unknown): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): void;
}

/**
 * A cluster's sharded pub/sub as the lock's subscriber: node-redis keeps one connection per master for
 * it, apart from the command connections, and follows a channel when its slot moves. Redis before 7
 * has no SSUBSCRIBE: that is logged once, and waiters then wake by polling.
 */
export function shardedSubscriber(cluster: ShardedPubSub, log: (line: string) => void): LockSubscriber {
  let unsupported = false;
  return {
    get isOpen() {
      return cluster.isOpen;
    },
    connect: () => cluster.connect(),
    subscribe: async (channel, listener) => {
      if (unsupported) return;
      try {
        await cluster.sSubscribe(channel, listener);
      } catch (error) {
        if (!(error instanceof Error) || !/unknown command/i.test(error.message)) throw error;
        unsupported = true;
        log(`no sharded pub/sub (Redis 7 has it): session lock waiters poll for releases (${error.message})`);
      }
    },
    unsubscribe: async (channel, listener) => {
      if (!unsupported) await cluster.sUnsubscribe(channel, listener);
    },
    on: (event, listener) => cluster.on(event, listener),
    destroy: () => cluster.destroy(),
  };
}
