import { expect } from 'chai';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { useRedis } from '../support/redis.ts';
import { startServer, tempDir } from '../support/server.ts';
import { sleep } from '../support/wait.ts';

// reads the session, changes nothing, holds it a moment: with lazy_write the close only refreshes the expiry
const scripts = {
  'look.ts': `export default async ({ session_start, echo }) => { await session_start(); await new Promise((r) => setTimeout(r, 400)); echo('looked'); };`,
};

describe('session.lazy_write: an unchanged session is touched, never rewritten', function () {
  this.timeout(20_000);

  it('files: data written by someone else meanwhile survives, only the mtime changes (as PHP)', async () => {
    const savePath = tempDir({}, 'tsfpm-lazy-');
    const id = 'lazywritefiles0123456789ab';
    const file = join(savePath, `sess_${id}`);
    writeFileSync(file, 'user|s:5:"alice";');
    const s = await startServer(scripts, { ini: { 'session.save_handler': 'files', 'session.save_path': savePath } });
    try {
      const looking = fetch(`${s.url}/look.ts`, { headers: { Cookie: `PHPSESSID=${id}` } }).then((r) => r.text());
      await sleep(150);
      writeFileSync(file, 'user|s:3:"bob";');
      const before = Date.now();
      expect(await looking).to.equal('looked');
      expect(readFileSync(file, 'utf8')).to.equal('user|s:3:"bob";');
      expect(statSync(file).mtimeMs).to.be.at.least(before - 1000);
    } finally {
      await s.close();
    }
  });

  describe('redis', () => {
    const redis = useRedis();

    it('a logout stored meanwhile is not undone: the close is an EXPIRE, not a SET', async () => {
      const client = createClient({ url: redis().url });
      await client.connect();
      const s = await startServer(scripts, { ini: { 'session.save_handler': 'redis', 'session.save_path': `tcp://127.0.0.1:${redis().port}`, 'tsfpm.session_redis_format': 'phpredis' } });
      const key = 'PHPREDIS_SESSION:lazywriteredis0123456789ab';
      try {
        await client.set(key, 'user|s:5:"alice";', { expiration: { type: 'EX', value: 100 } });
        const looking = fetch(`${s.url}/look.ts`, { headers: { Cookie: 'PHPSESSID=lazywriteredis0123456789ab' } }).then((r) => r.text());
        await sleep(150);
        await client.set(key, '', { expiration: { type: 'EX', value: 100 } });
        expect(await looking).to.equal('looked');
        expect(await client.get(key)).to.equal('');
        expect(await client.ttl(key)).to.be.above(1000);
      } finally {
        await s.close();
        await client.quit();
      }
    });
  });
});
