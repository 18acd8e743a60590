import { expect } from 'chai';
import { rawGet } from '../support/http.ts';
import { installGates, pendingAfter, type Gates } from '../support/gates.ts';
import { waitUntil } from '../support/wait.ts';
import { startServer, type TestServer } from '../support/server.ts';

// a fresh set for each spec: openAll() at its end lets every late-comer through
let gates: Gates = installGates('__poolGate');
const events: string[] = [];
Object.assign(globalThis, { __poolEvent: (e: string) => events.push(e) });

const scripts = {
  'hold.ts': `
    export default async function ({ echo, $_GET }) {
      globalThis.__poolEvent('start ' + $_GET.id);
      await globalThis.__poolGate($_GET.id);
      echo('done ' + $_GET.id);
    }`,
  'tail.ts': `
    export default async function ({ echo, $_GET, fastcgi_finish_request, register_shutdown_function }) {
      register_shutdown_function(() => globalThis.__poolEvent('shutdown ' + $_GET.id));
      echo('answered ' + $_GET.id);
      await fastcgi_finish_request();
      globalThis.__poolEvent('tail ' + $_GET.id);
      await globalThis.__poolGate($_GET.id);
      globalThis.__poolEvent('tail end ' + $_GET.id);
    }`,
  'hello.ts': `export default function ({ echo }) { echo('hello'); }`,
};

/** GET on a connection of its own, closed after the answer: no client pool holds a connection between requests. */
async function get(s: TestServer, path: string): Promise<{ status: number; body: string; header(name: string): string | undefined }> {
  const answer = await rawGet(s.port, path);
  return { status: answer.status, body: answer.body.toString(), header: answer.header };
}

let unique = 0;
const id = (name: string): string => `${name}-${++unique}`;

describe('the pool', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    gates.openAll();
    await s?.close();
    s = undefined;
    gates = installGates('__poolGate');
  });

  describe('pm.max_children', () => {
    it('runs at most pm.max_children scripts at once; the next waits in the listen queue and runs when a child is free', async () => {
      s = await startServer(scripts, { ini: { 'pm.max_children': 2 } });
      const [a, b, c] = [id('a'), id('b'), id('c')];
      const answers = [a, b, c].map((x) => get(s!, `/hold.ts?id=${x}`));
      await waitUntil('one queued request', () => s!.server.config.pool.listenQueue === 1);
      expect(s.server.config.pool.activeProcesses).to.equal(2);
      expect(events).to.not.include(`start ${c}`);
      gates.open(a);
      await waitUntil('the queued script to start', () => events.includes(`start ${c}`));
      gates.open(b);
      gates.open(c);
      expect((await Promise.all(answers)).map((r) => r.body)).to.deep.equal([`done ${a}`, `done ${b}`, `done ${c}`]);
      expect(s.server.config.pool.counters.maxListenQueue).to.equal(1);
      expect(s.server.config.pool.counters.maxActiveProcesses).to.equal(2);
    });

    it("logs PHP-FPM's warning and counts \"max children reached\"", async () => {
      s = await startServer(scripts, { ini: { 'pm.max_children': 1 } });
      const [a, b] = [id('a'), id('b')];
      const answers = [get(s, `/hold.ts?id=${a}`), get(s, `/hold.ts?id=${b}`)];
      await s.waitForLog(/WARNING: \[pool www\] server reached pm\.max_children setting \(1\), consider raising it/);
      expect(s.server.config.pool.counters.maxChildrenReached).to.equal(1);
      gates.open(a);
      gates.open(b);
      await Promise.all(answers);
    });

    it('never counts static files or refused paths as children', async () => {
      s = await startServer({ ...scripts, 'a.txt': 'static' }, { ini: { 'pm.max_children': 1, 'listen.backlog': 0 } });
      const a = id('a');
      const held = get(s, `/hold.ts?id=${a}`);
      await waitUntil('the held script', () => s!.server.config.pool.activeProcesses === 1);
      expect((await get(s, '/a.txt')).body).to.equal('static');
      expect((await get(s, '/nothing-here.txt')).status).to.equal(404);
      gates.open(a);
      await held;
    });
  });

  describe('listen.backlog', () => {
    it('answers 503 with Retry-After and a log line naming the limits when the queue is full', async () => {
      s = await startServer(scripts, { ini: { 'pm.max_children': 1, 'listen.backlog': 1 } });
      const [a, b] = [id('a'), id('b')];
      const held = [get(s, `/hold.ts?id=${a}`), get(s, `/hold.ts?id=${b}`)];
      await waitUntil('one queued request', () => s!.server.config.pool.listenQueue === 1);
      const refused = await get(s, '/hello.ts');
      expect(refused.status).to.equal(503);
      expect(refused.header('retry-after')).to.equal('1');
      await s.waitForLog(/\[503\]: GET \/hello\.ts - server busy: pm\.max_children \(1\) scripts running and listen\.backlog \(1\) waiting/);
      expect(s.server.config.pool.counters.listenQueueRefused).to.equal(1);
      gates.open(a);
      gates.open(b);
      expect((await Promise.all(held)).map((r) => r.status)).to.deep.equal([200, 200]);
      expect((await get(s, '/hello.ts')).status).to.equal(200);
    });
  });

  describe('background tails', () => {
    it('a finished request gives its child back: new requests are served whatever the tails do', async () => {
      s = await startServer(scripts, { ini: { 'pm.max_children': 1, 'listen.backlog': 0 } });
      const tails = [id('t'), id('t'), id('t')];
      for (const t of tails) expect((await get(s, `/tail.ts?id=${t}`)).body).to.equal(`answered ${t}`);
      expect(s.server.config.pool.tails).to.equal(3);
      expect(s.server.config.pool.activeProcesses).to.equal(0);
      expect((await get(s, '/hello.ts')).body).to.equal('hello');
      for (const t of tails) gates.open(t);
      await waitUntil('the tails to end', () => s!.server.config.pool.tails === 0);
    });

    it('tsfpm.tails_hold_children=1 counts tails against pm.max_children, as PHP-FPM does', async () => {
      s = await startServer(scripts, { ini: { 'pm.max_children': 1, 'tsfpm.tails_hold_children': 1 } });
      const t = id('t');
      expect((await get(s, `/tail.ts?id=${t}`)).body).to.equal(`answered ${t}`);
      const next = get(s, '/hello.ts');
      expect(await pendingAfter(next, 300)).to.equal(true);
      expect(s.server.config.pool.listenQueue).to.equal(1);
      gates.open(t);
      expect((await next).body).to.equal('hello');
    });

    it('tsfpm.max_tails with tail_overflow=wait: a tail beyond the budget waits for a slot, its response does not', async () => {
      s = await startServer(scripts, { ini: { 'tsfpm.max_tails': 1 } });
      const [first, second] = [id('t'), id('t')];
      expect((await get(s, `/tail.ts?id=${first}`)).body).to.equal(`answered ${first}`);
      expect((await get(s, `/tail.ts?id=${second}`)).body).to.equal(`answered ${second}`);
      expect(s.server.config.pool.tailQueue).to.equal(1);
      expect(events).to.not.include(`tail ${second}`);
      gates.open(first);
      await waitUntil('the waiting tail to run', () => events.includes(`tail ${second}`));
      gates.open(second);
      await waitUntil('the second tail to end', () => events.includes(`tail end ${second}`));
    });

    it('tail_overflow=refuse: the script ends at its fastcgi_finish_request() with a logged reason', async () => {
      s = await startServer(scripts, { ini: { 'tsfpm.max_tails': 1, 'tsfpm.tail_overflow': 'refuse' } });
      const [first, second] = [id('t'), id('t')];
      await get(s, `/tail.ts?id=${first}`);
      expect((await get(s, `/tail.ts?id=${second}`)).body).to.equal(`answered ${second}`);
      await s.waitForLog(new RegExp(`background tail refused: 1 tails are running \\(tsfpm\\.max_tails = 1, tsfpm\\.tail_overflow = refuse\\) \\(script .*tail\\.ts, GET /tail\\.ts\\?id=${second}\\)`));
      await waitUntil('the refused request to end', () => events.includes(`shutdown ${second}`));
      expect(events).to.not.include(`tail ${second}`);
      expect(s.server.config.pool.counters.tailsRefused).to.equal(1);
      gates.open(first);
    });
  });
});
