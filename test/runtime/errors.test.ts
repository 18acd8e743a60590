import { expect } from 'chai';
import { rawGet } from '../support/http.ts';
import { startServer, type TestServer } from '../support/server.ts';

const scripts = {
  'throws.ts': `
    export default ({ echo }) => {
      echo('partial output');
      throw new Error('script failed');
    };`,
  'async-throws.ts': `export default async ({ echo }) => { await new Promise((r) => setTimeout(r, 5)); throw new TypeError('async failure'); };`,
  'hello.ts': `export default ({ echo }) => echo('hello');`,
  'syntax.ts': `export default ( => {`,
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
  'time-limit.ts': `
    export default async ({ echo, set_time_limit }) => {
      set_time_limit(1);
      echo('waiting');
      await new Promise((r) => setTimeout(r, 3000));
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

  it('answers 500 for a script that does not compile or has no default export, naming the cause', async () => {
    const syntax = await rawGet(dev.port, '/syntax.ts');
    expect(syntax.status).to.equal(500);
    await dev.waitForLog(/\[500\]: GET \/syntax\.ts - .*syntax\.ts/);
    const none = await rawGet(dev.port, '/no-default.ts');
    expect(none.status).to.equal(500);
    await dev.waitForLog(/no-default\.ts: the script has no default-exported function/);
    expect((await rawGet(dev.port, '/hello.ts')).body.toString()).to.equal('hello');
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

  it('stops waiting for a script past max_execution_time (set_time_limit) with a 500', async () => {
    const res = await rawGet(prod.port, '/time-limit.ts');
    expect(res.status).to.equal(500);
    expect(res.ms).to.be.within(900, 2500);
    await prod.waitForLog(/PHP Fatal error: {2}Maximum execution time of 1 second exceeded/);
  });
});
