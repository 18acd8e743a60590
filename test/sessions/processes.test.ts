import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { closeBackends } from '../../sessions/open-backend.ts';
import { startCli, type CliServer } from '../support/cli.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServer, tempDir } from '../support/server.ts';
import { sleep } from '../support/wait.ts';

const scripts = {
  'incr.ts': `import { session_start, $_SESSION, echo } from 'tsfpm';
export default async () => { await session_start(); const n = $_SESSION.n ?? 0; await new Promise((r) => setTimeout(r, 1)); $_SESSION.n = n + 1; echo(String($_SESSION.n)); };`,
  'read.ts': `import { session_start, $_SESSION, echo } from 'tsfpm';
export default async () => { await session_start({ read_and_close: true }); echo(JSON.stringify($_SESSION)); };`,
  'hold.ts': `import { session_start, $_SESSION, echo, fastcgi_finish_request } from 'tsfpm';
export default async () => { await session_start(); $_SESSION.held = true; await new Promise((r) => setTimeout(r, 60000)); };`,
};

function settingsArgs(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([k, v]) => ['-d', `${k}=${v}`]);
}

/** 200 increments spread over two processes, 100 concurrent requests each. */
async function incrementAcross(servers: CliServer[], cookie: string): Promise<number> {
  await Promise.all(
    Array.from({ length: 200 }, (_, i) => fetch(`${servers[i % servers.length]!.url}/incr.ts`, { headers: { Cookie: cookie } }).then((r) => r.text())),
  );
  return JSON.parse(await (await fetch(`${servers[0]!.url}/read.ts`, { headers: { Cookie: cookie } })).text()).n;
}

describe('sessions across processes', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  const docroot = tempDir(scripts);
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await closeBackends();
    await redis.stop();
  });

  for (const [handler, settings] of [
    ['redis', () => ({ 'session.save_handler': 'redis', 'session.save_path': `tcp://127.0.0.1:${redis.port}`, 'redis.session.lock_retries': '-1' })],
    ['files', () => ({ 'session.save_handler': 'files', 'session.save_path': tempDir({}, 'tsfpm-shared-sessions-') })],
  ] as const) {
    it(`two tsfpm processes on one ${handler} store share a session with no lost update`, async () => {
      const shared = settings();
      const servers = await Promise.all([0, 1].map(() => startCli(['-S', '127.0.0.1:0', '-t', docroot, ...settingsArgs(shared)])));
      try {
        expect(await incrementAcross(servers, 'PHPSESSID=sharedacrossprocesses0123' + handler)).to.equal(200);
      } finally {
        await Promise.all(servers.map((s) => s.stop('SIGKILL')));
      }
    });
  }

  it('a holder killed with SIGKILL blocks the session only until the lock TTL (Redis)', async () => {
    const settings = { 'session.save_handler': 'redis', 'session.save_path': `tcp://127.0.0.1:${redis.port}`, 'redis.session.lock_expire': '2', 'redis.session.lock_retries': '-1' };
    const holder = await startCli(['-S', '127.0.0.1:0', '-t', docroot, ...settingsArgs(settings)]);
    const other = await startServer(docroot, { ini: settings });
    const cookie = 'PHPSESSID=killedholdersession0123456';
    try {
      fetch(`${holder.url}/hold.ts`, { headers: { Cookie: cookie } }).catch(() => {});
      await sleep(1500); // renewed at least once
      await holder.stop('SIGKILL');
      // its key outlives it, and the reader waits for the lock without end (lock_retries -1): only the TTL lets it in
      expect(execFileSync('redis-cli', ['-p', String(redis.port), 'EXISTS', `sess:${cookie.split('=')[1]}_LOCK`]).toString().trim()).to.equal('1');
      const seen = JSON.parse(await (await fetch(`${other.url}/read.ts`, { headers: { Cookie: cookie } })).text());
      expect(seen).to.deep.equal({});
    } finally {
      await other.close();
    }
  });
});
