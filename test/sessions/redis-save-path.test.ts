/**
 * session.save_path for the Redis handlers (one Redis, Redis Cluster, Sentinel), the cluster lock key
 * that shares its data key's slot, and how lock commands are routed on a cluster: pure parts, in process.
 */
import { expect } from 'chai';
import { firstKeyOf, parseRedisSavePath, shardedSubscriber, type ShardedPubSub } from '../../sessions/redis/redis-client.ts';
import { clusterLockKeyFor } from '../../sessions/redis/redis-store.ts';

describe('parseRedisSavePath', () => {
  const table: Array<[handler: string, savePath: string, expected: object]> = [
    ['redis', '', { mode: 'standalone', url: 'redis://127.0.0.1:6379' }],
    ['redis', 'tcp://10.0.0.5:6380?database=2&prefix=app:&auth=s3cret', { mode: 'standalone', url: 'redis://10.0.0.5:6380', database: 2, prefix: 'app:', password: 's3cret' }],
    ['redis', 'tcp://a:6379?weight=1, tcp://b:6379?weight=2', { mode: 'standalone', url: 'redis://a:6379' }],
    ['redis', 'unix:///run/redis.sock?prefix=p:', { mode: 'standalone', url: '', socket: '/run/redis.sock', prefix: 'p:' }],
    ['redis', 'rediss://:pw@cache:6390/3', { mode: 'standalone', url: 'rediss://cache:6390', database: 3, password: 'pw' }],
    [
      'redis',
      'redis-cluster://10.0.0.1:7000,10.0.0.2:7001?prefix=sess:&auth=pw',
      { mode: 'cluster', seeds: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }], prefix: 'sess:', password: 'pw' },
    ],
    ['redis', 'redis-cluster://app:p%40ss@node-a,[::1]:7002', { mode: 'cluster', seeds: [{ host: 'node-a', port: 6379 }, { host: '::1', port: 7002 }], username: 'app', password: 'p@ss' }],
    [
      'rediscluster',
      'seed[]=127.0.0.1:7000&seed[]=127.0.0.1:7001&timeout=2&read_timeout=2&persistent=1&failover=error&prefix=PHPREDIS_CLUSTER_SESSION:&auth=pw',
      { mode: 'cluster', seeds: [{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }], prefix: 'PHPREDIS_CLUSTER_SESSION:', password: 'pw' },
    ],
    ['rediscluster', 'seed[]=h:7000&auth[]=app&auth[]=pw', { mode: 'cluster', seeds: [{ host: 'h', port: 7000 }], username: 'app', password: 'pw' }],
    ['rediscluster', 'seed[0]=h:7000&auth[user]=app&auth[pass]=pw', { mode: 'cluster', seeds: [{ host: 'h', port: 7000 }], username: 'app', password: 'pw' }],
    [
      'redis',
      'redis-sentinel://10.0.0.1:26379,10.0.0.2:26380?name=mymaster&database=3&prefix=s:&auth=pw&sentinel_auth=spw',
      {
        mode: 'sentinel',
        sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26380 }],
        masterName: 'mymaster',
        database: 3,
        prefix: 's:',
        password: 'pw',
        sentinelPassword: 'spw',
      },
    ],
    ['redis', 'redis-sentinel://sentinel-a/2?name=m', { mode: 'sentinel', sentinels: [{ host: 'sentinel-a', port: 26379 }], masterName: 'm', database: 2 }],
  ];
  for (const [handler, savePath, expected] of table) {
    it(`${handler}: ${savePath || '(empty)'}`, () => {
      expect(parseRedisSavePath(handler, savePath)).to.deep.equal(expected);
    });
  }

  const errors: Array<[handler: string, savePath: string, message: RegExp]> = [
    ['rediscluster', 'prefix=x:&timeout=2', /^No valid seeds detected$/],
    ['rediscluster', 'tcp://127.0.0.1:7000', /^No valid seeds detected$/],
    ['redis', 'redis-sentinel://h:26379', /names no master/],
    ['redis', 'redis-cluster://h:7000?database=1', /only database 0/],
    ['redis', 'redis-cluster://h:7000?prefix=a}b:', /no lock key can share a Redis Cluster slot/],
    ['redis', 'redis-cluster://h:port', /cannot parse Redis node address h:port/],
  ];
  for (const [handler, savePath, message] of errors) {
    it(`refuses ${handler}: ${savePath}`, () => {
      expect(() => parseRedisSavePath(handler, savePath)).to.throw(message);
    });
  }
});

describe('clusterLockKeyFor', () => {
  const table: Array<[dataKey: string, lockKey: string]> = [
    // the data key stays as connect-redis and phpredis name it; the lock key's hash tag is all of it
    ['sess:abc', '{sess:abc}_LOCK'],
    ['PHPREDIS_CLUSTER_SESSION:abc', '{PHPREDIS_CLUSTER_SESSION:abc}_LOCK'],
    // a prefix with a hash tag already puts both in its slot
    ['{app}:abc', '{app}:abc_LOCK'],
    ['app:{abc}', 'app:{abc}_LOCK'],
    // a lone "{" makes no tag: wrapping still gives a tag equal to the whole data key
    ['a{b:abc', '{a{b:abc}_LOCK'],
  ];
  for (const [dataKey, lockKey] of table) {
    it(`${dataKey} → ${lockKey}`, () => expect(clusterLockKeyFor(dataKey)).to.equal(lockKey));
  }

  it('throws for a data key with a "}" outside a hash tag, which no lock key can share a slot with', () => {
    expect(() => clusterLockKeyFor('a}b:abc')).to.throw(/no lock key can share/);
    expect(() => clusterLockKeyFor('{}x:abc')).to.throw(/no lock key can share/);
  });
});

describe('firstKeyOf (routing lock commands on a cluster)', () => {
  it("routes EVAL and EVALSHA by their first KEYS entry, anything else by its first argument", () => {
    expect(firstKeyOf(['EVAL', 'return 1', '2', '{k}_LOCK', 'k', 'v'])).to.equal('{k}_LOCK');
    expect(firstKeyOf(['evalsha', 'abc', '1', '{k}_LOCK', 'v'])).to.equal('{k}_LOCK');
    expect(firstKeyOf(['EVAL', 'return 1', '0'])).to.equal(undefined);
    expect(firstKeyOf(['GET', '{k}_LOCK'])).to.equal('{k}_LOCK');
  });
});

describe('shardedSubscriber', () => {
  function fakeCluster(sSubscribe: () => Promise<void>): ShardedPubSub & { unsubscribed: number } {
    return {
      isOpen: true,
      unsubscribed: 0,
      connect: async () => undefined,
      sSubscribe,
      async sUnsubscribe() {
        this.unsubscribed++;
      },
      on: () => undefined,
      destroy: () => undefined,
    };
  }

  it('logs once and lets waiters poll when the server has no SSUBSCRIBE (Redis before 7)', async () => {
    const logs: string[] = [];
    let calls = 0;
    const cluster = fakeCluster(async () => {
      calls++;
      throw new Error("ERR unknown command 'SSUBSCRIBE', with args beginning with: 'x'");
    });
    const subscriber = shardedSubscriber(cluster, (line) => logs.push(line));
    await subscriber.subscribe('a', () => {});
    await subscriber.subscribe('b', () => {});
    await subscriber.unsubscribe('a', () => {});
    expect(calls).to.equal(1);
    expect(cluster.unsubscribed).to.equal(0);
    expect(logs).to.have.length(1);
    expect(logs[0]).to.match(/waiters poll/);
  });

  it('passes any other error on', async () => {
    const subscriber = shardedSubscriber(fakeCluster(async () => Promise.reject(new Error('CLUSTERDOWN'))), () => {});
    const error = await subscriber.subscribe('a', () => {}).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(Error).with.property('message', 'CLUSTERDOWN');
  });
});
