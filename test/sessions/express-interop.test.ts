import { expect } from 'chai';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import { tsfpm } from '../../runtime/index.ts';
import { closeBackends } from '../../sessions/open-backend.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { listenOnLoopback, tempDir, type LoopbackApp } from '../support/server.ts';

const SECRET = 'shared secret';

describe('express-session interop', function () {
  this.timeout(30_000);
  let redis: TestRedis;
  let client: ReturnType<typeof createClient>;
  let served: LoopbackApp;
  let url: string;

  before(async () => {
    redis = await startRedis();
    client = createClient({ url: redis.url });
    await client.connect();
    const app = express();
    // the same store, cookie name and secret on both sides
    app.use(session({ store: new RedisStore({ client }), secret: SECRET, name: 'sid', resave: false, saveUninitialized: false }));
    app.get('/express/incr', (req, res) => {
      const s = req.session as unknown as { n?: number };
      s.n = (s.n ?? 0) + 1;
      res.send(String(s.n));
    });
    app.get('/express/slow-incr', async (req, res) => {
      const s = req.session as unknown as { n?: number };
      const n = s.n ?? 0;
      await new Promise((r) => setTimeout(r, 5));
      s.n = n + 1;
      res.send(String(s.n));
    });
    app.get('/express/read', (req, res) => res.json({ n: (req.session as unknown as { n?: number }).n ?? null }));
    const docroot = tempDir({
      'incr.ts': `export default async ({ session_start, $_SESSION, echo }) => { await session_start(); const n = $_SESSION.n ?? 0; await new Promise((r) => setTimeout(r, 5)); $_SESSION.n = n + 1; echo(String($_SESSION.n)); };`,
    });
    app.use(
      '/legacy',
      tsfpm({
        docroot,
        log: () => {},
        ini: {
          'session.save_handler': 'redis',
          'session.save_path': `tcp://127.0.0.1:${redis.port}`,
          'session.name': 'sid',
          'tsfpm.session_secret': SECRET,
          'redis.session.lock_retries': -1,
        },
      }),
    );
    served = await listenOnLoopback(app);
    url = served.url;
  });
  after(async () => {
    await served.close();
    await client.quit();
    await closeBackends();
    await redis.stop();
  });

  async function startSession(): Promise<string> {
    const res = await fetch(`${url}/express/incr`);
    await res.text();
    return res.headers.get('set-cookie')!.split(';')[0]!;
  }

  it('sees one session from express-session and from a tsfpm script (signed s: cookie, same store)', async () => {
    const cookie = await startSession();
    expect(cookie).to.match(/^sid=s%3A/);
    expect(await (await fetch(`${url}/legacy/incr.ts`, { headers: { Cookie: cookie } })).text()).to.equal('2');
    expect(await (await fetch(`${url}/express/incr`, { headers: { Cookie: cookie } })).text()).to.equal('3');
  });

  it('refuses a cookie with a bad signature: a new session starts', async () => {
    const cookie = await startSession();
    const forged = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const res = await fetch(`${url}/legacy/incr.ts`, { headers: { Cookie: forged } });
    expect(await res.text()).to.equal('1');
  });

  it('plain express-session loses updates under concurrent requests; tsfpm\'s lock does not (the reason for the lock)', async () => {
    const plain = await startSession();
    await Promise.all(Array.from({ length: 50 }, () => fetch(`${url}/express/slow-incr`, { headers: { Cookie: plain } }).then((r) => r.text())));
    const plainCount = JSON.parse(await (await fetch(`${url}/express/read`, { headers: { Cookie: plain } })).text()).n;
    const locked = await startSession();
    await Promise.all(Array.from({ length: 50 }, () => fetch(`${url}/legacy/incr.ts`, { headers: { Cookie: locked } }).then((r) => r.text())));
    const lockedCount = JSON.parse(await (await fetch(`${url}/express/read`, { headers: { Cookie: locked } })).text()).n;
    expect(plainCount).to.be.below(51);
    expect(lockedCount).to.equal(51);
  });
});
