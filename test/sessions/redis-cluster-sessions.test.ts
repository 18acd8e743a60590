/**
 * Sessions on a real three-master Redis Cluster, through both save_path forms: the session lock
 * suite every handler passes, one slot per session (data key, lock key, release channel), wake-ups by
 * sharded pub/sub across processes, and writes fenced by the lock.
 */
import { expect } from 'chai';
import { closeBackends } from '../../sessions/open-backend.ts';
import { connectRedis, parseRedisSavePath, type RedisConnection } from '../../sessions/redis/redis-client.ts';
import { RedisLocker } from '../../sessions/redis/redis-lock.ts';
import { clusterLockKeyFor } from '../../sessions/redis/redis-store.ts';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.ts';
import { waitUntil } from '../support/wait.ts';
import { startServer } from '../support/server.ts';
import { expectFencedTakeover, heldLock, lockOptions, newId, runLockContract } from './lock-contract.ts';
import { sleep } from '../support/wait.ts';
import { runSessionLockSuite } from './session-lock-suite.ts';

describe('sessions on Redis Cluster', function () {
  this.timeout(30_000);
  let cluster: TestRedisCluster;
  const seeds = () => cluster.ports.map((port) => `127.0.0.1:${port}`);
  const phpredisSavePath = () => seeds().map((seed) => `seed[]=${seed}`).join('&');
  const dataKey = (id: string) => `sess:${id}`;

  /** A locker on its own cluster connection, as another process would have. */
  async function newLocker(pollMs?: number): Promise<{ locker: RedisLocker; connection: RedisConnection }> {
    const connection = await connectRedis(parseRedisSavePath('redis', `redis-cluster://${seeds().join(',')}`), 'test', () => {});
    const locker = new RedisLocker({
      client: connection.lockClient,
      subscriber: connection.subscriber!,
      shardedPubSub: true,
      lockKey: (id) => clusterLockKeyFor(dataKey(id)),
      ...(pollMs === undefined ? {} : { pollMs }),
    });
    return { locker, connection };
  }

  before(async () => (cluster = await startRedisCluster()));
  after(async () => {
    await closeBackends();
    await cluster.stop();
  });

  runSessionLockSuite('redis', () => ({ 'session.save_path': `redis-cluster://${seeds().join(',')}` }));
  runSessionLockSuite('rediscluster', () => ({ 'session.save_path': phpredisSavePath(), 'tsfpm.session_redis_format': 'phpredis' }));

  runLockContract('RedisLocker on Redis Cluster', async () => {
    const { locker, connection } = await newLocker();
    return { locker, cleanup: () => locker.close().then(() => connection.close()) };
  });

  it("keeps a session under phpredis' PHPREDIS_CLUSTER_SESSION:<id>, its lock and release channel in the same slot", async () => {
    const id = 'clustersession0123456789ab';
    const dataKey = `PHPREDIS_CLUSTER_SESSION:${id}`;
    const lockKey = `{${dataKey}}_LOCK`;
    // what phpredis' rediscluster handler stores for $_SESSION = ['visits' => 1]
    await cluster.cli('SET', dataKey, 'visits|i:1;');
    const s = await startServer(
      {
        'visit.ts': `export default async ({ session_start, $_SESSION, echo }) => {
          await session_start();
          $_SESSION.visits++;
          echo(String($_SESSION.visits));
          await new Promise((r) => setTimeout(r, 500));
        };`,
      },
      { ini: { 'session.save_handler': 'rediscluster', 'session.save_path': phpredisSavePath(), 'tsfpm.session_redis_format': 'phpredis' } },
    );
    try {
      const response = fetch(`${s.url}/visit.ts`, { headers: { Cookie: `PHPSESSID=${id}` } }).then((r) => r.text());
      await waitUntil('the lock key while the request runs', async () => (await cluster.cli('EXISTS', lockKey)) === '1', 5000);
      expect(await response).to.equal('2');
      expect(await cluster.cli('GET', dataKey)).to.equal('visits|i:2;');
      expect(await cluster.cli('EXISTS', lockKey)).to.equal('0');
      const slots = new Set(await Promise.all([dataKey, lockKey, `${lockKey}:released`].map((key) => cluster.cli('CLUSTER', 'KEYSLOT', key))));
      expect(slots.size).to.equal(1);
    } finally {
      await s.close();
    }
  });

  describe('the lock between processes', () => {
    const connections: RedisConnection[] = [];
    const lockers: RedisLocker[] = [];

    /** newLocker(), closed after the test. */
    async function processLocker(pollMs: number): Promise<{ locker: RedisLocker; connection: RedisConnection }> {
      const made = await newLocker(pollMs);
      connections.push(made.connection);
      lockers.push(made.locker);
      return made;
    }

    afterEach(async () => {
      await Promise.all(lockers.splice(0).map((locker) => locker.close()));
      await Promise.all(connections.splice(0).map((connection) => connection.close()));
    });

    it('wakes a waiter in another process by sharded pub/sub, not by its poll', async () => {
      // its poll and the holder's TTL a minute away, its wait 15 s: only the release message can let it in
      const [one, two] = [await processLocker(60_000), await processLocker(60_000)];
      const id = newId();
      const held = heldLock(await one.locker.acquire(id, lockOptions('holder', { ttlMs: 60_000 })));
      const order: string[] = [];
      const waiter = two.locker.acquire(id, lockOptions('waiter', { waitMs: 15_000 })).then((result) => (order.push('granted'), result));
      await sleep(100);
      order.push('released');
      await held.release();
      heldLock(await waiter);
      expect(order).to.deep.equal(['released', 'granted']);
    });

    it('refuses a fenced write and delete from a holder whose lock another process took over', async () => {
      const [one, two] = [await processLocker(1000), await processLocker(1000)];
      await expectFencedTakeover(one.locker, two.locker, dataKey, async (key) => String(await cluster.cli('GET', key)));
    });
  });
});
