/**
 * Sessions on a master found through a real Sentinel (`redis-sentinel://…?name=…`): the session lock
 * suite every handler passes, then a failover, after which sessions and their lock follow the new master.
 */
import { expect } from 'chai';
import { closeBackends } from '../../sessions/open-backend.ts';
import { connectRedis, parseRedisSavePath, type RedisConnection } from '../../sessions/redis/redis-client.ts';
import { RedisLocker } from '../../sessions/redis/redis-lock.ts';
import { waitUntil } from '../support/wait.ts';
import { startRedisSentinel, type TestRedisSentinel } from '../support/redis-sentinel.ts';
import { startServer } from '../support/server.ts';
import { heldLock, lockOptions, newId, runLockContract } from './lock-contract.ts';
import { sleep } from '../support/wait.ts';
import { runSessionLockSuite } from './session-lock-suite.ts';

describe('sessions through Redis Sentinel', function () {
  this.timeout(30_000);
  let sentinel: TestRedisSentinel;
  const savePath = () => `redis-sentinel://127.0.0.1:${sentinel.sentinelPort}?name=${sentinel.name}&prefix=app:`;

  before(async () => (sentinel = await startRedisSentinel()));
  after(async () => {
    await closeBackends();
    await sentinel.stop();
  });

  runSessionLockSuite('redis', () => ({ 'session.save_path': savePath() }));

  /** A locker on its own connection through the Sentinel, as another process would have. */
  async function newLocker(pollMs?: number): Promise<{ locker: RedisLocker; connection: RedisConnection }> {
    const connection = await connectRedis(parseRedisSavePath('redis', savePath()), 'test', () => {});
    const locker = new RedisLocker({ client: connection.lockClient, subscriber: connection.subscriber!, lockKey: (id) => `app:${id}_LOCK`, ...(pollMs === undefined ? {} : { pollMs }) });
    return { locker, connection };
  }

  runLockContract('RedisLocker through Redis Sentinel', async () => {
    const { locker, connection } = await newLocker();
    return { locker, cleanup: () => locker.close().then(() => connection.close()) };
  });

  describe('a failover', () => {
    // made before the failover, as a running server's connections are
    const connections: RedisConnection[] = [];
    const lockers: RedisLocker[] = [];
    let newMaster: number;
    before(async () => {
      for (let i = 0; i < 2; i++) {
        // polls and TTLs a minute long: a waiter let in sooner was woken by the release message
        const { locker, connection } = await newLocker(60_000);
        connections.push(connection);
        lockers.push(locker);
      }
    });
    after(async () => {
      await Promise.all(lockers.map((locker) => locker.close()));
      await Promise.all(connections.map((connection) => connection.close()));
    });

    it('follows the master the Sentinel promotes: the session lives on, read and written on the new master', async () => {
      const s = await startServer(
        {
          'count.ts': `export default async ({ session_start, $_SESSION, echo }) => {
            await session_start();
            $_SESSION.n = ($_SESSION.n ?? 0) + 1;
            echo(String($_SESSION.n));
          };`,
        },
        { ini: { 'session.save_handler': 'redis', 'session.save_path': savePath(), 'redis.session.lock_retries': -1 } },
      );
      try {
        const count = () => fetch(`${s.url}/count.ts`, { headers: { Cookie: cookie } }).then((r) => r.text());
        const first = await fetch(`${s.url}/count.ts`);
        const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
        const dataKey = `app:${cookie.split('=')[1]}`;
        expect(await first.text()).to.equal('1');
        // the replica has the write before it is promoted
        await sentinel.cli(sentinel.dataPorts[0], 'WAIT', '1', '1000');

        newMaster = await sentinel.failover();
        expect(newMaster).to.equal(sentinel.dataPorts[1]);
        // Until the client hears of the new master (about a second), requests still go to the old one,
        // which the Sentinel demotes later: what they write is lost, as with any Sentinel client.
        let n = 0;
        await waitUntil('a session write on the new master', async () => {
          n = Number(await count());
          const stored = await sentinel.cli(newMaster, 'GET', dataKey);
          return stored !== '' && JSON.parse(stored).n === n;
        });
        const logged = s.logs.length;
        const counts = [await count(), await count(), await count()];
        expect(counts).to.deep.equal([n + 1, n + 2, n + 3].map(String));
        expect(JSON.parse(await sentinel.cli(newMaster, 'GET', dataKey)).n).to.equal(n + 3);
        expect(s.logs.slice(logged).filter((line) => !/ \[200\]: GET /.test(line))).to.deep.equal([]);
      } finally {
        await s.close();
      }
    });

    it('leaves the lock working between processes, a waiter woken by pub/sub on the new master, not by its poll', async () => {
      const masterOf = (connection: RedisConnection) => (connection.client as { getMasterNode(): { port: number } | undefined }).getMasterNode()?.port;
      await waitUntil('both processes to follow the new master', async () => connections.every((connection) => masterOf(connection) === newMaster));
      const id = newId();
      const held = heldLock(await lockers[0]!.acquire(id, lockOptions('holder', { ttlMs: 60_000 })));
      expect(await sentinel.cli(newMaster, 'EXISTS', `app:${id}_LOCK`)).to.equal('1');
      const order: string[] = [];
      const waiter = lockers[1]!.acquire(id, lockOptions('waiter', { waitMs: 15_000 })).then((result) => (order.push('granted'), result));
      await sleep(100);
      order.push('released');
      await held.release();
      heldLock(await waiter);
      expect(order).to.deep.equal(['released', 'granted']);
    });
  });
});
