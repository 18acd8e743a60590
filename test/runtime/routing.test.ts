import { expect } from 'chai';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawGet, rawRequest } from '../support/http.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';

const show = `export default ({ $_SERVER, echo }) => echo(JSON.stringify({ name: $_SERVER.SCRIPT_NAME, info: $_SERVER.PATH_INFO, self: $_SERVER.PHP_SELF, file: $_SERVER.SCRIPT_FILENAME }));`;

describe('URL to script mapping (php -S rules, tsfpm extensions)', () => {
  let s: TestServer;
  let outside: string;
  before(async () => {
    outside = tempDir({ 'secret.txt': 'outside the docroot' });
    s = await startServer({
      'index.ts': show,
      'a/b.ts': show,
      'dir/index.ts': show,
      'empty/readme.txt': 'no index here',
      'page.html': '<p>static</p>',
      'style.css': 'body{}',
      'app.js': 'console.log(1)',
      'lib.mts': 'export const secret = 1;',
      'legacy.php': '<?php echo "SOURCE-MARKER";',
      'ported.php': '<?php echo "SOURCE-MARKER";',
      'ported.ts': show,
      '.env': 'SECRET=1',
      '.git/config': '[core]',
      'big.txt': 'x'.repeat(10_000),
    });
    symlinkSync(join(outside, 'secret.txt'), join(s.docroot, 'link.txt'));
    // links inside the document root whose names look static, to a script, sources and a dotfile
    symlinkSync(join(s.docroot, 'a/b.ts'), join(s.docroot, 'script-link.txt'));
    symlinkSync('lib.mts', join(s.docroot, 'lib-link.css'));
    symlinkSync('legacy.php', join(s.docroot, 'legacy-link.html'));
    symlinkSync('.env', join(s.docroot, 'env-link.txt'));
    symlinkSync('.git', join(s.docroot, 'git-link'));
  });
  after(() => s.close());

  const json = async (path: string) => JSON.parse((await rawGet(s.port, path)).body.toString());

  it('maps / to index.ts', async () => {
    expect(await json('/')).to.include({ name: '/index.ts', info: '' });
  });
  it('maps /a/b.ts, /a/b and /a/b.php to a/b.ts, keeping the requested name in SCRIPT_NAME', async () => {
    expect(await json('/a/b.ts')).to.include({ name: '/a/b.ts', file: join(s.docroot, 'a/b.ts') });
    expect(await json('/a/b')).to.include({ name: '/a/b', file: join(s.docroot, 'a/b.ts') });
    expect(await json('/a/b.php?x=1')).to.include({ name: '/a/b.php', file: join(s.docroot, 'a/b.ts') });
  });
  it('maps /dir/ to dir/index.ts', async () => {
    expect(await json('/dir/')).to.include({ name: '/dir/index.ts' });
  });
  it('splits PATH_INFO after the script', async () => {
    expect(await json('/a/b.ts/more/path')).to.include({ name: '/a/b.ts', info: '/more/path', self: '/a/b.ts/more/path' });
    expect(await json('/a/b.php/x')).to.include({ name: '/a/b.php', info: '/x' });
  });
  it('answers 404 for a directory without an index', async () => {
    expect((await rawGet(s.port, '/empty/')).status).to.equal(404);
  });

  describe('static files', () => {
    it('serves them with Content-Type, ETag and Last-Modified', async () => {
      const res = await rawGet(s.port, '/page.html');
      expect(res.status).to.equal(200);
      expect(res.body.toString()).to.equal('<p>static</p>');
      expect(res.header('content-type')).to.equal('text/html; charset=utf-8');
      expect(res.header('etag')).to.be.a('string');
      expect(res.header('last-modified')).to.be.a('string');
      const again = await rawGet(s.port, '/page.html', { 'If-None-Match': res.header('etag')! });
      expect(again.status).to.equal(304);
    });
    it('serves .js files as static assets, not scripts', async () => {
      const res = await rawGet(s.port, '/app.js');
      expect(res.status).to.equal(200);
      expect(res.body.toString()).to.equal('console.log(1)');
    });
    it('answers ranges and HEAD', async () => {
      const range = await rawGet(s.port, '/big.txt', { Range: 'bytes=0-9' });
      expect(range.status).to.equal(206);
      expect(range.body.toString()).to.equal('x'.repeat(10));
      const head = await rawRequest(s.port, `HEAD /big.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(head.status).to.equal(200);
      expect(head.header('content-length')).to.equal('10000');
    });
    it('refuses PUT with 405 and Allow, as php -S', async () => {
      const res = await rawRequest(s.port, `PUT /page.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      expect(res.status).to.equal(405);
      expect(res.header('allow')).to.equal('GET, HEAD, POST');
    });
  });

  describe('never serves sources, dotfiles or anything outside the document root', () => {
    const refused: [string, number][] = [
      ['/lib.mts', 404],
      ['/legacy.php.ts', 404],
      ['/.env', 404],
      ['/.git/config', 404],
      ['/%2eenv', 404],
      ['/../etc/passwd', 400],
      ['/%2e%2e/etc/passwd', 400],
      ['/..%2fetc%2fpasswd', 400],
      ['/a/..%2f..%2f..%2fetc/passwd', 400],
      ['/a%5c..%5c..%5cetc%5cpasswd', 400],
      ['/a\\..\\..\\etc\\passwd', 400],
      ['/page.html%00.ts', 400],
      ['/%zz', 400],
      ['/link.txt', 404],
      ['/script-link.txt', 404],
      ['/lib-link.css', 404],
      ['/legacy-link.html', 404],
      ['/env-link.txt', 404],
      ['/git-link/config', 404],
    ];
    for (const [path, status] of refused) {
      it(`${path} → ${status}`, async () => {
        const res = await rawGet(s.port, path);
        expect(res.status).to.equal(status);
        expect(res.body.toString()).not.to.match(/SECRET|root:|outside the docroot|export const|export default|SOURCE-MARKER|\[core\]/);
      });
    }
    it('treats a double-encoded dot as a name: /%252e%252e/… falls back to index.ts with PATH_INFO, as php -S', async () => {
      expect(await json('/%252e%252e/etc/passwd')).to.include({ name: '/index.ts', info: '/%2e%2e/etc/passwd' });
    });
    it('runs the port for /x.php when the PHP original x.php is kept beside x.ts, never showing the original', async () => {
      const res = await rawGet(s.port, '/ported.php');
      expect(res.status).to.equal(200);
      expect(JSON.parse(res.body.toString())).to.include({ name: '/ported.php', file: join(s.docroot, 'ported.ts') });
    });
    it('serves the source of a .php file as nothing: /legacy.php runs legacy.ts or is a 404', async () => {
      const res = await rawGet(s.port, '/legacy.php');
      expect(res.status).to.equal(404);
      expect(res.body.toString()).not.to.contain('SOURCE-MARKER');
    });
    it('logs each refusal with its reason', async () => {
      await rawGet(s.port, '/.env');
      await s.waitForLog(/\[404\]: GET \/\.env - dotfiles are never served/);
      await rawGet(s.port, '/script-link.txt');
      await s.waitForLog(/\[404\]: GET \/script-link\.txt - a link to a \.ts source is never served/);
    });
  });

  describe('a router script, as php -S host:port router.php', () => {
    let r: TestServer;
    before(async () => {
      const dir = tempDir({
        'index.ts': `export default ({ echo }) => echo('index');`,
        'file.txt': 'static file',
      });
      mkdirSync(join(dir, 'sub'));
      const router = join(tempDir({}, 'tsfpm-router-'), 'router.ts'); // outside the document root, as php -S takes it
      writeFileSync(
        router,
        `export default ({ $_SERVER, echo }) => { if ($_SERVER.REQUEST_URI.startsWith('/api/')) { echo('router:' + $_SERVER.REQUEST_URI); return; } return false; };`,
      );
      r = await startServer(dir, { router });
    });
    after(() => r.close());

    it('answers when it does not return false', async () => {
      expect((await rawGet(r.port, '/api/users')).body.toString()).to.equal('router:/api/users');
    });
    it('falls through to the normal mapping when it returns false', async () => {
      expect((await rawGet(r.port, '/')).body.toString()).to.equal('index');
      expect((await rawGet(r.port, '/file.txt')).body.toString()).to.equal('static file');
      expect((await rawGet(r.port, '/nothing.txt')).status).to.equal(404);
    });
  });
});
