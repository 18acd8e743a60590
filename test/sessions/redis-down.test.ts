/**
 * Sessions on a Redis that goes away, or whose connection breaks the ways a restart or a network
 * break it: session_start() fails with PHP's warnings meanwhile, and works again within seconds of
 * Redis answering, without a restart of tsfpm.
 */
import { expect } from 'chai';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createClient } from 'redis';
import { closeBackends } from '../../sessions/open-backend.ts';
import { connectRedis, parseRedisSavePath, type RedisConnection } from '../../sessions/redis/redis-client.ts';
import { RedisLocker } from '../../sessions/redis/redis-lock.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { waitUntil } from '../support/wait.ts';
import { startServer, type TestServer } from '../support/server.ts';

/**
 * A TCP relay standing for the network between tsfpm and Redis, which breaks the connections it
 * carries on demand: closes them (Redis stopping), resets the next one (a reconnect that reaches a
 * Redis as it dies), or stops carrying them while they stay open (a half-open connection: a host or a
 * route gone silent).
 */
class Relay {
  readonly #server: Server;
  readonly #links = new Set<{ client: Socket; redis: Socket; frozen: boolean }>();
  #resetNext = false;

  private constructor(
    server: Server,
    readonly port: number,
  ) {
    this.#server = server;
  }

  /** A relay on a free loopback port to the Redis on `redisPort`. */
  static async start(redisPort: number): Promise<Relay> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const relay = new Relay(server, (server.address() as { port: number }).port);
    server.on('connection', (client) => relay.#carry(client, redisPort));
    return relay;
  }

  #carry(client: Socket, redisPort: number): void {
    client.on('error', () => {});
    if (this.#resetNext) {
      this.#resetNext = false;
      client.once('data', () => client.resetAndDestroy());
      return;
    }
    const redis = createConnection(redisPort, '127.0.0.1').on('error', () => {});
    const link = { client, redis, frozen: false };
    this.#links.add(link);
    client.on('data', (chunk) => {
      if (!link.frozen) redis.write(chunk);
    });
    redis.on('data', (chunk) => {
      if (!link.frozen) client.write(chunk);
    });
    const end = () => {
      this.#links.delete(link);
      client.destroy();
      redis.destroy();
    };
    client.on('close', end);
    redis.on('close', end);
  }

  /** Closes the connections it carries; the next new one is reset when its first bytes arrive. */
  cutAndResetNext(): void {
    this.#resetNext = true;
    for (const { client } of this.#links) client.end();
  }

  /** Stops carrying bytes on the connections open now, which stay open; new ones are carried. */
  freeze(): void {
    for (const link of this.#links) link.frozen = true;
  }

  async close(): Promise<void> {
    for (const { client, redis } of this.#links) {
      client.destroy();
      redis.destroy();
    }
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

describe('sessions when Redis is down', function () {
  this.timeout(30_000);
  let redis: TestRedis | undefined;
  let relay: Relay | undefined;
  let s: TestServer | undefined;
  const script = { 'count.ts': `export default async ({ session_start, $_SESSION, echo }) => { const ok = await session_start(); $_SESSION.n = ($_SESSION.n ?? 0) + 1; echo(JSON.stringify({ ok, n: $_SESSION.n })); };` };

  afterEach(async () => {
    await s?.close();
    await closeBackends();
    await relay?.close();
    await redis?.stop();
    s = relay = redis = undefined;
  });

  type Count = { ok: boolean; n: number };

  async function count(cookie?: string): Promise<Count> {
    return JSON.parse(await (await fetch(`${s!.url}/count.ts`, cookie ? { headers: { Cookie: cookie } } : {})).text()) as Count;
  }

  /** A server whose sessions live in Redis at `port`, and the cookie of a session counted once. */
  async function startCounting(port: number): Promise<string> {
    s = await startServer(script, { ini: { 'session.save_handler': 'redis', 'session.save_path': `tcp://127.0.0.1:${port}`, display_errors: 0 } });
    const first = await fetch(`${s.url}/count.ts`);
    expect(JSON.parse(await first.text())).to.deep.equal({ ok: true, n: 1 });
    return first.headers.get('set-cookie')!.split(';')[0]!;
  }

  /** Counts with `cookie` every 200 ms until session_start() succeeds or `ms` pass; the last answer. */
  async function countUntilBack(cookie: string, ms: number): Promise<Count> {
    const deadline = Date.now() + ms;
    let answer = await count(cookie);
    while (!answer.ok && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await count(cookie);
    }
    return answer;
  }

  it('fails session_start() with a warning when Redis is unreachable at first use; the server goes on', async () => {
    s = await startServer(script, { ini: { 'session.save_handler': 'redis', 'session.save_path': 'tcp://127.0.0.1:1', display_errors: 0 } });
    const res = await fetch(`${s.url}/count.ts`);
    expect(res.status).to.equal(200);
    expect(JSON.parse(await res.text())).to.deep.equal({ ok: false, n: 1 });
    await s.waitForLog(/session_start\(\): Failed to initialize storage module: redis/);
  });

  it('fails while Redis is stopped mid-traffic and works again when it is back, without a restart', async () => {
    redis = await startRedis();
    const cookie = await startCounting(redis.port);
    const port = redis.port;
    await redis.stop();
    expect((await count(cookie)).ok).to.equal(false);
    redis = await startRedis(port);
    const back = await countUntilBack(cookie, 10_000);
    expect(back.ok, s!.logs.join('\n')).to.equal(true);
  });

  it('works again within seconds when the reconnect reaches a Redis that resets it (one dying as it is reached)', async () => {
    redis = await startRedis();
    relay = await Relay.start(redis.port);
    const cookie = await startCounting(relay.port);
    relay.cutAndResetNext();
    const back = await countUntilBack(cookie, 10_000);
    expect(back, s!.logs.join('\n')).to.deep.equal({ ok: true, n: 2 });
    // the reset sent the client back to reconnecting: no command waited on a dead connection
    expect(s!.logs.join('\n')).to.match(/Socket closed unexpectedly[\s\S]*ECONNRESET/).and.not.match(/no reply/);
  });

  it('replaces a connection that stops answering while it stays open, and works again within seconds', async () => {
    redis = await startRedis();
    relay = await Relay.start(redis.port);
    const cookie = await startCounting(relay.port);
    relay.freeze();
    expect((await count(cookie)).ok).to.equal(false);
    const back = await countUntilBack(cookie, 15_000);
    expect(back, s!.logs.join('\n')).to.deep.equal({ ok: true, n: 2 });
    await s!.waitForLog(/Redis session store \(tcp:\/\/127\.0\.0\.1:\d+\): a command got no reply: closing the connection and opening a new one/);
  });

  it('fails while Redis answers nothing (CLIENT PAUSE) and works again once it answers', async () => {
    redis = await startRedis();
    const cookie = await startCounting(redis.port);
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      await admin.sendCommand(['CLIENT', 'PAUSE', '5000', 'ALL']);
      expect((await count(cookie)).ok).to.equal(false);
      const back = await countUntilBack(cookie, 15_000);
      expect(back, s!.logs.join('\n')).to.deep.equal({ ok: true, n: 2 });
    } finally {
      admin.destroy();
    }
  });

  it('fails while Redis is frozen (SIGSTOP) and works again within seconds once it runs the lock commands it was sent', async () => {
    redis = await startRedis();
    const cookie = await startCounting(redis.port);
    const admin = createClient({ url: redis.url });
    await admin.connect();
    const pid = Number(/process_id:(\d+)/.exec(await admin.info('server'))![1]);
    admin.destroy();
    process.kill(pid, 'SIGSTOP');
    try {
      const frozenAt = Date.now();
      expect((await count(cookie)).ok).to.equal(false);
      // past the lock's no-reply bound (twice its 2 s command timeout), which gives its acquisition up
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, frozenAt + 5000 - Date.now())));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // the acquisition given up ran once Redis did, and took the lock for no one: 30 s unless released
    const back = await countUntilBack(cookie, 10_000);
    expect(back, s!.logs.join('\n')).to.deep.equal({ ok: true, n: 2 });
  });

  it('frees at the next attempt a lock whose release got no reply, instead of after its 30 s TTL', async () => {
    redis = await startRedis();
    relay = await Relay.start(redis.port);
    const logs: string[] = [];
    const connection: RedisConnection = await connectRedis(parseRedisSavePath('redis', `tcp://127.0.0.1:${relay.port}`), 'relay', (line) => logs.push(line));
    const locker = new RedisLocker({ client: connection.lockClient, lockKey: (id) => `sess:${id}_LOCK`, log: (line) => logs.push(line) });
    try {
      const options = { waitMs: 10_000, ttlMs: 30_000, owner: 'script /a.ts, GET /a' };
      const first = await locker.acquire('stalled', options);
      if (!first.ok) throw new Error(`no lock: ${logs.join('\n')}`);
      relay.freeze();
      await first.lock.release();
      expect(logs.join('\n')).to.match(/release sess:stalled_LOCK failed: no reply within 4000 ms/);
      await waitUntil('the replaced connection', async () => connection.lockClient.isReady);
      const second = await locker.acquire('stalled', options);
      expect(second.ok, logs.join('\n')).to.equal(true);
      if (second.ok) await second.lock.release();
    } finally {
      await locker.close();
      await connection.close();
    }
  });
});
