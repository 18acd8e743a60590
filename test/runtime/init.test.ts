import { expect } from 'chai';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initProject, InitConflictError } from '../../runtime/process/init.ts';
import { startServer, tempDir } from '../support/server.ts';

describe('tsfpm init DIR', () => {
  let project: string;
  beforeEach(() => {
    project = tempDir();
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  it('writes tsconfig.json and eslint.config.mjs for DIR in the project, and DIR/index.ts', () => {
    const { written, message } = initProject('site', { project });
    expect(written).to.deep.equal([join(project, 'tsconfig.json'), join(project, 'eslint.config.mjs'), join(project, 'site/index.ts')]);
    const tsconfig = JSON.parse(readFileSync(join(project, 'tsconfig.json'), 'utf8')) as { include: string[]; compilerOptions: { strict: boolean } };
    expect(tsconfig.include).to.deep.equal(['site/**/*.ts']);
    expect(tsconfig.compilerOptions.strict).to.equal(true);
    const eslint = readFileSync(join(project, 'eslint.config.mjs'), 'utf8');
    expect(eslint).to.contain("'@typescript-eslint/no-floating-promises': 'error'");
    expect(eslint).to.contain('files: ["site/**/*.ts"]');
    expect(message).to.contain('npx tsfpm -S localhost:8000 -t site\n');
    expect(message).to.contain('npx tsc && npx eslint site\n');
  });

  it('refuses to overwrite an existing file, writing nothing, unless forced', () => {
    writeFileSync(join(project, 'tsconfig.json'), '{"mine": true}');
    expect(() => initProject('site', { project })).to.throw(InitConflictError, 'tsconfig.json already exists: nothing written (--force overwrites)');
    expect(readFileSync(join(project, 'tsconfig.json'), 'utf8')).to.equal('{"mine": true}');
    expect(() => readFileSync(join(project, 'site/index.ts'))).to.throw(/ENOENT/);
    initProject('site', { project, force: true });
    expect(readFileSync(join(project, 'tsconfig.json'), 'utf8')).to.contain('"include"');
  });

  it('writes an example script that serves, with its session', async () => {
    initProject('site', { project });
    const sessions = join(project, 'sessions');
    mkdirSync(sessions);
    const server = await startServer(join(project, 'site'), { ini: { 'session.save_path': sessions } });
    try {
      const first = await fetch(`${server.url}/`);
      expect(await first.text()).to.equal('<p>Hello from tsfpm: visit 1 in this session.</p>\n');
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const second = await fetch(`${server.url}/`, { headers: { cookie } });
      expect(await second.text()).to.equal('<p>Hello from tsfpm: visit 2 in this session.</p>\n');
    } finally {
      await server.close();
    }
  });
});
