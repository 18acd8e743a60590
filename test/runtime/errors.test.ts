import { expect } from 'chai';
import { join } from 'node:path';
import { installGates } from '../support/gates.ts';
import { rawGet } from '../support/http.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

const gates = installGates('errorsGate');

const scripts = {
  'throws.ts': `
    export default ({ echo }) => {
      echo('partial output');
      throw new Error('script failed');
    };`,
  'async-throws.ts': `export default async ({ echo }) => { await new Promise((r) => setTimeout(r, 5)); throw new TypeError('async failure'); };`,
  'hello.ts': `export default ({ echo }) => echo('hello');`,
  'syntax.ts': `import { echo } from 'tsfpm';\nexport default function () {\n  echo('in' \n}\n`,
  'top-level.ts': `import { echo } from 'tsfpm';\necho('at the top, as in PHP');\nexport default function () {}\n`,
  'waits-for-lock.ts': `import { echo, session_start, set_time_limit } from 'tsfpm';
export default async function () {
  set_time_limit(1);
  echo('waiting');
  await session_start();
  echo('late');
}
`,
  'holds-lock.ts': `import { echo, session_start } from 'tsfpm';
export default async function () {
  await session_start();
  echo('holding');
  await ${gates.call("'holder'")};
}
`,
  'no-default.ts': `export const x = 1;`,
  'exit.ts': `export default ({ echo, exit }) => { echo('before'); exit('bye'); echo('never'); };`,
  'shutdown.ts': `
    export default ({ echo, register_shutdown_function, error_get_last }) => {
      register_shutdown_function((who) => echo(' shutdown ' + who + ' last=' + (error_get_last()?.message ?? 'none').slice(0, 22)), 'one');
      echo('body');
    };`,
  'shutdown-after-error.ts': `
    export default ({ echo, register_shutdown_function }) => {
      register_shutdown_function(() => echo('custom error page'));
      throw new Error('x');
    };`,
  // awaits a promise that never settles: only its time limit can end it
  'time-limit.ts': `
    export default async ({ echo, set_time_limit, register_shutdown_function }) => {
      set_time_limit(1);
      register_shutdown_function(() => echo('shutdown ran'));
      await new Promise(() => {});
      echo('late');
    };`,
};

describe('script errors', () => {
  let dev: TestServer;
  let prod: TestServer;
  before(async () => {
    dev = await startServer(scripts);
    prod = await startServer(dev.docroot, { production: true });
  });
  after(async () => {
    await dev.close();
    await prod.close();
  });

  it('answers 200 with the buffered output, then the message and the script\'s stack, when display_errors is on; the next request works', async () => {
    const res = await rawGet(dev.port, '/throws.ts');
    expect(res.status).to.equal(200);
    const body = res.body.toString();
    expect(body).to.match(/^partial output<br \/>\n<b>Fatal error<\/b>: {2}Uncaught Error: script failed in .*throws\.ts:4\nStack trace:\n#0 \{main\}\n/);
    expect(await dev.waitForLog(/PHP Fatal error: {2}Uncaught Error: script failed/)).to.match(/throws\.ts/);
    expect((await rawGet(dev.port, '/hello.ts')).body.toString()).to.equal('hello');
  });

  it('answers 500 with an empty body when display_errors is off (production)', async () => {
    const res = await rawGet(prod.port, '/async-throws.ts');
    expect(res.status).to.equal(500);
    expect(res.body.length).to.equal(0);
    await prod.waitForLog(/Uncaught TypeError: async failure/);
  });

  it("answers a syntax error as PHP's Parse error: the script's file and line in the response, and a code frame in the log, no loader internals", async () => {
    const syntax = await rawGet(dev.port, '/syntax.ts');
    // display_errors on: PHP answers 200 with the error text (php_error_cb sets 500 only with it off)
    expect(syntax.status).to.equal(200);
    const file = `${dev.docroot}/syntax.ts`;
    expect(syntax.body.toString()).to.equal(`<br />\n<b>Parse error</b>:  syntax error, expected &quot;)&quot; but found &quot;}&quot; in <b>${file}</b> on line <b>4</b><br />\n`);
    const logged = dev.logs.length;
    await dev.waitForLog(/\[200\]: GET \/syntax\.ts$/);
    const lines = dev.logs.slice(dev.logs.findIndex((l) => l.startsWith('PHP Parse error')));
    expect(lines[0]).to.equal(`PHP Parse error:  syntax error, expected ")" but found "}" in ${file} on line 4`);
    expect(lines[1]).to.equal(`  2 | export default function () {\n  3 |   echo('in' \n> 4 | }\n    | ^\n  5 | `);
    expect(dev.logs.slice(logged - 1).join('\n')).not.to.match(/esbuild|node_modules|node:internal/);
  });

  it('says that request code goes inside the default export when a PHP function runs at the top level of the script', async () => {
    const res = await rawGet(dev.port, '/top-level.ts');
    expect(res.status).to.equal(200);
    expect(res.body.toString()).to.contain(
      '<b>Fatal error</b>:  echo() was called at the top level of the script, which runs once when it is loaded, outside of any request: request code goes inside `export default function () { … }`',
    );
    expect(await dev.waitForLog(/PHP Fatal error: {2}echo\(\) was called at the top level/)).to.match(/top-level\.ts on line 2$/);
  });

  it('reports a router script that does not compile as a Parse error too', async () => {
    const router = join(tempDir({ 'router.ts': 'export default () => {\n  return false\n' }), 'router.ts');
    const server = await startServer(dev.docroot, { router });
    try {
      const res = await rawGet(server.port, '/hello.ts');
      expect(res.status).to.equal(200);
      expect(res.body.toString()).to.contain(`<b>Parse error</b>:  syntax error, unexpected end of file in <b>${router}</b> on line <b>3</b>`);
    } finally {
      await server.close();
    }
  });

  it('answers a script without a default export as a fatal error, saying where request code goes', async () => {
    const none = await rawGet(dev.port, '/no-default.ts');
    expect(none.status).to.equal(200);
    await dev.waitForLog(/PHP Fatal error: {2}\S*no-default\.ts has no default-exported function: request code goes inside `export default function/);
    expect((await rawGet(dev.port, '/hello.ts')).body.toString()).to.equal('hello');
  });

  it('reports the line a script awaited when it ran past max_execution_time', async () => {
    const server = await startServer(dev.docroot, { ini: { 'session.save_handler': 'memory' } });
    try {
      const cookie = { cookie: 'PHPSESSID=timelimitline1234567890ab' };
      const held = rawGet(server.port, '/holds-lock.ts', cookie);
      await waitUntil('the holder to have the lock', () => server.server.config.pool.locksHeld === 1);
      const res = await rawGet(server.port, '/waits-for-lock.ts', cookie);
      expect(res.status).to.equal(200);
      expect(res.body.toString()).to.contain(`Maximum execution time of 1 second exceeded in <b>${dev.docroot}/waits-for-lock.ts</b> on line <b>5</b>`);
      expect(await server.waitForLog(/PHP Fatal error: {2}Maximum execution time of 1 second exceeded/)).to.match(/waits-for-lock\.ts on line 5$/);
      expect(res.body.toString()).to.not.contain('late');
      gates.open('holder');
      await held;
    } finally {
      await server.close();
    }
  });

  it('exit() prints its string and ends the script normally', async () => {
    const res = await rawGet(dev.port, '/exit.ts');
    expect(res.status).to.equal(200);
    expect(res.body.toString()).to.equal('beforebye');
  });

  it('runs shutdown functions after the script, with their arguments', async () => {
    expect((await rawGet(dev.port, '/shutdown.ts')).body.toString()).to.equal('body shutdown one last=none');
  });

  it('runs shutdown functions after a fatal error, so they can print an error page', async () => {
    const res = await rawGet(prod.port, '/shutdown-after-error.ts');
    expect(res.status).to.equal(500);
    expect(res.body.toString()).to.equal('custom error page');
  });

  it('stops waiting for a script past max_execution_time (set_time_limit) with a 500, and runs its shutdown functions', async () => {
    const res = await rawGet(prod.port, '/time-limit.ts');
    expect(res.status).to.equal(500);
    expect(res.body.toString()).to.equal('shutdown ran');
    // the limit is a second of the script's time: it cannot fire before
    expect(res.ms).to.be.at.least(900);
    expect(await prod.waitForLog(/PHP Fatal error: {2}Maximum execution time of 1 second exceeded/)).to.match(/time-limit\.ts/);
  });
});
