import { expect } from 'chai';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCli } from '../support/cli.ts';
import { rawGet } from '../support/http.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';
import { sleep } from '../support/wait.ts';
import { canStopStuckScripts } from '../../runtime/pool/watchdog.ts';

const markers = tempDir();
const SID = 'terminatetest000000000000000001';

const scripts = {
  // saves a session value, then never gives the event loop back
  'loop.ts': `import { $_SESSION, echo, register_shutdown_function, session_start } from 'tsfpm';
import { writeFileSync } from 'node:fs';
export default async () => {
  await session_start();
  $_SESSION.saved = 'before the loop';
  register_shutdown_function(() => writeFileSync(${JSON.stringify(join(markers, 'loop-shutdown'))}, ''));
  echo('started');
  for (;;) {} // LOOP
};`,
  // the same, awaiting a promise that never settles
  'hang.ts': `import { $_SESSION, register_shutdown_function, session_start } from 'tsfpm';
import { writeFileSync } from 'node:fs';
export default async () => {
  await session_start();
  $_SESSION.saved = 'before the wait';
  register_shutdown_function(() => writeFileSync(${JSON.stringify(join(markers, 'hang-shutdown'))}, ''));
  await new Promise(() => {});
};`,
  'read.ts': `import { $_SESSION, echo, session_start } from 'tsfpm';
export default async () => { await session_start(); echo(JSON.stringify($_SESSION)); };`,
  'hello.ts': `export default ({ echo }) => echo('hello');`,
  // a background tail of 2.5 s
  'tail.ts': `import { echo, error_log, fastcgi_finish_request } from 'tsfpm';
export default async () => {
  echo('answered');
  await fastcgi_finish_request();
  await new Promise((r) => setTimeout(r, 2500));
  error_log('tail ended');
};`,
  // answers, then blocks the event loop in its background tail
  'busy-tail.ts': `import { echo, fastcgi_finish_request, register_shutdown_function, error_log } from 'tsfpm';
export default async () => {
  register_shutdown_function(() => error_log('busy tail shutdown ran'));
  echo('answered');
  await fastcgi_finish_request();
  for (;;) {} // TAIL LOOP
};`,
  // a new limit, then the loop
  'limit.ts': `import { set_time_limit } from 'tsfpm';
export default () => {
  set_time_limit(3);
  for (;;) {}
};`,
  // waits on its own timer
  'timer.ts': `import { echo, set_time_limit } from 'tsfpm';
export default async () => { set_time_limit(10); await new Promise((r) => setTimeout(r, 1500)); echo('timer done'); };`,
  // requests resumed by one shared promise, in the order they awaited it
  'gate.ts': `export let open: () => void;
export const gate = new Promise<void>((r) => (open = r));`,
  'first.ts': `import { echo, error_log } from 'tsfpm';
import { gate } from './gate.ts';
export default async () => {
  error_log('first waits');
  await gate;
  for (;;) {}
};`,
  'second.ts': `import { echo, error_log, set_time_limit } from 'tsfpm';
import { gate, open } from './gate.ts';
export default async () => {
  set_time_limit(3);
  setTimeout(open, 300);
  error_log('second waits');
  await gate;
  echo('second resumed');
};`,
  // callbacks left behind by scripts that have already answered
  'left-timer.ts': `export default ({ echo }) => {
  setTimeout(() => { for (;;) {} }, 10);
  echo('left a timer');
};`,
  'left-immediates.ts': `export default ({ echo, error_log }) => {
  setImmediate(() => error_log('immediate 1 ran'));
  setImmediate(() => { for (;;) {} });
  setImmediate(() => error_log('immediate 3 ran'));
  echo('left immediates');
};`,
  // stopped at its limit while waiting, then blocks the loop
  'late-loop.ts': `export default async () => {
  await new Promise((r) => setTimeout(r, 1300));
  for (;;) {}
};`,
  // a module whose top-level code blocks the event loop before any request runs it
  'heavy-module.ts': `const until = Date.now() + 2500;
while (Date.now() < until) {}
export default ({ echo }) => echo('loaded');`,
};

const lineOf = (file: keyof typeof scripts, marker: string): number => scripts[file].split('\n').findIndex((l) => l.includes(marker)) + 1;
const cookie = { Cookie: `PHPSESSID=${SID}` };

/** For specs whose scripts block the event loop for ever: skipped where Node gives the watchdog no safe way to stop them. */
function needsStoppableScripts(): void {
  before(function () {
    if (!canStopStuckScripts()) this.skip();
  });
}

describe('request_terminate_timeout', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(scripts, { ini: { request_terminate_timeout: 1, max_execution_time: 0, 'session.save_handler': 'memory' } });
  });
  after(() => s?.close());

  describe('a script stuck in synchronous code', () => {
    needsStoppableScripts();
    it('answers 504 and logs PHP-FPM\'s "execution timed out … terminating" with its script and URI', async () => {
      const res = await rawGet(s.port, '/loop.ts?a=1', cookie);
      expect(res.status).to.equal(504);
      const line = await s.waitForLog(/execution timed out/);
      expect(line).to.match(/execution timed out \(\d\.\d{6} sec\), terminating/);
      expect(line).to.contain(join(s.docroot, 'loop.ts')).and.contain('GET /loop.ts?a=1');
      expect(await s.waitForLog(/terminated a script that blocked the event loop/)).to.contain(`${join(s.docroot, 'loop.ts')}:${lineOf('loop.ts', '// LOOP')}`);
    });

    it('leaves the server answering other requests', async () => {
      const res = await rawGet(s.port, '/hello.ts');
      expect(res.status).to.equal(200);
      expect(res.body.toString()).to.equal('hello');
    });

    it('writes the session as it stood before the loop and releases its lock', async () => {
      // PHP-FPM's killed child writes nothing; tsfpm stops the script between two statements and saves what it had
      expect(s.server.config.pool.locksHeld).to.equal(0);
      const res = await rawGet(s.port, '/read.ts', cookie);
      expect(res.body.toString()).to.equal('{"saved":"before the loop"}');
    });

    it('does not run its shutdown functions, as PHP-FPM kills the child', () => {
      expect(existsSync(join(markers, 'loop-shutdown'))).to.equal(false);
    });

    it('frees its pool slot', () => {
      expect(s.server.config.pool.activeProcesses).to.equal(0);
      expect(s.server.config.pool.live.size).to.equal(0);
    });
  });

  describe('a script awaiting a promise that never settles', () => {
    it('answers 504, writes and unlocks its session, and runs no shutdown function', async () => {
      const res = await rawGet(s.port, '/hang.ts', cookie);
      expect(res.status).to.equal(504);
      // a read still locked out would itself end in a 504 at request_terminate_timeout
      const read = await rawGet(s.port, '/read.ts', cookie);
      expect(read.body.toString()).to.equal('{"saved":"before the wait"}');
      expect(s.server.config.pool.locksHeld).to.equal(0);
      await sleep(100);
      expect(existsSync(join(markers, 'hang-shutdown'))).to.equal(false);
      expect(s.server.config.pool.activeProcesses).to.equal(0);
    });
  });

  describe('a background tail after fastcgi_finish_request()', () => {
    it('is not cut without request_terminate_timeout_track_finished', async () => {
      const res = await rawGet(s.port, '/tail.ts');
      expect(res.body.toString()).to.equal('answered');
      await s.waitForLog(/tail ended/, 5000);
      expect(s.logs.filter((l) => l.includes('execution timed out') && l.includes('/tail.ts'))).to.have.length(0);
    });

    it('is cut and logged past the limit with request_terminate_timeout_track_finished=1', async () => {
      const tracked = await startServer(scripts, { ini: { request_terminate_timeout: 1, request_terminate_timeout_track_finished: 1, 'session.save_path': tempDir({}, 'tsfpm-sessions-') } });
      try {
        const res = await rawGet(tracked.port, '/tail.ts');
        expect(res.status).to.equal(200);
        expect(res.body.toString()).to.equal('answered');
        const line = await tracked.waitForLog(/execution timed out/, 5000);
        expect(line).to.contain('GET /tail.ts').and.contain('Finishing');
        await tracked.waitForLog(/\[200\]: GET \/tail\.ts/);
        expect(tracked.server.config.pool.tails).to.equal(0);
        expect(tracked.server.config.pool.live.size).to.equal(0);
      } finally {
        await tracked.close();
      }
    });
  });
});

describe('max_execution_time for a script stuck in synchronous code', () => {
  needsStoppableScripts();
  let s: TestServer;
  before(async () => {
    s = await startServer(scripts, { ini: { max_execution_time: 1, display_errors: 1, html_errors: 0, 'session.save_handler': 'memory' } });
  });
  after(() => s?.close());

  it('answers PHP\'s "Maximum execution time of 1 second exceeded" at the line of the loop (200: display_errors is on, as PHP)', async () => {
    const res = await rawGet(s.port, '/loop.ts', { Cookie: 'PHPSESSID=terminatetest000000000000000002' });
    expect(res.status).to.equal(200);
    expect(res.body.toString()).to.contain('Maximum execution time of 1 second exceeded');
    const line = await s.waitForLog(/PHP Fatal error: +Maximum execution time/);
    expect(line).to.contain(`Maximum execution time of 1 second exceeded in ${join(s.docroot, 'loop.ts')} on line ${lineOf('loop.ts', '// LOOP')}`);
  });

  it('runs the shutdown functions afterwards, as PHP does after this fatal error', async () => {
    expect(existsSync(join(markers, 'loop-shutdown'))).to.equal(true);
    expect(s.server.config.pool.locksHeld).to.equal(0);
  });

  it('gives the limit set_time_limit() set', async () => {
    const res = await rawGet(s.port, '/limit.ts');
    expect(res.status).to.equal(200);
    expect(res.body.toString()).to.contain('Maximum execution time of 3 seconds exceeded');
    expect(res.ms).to.be.above(2900);
  });
});

describe('max_execution_time for a background tail stuck in synchronous code', () => {
  needsStoppableScripts();
  for (const [limit, settings, reason] of [
    ['max_execution_time', { max_execution_time: 1 }, /max_execution_time, in the background tail/],
    ['request_terminate_timeout', { max_execution_time: 0, request_terminate_timeout: 1 }, /request_terminate_timeout, in the background tail/],
  ] as const) {
    it(`is stopped at ${limit} (not at tsfpm.tail_timeout), and the next request is served after it`, async () => {
      const s = await startServer(scripts, { ini: { ...settings, 'tsfpm.tail_timeout': 8 } });
      try {
        const first = await rawGet(s.port, '/busy-tail.ts');
        expect(first.body.toString()).to.equal('answered');
        expect((await rawGet(s.port, '/hello.ts')).body.toString()).to.equal('hello');
        const stopped = s.logs.findIndex((l) => /terminated a script that blocked the event loop/.test(l));
        expect(s.logs[stopped], s.logs.join('\n')).to.match(reason).and.contain(`busy-tail.ts:${lineOf('busy-tail.ts', '// TAIL LOOP')}`);
        expect(s.logs.findIndex((l) => /\[200\]: GET \/hello\.ts/.test(l))).to.be.above(stopped);
        if (limit === 'max_execution_time') {
          // PHP's fatal error, then the end of the request as after it: shutdown functions, access log
          const fatal = await s.waitForLog(/PHP Fatal error: +Maximum execution time of 1 second exceeded/);
          expect(fatal).to.contain('after fastcgi_finish_request()').and.match(new RegExp(`on line ${lineOf('busy-tail.ts', '// TAIL LOOP')}$`));
          await s.waitForLog(/busy tail shutdown ran/);
        } else {
          await s.waitForLog(/execution timed out \([\d.]+ sec\), terminating \(script \S+busy-tail\.ts/);
        }
        await s.waitForLog(/\[200\]: GET \/busy-tail\.ts/);
        expect(s.server.config.pool.live.size).to.equal(0);
        expect(s.server.config.pool.tails).to.equal(0);
      } finally {
        await s.close();
        rmSync(s.docroot, { recursive: true, force: true });
      }
    });
  }
});

describe('requests in flight while a script is terminated', () => {
  needsStoppableScripts();
  let s: TestServer;
  before(async () => {
    // display_errors off: a fatal error answers 500 (php_error_cb), telling it from a normal end
    s = await startServer(scripts, { ini: { max_execution_time: 1, display_errors: 0, 'session.save_path': tempDir({}, 'tsfpm-sessions-') } });
  });
  after(() => s?.close());

  it('complete normally when they wait on their own timers', async () => {
    const other = rawGet(s.port, '/timer.ts');
    await sleep(200);
    const stuck = await rawGet(s.port, '/loop.ts');
    expect(stuck.status).to.equal(500);
    const res = await other;
    expect(res.status).to.equal(200);
    expect(res.body.toString()).to.equal('timer done');
  });

  it('end at their own max_execution_time when their continuation was queued in the same tick as the stuck script (V8 drops it)', async () => {
    const first = rawGet(s.port, '/first.ts');
    await s.waitForLog(/first waits/);
    const second = await rawGet(s.port, '/second.ts');
    expect((await first).status).to.equal(500);
    expect(second.status).to.equal(500);
    expect(second.body.toString()).to.not.contain('second resumed');
    expect(second.ms).to.be.above(2900);
    expect(s.logs.some((l) => l.includes('Maximum execution time of 3 seconds exceeded') && l.includes('second.ts'))).to.equal(true);
  });

  it('a stall outside any request (module code at import) is logged and left alone', async () => {
    const res = await rawGet(s.port, '/heavy-module.ts');
    expect(res.status).to.equal(200);
    expect(res.body.toString()).to.equal('loaded');
    expect(await s.waitForLog(/event loop blocked \d+\.\d s outside any request/)).to.contain(join(s.docroot, 'heavy-module.ts'));
    expect(s.logs.filter((l) => l.includes('outside any request'))).to.have.length(1);
  });
});

describe('code that blocks the event loop after its request has ended', () => {
  needsStoppableScripts();
  let s: TestServer;
  before(async () => {
    s = await startServer(scripts, { ini: { request_terminate_timeout: 1, 'session.save_path': tempDir({}, 'tsfpm-sessions-') } });
  });
  after(() => s?.close());

  const healthy = async (): Promise<void> => {
    const res = await rawGet(s.port, '/hello.ts');
    expect(res.body.toString()).to.equal('hello');
    await new Promise<void>((resolve) => setImmediate(resolve));
    await sleep(10);
  };

  it('a setTimeout() callback is terminated, and timers go on', async () => {
    expect((await rawGet(s.port, '/left-timer.ts')).body.toString()).to.equal('left a timer');
    await s.waitForLog(/terminated a script that blocked the event loop .*its request had already ended.*left-timer\.ts/, 10_000);
    await healthy();
  });

  it('a setImmediate() callback in the middle of a batch is terminated, and the rest of the batch still runs', async () => {
    expect((await rawGet(s.port, '/left-immediates.ts')).body.toString()).to.equal('left immediates');
    await s.waitForLog(/terminated a script .*left-immediates\.ts/, 10_000);
    await s.waitForLog(/immediate 3 ran/);
    await healthy();
  });

  it('a script that goes on after its 504 and then blocks is terminated', async () => {
    expect((await rawGet(s.port, '/late-loop.ts')).status).to.equal(504);
    await s.waitForLog(/terminated a script .*its request had already ended.*late-loop\.ts/, 10_000);
    await healthy();
  });
});

describe('the watchdog under the tsfpm command', () => {
  needsStoppableScripts();
  it('terminates a stuck script in a server started by bin.js, and the process exits cleanly', async () => {
    const docroot = tempDir({ 'loop.ts': scripts['loop.ts'], 'hello.ts': scripts['hello.ts'] });
    const cli = await startCli(['-S', '127.0.0.1:0', '-t', docroot, '-d', 'request_terminate_timeout=1', '-d', 'session.save_handler=memory']);
    try {
      const port = Number(new URL(cli.url).port);
      expect((await rawGet(port, '/loop.ts')).status).to.equal(504);
      expect((await rawGet(port, '/hello.ts')).body.toString()).to.equal('hello');
      await cli.waitForOutput(/execution timed out/);
    } finally {
      expect(await cli.stop('SIGINT')).to.equal(0);
    }
    expect(cli.output()).to.not.contain('Waiting for the debugger');
    expect(cli.output()).to.not.contain('DEP0111');
  });
});
