import { expect } from 'chai';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir } from '../support/server.ts';

describe('session_gc() (files handler)', () => {
  it('deletes sessions older than gc_maxlifetime and returns how many', async () => {
    const savePath = tempDir({}, 'tsfpm-gc-');
    const old = join(savePath, 'sess_oldsession0123456789abcd');
    writeFileSync(old, 'n|i:1;');
    const past = new Date(Date.now() - 3600_000);
    utimesSync(old, past, past);
    const s = await startServer(
      { 'gc.ts': `export default async ({ session_start, session_gc, echo }) => { await session_start(); echo(String(await session_gc())); };` },
      { ini: { 'session.save_handler': 'files', 'session.save_path': savePath, 'session.gc_maxlifetime': 60, 'session.gc_probability': 0 } },
    );
    try {
      expect(await (await fetch(`${s.url}/gc.ts`)).text()).to.equal('1');
      expect(existsSync(old)).to.equal(false);
    } finally {
      await s.close();
    }
  });
});
