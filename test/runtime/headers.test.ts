import { expect } from 'chai';
import { fpmCase } from '../support/fpm-fixture.ts';
import { rawGet, rawRequest } from '../support/http.ts';
import { startServer, type TestServer } from '../support/server.ts';

const scripts = {
  'location.ts': `export default ({ header }) => header('Location: /elsewhere');`,
  'location-code.ts': `export default ({ header }) => header('Location: /elsewhere', true, 301);`,
  'replace.ts': `
    export default ({ header, setcookie, headers_list, echo }) => {
      setcookie('a', '1');
      header('X-A: 1');
      header('x-a: 2', false);
      header('Set-Cookie: b=2');
      header('X-B: 1');
      header_remove_helper();
      echo(JSON.stringify(headers_list()));
      function header_remove_helper() {}
    };`,
  'teapot.ts': `export default ({ header, http_response_code, echo }) => { header('HTTP/1.1 418 I am a teapot'); echo(String(http_response_code())); };`,
  'status-header.ts': `export default ({ header, http_response_code, headers_list, echo }) => { header('Status: 503 Service Unavailable'); echo(http_response_code() + ' ' + JSON.stringify(headers_list())); };`,
  'text.ts': `export default ({ header }) => header('Content-Type: text/plain');`,
  'json.ts': `export default ({ header }) => header('Content-Type: application/json');`,
  'no-type.ts': `export default ({ header }) => header('Content-Type:');`,
  'default-type.ts': `export default ({ echo, headers_list, error_log }) => { error_log('before=' + JSON.stringify(headers_list())); echo('x'); };`,
  'newline.ts': `export default ({ header, echo }) => { header("X-Evil: a\\r\\nX-Injected: b"); echo('ok'); };`,
  'cookies.ts': `
    export default ({ setcookie, setrawcookie }) => {
      setcookie('plain', 'hello world+é;=,');
      setrawcookie('raw', 'a+b');
      setcookie('gone', '');
      setcookie('opts', 'v', { path: '/p', domain: 'example.com', secure: true, httponly: true, samesite: 'Lax' });
    };`,
  'after-output.ts': `
    export default ({ echo, header, ob_end_flush }) => {
      ob_end_flush();
      echo('x');
      header('X-Late: 1');
    };`,
  // test/fixtures/fpm: http-response-code-after-headers-sent and headers-sent-where, line for line
  'http-response-code-after-headers-sent.ts': `export default ({ ini_set, ob_end_flush, echo, http_response_code, error_get_last }) => {
ini_set('display_errors', '1');
ob_end_flush();
echo('x;');
const previous = http_response_code(404);
echo(JSON.stringify({ previous, now: http_response_code(), 'last error': error_get_last() })); };`,
  'headers-sent-where.ts': `export default ({ ob_end_flush, echo, headers_sent }) => {
ob_end_flush();
echo('x;');
const where = {}; const sent = headers_sent(where);
echo(JSON.stringify({ sent, file: where.file.replace(/^.*\\//, '').replace(/\\.ts$/, '.php'), line: where.line })); };`,
  'response-code.ts': `export default ({ http_response_code, echo }) => { const before = http_response_code(404); echo(before + '/' + http_response_code()); };`,
};

describe('header() and friends', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(scripts, { ini: { expose_php: 0 } });
  });
  after(() => s.close());

  it('makes Location a 302 unless a code is given', async () => {
    expect((await rawGet(s.port, '/location.ts')).status).to.equal(302);
    const post = await rawRequest(s.port, `POST /location.ts HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    expect(post.status).to.equal(302);
    expect((await rawGet(s.port, '/location-code.ts')).status).to.equal(301);
  });

  it('replaces by name case-insensitively, including setcookie() lines, and appends with replace=false', async () => {
    const list = JSON.parse((await rawGet(s.port, '/replace.ts')).body.toString());
    expect(list).to.deep.equal(['X-A: 1', 'x-a: 2', 'Set-Cookie: b=2', 'X-B: 1']);
  });

  it('takes an HTTP/ line as the status line', async () => {
    const res = await rawGet(s.port, '/teapot.ts');
    expect(res.head.split('\r\n')[0]).to.equal('HTTP/1.1 418 I am a teapot');
    expect(res.body.toString()).to.equal('418');
  });

  it('sends Status: as the status, as PHP-FPM behind nginx, while http_response_code() stays 200', async () => {
    const res = await rawGet(s.port, '/status-header.ts');
    expect(res.status).to.equal(503);
    expect(res.header('status')).to.equal(undefined);
    expect(res.body.toString()).to.equal('200 ["Status: 503 Service Unavailable"]');
  });

  it('adds ;charset=UTF-8 to text/* types only, and sends the default type otherwise', async () => {
    expect((await rawGet(s.port, '/text.ts')).header('content-type')).to.equal('text/plain;charset=UTF-8');
    expect((await rawGet(s.port, '/json.ts')).header('content-type')).to.equal('application/json');
    expect((await rawGet(s.port, '/no-type.ts')).header('content-type')).to.equal(undefined);
    expect((await rawGet(s.port, '/default-type.ts')).header('content-type')).to.equal('text/html; charset=UTF-8');
    expect(await s.waitForLog(/before=/)).to.contain('before=[]');
  });

  it('refuses a header with a newline with PHP\'s warning', async () => {
    const res = await rawGet(s.port, '/newline.ts');
    expect(res.header('x-evil')).to.equal(undefined);
    expect(res.header('x-injected')).to.equal(undefined);
    expect(await s.waitForLog(/new line detected/)).to.match(/PHP Warning: {2}Header may not contain more than a single header, new line detected in .*newline\.ts on line 1/);
  });

  it('writes setcookie()/setrawcookie() lines in PHP\'s exact format', async () => {
    const res = await rawGet(s.port, '/cookies.ts');
    const cookies = res.all('set-cookie');
    expect(cookies[0]).to.equal('plain=hello%20world%2B%C3%A9%3B%3D%2C');
    expect(cookies[1]).to.equal('raw=a+b');
    expect(cookies[2]).to.equal('gone=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0');
    expect(cookies[3]).to.equal('opts=v; path=/p; domain=example.com; secure; HttpOnly; SameSite=Lax');
  });

  it('refuses header() after output with "headers already sent by (output started at file:line)"', async () => {
    const res = await rawGet(s.port, '/after-output.ts');
    expect(res.header('x-late')).to.equal(undefined);
    expect(res.body.toString()).to.match(/^x<br \/>\n<b>Warning<\/b>: {2}Cannot modify header information - headers already sent by \(output started at .*after-output\.ts:4\) in <b>.*after-output\.ts<\/b> on line <b>5<\/b>/);
  });

  it('http_response_code() after the headers were sent stores the code without a warning and sends nothing new (PHP 8.2)', async () => {
    const php = fpmCase('http-response-code-after-headers-sent');
    const res = await rawGet(s.port, '/http-response-code-after-headers-sent.ts');
    expect(res.status).to.equal(php.response.status);
    expect(res.body.toString()).to.equal(php.response.body);
  });

  it('headers_sent() gives the file and line where output started', async () => {
    const php = fpmCase('headers-sent-where');
    const res = await rawGet(s.port, '/headers-sent-where.ts');
    expect(res.body.toString()).to.equal(php.response.body);
  });

  it('http_response_code() returns the previous code and sets the new one', async () => {
    const res = await rawGet(s.port, '/response-code.ts');
    expect(res.status).to.equal(404);
    expect(res.body.toString()).to.equal('200/404');
  });
});
