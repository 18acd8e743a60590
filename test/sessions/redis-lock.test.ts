/**
 * The Redis locker: the session lock contract, then what only a shared lock has — other processes
 * (one locker per connection stands for one process), holders that crashed or that are phpredis,
 * fenced writes to the data key, and a Redis that goes away.
 */
import { expect } from 'chai';
import { createClient, RESP_TYPES } from 'redis';
import { RedisLocker, type RedisLockerOptions } from '../../sessions/redis/redis-lock.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { expectFencedTakeover, heldLock, lockOptions, newId, runLockContract } from './lock-contract.ts';
import { sleep } from '../support/wait.ts';

const lockKey = (id: string) => `PHPREDIS_SESSION:${id}_LOCK`;
const dataKey = (id: string) => `PHPREDIS_SESSION:${id}`;

type Client = ReturnType<typeof createClient>;

async function connect(url: string): Promise<Client> {
  const client = createClient({ url });
  client.on('error', () => {}); // the lock reports through its log; the tests stop servers on purpose
  await client.connect();
  return client;
}

describe('RedisLocker', () => {
  let redis: TestRedis;
  const clients: Client[] = [];
  const lockers: RedisLocker[] = [];

  /** A locker on its own connection, as another process would have. */
  async function newLocker(options: Partial<RedisLockerOptions> = {}, url = redis.url): Promise<{ locker: RedisLocker; client: Client; logs: string[] }> {
    const client = await connect(url);
    const logs: string[] = [];
    const locker = new RedisLocker({ client, lockKey, log: (line) => logs.push(line), ...options });
    clients.push(client);
    lockers.push(locker);
    return { locker, client, logs };
  }

  before(async () => (redis = await startRedis()));
  after(() => redis.stop());
  afterEach(async () => {
    await Promise.all(lockers.splice(0).map((locker) => locker.close()));
    for (const client of clients.splice(0)) client.destroy();
  });

  runLockContract('RedisLocker', async () => {
    const { locker } = await newLocker();
    return { locker, cleanup: async () => {} };
  });

  describe('on the wire', () => {
    it("stores <token>|<owner> under phpredis's <data key>_LOCK with a PX TTL", async () => {
      const { locker, client } = await newLocker();
      const id = newId();
      const lock = heldLock(await locker.acquire(id, lockOptions('script /a.ts, GET /a', { ttlMs: 30_000 })));
      expect(await client.get(lockKey(id))).to.equal(`${lock.token}|script /a.ts, GET /a`);
      expect(await client.pTTL(lockKey(id))).to.be.within(29_000, 30_000);
      await lock.release();
      expect(await client.exists(lockKey(id))).to.equal(0);
    });

    it('sends its scripts again after SCRIPT FLUSH (a restarted Redis)', async () => {
      const { locker, client } = await newLocker();
      const id = newId();
      const first = heldLock(await locker.acquire(id, lockOptions('a')));
      await first.release();
      const lock = heldLock(await locker.acquire(id, lockOptions('b')));
      await client.scriptFlush();
      expect(await locker.fencedSet(lock, dataKey(id), 'x', 1440)).to.equal(true);
      await lock.release();
      expect(await client.exists(lockKey(id))).to.equal(0);
    });

    it('deletes the keys of the locks it holds on close', async () => {
      const { locker, client } = await newLocker();
      const id = newId();
      heldLock(await locker.acquire(id, lockOptions('a')));
      await locker.close();
      expect(await client.exists(lockKey(id))).to.equal(0);
    });
  });

  describe('between processes', () => {
    it('excludes a locker on another connection, naming its holder', async () => {
      const [one, two] = [await newLocker(), await newLocker()];
      const id = newId();
      heldLock(await one.locker.acquire(id, lockOptions('script /one.ts, GET /one')));
      expect(await two.locker.acquire(id, lockOptions('two', { waitMs: 0 }))).to.include({ ok: false, holder: 'script /one.ts, GET /one' });
    });

    it('wakes the other process through pub/sub, not by polling', async () => {
      // the waiters' next poll and the holders' TTL are a minute away, and they give up after 15 s: only the
      // release message can let them in
      const [one, two] = [await newLocker({ pollMs: 60_000 }), await newLocker({ pollMs: 60_000 })];
      const slow = (owner: string) => lockOptions(owner, { ttlMs: 60_000, waitMs: 15_000 });
      const id = newId();
      let lock = heldLock(await one.locker.acquire(id, slow('one')));
      for (let round = 0; round < 10; round++) {
        const next = round % 2 === 0 ? two : one;
        const order: string[] = [];
        const waiter = next.locker.acquire(id, slow(`round ${round}`)).then((result) => (order.push('granted'), result));
        await sleep(30);
        order.push('released');
        await lock.release();
        lock = heldLock(await waiter);
        expect(order, `round ${round}`).to.deep.equal(['released', 'granted']);
      }
    });

    it('keeps 100 read-modify-write increments from two processes exact', async () => {
      const [one, two] = [await newLocker(), await newLocker()];
      const id = newId();
      let counter = 0;
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const { locker } = i % 2 ? one : two;
          const lock = heldLock(await locker.acquire(id, lockOptions(`request ${i}`, { waitMs: 20_000 })));
          const read = counter;
          await sleep(1);
          expect(await locker.fencedWrite(lock, async () => void (counter = read + 1))).to.equal(true);
          await lock.release();
        }),
      );
      expect(counter).to.equal(100);
    });
  });

  describe('holders that do not release', () => {
    it('waits for a lock key left by a killed holder only until its TTL', async () => {
      // its poll a minute away and its wait 15 s: the key running out is what lets it in
      const { locker, client } = await newLocker({ pollMs: 60_000 });
      const id = newId();
      // what a crashed phpredis process leaves: its host|pid, expiring on its own
      await client.set(lockKey(id), 'web-3|15913', { PX: 300 });
      expect(await locker.acquire(id, lockOptions('b', { waitMs: 0 }))).to.include({ ok: false, holder: 'web-3|15913' });
      const result = await locker.acquire(id, lockOptions('b', { waitMs: 15_000 }));
      expect(await heldLock(result).verify()).to.equal(true);
    });

    it('notices a phpredis release, which does not publish, by polling', async () => {
      const { locker, client } = await newLocker({ pollMs: 50 });
      const id = newId();
      // the key would last a minute and the waiter gives up after 15 s: only a poll can see the DEL
      await client.set(lockKey(id), 'web-3|15913', { PX: 60_000 });
      const order: string[] = [];
      const waiter = locker.acquire(id, lockOptions('b', { waitMs: 15_000 })).then((result) => (order.push('granted'), result));
      await sleep(200);
      order.push('deleted');
      await client.del(lockKey(id));
      heldLock(await waiter);
      expect(order).to.deep.equal(['deleted', 'granted']);
    });
  });

  describe('fencedSet and fencedDelete', () => {
    it('write and delete the data key while the lock is held', async () => {
      const { locker, client } = await newLocker();
      const id = newId();
      const lock = heldLock(await locker.acquire(id, lockOptions('a')));
      const bytes = Buffer.from([0x61, 0x7c, 0x00, 0xff, 0xfe]);
      expect(await locker.fencedSet(lock, dataKey(id), bytes, 1440)).to.equal(true);
      expect(await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(dataKey(id))).to.deep.equal(bytes);
      expect(await client.ttl(dataKey(id))).to.be.within(1439, 1440);
      expect(await locker.fencedDelete(lock, dataKey(id))).to.equal(true);
      expect(await client.exists(dataKey(id))).to.equal(0);
    });

    it('refuse a holder whose TTL ran out and whose lock another process took', async () => {
      const [one, two] = [await newLocker({ pollMs: 1000 }), await newLocker({ pollMs: 1000 })];
      await expectFencedTakeover(one.locker, two.locker, dataKey, (key) => one.client.get(key));
    });

    it('refuse a holder whose lock key was replaced behind its back, and mark the lock lost', async () => {
      const { locker, client } = await newLocker();
      const id = newId();
      const lock = heldLock(await locker.acquire(id, lockOptions('a')));
      await client.set(lockKey(id), 'web-3|15913', { PX: 60_000 });
      expect(lock.lost).to.equal(false);
      expect(await locker.fencedSet(lock, dataKey(id), 'stale', 1440)).to.equal(false);
      expect(lock.lost).to.equal(true);
      expect(await client.exists(dataKey(id))).to.equal(0);
    });

    it('throw a TypeError for a lock from another locker', async () => {
      const [one, two] = [await newLocker(), await newLocker()];
      const lock = heldLock(await one.locker.acquire(newId(), lockOptions('a')));
      const error = await two.locker.fencedSet(lock, dataKey(lock.id), 'x', 1440).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TypeError);
    });
  });

  describe('when Redis goes away', () => {
    let lost: TestRedis;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    beforeEach(async () => {
      lost = await startRedis();
      unhandled.length = 0;
      process.on('unhandledRejection', onUnhandled);
    });
    afterEach(async () => {
      await lost.stop();
      await sleep(50);
      process.off('unhandledRejection', onUnhandled);
      expect(unhandled).to.deep.equal([]);
    });

    it('resolves a waiter ok:false, without a hang, when the server stops mid-wait', async () => {
      const { locker, client, logs } = await newLocker({ commandTimeoutMs: 300 }, lost.url);
      const id = newId();
      await client.set(lockKey(id), 'web-3|15913', { PX: 60_000 });
      const waiter = locker.acquire(id, lockOptions('b', { waitMs: 15_000 }));
      await sleep(100);
      await lost.stop();
      const result = await waiter;
      expect(result).to.include({ ok: false, holder: undefined });
      // refused for the failure, not because its wait ran out
      expect(result.waitedMs).to.be.below(15_000);
      expect(logs).to.not.deep.equal([]);
      await locker.close();
    });

    it('resolves ok:false and logs when Redis is unreachable at acquire', async () => {
      const { locker, logs } = await newLocker({ commandTimeoutMs: 300 }, lost.url);
      await lost.stop();
      const result = await locker.acquire(newId(), lockOptions('a', { waitMs: 15_000 }));
      expect(result).to.include({ ok: false, holder: undefined });
      // refused for the failure, not because its wait ran out
      expect(result.waitedMs).to.be.below(15_000);
      expect(logs.join('\n')).to.match(/acquire .* failed|not available/);
    });

    it('releases without throwing while Redis is down', async () => {
      const { locker, logs } = await newLocker({ commandTimeoutMs: 300 }, lost.url);
      const lock = heldLock(await locker.acquire(newId(), lockOptions('a')));
      await lost.stop();
      await lock.release();
      expect(logs.join('\n')).to.match(/release .* failed/);
    });
  });
});
