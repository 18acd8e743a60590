/**
 * The store contract (sessions/backend.ts: an express-session Store with its capabilities' defaults, as the
 * session state machine calls it) as one mocha suite, run against every store by store-contract.test.ts,
 * as the lock contract (lock-contract.ts) is run against every locker. What PHP's save handlers agree on:
 * an unknown ID is no error, data written is read back in the order it was written, touch() never changes the data,
 * destroying what is not there succeeds, and a write under a lock that is no longer held changes nothing.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { storedCookie, type SessionBackend, type StoredCookie } from '../../sessions/backend.ts';
import type { HeldLock } from '../../sessions/lock/contract.ts';
import { orderedKeys, recordFromEntries } from '../../sessions/serialize/php-values.ts';

/** A PHP-style session ID no other test uses (32 hex characters: every store accepts it). */
const newId = (): string => randomBytes(16).toString('hex');
const cookie = (): StoredCookie => storedCookie(1440, true, '/');

async function lockOf(backend: SessionBackend, id: string): Promise<HeldLock> {
  const result = await backend.locker.acquire(id, { waitMs: 5000, ttlMs: 10_000, owner: 'store contract' });
  if (!result.ok) expect.fail(`lock not acquired (held by ${result.holder})`);
  return result.lock;
}

/** Runs the store contract against the backend `open` gives (opened once for the suite, closed by its caller). */
export function runStoreContract(name: string, open: () => Promise<SessionBackend>): void {
  describe(`the ${name} store (store contract)`, () => {
    let backend: SessionBackend;
    before(async () => {
      backend = await open();
    });

    it('reads an unknown ID as no session, not an error, and does not report it as existing', async () => {
      const id = newId();
      expect(await backend.read(id)).to.equal(null);
      expect(await backend.exists(id)).to.equal(false);
    });

    it('reads back what was written, in the order it was written', async () => {
      const id = newId();
      const data = recordFromEntries([['user', 'ann'], ['cart', ['book', 'pen']], ['count', 2], ['at', 'home']]);
      expect(await backend.write(id, data, cookie(), undefined)).to.equal(true);
      const stored = await backend.read(id);
      expect({ ...stored!.data }).to.deep.equal({ user: 'ann', cart: ['book', 'pen'], count: 2, at: 'home' });
      expect(orderedKeys(stored!.data)).to.deep.equal(['user', 'cart', 'count', 'at']);
      expect(await backend.exists(id)).to.equal(true);
    });

    it('touch() keeps the stored data (it only refreshes the expiry)', async () => {
      const id = newId();
      await backend.write(id, recordFromEntries([['n', 1]]), cookie(), undefined);
      await backend.touch(id, recordFromEntries([['n', 2]]), cookie());
      expect({ ...(await backend.read(id))!.data }).to.deep.equal({ n: 1 });
    });

    it('destroy() removes the session, and destroying an ID that is not stored succeeds', async () => {
      const id = newId();
      await backend.write(id, recordFromEntries([['n', 1]]), cookie(), undefined);
      expect(await backend.destroy(id, undefined)).to.equal(true);
      expect(await backend.read(id)).to.equal(null);
      expect(await backend.exists(id)).to.equal(false);
      expect(await backend.destroy(newId(), undefined)).to.equal(true);
    });

    it('writes under a held lock; with `release` the lock is let go, by the write where the store can, else by release()', async () => {
      const id = newId();
      const lock = await lockOf(backend, id);
      expect(await backend.write(id, recordFromEntries([['n', 1]]), cookie(), lock, true)).to.equal(true);
      await lock.release();
      expect({ ...(await backend.read(id))!.data }).to.deep.equal({ n: 1 });
      const next = await backend.locker.acquire(id, { waitMs: 0, ttlMs: 10_000, owner: 'next' });
      expect(next.ok).to.equal(true);
      if (next.ok) await next.lock.release();
    });

    it('refuses a write and a destroy under a lock that was released, and keeps the stored data', async () => {
      const id = newId();
      await backend.write(id, recordFromEntries([['n', 1]]), cookie(), undefined);
      const lock = await lockOf(backend, id);
      await lock.release();
      expect(await backend.write(id, recordFromEntries([['n', 2]]), cookie(), lock)).to.equal(false);
      expect(await backend.destroy(id, lock)).to.equal(false);
      expect({ ...(await backend.read(id))!.data }).to.deep.equal({ n: 1 });
    });

    it('gc() answers a count of sessions removed (0 where the store expires them itself)', async () => {
      const removed = await backend.gc(1440);
      expect(Number.isInteger(removed) && removed >= 0, String(removed)).to.equal(true);
    });
  });
}
