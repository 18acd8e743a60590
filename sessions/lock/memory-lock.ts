/**
 * The in-process session lock, for stores that live in one Node process (express-session's
 * MemoryStore). Everything happens in this process's memory, so a hand-off is a function call: a
 * release grants the lock to the next waiter at once, and `fencedWrite` checks and starts the write
 * in one synchronous step.
 *
 * A holder's lock lives `ttlMs` past its last renewal, and a live holder renews it every third of
 * that. In one process the renewal can only fall behind when the event loop stalls (a long
 * synchronous script, a huge GC pause); the lock then counts as expired from its deadline on, the
 * way a Redis key would, so the stalled holder is marked lost and the next waiter is let in.
 * @module
 */

import { randomUUID } from 'node:crypto';
import { lockOptionsRejection, type AcquireResult, type HeldLock, type LockOptions, type SessionLocker } from './contract.ts';
import { grant, refuse, WaiterQueue, type Waiter } from './waiter-queue.ts';

/** One granted acquisition. */
interface Holder {
  readonly id: string;
  readonly owner: string;
  readonly ttlMs: number;
  readonly lock: HeldLock;
  /** performance.now() after which the lock has expired unless renewed. */
  deadline: number;
  lost: boolean;
  renewal: NodeJS.Timeout | undefined;
}

/** The holder and the waiters of one session ID. */
interface Slot {
  holder: Holder | undefined;
  readonly waiters: WaiterQueue;
}

/** Session locks held in this process's memory: exclusive per ID, first come first served. */
export class MemoryLocker implements SessionLocker {
  readonly expires = true;
  readonly #slots = new Map<string, Slot>();
  /**
   * The property under which a lock this locker granted carries its holder: a WeakMap entry per lock would
   * keep every request's lock alive through young-generation GCs, until a full one.
   */
  readonly #holderKey = Symbol('holder');
  #closed = false;

  acquire(id: string, options: LockOptions): Promise<AcquireResult> {
    const rejection = lockOptionsRejection(options);
    if (rejection) return rejection;
    const startedAt = performance.now();
    if (this.#closed) return Promise.resolve({ ok: false, holder: undefined, waitedMs: 0 });
    const existing = this.#slots.get(id);
    if (existing) this.#current(existing);
    const slot = this.#slot(id);
    if (!slot.holder && slot.waiters.length === 0) {
      const lock = this.#grant(id, slot, options);
      return Promise.resolve({ ok: true, lock, waitedMs: lock.acquiredAt - startedAt });
    }
    if (options.waitMs === 0) return Promise.resolve({ ok: false, holder: slot.holder?.owner, waitedMs: 0 });
    return new Promise((resolve) => slot.waiters.push({ options, startedAt, resolve, timer: undefined }, (waiter) => this.#giveUp(slot, waiter)));
  }

  async fencedWrite(lock: HeldLock, write: () => Promise<void>): Promise<boolean> {
    // No await before write(): nothing else in this process can run between the check and the write's start.
    const holder = (lock as HeldLock & { [key: symbol]: Holder | undefined })[this.#holderKey];
    if (!holder || !this.#holds(holder)) return false;
    await write();
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const slot of this.#slots.values()) {
      for (const waiter of slot.waiters.drain()) refuse(waiter, slot.holder?.owner);
      if (slot.holder) clearInterval(slot.holder.renewal);
      slot.holder = undefined;
    }
    this.#slots.clear();
  }

  #slot(id: string): Slot {
    let slot = this.#slots.get(id);
    if (!slot) this.#slots.set(id, (slot = { holder: undefined, waiters: new WaiterQueue() }));
    return slot;
  }

  /** The slot's holder, after expiring it if its deadline passed. */
  #current(slot: Slot): Holder | undefined {
    const holder = slot.holder;
    if (holder && performance.now() > holder.deadline) this.#expire(holder);
    return slot.holder;
  }

  /** Whether `holder` still holds its ID. */
  #holds(holder: Holder): boolean {
    const slot = this.#slots.get(holder.id);
    return slot !== undefined && slot.holder === holder && this.#current(slot) === holder;
  }

  #grant(id: string, slot: Slot, options: LockOptions): HeldLock {
    const now = performance.now();
    const holder: Holder = {
      id,
      owner: options.owner,
      ttlMs: options.ttlMs,
      deadline: now + options.ttlMs,
      lost: false,
      renewal: undefined,
      lock: {
        id,
        token: randomUUID(),
        acquiredAt: now,
        get lost() {
          return holder.lost;
        },
        verify: async () => this.#holds(holder),
        release: async () => this.#release(holder),
      },
    };
    holder.renewal = setInterval(() => this.#renew(holder), Math.max(1, Math.floor(options.ttlMs / 3))).unref();
    slot.holder = holder;
    Object.defineProperty(holder.lock, this.#holderKey, { value: holder });
    return holder.lock;
  }

  #renew(holder: Holder): void {
    const slot = this.#slots.get(holder.id);
    if (!slot || slot.holder !== holder) return void clearInterval(holder.renewal);
    // A tick that comes after the deadline means the loop stalled past the TTL: too late to renew.
    if (this.#current(slot) === holder) holder.deadline = performance.now() + holder.ttlMs;
  }

  #release(holder: Holder): void {
    clearInterval(holder.renewal);
    const slot = this.#slots.get(holder.id);
    if (!slot || slot.holder !== holder) return;
    slot.holder = undefined;
    this.#handOn(holder.id, slot);
  }

  #expire(holder: Holder): void {
    holder.lost = true;
    this.#release(holder);
  }

  /** Grants the lock to the first waiter, or forgets the ID when nobody waits. */
  #handOn(id: string, slot: Slot): void {
    const next = slot.waiters.shift();
    if (!next) {
      this.#slots.delete(id);
      return;
    }
    grant(next, this.#grant(id, slot, next.options));
  }

  #giveUp(slot: Slot, waiter: Waiter): void {
    if (slot.waiters.remove(waiter)) refuse(waiter, slot.holder?.owner);
  }
}

