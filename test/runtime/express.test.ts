import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tsfpm, tsfpmScript } from '../../runtime/index.ts';
import { tempDir } from '../support/server.ts';

describe('Express middleware', () => {
  let server: Server;
  let url: string;
  before(async () => {
    const docroot = tempDir({ 'hello.ts': `export default ({ $_SERVER, $_GET, echo }) => echo($_SERVER.SCRIPT_NAME + ' ' + $_SERVER.REQUEST_URI + ' ' + $_GET.name);` });
    const app = express();
    app.use('/legacy', tsfpm({ docroot, log: () => {} }));
    app.post('/one', tsfpmScript(async ({ $_POST, echo, fastcgi_finish_request }) => {
      echo('got ' + $_POST['email']);
      await fastcgi_finish_request();
    }, { log: () => {} }));
    app.use((_req, res) => res.status(404).send('express 404'));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

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
});
