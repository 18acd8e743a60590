import { expect } from 'chai';
import { fpmCase } from '../support/fpm-fixture.ts';
import { readdirSync } from 'node:fs';
import { rawRequest } from '../support/http.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';

const dump = `export default ({ $_GET, $_POST, $_COOKIE, $_REQUEST, $_SERVER, $_FILES, $_ENV, echo, file_get_contents, getallheaders }) =>
  echo(JSON.stringify({ get: $_GET, post: $_POST, cookie: $_COOKIE, request: $_REQUEST, server: $_SERVER, files: $_FILES, env: $_ENV, input: file_get_contents('php://input'), headers: getallheaders() }));`;

describe('superglobals over a real request', () => {
  let s: TestServer;
  let uploads: string;
  before(async () => {
    uploads = tempDir({}, 'tsfpm-uploads-');
    s = await startServer({ 'dump.ts': dump, 'sub/info.ts': dump }, { ini: { upload_tmp_dir: uploads } });
  });
  after(() => s.close());

  const send = async (request: string) => {
    const res = await rawRequest(s.port, request);
    return JSON.parse(res.body.toString());
  };

  it('parses the query string, cookies and an urlencoded body by PHP\'s rules', async () => {
    const body = 'a.b=1&list[]=x&list[]=y&n[k][j]=deep&p=post';
    const seen = await send(
      `POST /dump.ts?a.b=get&arr[x]=1&p=get HTTP/1.1\r\nHost: h\r\nConnection: close\r\nCookie: c.d=1; c.d=2; plus=a+b%20c\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(seen.get).to.deep.equal({ a_b: 'get', arr: { x: '1' }, p: 'get' });
    expect(seen.post).to.deep.equal({ a_b: '1', list: ['x', 'y'], n: { k: { j: 'deep' } }, p: 'post' });
    expect(seen.cookie).to.deep.equal({ c_d: '1', plus: 'a+b c' });
    // request_order GP: no cookies, POST over GET
    expect(seen.request).to.deep.equal({ a_b: '1', arr: { x: '1' }, p: 'post', list: ['x', 'y'], n: { k: { j: 'deep' } } });
    expect(seen.input).to.equal(body);
    expect(seen.env).to.deep.equal({});
  });

  it('getallheaders() keeps the names as the client spelled them, as php -S; HTTP_* are upper-cased with _', async () => {
    const php = JSON.parse(fpmCase('request-headers-php-S').response.body) as { getallheaders: Record<string, string>; 'HTTP_*': Record<string, string> };
    const seen = await send(`GET /dump.ts HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX_Under_Score: u\r\nX-MiXed-Case: m\r\nlower-case: l\r\n\r\n`);
    expect(seen.headers).to.deep.equal({ ...php.getallheaders, Host: '127.0.0.1' });
    expect(Object.keys(seen.headers)).to.deep.equal(Object.keys(php.getallheaders));
    const http = Object.fromEntries(Object.entries(seen.server as Record<string, string>).filter(([k]) => k.startsWith('HTTP_')));
    expect(http).to.deep.equal({ ...php['HTTP_*'], HTTP_HOST: '127.0.0.1' });
  });

  it('getallheaders() gives a name sent twice once, with its first spelling and the values joined', async () => {
    const seen = await send(`GET /dump.ts HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-A: 1\r\nx-a: 2\r\n\r\n`);
    expect(seen.headers).to.deep.equal({ Host: '127.0.0.1', Connection: 'close', 'X-A': '1, 2' });
  });

  it('fills $_SERVER with the keys PHP-FPM behind nginx sets', async () => {
    const seen = await send(`GET /sub/info.ts/extra/path?q=1&b[]=2 HTTP/1.1\r\nHost: example.test:8080\r\nConnection: close\r\nX-Custom-Header: yes\r\n\r\n`);
    const server = seen.server;
    expect(server).to.include({
      REQUEST_METHOD: 'GET',
      REQUEST_URI: '/sub/info.ts/extra/path?q=1&b[]=2',
      QUERY_STRING: 'q=1&b[]=2',
      SCRIPT_NAME: '/sub/info.ts',
      PATH_INFO: '/extra/path',
      PHP_SELF: '/sub/info.ts/extra/path',
      DOCUMENT_URI: '/sub/info.ts/extra/path',
      DOCUMENT_ROOT: s.docroot,
      SCRIPT_FILENAME: `${s.docroot}/sub/info.ts`,
      SERVER_PROTOCOL: 'HTTP/1.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_SCHEME: 'http',
      REMOTE_ADDR: '127.0.0.1',
      SERVER_ADDR: '127.0.0.1',
      SERVER_PORT: String(s.port),
      SERVER_NAME: 'example.test',
      CONTENT_TYPE: '',
      CONTENT_LENGTH: '',
      REDIRECT_STATUS: '200',
      HTTP_HOST: 'example.test:8080',
      HTTP_X_CUSTOM_HEADER: 'yes',
    });
    expect(server).not.to.have.property('HTTPS');
    expect(server.REQUEST_TIME).to.be.a('number').and.equal(Math.floor(server.REQUEST_TIME_FLOAT));
    expect(server.REMOTE_PORT).to.match(/^\d+$/);
    expect(seen.headers).to.include({ Host: 'example.test:8080', 'X-Custom-Header': 'yes' });
  });

  it('fills $_FILES from a multipart body, with the upload removed after the request', async () => {
    const boundary = 'XyZ';
    const part = (headers: string, content: string) => `--${boundary}\r\n${headers}\r\n\r\n${content}\r\n`;
    const body =
      part('Content-Disposition: form-data; name="title"', 'holiday') +
      part('Content-Disposition: form-data; name="multi[]"; filename="a.txt"\r\nContent-Type: text/plain', 'AAA') +
      part('Content-Disposition: form-data; name="multi[]"; filename="dir/b.bin"\r\nContent-Type: application/octet-stream', 'BB') +
      part('Content-Disposition: form-data; name="empty"; filename=""\r\nContent-Type: application/octet-stream', '') +
      `--${boundary}--\r\n`;
    const seen = await send(
      `POST /dump.ts HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    expect(seen.post).to.deep.equal({ title: 'holiday' });
    expect(seen.input).to.equal('');
    expect(seen.files.multi.name).to.deep.equal(['a.txt', 'b.bin']);
    expect(seen.files.multi.full_path).to.deep.equal(['a.txt', 'dir/b.bin']);
    expect(seen.files.multi.type).to.deep.equal(['text/plain', 'application/octet-stream']);
    expect(seen.files.multi.size).to.deep.equal([3, 2]);
    expect(seen.files.multi.error).to.deep.equal([0, 0]);
    expect(seen.files.multi.tmp_name[0]).to.match(new RegExp(`^${uploads}/php[A-Za-z0-9]{6}$`));
    expect(seen.files.empty).to.deep.include({ name: '', tmp_name: '', error: 4, size: 0 });
    expect(readdirSync(uploads)).to.deep.equal([]);
  });

  it('refuses a malformed multipart body with 400 and a log line, leaving no temp file', async () => {
    const body = `--B\r\nContent-Disposition: form-data; name="f"; filename="x.bin"\r\n\r\npartial data with no end`;
    const res = await rawRequest(s.port, `POST /dump.ts HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(res.status).to.equal(400);
    await s.waitForLog(/\[400\]: POST \/dump\.ts - request body refused/);
    expect(readdirSync(uploads)).to.deep.equal([]);
  });

  it('keeps a __proto__ key as data, never reaching Object.prototype', async () => {
    const seen = await send(`GET /dump.ts?__proto__[polluted]=1&constructor[prototype][x]=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`);
    expect(seen.get.__proto__).to.deep.equal({ polluted: '1' });
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });
});
