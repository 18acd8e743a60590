import { expect } from 'chai';
import { closeBackends } from '../../sessions/backends.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServer, type TestServer } from '../support/server.ts';

describe('sessions when Redis is down', function () {
  this.timeout(30_000);
  let redis: TestRedis;
  let s: TestServer;
  const script = { 'count.ts': `export default async ({ session_start, $_SESSION, echo }) => { const ok = await session_start(); $_SESSION.n = ($_SESSION.n ?? 0) + 1; echo(JSON.stringify({ ok, n: $_SESSION.n })); };` };

  afterEach(async () => {
    await s?.close();
    await closeBackends();
    await redis?.stop();
  });

  it('fails session_start() with a warning, within seconds, when Redis is unreachable at first use; the server goes on', async () => {
    s = await startServer(script, { ini: { 'session.save_handler': 'redis', 'session.save_path': 'tcp://127.0.0.1:1', display_errors: 0 } });
    const started = performance.now();
    const res = await fetch(`${s.url}/count.ts`);
    expect(res.status).to.equal(200);
    expect(JSON.parse(await res.text())).to.deep.equal({ ok: false, n: 1 });
    expect(performance.now() - started).to.be.below(5000);
    await s.waitForLog(/session_start\(\): Failed to initialize storage module: redis/);
  });

  it('fails while Redis is stopped mid-traffic and works again when it is back, without a restart', async () => {
    redis = await startRedis();
    s = await startServer(script, { ini: { 'session.save_handler': 'redis', 'session.save_path': `tcp://127.0.0.1:${redis.port}`, display_errors: 0 } });
    const first = await fetch(`${s.url}/count.ts`);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    expect(JSON.parse(await first.text())).to.deep.equal({ ok: true, n: 1 });
    const port = redis.port;
    await redis.stop();
    const down = JSON.parse(await (await fetch(`${s.url}/count.ts`, { headers: { Cookie: cookie } })).text());
    expect(down.ok).to.equal(false);
    redis = await startRedis(port);
    let back: { ok: boolean; n: number } | undefined;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      back = JSON.parse(await (await fetch(`${s.url}/count.ts`, { headers: { Cookie: cookie } })).text());
      if (back!.ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(back!.ok, s.logs.join('\n')).to.equal(true);
  });
});
