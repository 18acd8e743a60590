import { expect } from 'chai';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installGates } from '../support/gates.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';

const nodeModules = fileURLToPath(new URL('../../node_modules', import.meta.url));
const gates = installGates('waitUntilGate');

describe('the waitUntil contract (@vercel/request-context)', () => {
  let s: TestServer;
  before(async () => {
    const docroot = tempDir({
      'track.ts': `import { waitUntil } from '@vercel/functions';
import { echo, error_log } from 'tsfpm';
export default () => {
  waitUntil(${gates.call("'work'")}.then(() => error_log('waitUntil work done')));
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
    // the waitUntil() promise waits at a gate the test opens only after the answer
    expect(await (await fetch(`${s.url}/track.ts`)).text()).to.equal('answered');
    expect([...s.server.config.pool.live].some((c) => c.target.file.endsWith('track.ts'))).to.equal(true);
    expect(s.logs.some((l) => /GET \/track\.ts - response in/.test(l)), 'access line before the work settled').to.equal(false);
    gates.open('work');
    await s.waitForLog(/GET \/track\.ts - response in/);
    const done = s.logs.findIndex((l) => l.includes('waitUntil work done'));
    expect(done, s.logs.join('\n')).to.be.at.least(0);
    expect(s.logs.findIndex((l) => /GET \/track\.ts - response in/.test(l))).to.be.above(done);
  });

  it('provides @next/request-context inside a request', async () => {
    expect(await (await fetch(`${s.url}/outside.ts`)).text()).to.equal('true');
  });
});
