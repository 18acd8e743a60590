import { expect } from 'chai';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, tempDir, type TestServer } from '../support/server.ts';

const nodeModules = fileURLToPath(new URL('../../node_modules', import.meta.url));

describe('the waitUntil contract (@vercel/request-context)', () => {
  let s: TestServer;
  before(async () => {
    const docroot = tempDir({
      'track.ts': `import { waitUntil } from '@vercel/functions';
import { echo, error_log } from 'tsfpm';
export default () => {
  waitUntil(new Promise((r) => setTimeout(r, 600)).then(() => error_log('waitUntil work done')));
  echo('answered');
};`,
      'outside.ts': `export default ({ echo }) => echo(String(globalThis[Symbol.for('@next/request-context')].get() !== undefined));`,
    });
    // the script imports the real @vercel/functions package
    symlinkSync(nodeModules, join(docroot, 'node_modules'));
    s = await startServer(docroot, { ini: { 'session.save_handler': 'memory' } });
  });
  after(() => s.close());

  it('answers when the script returns and keeps the request live until the waitUntil() promise settles', async () => {
    const started = performance.now();
    expect(await (await fetch(`${s.url}/track.ts`)).text()).to.equal('answered');
    expect(performance.now() - started).to.be.below(400);
    expect([...s.server.config.pool.live].some((c) => c.target.file.endsWith('track.ts'))).to.equal(true);
    await s.waitForLog(/waitUntil work done/, 3000);
    const access = await s.waitForLog(/GET \/track\.ts - response in/, 3000);
    expect(Number(/script ran ([\d.]+) ms/.exec(access)![1])).to.be.at.least(550);
  });

  it('provides @next/request-context inside a request', async () => {
    expect(await (await fetch(`${s.url}/outside.ts`)).text()).to.equal('true');
  });
});
