import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createClient } from 'redis';
import { startServer } from '../support/server.ts';
import { useRedis } from '../support/redis.ts';
import { runSessionLockSuite } from './session-lock-suite.ts';

describe('sessions on Redis', () => {
  const redis = useRedis();

  runSessionLockSuite('redis', () => ({ 'session.save_path': `tcp://127.0.0.1:${redis().port}` }));
  runSessionLockSuite('redis', () => ({ 'session.save_path': `tcp://127.0.0.1:${redis().port}?prefix=php:`, 'tsfpm.session_redis_format': 'phpredis' }));

  describe('phpredis-compatible format (tsfpm.session_redis_format=phpredis)', () => {
    it('reads what phpredis stored under PHPREDIS_SESSION:<id>, writes PHP\'s format back with TTL gc_maxlifetime, and real PHP decodes it', async () => {
      const client = createClient({ url: redis().url });
      await client.connect();
      const s = await startServer(
        { 'php.ts': `export default async ({ session_start, $_SESSION, echo }) => { await session_start(); echo(JSON.stringify($_SESSION)); $_SESSION.visits = ($_SESSION.visits ?? 0) + 1; };` },
        { ini: { 'session.save_handler': 'redis', 'session.save_path': `tcp://127.0.0.1:${redis().port}`, 'tsfpm.session_redis_format': 'phpredis', 'session.gc_maxlifetime': 1440 } },
      );
      try {
        // the bytes phpredis writes for $_SESSION = ['user' => ['id' => 7, 'name' => 'Зоя'], 'visits' => 1]
        await client.set('PHPREDIS_SESSION:phpredissession0123456789', 'user|a:2:{s:2:"id";i:7;s:4:"name";s:6:"Зоя";}visits|i:1;');
        const seen = JSON.parse(await (await fetch(`${s.url}/php.ts`, { headers: { Cookie: 'PHPSESSID=phpredissession0123456789' } })).text());
        expect(seen).to.deep.equal({ user: { id: 7, name: 'Зоя' }, visits: 1 });
        const stored = (await client.get('PHPREDIS_SESSION:phpredissession0123456789'))!;
        expect(stored).to.equal('user|a:2:{s:2:"id";i:7;s:4:"name";s:6:"Зоя";}visits|i:2;');
        expect(await client.ttl('PHPREDIS_SESSION:phpredissession0123456789')).to.be.within(1430, 1440);
        try {
          const decoded = execFileSync('php', ['-n', '-r', 'session_start(); session_decode(stream_get_contents(STDIN)); echo json_encode($_SESSION);'], { input: stored }).toString();
          expect(JSON.parse(decoded)).to.deep.equal({ user: { id: 7, name: 'Зоя' }, visits: 2 });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      } finally {
        await s.close();
        await client.quit();
      }
    });
  });

  describe('round trips to Redis', () => {
    /** Commands Redis ran, by name, from INFO commandstats. */
    async function commandCounts(client: ReturnType<typeof createClient>): Promise<Record<string, number>> {
      const info = await client.info('commandstats');
      return Object.fromEntries([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
    }

    it('a session read, changed and written costs two: lock with read, write with unlock', async () => {
      const client = createClient({ url: redis().url });
      await client.connect();
      const s = await startServer(
        { 'count.ts': `export default async ({ session_start, $_SESSION, echo }) => { await session_start(); $_SESSION.n = ($_SESSION.n ?? 0) + 1; echo(String($_SESSION.n)); };` },
        { ini: { 'session.save_handler': 'redis', 'session.save_path': `tcp://127.0.0.1:${redis().port}?prefix=roundtrips:` } },
      );
      try {
        const first = await fetch(`${s.url}/count.ts`);
        const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
        expect(await first.text()).to.equal('1');
        await client.configResetStat();
        expect(await (await fetch(`${s.url}/count.ts`, { headers: { cookie } })).text()).to.equal('2');
        const counts = await commandCounts(client);
        // the stats count the commands the scripts ran too: SET NX + GET data, then GET lock, SET data, DEL lock, PUBLISH
        const { info: _info, 'config|resetstat': _reset, ...session } = counts;
        expect(session).to.deep.equal({ evalsha: 2, set: 2, get: 2, del: 1, publish: 1 });
        expect(await (await fetch(`${s.url}/count.ts`, { headers: { cookie } })).text()).to.equal('3');
      } finally {
        await s.close();
        await client.quit();
      }
    });
  });
});
