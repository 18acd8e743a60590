import { expect } from 'chai';
import express from 'express';
import { rmSync } from 'node:fs';
import { tsfpm, tsfpmScript } from '../../runtime/index.ts';
import { listenOnLoopback, tempDir, type LoopbackApp } from '../support/server.ts';

const FORM = 'email=a%40b.c&tags%5B%5D=x&tags%5B%5D=y&user%5Bname%5D=Ann&a.b=dot';
const PHP_POST = { email: 'a@b.c', tags: ['x', 'y'], user: { name: 'Ann' }, a_b: 'dot' };

describe('$_POST behind an Express body parser mounted before tsfpm', () => {
  let docroot: string;
  let served: LoopbackApp;
  let url: string;
  const logs: string[] = [];

  before(async () => {
    docroot = tempDir({ 'post.ts': `export default ({ $_POST, echo, file_get_contents }) => echo(JSON.stringify({ post: $_POST, input: file_get_contents('php://input') }));` });
    const app = express();
    const log = (line: string): number => logs.push(line);
    app.use('/simple', express.urlencoded(), tsfpm({ docroot, log }));
    app.use('/extended', express.urlencoded({ extended: true }), tsfpm({ docroot, log }));
    app.use('/json', express.json(), tsfpm({ docroot, log }));
    app.use('/text', express.text(), tsfpm({ docroot, log }));
    app.post('/one', express.urlencoded(), tsfpmScript(({ $_POST, echo }) => echo(JSON.stringify($_POST)), { log }));
    served = await listenOnLoopback(app);
    url = served.url;
  });
  after(async () => {
    await served.close();
    rmSync(docroot, { recursive: true, force: true });
  });

  const post = async (path: string, body: string, type = 'application/x-www-form-urlencoded'): Promise<{ post: unknown; input: string }> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body });
    expect(res.status).to.equal(200);
    return JSON.parse(await res.text()) as { post: unknown; input: string };
  };

  it("builds $_POST in PHP's shape from express.urlencoded()'s req.body, and logs once which parser read the body", async () => {
    const first = await post('/simple/post.php', FORM);
    expect(first.post).to.deep.equal(PHP_POST);
    expect(first.input).to.equal(FORM);
    await post('/simple/post.php', FORM);
    const told = logs.filter((l) => l.includes('read the request body before tsfpm'));
    expect(told).to.have.length(1);
    expect(told[0]).to.match(/^tsfpm: express\.urlencoded\(\) read the request body before tsfpm \(POST \/simple\/post\.php\): \$_POST and php:\/\/input are rebuilt from req\.body/);
  });

  it('builds the same $_POST from the extended (qs) parser', async () => {
    expect((await post('/extended/post.php', FORM)).post).to.deep.equal(PHP_POST);
  });

  it('leaves $_POST empty for JSON, as PHP, with php://input holding the JSON', async () => {
    const got = await post('/json/post.php', '{"email": "a@b.c", "n": 1}', 'application/json');
    expect(got.post).to.deep.equal({});
    expect(JSON.parse(got.input)).to.deep.equal({ email: 'a@b.c', n: 1 });
  });

  it('gives php://input the text express.text() read', async () => {
    expect((await post('/text/post.php', 'plain words', 'text/plain')).input).to.equal('plain words');
  });

  it('builds $_POST for a one-script handler behind express.urlencoded()', async () => {
    const res = await fetch(`${url}/one`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: FORM });
    expect(JSON.parse(await res.text())).to.deep.equal(PHP_POST);
  });
});
