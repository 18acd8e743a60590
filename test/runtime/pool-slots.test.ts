/**
 * PHP-FPM's pool as tsfpm counts it (runtime/pool/pool.ts), in process: children, the listen queue, background
 * tails and their budget. Over HTTP, pool.test.ts specifies what clients get (503, Retry-After, order of service).
 */
import { expect } from 'chai';
import { Pool, PoolSlot, type PoolSettings } from '../../runtime/pool/pool.ts';

function pool(settings: Partial<PoolSettings> = {}): { pool: Pool; log: string[] } {
  const log: string[] = [];
  const made = new Pool(
    { name: 'www', processManager: 'static', maxChildren: 1, backlog: 1, maxTails: 1, tailOverflow: 'wait', tailsHoldChildren: false, ...settings },
    (line) => log.push(line),
  );
  return { pool: made, log };
}

describe('the pool, in process', () => {
  describe('pm.max_children and listen.backlog', () => {
    it('admits up to pm.max_children at once, queues up to listen.backlog, and refuses the rest', async () => {
      const { pool: p, log } = pool();
      expect(p.admit()).to.equal(true);
      const queued = p.admit();
      expect(queued).to.be.a('promise');
      expect(p.admit()).to.equal(false);
      expect(p.listenQueue).to.equal(1);
      expect(p.counters).to.include({ acceptedConn: 3, listenQueueRefused: 1, maxListenQueue: 1, maxChildrenReached: 1 });
      expect(log).to.deep.equal(['WARNING: [pool www] server reached pm.max_children setting (1), consider raising it']);
      p.releaseChild();
      expect(await queued).to.equal(true);
      expect(p.activeProcesses).to.equal(1);
    });

    it('gives a released child to the first request in the queue', async () => {
      const { pool: p } = pool({ backlog: 2 });
      p.admit();
      const order: string[] = [];
      const first = (p.admit() as Promise<boolean>).then(() => order.push('first'));
      const second = (p.admit() as Promise<boolean>).then(() => order.push('second'));
      p.releaseChild();
      await first;
      expect(order).to.deep.equal(['first']);
      p.releaseChild();
      await second;
      expect(order).to.deep.equal(['first', 'second']);
    });
  });

  describe('background tails (tsfpm.max_tails)', () => {
    it('lets the finished request leave its child for a tail slot', async () => {
      const { pool: p } = pool();
      p.admit();
      const slot = new PoolSlot(p);
      expect(await slot.toTail('script /a.ts, GET /a')).to.equal(true);
      expect(p.activeProcesses).to.equal(0);
      expect(p.tails).to.equal(1);
      slot.release();
      expect(p.tails).to.equal(0);
    });

    it('with tsfpm.tail_overflow refuse, refuses a tail past tsfpm.max_tails and names the request in the log', async () => {
      const { pool: p, log } = pool({ maxChildren: 2, tailOverflow: 'refuse' });
      p.admit();
      p.admit();
      const [a, b] = [new PoolSlot(p), new PoolSlot(p)];
      expect(await a.toTail('script /a.ts, GET /a')).to.equal(true);
      expect(await b.toTail('script /b.ts, GET /b')).to.equal(false);
      expect(p.counters.tailsRefused).to.equal(1);
      expect(log).to.deep.equal(['tsfpm: background tail refused: 1 tails are running (tsfpm.max_tails = 1, tsfpm.tail_overflow = refuse) (script /b.ts, GET /b)']);
      a.release();
      b.release();
      expect([p.activeProcesses, p.tails]).to.deep.equal([0, 0]);
    });

    it('with tsfpm.tail_overflow wait, starts a waiting tail when a running one ends', async () => {
      const { pool: p } = pool({ maxChildren: 2 });
      p.admit();
      p.admit();
      const [a, b] = [new PoolSlot(p), new PoolSlot(p)];
      await a.toTail('script /a.ts, GET /a');
      const order: string[] = [];
      const waiting = b.toTail('script /b.ts, GET /b').then((granted) => order.push(`b granted ${granted}`));
      await new Promise((resolve) => setImmediate(resolve));
      expect(p.tailQueue).to.equal(1);
      order.push('a ends');
      a.release();
      await waiting;
      expect(order).to.deep.equal(['a ends', 'b granted true']);
      b.release();
      expect(p.tails).to.equal(0);
    });
  });
});
