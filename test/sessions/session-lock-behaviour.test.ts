import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { closeBackends } from '../../sessions/open-backend.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

const scripts = {
  'finish-hold.ts': `export default async ({ session_start, $_SESSION, echo, fastcgi_finish_request }) => {
    await session_start(); $_SESSION.step = 'before finish'; echo('ok'); await fastcgi_finish_request();
    await new Promise((r) => setTimeout(r, 800)); $_SESSION.step = 'after the tail';
  };`,
  'hold.ts': `export default async ({ session_start, echo }) => { await session_start(); await new Promise((r) => setTimeout(r, 1500)); echo('ok'); };`,
  'hold-write.ts': `export default async ({ session_start, $_SESSION, echo }) => { await session_start(); await new Promise((r) => setTimeout(r, 1500)); $_SESSION.owner = 'stale holder'; echo('ok'); };`,
  'read.ts': `export default async ({ session_start, $_SESSION, echo }) => { const ok = await session_start({ read_and_close: true }); echo(JSON.stringify({ ok, data: $_SESSION })); };`,
  'write.ts': `export default async ({ session_start, $_SESSION, echo }) => { const ok = await session_start(); $_SESSION.w = 'x'; echo(JSON.stringify({ ok })); };`,
  'hold-then-close.ts': `export default async ({ set_time_limit, session_start, session_write_close, $_SESSION, error_log, echo }) => {
    set_time_limit(10); await session_start(); $_SESSION.by = 'holder';
    await new Promise((r) => setTimeout(r, 2000)); error_log('holder closes its session'); await session_write_close(); echo('ok');
  };`,
  'wait-start.ts': `export default async ({ session_start, $_SESSION, echo }) => { await session_start(); $_SESSION.by = 'waiter'; echo('never'); };`,
  'php-read.ts': `export default async ({ session_start, $_SESSION, echo }) => { await session_start(); echo(JSON.stringify($_SESSION)); $_SESSION.from_tsfpm = 'héllo'; $_SESSION.count = ($_SESSION.count ?? 0) + 1; };`,
};

describe('session lock behaviour', function () {
  this.timeout(20_000);

  describe('tsfpm.finish_closes_session=0 (PHP\'s behaviour)', () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(scripts, { ini: { 'session.save_handler': 'memory', 'tsfpm.finish_closes_session': 0 } });
    });
    after(() => s.close());

    it('keeps the lock through the background tail and writes at the end, as PHP-FPM', async () => {
      const first = await fetch(`${s.url}/finish-hold.ts`);
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      expect(await first.text()).to.equal('ok');
      const seen = JSON.parse(await (await fetch(`${s.url}/read.ts`, { headers: { Cookie: cookie } })).text());
      // written at the tail's end: the reader got the lock only after that
      expect(seen.data.step).to.equal('after the tail');
    });
  });

  describe('waiting too long', () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(scripts, { ini: { 'session.save_handler': 'memory', 'tsfpm.session_lock_timeout': 1, 'tsfpm.session_lock_slow_log': 1, display_errors: 0 } });
    });
    after(() => s.close());

    it('makes session_start() false with phpredis\'s warning, logs the holder, and logs a holder kept past the slow-log limit', async () => {
      const cookie = 'PHPSESSID=waitingtoolong0123456789ab';
      const holder = fetch(`${s.url}/hold.ts?who=holder`, { headers: { Cookie: cookie } });
      await waitUntil('the holder to have the lock', () => s.server.config.pool.locksHeld === 1);
      const seen = JSON.parse(await (await fetch(`${s.url}/write.ts`, { headers: { Cookie: cookie } })).text());
      expect(seen.ok).to.equal(false);
      await s.waitForLog(/PHP Warning: {2}session_start\(\): Failed to acquire session lock/);
      expect(await s.waitForLog(/gave up waiting \d+ ms for the session lock/)).to.match(/held by script .*hold\.ts, GET \/hold\.ts\?who=holder/);
      expect(await s.waitForLog(/session lock on waitingtoolong0123456789ab held for more than 1 s/)).to.contain('hold.ts');
      await (await holder).text();
    });
  });

  describe('a script abandoned to max_execution_time while session_start() waits for the lock', () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(scripts, { ini: { 'session.save_handler': 'memory', max_execution_time: 1, 'tsfpm.session_lock_timeout': 10, display_errors: 0 } });
    });
    after(async () => {
      await s.close();
      rmSync(s.docroot, { recursive: true, force: true });
    });

    it('gets its 500 without waiting for the lock, and the lock its start takes later is released', async () => {
      const cookie = 'PHPSESSID=abandonedwhilewaiting01234567';
      const holder = fetch(`${s.url}/hold-then-close.ts`, { headers: { Cookie: cookie } }).then((r) => r.text());
      await waitUntil('the holder to have the lock', () => s.server.config.pool.locksHeld === 1);
      const waiter = await fetch(`${s.url}/wait-start.ts`, { headers: { Cookie: cookie } });
      expect(waiter.status).to.equal(500);
      const ended = s.logs.findIndex((l) => /\[500\]: GET \/wait-start\.ts/.test(l));
      const closed = s.logs.findIndex((l) => l.includes('holder closes its session'));
      expect(ended, s.logs.join('\n')).to.be.at.least(0);
      expect(closed === -1 || closed > ended, 'the 500 came before the holder let the lock go').to.equal(true);
      expect(await holder).to.equal('ok');
      // the abandoned start got the lock after the holder: it is closed (unlocked) once it settles
      await waitUntil('every session lock to be released', () => s.server.config.pool.locksHeld === 0);
      expect(s.logs.some((l) => l.includes('was still pending')), 'no missing-await warning for an awaited start').to.equal(false);
    });
  });

  describe('tsfpm.session_lock_readonly=1', () => {
    let s: TestServer;
    before(async () => {
      s = await startServer(scripts, { ini: { 'session.save_handler': 'memory', 'tsfpm.session_lock_timeout': 1, 'tsfpm.session_lock_readonly': 1, display_errors: 0 } });
    });
    after(() => s.close());

    it('opens the session read-only instead: data read, the write refused with a warning', async () => {
      const cookie = 'PHPSESSID=readonlyfallback0123456789';
      const holder = fetch(`${s.url}/hold.ts`, { headers: { Cookie: cookie } });
      await waitUntil('the holder to have the lock', () => s.server.config.pool.locksHeld === 1);
      const seen = JSON.parse(await (await fetch(`${s.url}/write.ts`, { headers: { Cookie: cookie } })).text());
      expect(seen.ok).to.equal(true);
      await s.waitForLog(/Session data not written: the session was opened read-only/);
      await (await holder).text();
    });
  });

  describe('fenced writes (Redis)', () => {
    let redis: TestRedis;
    let s: TestServer;
    before(async () => {
      redis = await startRedis();
      s = await startServer(scripts, {
        ini: { 'session.save_handler': 'redis', 'session.save_path': `tcp://127.0.0.1:${redis.port}`, 'redis.session.lock_retries': -1, display_errors: 0 },
      });
    });
    after(async () => {
      await s.close();
      await closeBackends();
      await redis.stop();
    });

    it('refuses the write of a holder whose lock was taken over', async () => {
      const cookie = 'PHPSESSID=fencedwritetakeover0123456';
      const holder = fetch(`${s.url}/hold-write.ts`, { headers: { Cookie: cookie } });
      await waitUntil('the holder to have the lock', () => s.server.config.pool.locksHeld === 1);
      // another process takes the lock over, as if the holder's TTL had passed while it was stalled
      const { createClient } = await import('redis');
      const other = createClient({ url: redis.url });
      await other.connect();
      try {
        await other.set('sess:fencedwritetakeover0123456_LOCK', 'someone-else|other process', { expiration: { type: 'PX', value: 10_000 } });
        await other.set('sess:fencedwritetakeover0123456', JSON.stringify({ cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' }, owner: 'new holder' }));
        await (await holder).text();
        await s.waitForLog(/Failed to write session data \(redis\): the session lock expired and was taken over by another request/);
        expect(JSON.parse((await other.get('sess:fencedwritetakeover0123456'))!).owner).to.equal('new holder');
      } finally {
        await other.quit();
      }
    });
  });

  describe('PHP and tsfpm on one session folder', () => {
    let s: TestServer;
    let savePath: string;
    before(async function () {
      try {
        execFileSync('php', ['-v']);
      } catch {
        this.skip();
      }
      savePath = tempDir({}, 'tsfpm-php-sessions-');
      s = await startServer(scripts, { ini: { 'session.save_handler': 'files', 'session.save_path': savePath } });
    });
    after(() => s?.close());

    it('reads a session real PHP wrote, and real PHP reads what tsfpm wrote', async () => {
      const id = 'sharedwithphp0123456789abc';
      const php = (code: string) =>
        execFileSync('php', ['-n', '-d', `session.save_path=${savePath}`, '-d', 'session.use_cookies=0', '-d', 'session.use_strict_mode=0', '-r', `session_id('${id}'); session_start(); ${code}`]).toString();
      php(`$_SESSION['from_php'] = ['list' => [1, 2.5, true, null], 'text' => 'Подтверждение']; $_SESSION['count'] = 41;`);
      const seen = JSON.parse(await (await fetch(`${s.url}/php-read.ts`, { headers: { Cookie: `PHPSESSID=${id}` } })).text());
      expect(seen).to.deep.equal({ from_php: { list: [1, 2.5, true, null], text: 'Подтверждение' }, count: 41 });
      const back = JSON.parse(php(`echo json_encode($_SESSION);`));
      expect(back).to.deep.equal({ from_php: { list: [1, 2.5, true, null], text: 'Подтверждение' }, count: 42, from_tsfpm: 'héllo' });
      expect(readFileSync(join(savePath, `sess_${id}`), 'utf8')).to.contain('from_tsfpm|s:6:"héllo";');
    });
  });
});
