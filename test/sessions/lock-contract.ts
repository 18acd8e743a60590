/**
 * The SessionLocker contract (sessions/lock/contract.ts) as one mocha suite, run by every locker's test file
 * against a fresh locker per test. What a stalled holder keeps depends on the locker's `expires` flag:
 * the tests for the other kind are skipped.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { AcquireResult, HeldLock, LockOptions, SessionLocker } from '../../sessions/lock/contract.ts';
import { sleep } from '../support/wait.ts';
import type { RedisLocker } from '../../sessions/redis/redis-lock.ts';

export interface LockerUnderTest {
  readonly locker: SessionLocker;
  cleanup(): Promise<void>;
}

/** Blocks the event loop, as a long synchronous script or a GC pause would stall a holder. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A fresh session ID, so tests sharing one Redis never meet. */
export const newId = (): string => randomUUID().replaceAll('-', '');

export function lockOptions(owner: string, options: Partial<LockOptions> = {}): LockOptions {
  return { waitMs: 5000, ttlMs: 10_000, owner, ...options };
}

/** The lock of a successful acquisition (fails the test otherwise). */
export function heldLock(result: AcquireResult): HeldLock {
  if (!result.ok) expect.fail(`lock not acquired (held by ${result.holder})`);
  return result.lock;
}

/**
 * `stalledOn` holds a lock with a 100 ms TTL, then the event loop stalls past it (as a long synchronous script
 * would) while `nextOn` waits: `next` is the lock the waiter got, `stalled` the one that expired under its holder.
 */
async function takeOver(stalledOn: SessionLocker, nextOn: SessionLocker, id = newId()): Promise<{ stalled: HeldLock; next: HeldLock }> {
  const stalled = heldLock(await stalledOn.acquire(id, lockOptions('stalled', { ttlMs: 100 })));
  const waiter = nextOn.acquire(id, lockOptions('next'));
  await sleep(20);
  stall(350);
  return { stalled, next: heldLock(await waiter) };
}

/**
 * Two Redis lockers (two processes): the first holder stalls past its TTL, the second takes the lock over and
 * writes; the stalled holder's fenced SET and DEL must be refused and `read` must still see the new holder's data.
 */
export async function expectFencedTakeover(
  one: { fencedSet: RedisLocker['fencedSet']; fencedDelete: RedisLocker['fencedDelete'] } & SessionLocker,
  two: { fencedSet: RedisLocker['fencedSet'] } & SessionLocker,
  dataKey: (id: string) => string,
  read: (key: string) => Promise<string | null>,
): Promise<void> {
  const id = newId();
  const { stalled, next } = await takeOver(one, two, id);
  expect(await two.fencedSet(next, dataKey(id), 'fresh', 1440)).to.equal(true);
  expect(await one.fencedSet(stalled, dataKey(id), 'stale', 1440)).to.equal(false);
  expect(await one.fencedDelete(stalled, dataKey(id))).to.equal(false);
  expect(await read(dataKey(id))).to.equal('fresh');
  expect(stalled.lost).to.equal(true);
}

export function runLockContract(name: string, makeLocker: () => Promise<LockerUnderTest>): void {
  describe(`${name} (session lock contract)`, () => {
    let locker: SessionLocker;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ locker, cleanup } = await makeLocker()));
    afterEach(() => cleanup());

    it('gives the lock to one holder at a time', async () => {
      const id = newId();
      const a = heldLock(await locker.acquire(id, lockOptions('script /a.ts, GET /a')));
      const b = await locker.acquire(id, lockOptions('script /b.ts, GET /b', { waitMs: 0 }));
      expect(b).to.include({ ok: false, holder: 'script /a.ts, GET /a' });
      await a.release();
      expect((await locker.acquire(id, lockOptions('c', { waitMs: 0 }))).ok).to.equal(true);
    });

    it('locks each session ID separately', async () => {
      heldLock(await locker.acquire(newId(), lockOptions('a')));
      expect((await locker.acquire(newId(), lockOptions('b', { waitMs: 0 }))).ok).to.equal(true);
    });

    it('gives each acquisition its own token', async () => {
      const id = newId();
      const tokens = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const lock = heldLock(await locker.acquire(id, lockOptions('a')));
        expect(lock.id).to.equal(id);
        tokens.add(lock.token);
        await lock.release();
      }
      expect(tokens.size).to.equal(5);
    });

    it('serves 20 waiters in arrival order', async () => {
      const id = newId();
      const first = heldLock(await locker.acquire(id, lockOptions('first')));
      const order: number[] = [];
      const waiters = Array.from({ length: 20 }, (_, i) =>
        locker.acquire(id, lockOptions(`waiter ${i}`)).then(async (result) => {
          order.push(i);
          await sleep(1);
          await heldLock(result).release();
        }),
      );
      await sleep(20);
      await first.release();
      await Promise.all(waiters);
      expect(order).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
    });

    it('hands the lock to a waiter when the holder releases it, not before', async () => {
      const id = newId();
      const holder = heldLock(await locker.acquire(id, lockOptions('holder')));
      const order: string[] = [];
      const waiter = locker.acquire(id, lockOptions('waiter')).then((result) => (order.push('granted'), result));
      await sleep(50);
      order.push('released');
      await holder.release();
      expect(await heldLock(await waiter).verify()).to.equal(true);
      expect(order).to.deep.equal(['released', 'granted']);
    });

    it('resolves ok:false naming the holder once waitMs runs out, the holder keeping its lock', async () => {
      const id = newId();
      const holder = heldLock(await locker.acquire(id, lockOptions('script /slow.ts, GET /slow')));
      const startedAt = performance.now();
      const result = await locker.acquire(id, lockOptions('script /b.ts, GET /b', { waitMs: 150 }));
      expect(result).to.include({ ok: false, holder: 'script /slow.ts, GET /slow' });
      // not before its wait ran out (a timer fires late, never early, give or take the clocks' rounding)
      expect(result.waitedMs).to.be.at.least(140);
      expect(performance.now() - startedAt).to.be.at.least(140);
      expect(await holder.verify()).to.equal(true);
    });

    /** Skips the test unless the locker's held locks expire (`expected`), or do not. */
    function onlyIfExpires(test: Mocha.Context, expected: boolean): void {
      if ((locker.expires ?? true) !== expected) test.skip();
    }

    it('lets a waiter in when the holder stalls past its TTL, and marks the stalled lock lost', async function () {
      onlyIfExpires(this, true);
      const { stalled, next } = await takeOver(locker, locker);
      expect(stalled.lost).to.equal(true);
      expect(await stalled.verify()).to.equal(false);
      await stalled.release();
      expect(await next.verify()).to.equal(true);
      expect(next.lost).to.equal(false);
    });

    it('keeps a stalled holder\'s lock past ttlMs until it releases, where locks do not expire', async function () {
      onlyIfExpires(this, false);
      const id = newId();
      const stalled = heldLock(await locker.acquire(id, lockOptions('stalled', { ttlMs: 100 })));
      const order: string[] = [];
      const waiter = locker.acquire(id, lockOptions('next')).then((result) => (order.push('next granted'), result));
      await sleep(20);
      stall(350);
      await sleep(20);
      expect(stalled.lost).to.equal(false);
      expect(await stalled.verify()).to.equal(true);
      expect(await locker.fencedWrite(stalled, async () => void order.push('stalled wrote'))).to.equal(true);
      order.push('stalled released');
      await stalled.release();
      expect(await heldLock(await waiter).verify()).to.equal(true);
      expect(order).to.deep.equal(['stalled wrote', 'stalled released', 'next granted']);
    });

    it("keeps a live holder's lock past several TTLs by renewing it", async () => {
      const id = newId();
      // renewed every 200 ms: a busy machine may stall this process's loop for a while without the lock running out
      const lock = heldLock(await locker.acquire(id, lockOptions('long request', { ttlMs: 600 })));
      await sleep(2000);
      expect(lock.lost).to.equal(false);
      expect(await lock.verify()).to.equal(true);
      expect(await locker.acquire(id, lockOptions('other', { waitMs: 0 }))).to.include({ ok: false, holder: 'long request' });
    });

    it('runs a fenced write for the holder', async () => {
      const lock = heldLock(await locker.acquire(newId(), lockOptions('a')));
      let written = false;
      expect(await locker.fencedWrite(lock, async () => void (written = true))).to.equal(true);
      expect(written).to.equal(true);
    });

    it('refuses a fenced write from a holder whose lock was taken over', async function () {
      onlyIfExpires(this, true);
      const { stalled, next } = await takeOver(locker, locker);
      const writes: string[] = [];
      expect(await locker.fencedWrite(stalled, async () => void writes.push('stalled'))).to.equal(false);
      expect(await locker.fencedWrite(next, async () => void writes.push('next'))).to.equal(true);
      expect(writes).to.deep.equal(['next']);
    });

    it('refuses a fenced write after release', async () => {
      const lock = heldLock(await locker.acquire(newId(), lockOptions('a')));
      await lock.release();
      expect(await locker.fencedWrite(lock, async () => expect.fail('wrote without the lock'))).to.equal(false);
    });

    it('releases idempotently, never touching the next holder', async () => {
      const id = newId();
      const a = heldLock(await locker.acquire(id, lockOptions('a')));
      await a.release();
      await a.release();
      const b = heldLock(await locker.acquire(id, lockOptions('b', { waitMs: 0 })));
      await a.release();
      expect(await b.verify()).to.equal(true);
      expect(await locker.acquire(id, lockOptions('c', { waitMs: 0 }))).to.include({ ok: false, holder: 'b' });
    });

    it('keeps 200 concurrent read-modify-write increments exact', async () => {
      const id = newId();
      let counter = 0;
      const refused: number[] = [];
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const lock = heldLock(await locker.acquire(id, lockOptions(`request ${i}`, { waitMs: 20_000 })));
          const read = counter;
          await sleep(0);
          if (!(await locker.fencedWrite(lock, async () => void (counter = read + 1)))) refused.push(i);
          await lock.release();
        }),
      );
      expect(refused).to.deep.equal([]);
      expect(counter).to.equal(200);
    });

    it('refuses every waiter on close', async () => {
      const id = newId();
      heldLock(await locker.acquire(id, lockOptions('holder')));
      const waiter = locker.acquire(id, lockOptions('waiter'));
      await sleep(20);
      await locker.close();
      expect(await waiter).to.include({ ok: false });
    });

    it('rejects (not throws) out-of-range options with a TypeError', async () => {
      for (const bad of [{ ttlMs: 0 }, { ttlMs: 1.5 }, { waitMs: -1 }, { waitMs: Number.NaN }]) {
        const error = await locker.acquire(newId(), lockOptions('a', bad)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, JSON.stringify(bad)).to.be.instanceOf(TypeError);
      }
    });
  });
}
