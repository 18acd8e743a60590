import { expect } from 'chai';
import express from 'express';
import { rmSync } from 'node:fs';
import { tsfpm, tsfpmScript } from '../../runtime/index.ts';
import { listenOnLoopback, tempDir, type LoopbackApp } from '../support/server.ts';

describe('Express middleware', () => {
  let served: LoopbackApp;
  let url: string;
  let docroot: string;
  const logs: string[] = [];
  before(async () => {
    docroot = tempDir({ 'hello.ts': `export default ({ $_SERVER, $_GET, echo }) => echo($_SERVER.SCRIPT_NAME + ' ' + $_SERVER.REQUEST_URI + ' ' + $_GET.name);` });
    const app = express();
    app.use('/legacy', tsfpm({ docroot, log: (line) => logs.push(line) }));
    app.post('/one', tsfpmScript(async ({ $_POST, echo, fastcgi_finish_request }) => {
      echo('got ' + $_POST['email']);
      await fastcgi_finish_request();
    }, { log: (line) => logs.push(line) }));
    app.use((_req, res) => res.status(404).send('express 404'));
    served = await listenOnLoopback(app);
    url = served.url;
  });
  after(async () => {
    await served.close();
    rmSync(docroot, { recursive: true, force: true });
  });

  it('serves a document root under a mount path, with the mount in SCRIPT_NAME', async () => {
    expect(await (await fetch(`${url}/legacy/hello.php?name=x`)).text()).to.equal('/legacy/hello.php /legacy/hello.php?name=x x');
  });
  it('passes paths with no file to the next middleware', async () => {
    const res = await fetch(`${url}/legacy/missing.php`);
    expect(res.status).to.equal(404);
    expect(await res.text()).to.equal('express 404');
  });
  it('runs a one-script handler', async () => {
    const res = await fetch(`${url}/one`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.c' });
    expect(await res.text()).to.equal('got a@b.c');
  });
  it('access-logs requests to a one-script handler and to a mounted document root, with the URL the client sent', async () => {
    await (await fetch(`${url}/one?x=1`, { method: 'POST' })).text();
    await (await fetch(`${url}/legacy/hello.php?name=y`)).text();
    for (let i = 0; i < 100 && logs.filter((l) => /\[200\]/.test(l)).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(logs.some((l) => /^127\.0\.0\.1:\d+ \[200\]: POST \/one\?x=1$/.test(l)), logs.join('\n')).to.equal(true);
    expect(logs.some((l) => /^127\.0\.0\.1:\d+ \[200\]: GET \/legacy\/hello\.php\?name=y$/.test(l)), logs.join('\n')).to.equal(true);
  });
});
