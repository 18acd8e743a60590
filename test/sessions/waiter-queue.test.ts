// The per-ID waiter queue every locker keeps (sessions/lock/waiter-queue.ts), in process: arrival order, a waiter
// that gives up leaving nothing behind, and answers that stop the waiter's timer.

import { expect } from 'chai';
import type { AcquireResult, HeldLock, LockOptions } from '../../sessions/lock/contract.ts';
import { grant, refuse, WaiterQueue, type Waiter } from '../../sessions/lock/waiter-queue.ts';

const lock = { id: 'x', token: 't' } as HeldLock;

function waiter(owner: string, waitMs = 10_000): Waiter & { readonly answers: AcquireResult[] } {
  const answers: AcquireResult[] = [];
  const options: LockOptions = { waitMs, ttlMs: 1000, owner };
  return { options, startedAt: performance.now(), resolve: (result) => answers.push(result), timer: undefined, answers };
}

describe('WaiterQueue (the per-ID queue of session lock waiters)', () => {
  it('hands turns out in arrival order', () => {
    const queue = new WaiterQueue();
    const [a, b, c] = [waiter('a'), waiter('b'), waiter('c')];
    for (const w of [a, b, c]) queue.push(w, () => expect.fail('timed out'));
    expect(queue.first).to.equal(a);
    const served = [queue.shift(), queue.shift(), queue.shift()];
    for (const w of served) grant(w!, lock);
    expect(served).to.deep.equal([a, b, c]);
    expect(queue.length).to.equal(0);
  });

  it('calls back a waiter whose waitMs ran out, and keeps the order of the rest once it is removed', async () => {
    const queue = new WaiterQueue();
    const patient = waiter('patient');
    const hasty = waiter('hasty', 5);
    const last = waiter('last');
    const timedOut = new Promise<Waiter>((resolve) => {
      queue.push(patient, () => expect.fail('timed out'));
      queue.push(hasty, resolve);
      queue.push(last, () => expect.fail('timed out'));
    });
    const gone = await timedOut;
    expect(gone).to.equal(hasty);
    expect(queue.remove(hasty)).to.equal(true);
    refuse(hasty, 'holder');
    expect(hasty.answers).to.have.length(1);
    expect(hasty.answers[0]).to.include({ ok: false, holder: 'holder' });
    expect(queue.remove(hasty)).to.equal(false);
    expect([queue.shift(), queue.shift()]).to.deep.equal([patient, last]);
    clearTimeout(patient.timer);
    clearTimeout(last.timer);
  });

  it('stops the timer of a waiter it answers, so a granted waiter is never timed out later', async () => {
    const queue = new WaiterQueue();
    const w = waiter('w', 5);
    let timedOut = false;
    queue.push(w, () => (timedOut = true));
    grant(queue.shift()!, lock);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(timedOut).to.equal(false);
    expect(w.answers).to.have.length(1);
    expect(w.answers[0]).to.include({ ok: true, lock });
  });

  it('gives waitMs 0 no timer: one attempt only', () => {
    const queue = new WaiterQueue();
    const w = waiter('once', 0);
    queue.push(w, () => expect.fail('timed out'));
    expect(w.timer).to.equal(undefined);
  });

  it('reports a read value only when the locker read one', () => {
    const [plain, read, missing] = [waiter('plain'), waiter('read'), waiter('missing')];
    grant(plain, lock);
    grant(read, lock, 'data');
    grant(missing, lock, null);
    expect(plain.answers[0]).to.not.have.property('value');
    expect(read.answers[0]).to.include({ value: 'data' });
    expect(missing.answers[0]).to.include({ value: null });
  });

  it('drains every waiter on close, first to last, leaving the queue empty', () => {
    const queue = new WaiterQueue();
    const all = [waiter('a'), waiter('b')];
    for (const w of all) queue.push(w, () => expect.fail('timed out'));
    const drained = queue.drain();
    for (const w of drained) refuse(w, undefined);
    expect(drained).to.deep.equal(all);
    expect(queue.length).to.equal(0);
    expect(queue.first).to.equal(undefined);
  });
});
