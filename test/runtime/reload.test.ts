import { expect } from 'chai';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, writeFiles, type TestServer } from '../support/server.ts';

describe('editing a script', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      'page.ts': `import { greeting } from './lib/greeting.ts'; export default ({ echo }) => echo(greeting());`,
      'lib/greeting.ts': `export const greeting = () => 'v1';`,
      'state.ts': `let hits = 0; export default ({ echo }) => echo(String(++hits));`,
      'where.ts': `export default ({ echo }) => echo(JSON.stringify([import.meta.filename, import.meta.dirname]));`,
    });
  });
  after(() => s.close());

  const get = async (path: string) => (await fetch(`${s.url}${path}`)).text();
  const touchLater = (file: string) => {
    const later = new Date(Date.now() + 5000);
    utimesSync(join(s.docroot, file), later, later);
  };

  it('takes effect on the next request, without a restart', async () => {
    expect(await get('/page.ts')).to.equal('v1');
    writeFiles(s.docroot, { 'page.ts': `export default ({ echo }) => echo('v2');` });
    touchLater('page.ts');
    expect(await get('/page.ts')).to.equal('v2');
  });

  it('reloads a module the script imports when that module changes', async () => {
    writeFiles(s.docroot, { 'page.ts': `import { greeting } from './lib/greeting.ts'; export default ({ echo }) => echo(greeting());` });
    touchLater('page.ts');
    expect(await get('/page.ts')).to.equal('v1');
    writeFiles(s.docroot, { 'lib/greeting.ts': `export const greeting = () => 'v3';` });
    touchLater('lib/greeting.ts');
    expect(await get('/page.ts')).to.equal('v3');
  });

  it('keeps module state between requests while nothing changes', async () => {
    const first = Number(await get('/state.ts'));
    expect(Number(await get('/state.ts'))).to.equal(first + 1);
  });

  it('recovers from a broken edit once the script is fixed', async () => {
    writeFiles(s.docroot, { 'page.ts': `export default ( => {` });
    touchLater('page.ts');
    expect(await (await fetch(`${s.url}/page.ts`)).text()).to.contain('<b>Parse error</b>');
    writeFiles(s.docroot, { 'page.ts': `export default ({ echo }) => echo('fixed');` });
    expect(await get('/page.ts')).to.equal('fixed');
  });

  it("gives a script its own path in import.meta.filename and dirname (PHP's __FILE__, __DIR__), without the reload version", async () => {
    expect(JSON.parse(await get('/where.ts'))).to.deep.equal([join(s.docroot, 'where.ts'), s.docroot]);
  });
});
