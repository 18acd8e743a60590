import { expect } from 'chai';
import { request } from 'node:http';
import { installGates, pendingAfter, until, type Gates } from '../support/gates.ts';
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

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(s: TestServer, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}${path}`, { agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
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
      await until(() => s!.server.config.pool.listenQueue === 1, 'one queued request');
      expect(s.server.config.pool.activeProcesses).to.equal(2);
      expect(events).to.not.include(`start ${c}`);
      gates.open(a);
      await until(() => events.includes(`start ${c}`), 'the queued script to start');
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
      await until(() => s!.server.config.pool.activeProcesses === 1, 'the held script');
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
      await until(() => s!.server.config.pool.listenQueue === 1, 'one queued request');
      const refused = await get(s, '/hello.ts');
      expect(refused.status).to.equal(503);
      expect(refused.headers['retry-after']).to.equal('1');
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
      await until(() => s!.server.config.pool.tails === 0, 'the tails to end');
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
      await until(() => events.includes(`tail ${second}`), 'the waiting tail to run');
      gates.open(second);
      await until(() => events.includes(`tail end ${second}`), 'the second tail to end');
    });

    it('tail_overflow=refuse: the script ends at its fastcgi_finish_request() with a logged reason', async () => {
      s = await startServer(scripts, { ini: { 'tsfpm.max_tails': 1, 'tsfpm.tail_overflow': 'refuse' } });
      const [first, second] = [id('t'), id('t')];
      await get(s, `/tail.ts?id=${first}`);
      expect((await get(s, `/tail.ts?id=${second}`)).body).to.equal(`answered ${second}`);
      await s.waitForLog(new RegExp(`background tail refused: 1 tails are running \\(tsfpm\\.max_tails = 1, tsfpm\\.tail_overflow = refuse\\) \\(script .*tail\\.ts, GET /tail\\.ts\\?id=${second}\\)`));
      await until(() => events.includes(`shutdown ${second}`), 'the refused request to end');
      expect(events).to.not.include(`tail ${second}`);
      expect(s.server.config.pool.counters.tailsRefused).to.equal(1);
      gates.open(first);
    });
  });
});
