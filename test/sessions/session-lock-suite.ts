/**
 * What a user of every session handler relies on, over real HTTP: no lost update under
 * concurrency, the lock let go at session_write_close() and fastcgi_finish_request() (not when
 * the background work ends), and never leaked by exit, a thrown error or a rejected promise.
 * `runSessionLockSuite` is run once per handler (memory, files, redis).
 */
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

const scripts = {
  'incr.ts': `export default async ({ session_start, $_SESSION, echo }) => {
    await session_start();
    const n = $_SESSION.n ?? 0;
    await new Promise((r) => setTimeout(r, 1));
    $_SESSION.n = n + 1;
    echo(String($_SESSION.n));
  };`,
  'read.ts': `export default async ({ session_start, $_SESSION, echo }) => {
    await session_start({ read_and_close: true });
    echo(JSON.stringify($_SESSION));
  };`,
  'finish.ts': `export default async ({ session_start, $_SESSION, echo, fastcgi_finish_request }) => {
    await session_start();
    $_SESSION.step = 'written before finish';
    echo('ok');
    await fastcgi_finish_request();
    await new Promise((r) => setTimeout(r, 2000));
  };`,
  'write-close.ts': `export default async ({ session_start, session_write_close, $_SESSION, echo }) => {
    await session_start();
    $_SESSION.step = 'closed';
    await session_write_close();
    echo('ok');
    await new Promise((r) => setTimeout(r, 2000));
  };`,
  'hold.ts': `export default async ({ session_start, $_SESSION, echo }) => {
    await session_start();
    $_SESSION.step = 'held';
    await new Promise((r) => setTimeout(r, 600));
    echo('ok');
  };`,
  // a line-for-line port of PHP: session_start() not awaited (lines 2 and 3 are what the warnings name)
  'floating.ts': `export default ({ session_start, $_SESSION, echo }) => {
    session_start().then(() => { $_SESSION.late = 'written at the end'; });
    echo('ok');
  };`,
  // as the README writes scripts: the functions and $_SESSION imported from 'tsfpm'
  'floating-touch.ts': `import { $_SESSION, echo, session_start } from 'tsfpm';
export default () => {
  session_start();
  $_SESSION.early = 'lost';
  echo('ok');
};`,
  'floating-twice.ts': `export default ({ session_start, echo }) => {
    session_start();
    session_start();
    echo('ok');
  };`,
  'read-soon.ts': `export default async ({ ini_set, session_start, $_SESSION, echo }) => {
    ini_set('tsfpm.session_lock_timeout', '2');
    const ok = await session_start({ read_and_close: true });
    echo(JSON.stringify({ ok, data: $_SESSION }));
  };`,
  'exit.ts': `export default async ({ session_start, $_SESSION, exit }) => { await session_start(); $_SESSION.step = 'exit'; exit('bye'); };`,
  'throw.ts': `export default async ({ session_start, $_SESSION }) => { await session_start(); $_SESSION.step = 'throw'; throw new Error('boom'); };`,
  'reject.ts': `export default async ({ session_start, $_SESSION }) => { await session_start(); $_SESSION.step = 'reject'; await Promise.reject(new Error('rejected')); };`,
};

async function newSession(s: TestServer): Promise<string> {
  const res = await fetch(`${s.url}/incr.ts`);
  const cookie = res.headers.get('set-cookie')!;
  await res.text();
  return cookie.split(';')[0]!;
}

export function runSessionLockSuite(handler: string, settings: () => Record<string, string | number>): void {
  describe(`the session lock (${handler} handler)`, function () {
    this.timeout(30_000);
    let s: TestServer;
    before(async () => {
      s = await startServer(scripts, { ini: { 'session.save_handler': handler, 'redis.session.lock_retries': -1, ...settings() } });
    });
    after(() => s.close());

    const read = async (cookie: string) => JSON.parse(await (await fetch(`${s.url}/read.ts`, { headers: { Cookie: cookie } })).text());
    const locksHeld = async () => JSON.parse(await (await fetch(`${s.url}/fpm-status?json`)).text())['session locks held'];

    it('200 concurrent increments of one session end at exactly 200', async () => {
      const cookie = await newSession(s);
      await Promise.all(Array.from({ length: 199 }, () => fetch(`${s.url}/incr.ts`, { headers: { Cookie: cookie } }).then((r) => r.text())));
      expect((await read(cookie)).n).to.equal(200);
    });

    it('a request sent the moment a finished response arrives sees the session written before the finish', async () => {
      const cookie = await newSession(s);
      expect(await (await fetch(`${s.url}/finish.ts`, { headers: { Cookie: cookie } })).text()).to.equal('ok');
      const seen = await read(cookie);
      expect(seen.step).to.equal('written before finish');
    });

    for (const [script, step] of [['finish.ts', 'written before finish'], ['write-close.ts', 'closed']] as const) {
      it(`a waiting request proceeds at once after ${script === 'finish.ts' ? 'fastcgi_finish_request()' : 'session_write_close()'}, not after the background work`, async () => {
        const cookie = await newSession(s);
        const first = fetch(`${s.url}/${script}`, { headers: { Cookie: cookie } }).then((r) => r.text());
        await waitUntil(`a read that sees what ${script} wrote`, async () => (await read(cookie)).step === step);
        // seen while its background work (2 s) still runs: the lock was let go before it
        expect([...s.server.config.pool.live].some((ctx) => ctx.req.url === `/${script}`)).to.equal(true);
        await first;
      });
    }

    it('a second request waits while the first holds the lock', async () => {
      const cookie = await newSession(s);
      const holder = fetch(`${s.url}/hold.ts`, { headers: { Cookie: cookie } });
      await waitUntil('the holder to have the lock before the reader asks for it', () => s.server.config.pool.locksHeld === 1);
      // what the holder writes when its script ends: the reader got the lock after that
      expect((await read(cookie)).step).to.equal('held');
      await (await holder).text();
    });

    describe('session_start() without await', () => {
      const readSoon = async (cookie: string) => JSON.parse(await (await fetch(`${s.url}/read-soon.ts`, { headers: { Cookie: cookie } })).text());

      it('still writes the session and releases its lock when the script returns, and warns at the line to await', async () => {
        const cookie = await newSession(s);
        expect(await (await fetch(`${s.url}/floating.ts`, { headers: { Cookie: cookie } })).text()).to.match(/^ok/);
        expect(await locksHeld()).to.equal(0);
        // the next request gets the lock within its own 2 s lock timeout, and sees what the floating start wrote
        const seen = await readSoon(cookie);
        expect(seen.ok).to.equal(true);
        expect(seen.data.late).to.equal('written at the end');
        expect(await s.waitForLog(/session_start\(\) was still pending when the script ended.*await session_start\(\)/)).to.match(/floating\.ts on line 2$/);
      });

      it('answers a second call made before the first settled as PHP answers one after it: a notice, one lock', async () => {
        const cookie = await newSession(s);
        expect(await (await fetch(`${s.url}/floating-twice.ts`, { headers: { Cookie: cookie } })).text()).to.match(/ok/);
        expect(await locksHeld()).to.equal(0);
        expect((await readSoon(cookie)).ok).to.equal(true);
        expect(await s.waitForLog(/PHP Notice: {2}session_start\(\): Ignoring session_start\(\) because a session is already active/)).to.be.a('string');
      });

      it('warns at the line that uses $_SESSION before session_start() finished', async () => {
        const cookie = await newSession(s);
        expect(await (await fetch(`${s.url}/floating-touch.ts`, { headers: { Cookie: cookie } })).text()).to.match(/ok/);
        expect(await locksHeld()).to.equal(0);
        const seen = await readSoon(cookie);
        expect(seen.ok).to.equal(true);
        expect(seen.data.n).to.equal(1);
        expect(await s.waitForLog(/\$_SESSION used before session_start\(\) finished.*await session_start\(\)/)).to.match(/floating-touch\.ts on line 4$/);
      });
    });

    for (const script of ['exit.ts', 'throw.ts', 'reject.ts']) {
      it(`writes and releases the session after ${script.replace('.ts', '')}`, async () => {
        const cookie = await newSession(s);
        await (await fetch(`${s.url}/${script}`, { headers: { Cookie: cookie } })).text();
        expect(await locksHeld()).to.equal(0);
        expect((await read(cookie)).step).to.equal(script.replace('.ts', ''));
      });
    }
  });
}
