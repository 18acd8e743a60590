/**
 * Uncaught errors as PHP-FPM 8.2 answers them (main/main.c php_error_cb, php_request_shutdown):
 * compared with test/fixtures/fpm/responses.json. Each script is the fixture's PHP script line for
 * line, so file lines in traces and messages match; the server runs php.ini-production settings
 * (display_errors=0), as the fixture's PHP-FPM.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { fpmCase } from '../support/fpm-fixture.ts';
import { rawGet } from '../support/http.ts';
import { startServer, type TestServer } from '../support/server.ts';

const classes = `
class Exception extends Error { name = 'Exception'; }
class RuntimeException extends Error { name = 'RuntimeException'; }
`;

/** TypeScript twins of the fixture's PHP scripts, each statement on the PHP script's line. */
const scripts: Record<string, string> = {
  'uncaught-display-off.ts': `export default ({ echo, register_shutdown_function }) => {
  register_shutdown_function(() => echo('shutdown;'));
  echo('partial output;');
  throw new Exception('boom');
};${classes}`,
  'uncaught-after-201.ts': `export default ({ echo, register_shutdown_function, http_response_code }) => {
  register_shutdown_function(() => echo('shutdown;'));
  http_response_code(201);
  echo('partial output;');
  throw new Exception('boom');
};${classes}`,
  'uncaught-after-404-header.ts': `export default ({ echo, register_shutdown_function, header }) => {
  register_shutdown_function(() => echo('shutdown;'));
  header('HTTP/1.1 404 Not Found');
  echo('partial output;');
  throw new Exception('boom');
};${classes}`,
  'uncaught-after-headers-sent.ts': `export default ({ echo, register_shutdown_function, ob_end_flush }) => {
  register_shutdown_function(() => echo('shutdown;'));
  ob_end_flush();
  echo('partial output;');
  throw new Exception('boom');
};${classes}`,
  'uncaught-display-on.ts': `export default ({ echo, register_shutdown_function, ini_set }) => {
  ini_set('display_errors', '1');
  register_shutdown_function(() => echo('shutdown;'));
  echo('partial output;');
  throw new Exception('boom');
};${classes}`,
  'uncaught-trace.ts': `// the calls sit on the lines of the PHP script's
function inner() { throw new RuntimeException('deep <b>'); }
function outer() { inner(); }
export default async ({ echo, ini_set }) => { ini_set('display_errors', '1');
  ini_set('zend.exception_ignore_args', '1');
  echo('partial output;');
  outer(); };${classes}`,
  'uncaught-trace-plain.ts': `// the calls sit on the lines of the PHP script's
function inner() { throw new RuntimeException('deep <b>'); }
function outer() { inner(); }
export default ({ echo, ini_set }) => { ini_set('display_errors', '1');
  ini_set('html_errors', '0');
  echo('partial output;');
  outer(); };${classes}`,
  'uncaught-value-error.ts': `export default ({ ini_set, setcookie }) => {
  ini_set('display_errors', '1');
  ini_set('html_errors', '0');
  setcookie('');
};`,
  'user-error-display-off.ts': `export default ({ echo, register_shutdown_function, trigger_error }) => {
  register_shutdown_function(() => echo('shutdown;'));
  echo('partial output;');
  trigger_error('bad', 256);
  echo('never');
};`,
};

describe('uncaught errors, as PHP-FPM 8.2 answers them', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(scripts, { production: true });
  });
  after(() => s.close());

  /** The response and the fatal error's log line, with the script's path as %FILE%. */
  async function run(name: string): Promise<{ status: number; body: string; log: string }> {
    const file = join(s.docroot, `${name}.ts`);
    const res = await rawGet(s.port, `/${name}.ts`);
    const log = await s.waitForLog(new RegExp(`PHP Fatal error:.*${name}`, 's'));
    return { status: res.status, body: res.body.toString().replaceAll(file, '%FILE%'), log: log.replaceAll(file, '%FILE%') };
  }

  for (const [name, what] of [
    ['uncaught-display-off', 'answers 500 when display_errors is off, sending the buffered output and then the shutdown functions\' output'],
    ['uncaught-after-201', 'keeps a code the script set (201)'],
    ['uncaught-after-404-header', 'keeps a code set by an HTTP/ header line (404)'],
    ['uncaught-after-headers-sent', 'answers 200 once the headers were sent'],
    ['uncaught-display-on', 'answers 200 with display_errors on, the error text between the buffered output and the shutdown output'],
    ['uncaught-trace', 'prints the script\'s frames only, at their lines, ending in {main} (html_errors)'],
    ['uncaught-trace-plain', 'prints the script\'s frames only, at their lines, ending in {main} (html_errors off)'],
    ['uncaught-value-error', 'gives an error thrown inside a PHP function that function\'s frame (setcookie(\'\') → ValueError)'],
    ['user-error-display-off', 'answers 500 for trigger_error(E_USER_ERROR) with display_errors off'],
  ] as const) {
    it(what, async () => {
      const php = fpmCase(name);
      const ours = await run(name);
      expect(ours.status).to.equal(php.response.status);
      expect(ours.body).to.equal(php.response.body);
      expect(ours.log).to.equal(php.log.join('\n'));
    });
  }

  it('never shows tsfpm\'s or Node\'s own frames, in the response or the log', async () => {
    const ours = await run('uncaught-trace-plain');
    for (const text of [ours.body, ours.log]) {
      expect(text).not.to.match(/runtime\/|node:internal|node_modules/);
      expect(text).to.contain('#2 {main}');
    }
  });
});
