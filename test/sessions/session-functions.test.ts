import { expect } from 'chai';
import { rawGet } from '../support/http.ts';
import { startServer, type TestServer } from '../support/server.ts';

/** A script that runs `body` (with the PHP API in scope) and echoes JSON of what it returns. */
const script = (body: string) => `export default async (php) => { const { $_SESSION } = php; const out = await (async () => { ${body} })(); php.echo(JSON.stringify(out ?? null)); };`;

const scripts = {
  'counter.ts': script(`await php.session_start(); $_SESSION.n = ($_SESSION.n ?? 0) + 1; return { n: $_SESSION.n, id: php.session_id(), status: php.session_status() };`),
  'twice.ts': script(`const a = await php.session_start(); const b = await php.session_start(); return [a, b];`),
  'late.ts': script(`php.echo('x'); php.flush(); return await php.session_start();`),
  'close-inactive.ts': script(`return [await php.session_write_close(), php.session_abort(), php.session_unset(), php.session_reset(), php.session_status()];`),
  'destroy.ts': script(`await php.session_start(); $_SESSION.kept = 'yes'; const ok = await php.session_destroy(); return { ok, data: { ...$_SESSION }, id: php.session_id(), status: php.session_status() };`),
  'destroy-inactive.ts': script(`return await php.session_destroy();`),
  'restart.ts': script(`await php.session_start(); const first = php.session_id(); await php.session_destroy(); await php.session_start(); return [first, php.session_id(), php.headers_list().filter((h) => h.startsWith('Set-Cookie')).length];`),
  'regenerate.ts': script(`await php.session_start(); $_SESSION.v = 'data'; const old = php.session_id(); const del = php.$_GET.delete === '1'; await php.session_regenerate_id(del); return { old, now: php.session_id(), cookies: php.headers_list().filter((h) => h.startsWith('Set-Cookie')).length };`),
  'read.ts': script(`await php.session_start({ read_and_close: true }); return { data: { ...$_SESSION }, status: php.session_status() };`),
  'abort.ts': script(`await php.session_start(); $_SESSION.n = 999; php.session_abort(); return { ...$_SESSION };`),
  'reset.ts': script(`await php.session_start(); const before = $_SESSION.n; $_SESSION.n = 'changed'; php.session_reset(); return [before, $_SESSION.n];`),
  'custom-id.ts': script(`php.session_id('my-custom,id'); await php.session_start(); return php.session_id();`),
  'name.ts': script(`const old = php.session_name('123'); const now = php.session_name('MYSESS'); await php.session_start(); return [old, now, php.session_name(), php.session_name('x')];`),
  'create-id.ts': script(`return [php.session_create_id('pre-'), php.session_create_id('bad.prefix')];`),
  'limiter.ts': script(`php.session_cache_limiter(php.$_GET.l); php.session_cache_expire(2); await php.session_start(); return php.headers_list();`),
  'params.ts': script(`php.session_set_cookie_params({ lifetime: 3600, path: '/p', domain: 'example.com', secure: true, httponly: true, samesite: 'Lax' }); await php.session_start(); return php.session_get_cookie_params();`),
  'strict.ts': script(`await php.session_start({ use_strict_mode: 1 }); return php.session_id();`),
};

describe('session functions (PHP 8.2 behaviour, memory handler)', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(scripts, { ini: { 'session.save_handler': 'memory', display_errors: 0 } });
  });
  after(() => s.close());

  const get = async (path: string, cookie?: string) => {
    const res = await rawGet(s.port, path, cookie ? { Cookie: cookie } : {});
    return { res, body: JSON.parse(res.body.toString()), cookies: res.all('set-cookie') };
  };

  it('starts a new session with a php.ini-development ID (26 chars of 0-9a-v) and PHP\'s cookie and nocache headers', async () => {
    const { body, cookies, res } = await get('/counter.ts');
    expect(body.n).to.equal(1);
    expect(body.status).to.equal(2);
    expect(body.id).to.match(/^[0-9a-v]{26}$/);
    expect(cookies).to.deep.equal([`PHPSESSID=${body.id}; path=/`]);
    expect(res.header('expires')).to.equal('Thu, 19 Nov 1981 08:52:00 GMT');
    expect(res.header('cache-control')).to.equal('no-store, no-cache, must-revalidate');
    expect(res.header('pragma')).to.equal('no-cache');
  });

  it('keeps $_SESSION across requests and sends no cookie for an ID that came from the cookie', async () => {
    const first = await get('/counter.ts');
    const second = await get('/counter.ts', `PHPSESSID=${first.body.id}`);
    expect(second.body).to.include({ n: 2, id: first.body.id });
    expect(second.cookies).to.deep.equal([]);
  });

  it('ignores a second session_start() with a notice and returns true', async () => {
    const { body } = await get('/twice.ts');
    expect(body).to.deep.equal([true, true]);
    await s.waitForLog(/PHP Notice: {2}session_start\(\): Ignoring session_start\(\) because a session is already active/);
  });

  it('refuses to start after the headers are sent', async () => {
    const res = await rawGet(s.port, '/late.ts');
    expect(res.body.toString()).to.match(/false$/);
    await s.waitForLog(/session_start\(\): Session cannot be started after headers have already been sent/);
  });

  it('answers false without warnings when no session is active', async () => {
    expect((await get('/close-inactive.ts')).body).to.deep.equal([false, false, false, false, 1]);
  });

  it('session_destroy() keeps $_SESSION and expires no cookie; without a session it warns', async () => {
    const { body, cookies } = await get('/destroy.ts');
    expect(body).to.deep.equal({ ok: true, data: { kept: 'yes' }, id: '', status: 1 });
    expect(cookies).to.have.length(1);
    expect(cookies[0]).not.to.contain('deleted');
    expect((await get('/destroy-inactive.ts')).body).to.equal(false);
    await s.waitForLog(/session_destroy\(\): Trying to destroy uninitialized session/);
  });

  it('a session_start() after destroy gets a new ID and sends one session cookie', async () => {
    const [first, second, cookieCount] = (await get('/restart.ts')).body;
    expect(second).not.to.equal(first);
    expect(cookieCount).to.equal(1);
  });

  it('session_regenerate_id(false) keeps the old session with its data; (true) deletes it', async () => {
    const kept = await get('/regenerate.ts');
    expect(kept.body.now).not.to.equal(kept.body.old);
    expect(kept.body.cookies).to.equal(1);
    expect((await get('/read.ts', `PHPSESSID=${kept.body.old}`)).body.data).to.deep.equal({ v: 'data' });
    expect((await get('/read.ts', `PHPSESSID=${kept.body.now}`)).body.data).to.deep.equal({ v: 'data' });
    const deleted = await get('/regenerate.ts?delete=1');
    expect((await get('/read.ts', `PHPSESSID=${deleted.body.old}`)).body.data).to.deep.equal({});
    expect((await get('/read.ts', `PHPSESSID=${deleted.body.now}`)).body.data).to.deep.equal({ v: 'data' });
  });

  it('read_and_close reads the data and leaves the session closed', async () => {
    const { body: started } = await get('/counter.ts');
    const { body } = await get('/read.ts', `PHPSESSID=${started.id}`);
    expect(body).to.deep.equal({ data: { n: 1 }, status: 1 });
  });

  it('session_abort() drops the changes; session_reset() restores the stored data', async () => {
    const { body: started } = await get('/counter.ts');
    const cookie = `PHPSESSID=${started.id}`;
    expect((await get('/abort.ts', cookie)).body).to.deep.equal({ n: 999 });
    expect((await get('/reset.ts', cookie)).body).to.deep.equal([1, 1]);
    expect((await get('/read.ts', cookie)).body.data).to.deep.equal({ n: 1 });
  });

  it('sends a custom session_id() URL-encoded', async () => {
    const { body, cookies } = await get('/custom-id.ts');
    expect(body).to.equal('my-custom,id');
    expect(cookies).to.deep.equal(['PHPSESSID=my-custom%2Cid; path=/']);
  });

  it('session_name() returns the old name and refuses numeric ones', async () => {
    const { body, cookies } = await get('/name.ts');
    expect(body).to.deep.equal(['PHPSESSID', 'PHPSESSID', 'MYSESS', false]);
    expect(cookies[0]).to.match(/^MYSESS=/);
    await s.waitForLog(/session_name\(\): session.name "123" cannot be numeric or empty/);
    await s.waitForLog(/session_name\(\): Session name cannot be changed when a session is active/);
  });

  it('session_create_id() takes a prefix of the ID alphabet only', async () => {
    const [good, bad] = (await get('/create-id.ts')).body;
    expect(good).to.match(/^pre-[0-9a-v]{26}$/);
    expect(bad).to.equal(false);
    await s.waitForLog(/Prefix cannot contain special characters/);
  });

  it('sends PHP\'s private, private_no_expire and public cache headers', async () => {
    const priv = (await get('/limiter.ts?l=private')).body as string[];
    expect(priv).to.include.members(['Expires: Thu, 19 Nov 1981 08:52:00 GMT', 'Cache-Control: private, max-age=120']);
    expect(priv.some((h) => h.startsWith('Last-Modified: '))).to.equal(true);
    const noExpire = (await get('/limiter.ts?l=private_no_expire')).body as string[];
    expect(noExpire.some((h) => h.startsWith('Expires'))).to.equal(false);
    const pub = (await get('/limiter.ts?l=public')).body as string[];
    expect(pub).to.include('Cache-Control: public, max-age=120');
    expect(pub.some((h) => /^Expires: \w{3}, /.test(h) && !h.includes('1981'))).to.equal(true);
    const none = (await get('/limiter.ts?l=')).body as string[];
    expect(none.filter((h) => /^(Expires|Cache-Control|Pragma)/.test(h))).to.deep.equal([]);
  });

  it('session_set_cookie_params() shapes the session cookie as PHP does', async () => {
    const { body, cookies } = await get('/params.ts');
    expect(body).to.deep.equal({ lifetime: 3600, path: '/p', domain: 'example.com', secure: true, httponly: true, samesite: 'Lax' });
    expect(cookies[0]).to.match(/^PHPSESSID=[0-9a-v]{26}; expires=\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT; Max-Age=3600; path=\/p; domain=example\.com; secure; HttpOnly; SameSite=Lax$/);
  });

  describe('session IDs from the client', () => {
    it('adopts an unknown well-formed ID (use_strict_mode=0), and replaces it under strict mode', async () => {
      const adopted = await get('/counter.ts', 'PHPSESSID=abcdefghijklmnopqrstuvwxyz');
      expect(adopted.body.id).to.equal('abcdefghijklmnopqrstuvwxyz');
      const strict = await get('/strict.ts', 'PHPSESSID=unknownbutvalid0123456789');
      expect(strict.body).not.to.equal('unknownbutvalid0123456789');
      expect(strict.cookies[0]).to.contain(`PHPSESSID=${strict.body}`);
    });
    it('drops an ID with a space or quote silently and makes a new one', async () => {
      const { body, cookies } = await get('/counter.ts', 'PHPSESSID=has%20space');
      expect(body.id).to.match(/^[0-9a-v]{26}$/);
      expect(cookies).to.have.length(1);
    });
    it('refuses an ID with illegal characters: session_start() is false with PHP\'s warnings', async () => {
      const res = await rawGet(s.port, '/strict.ts', { Cookie: 'PHPSESSID=bad.id' });
      expect(res.status).to.equal(200);
      await s.waitForLog(/Session ID is too long or contains illegal characters/);
      await s.waitForLog(/Failed to read session data: memory/);
    });
  });
});
