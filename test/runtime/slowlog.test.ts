import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawGet } from '../support/http.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';
import { sleep } from '../support/wait.ts';

const SID = 'slowlogtest0000000000000000001';

const scripts = {
  'sleep.ts': `import { echo } from 'tsfpm';
export default async () => {
  await new Promise((r) => setTimeout(r, 2000));
  echo('slept');
};`,
  // blocks the event loop for 2 s in a function of its own
  'busy.ts': `import { echo } from 'tsfpm';
function crunch(ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {} // BUSY
}
export default function main() {
  crunch(2000); // CALL
  echo('crunched');
}`,
  'hold.ts': `import { echo, session_start } from 'tsfpm';
export default async () => {
  await session_start();
  await new Promise((r) => setTimeout(r, 2500));
  echo('held');
};`,
  'wait.ts': `import { echo, session_start } from 'tsfpm';
export default async () => {
  await session_start(); // START
  echo('got it');
};`,
  'tail.ts': `import { echo, fastcgi_finish_request } from 'tsfpm';
export default async () => {
  echo('answered');
  await fastcgi_finish_request();
  await new Promise((r) => setTimeout(r, 2000));
};`,
};

const lineOf = (file: keyof typeof scripts, marker: string): number => scripts[file].split('\n').findIndex((l) => l.includes(marker)) + 1;
const warning = (s: TestServer, uri: string): string[] => s.logs.filter((l) => l.includes('executing too slow') && l.includes(`"GET ${uri}"`));

describe('request_slowlog_timeout', () => {
  let s: TestServer;
  let slowlog: string;
  before(async () => {
    slowlog = join(tempDir(), 'www-slow.log');
    s = await startServer(scripts, { ini: { request_slowlog_timeout: 1, slowlog, 'session.save_handler': 'memory' } });
  });
  after(() => s.close());

  const entries = (): string[] => readFileSync(slowlog, 'utf8').split(/\n(?=\[\d\d-\w{3}-\d{4} )/);
  const entryFor = (script: string): string => entries().find((e) => e.includes(`script_filename = ${join(s.docroot, script)}\n`)) ?? '';

  describe('a script waiting on a timer past the limit', () => {
    it('logs PHP-FPM\'s warning line with the script and the request', async () => {
      const res = await rawGet(s.port, '/sleep.ts?n=1');
      expect(res.body.toString()).to.equal('slept');
      const [line, ...more] = warning(s, '/sleep.ts?n=1');
      expect(more).to.have.length(0);
      expect(line).to.match(new RegExp(`^WARNING: \\[pool www\\] child ${process.pid}, script '${join(s.docroot, 'sleep.ts')}' \\(request: "GET /sleep\\.ts\\?n=1"\\) executing too slow \\(\\d\\.\\d{6} sec\\), logging$`));
    });

    it('writes the slowlog entry: date, pool and pid, script_filename, and an honest frame', () => {
      const entry = entryFor('sleep.ts');
      expect(entry).to.match(new RegExp(`^\\n?\\[\\d\\d-[A-Z][a-z]{2}-\\d{4} \\d\\d:\\d\\d:\\d\\d\\]  \\[pool www\\] pid ${process.pid}\\n`));
      expect(entry).to.contain('state = awaiting a promise\n');
      expect(entry).to.contain('[0x0000000000000000] (awaiting a promise: no synchronous frame)\n');
    });

    it('counts it in "slow requests"', () => {
      expect(s.server.config.pool.counters.slowRequests).to.equal(1);
    });
  });

  describe('a script blocking the event loop', () => {
    it('is logged with its real stack: the line of the loop, then its caller', async () => {
      const res = await rawGet(s.port, '/busy.ts');
      expect(res.body.toString()).to.equal('crunched');
      expect(warning(s, '/busy.ts')).to.have.length(1);
      const entry = entryFor('busy.ts');
      const file = join(s.docroot, 'busy.ts');
      expect(entry).to.contain('state = running synchronous code: the event loop has been blocked for');
      expect(entry).to.contain(`[0x0000000000000000] crunch() ${file}:${lineOf('busy.ts', '// BUSY')}\n[0x0000000000000001] main() ${file}:${lineOf('busy.ts', '// CALL')}\n`);
    });
  });

  describe('a script waiting for a session lock', () => {
    it('says so, naming the session and the request that holds it, at the line of session_start()', async () => {
      const cookie = { Cookie: `PHPSESSID=${SID}` };
      const holder = rawGet(s.port, '/hold.ts', cookie);
      await sleep(200);
      const res = await rawGet(s.port, '/wait.ts', cookie);
      expect(res.body.toString()).to.equal('got it');
      expect((await holder).body.toString()).to.equal('held');
      const entry = entryFor('wait.ts');
      expect(entry).to.contain(`state = waiting for the session lock on ${SID} held by script ${join(s.docroot, 'hold.ts')}, GET /hold.ts\n`);
      expect(entry).to.contain(`[0x0000000000000000] session_start() ${join(s.docroot, 'wait.ts')}:${lineOf('wait.ts', '// START')}\n`);
    });
  });

  describe('a background tail after fastcgi_finish_request()', () => {
    it('is not logged: the slow log watches the Running stage only', async () => {
      const res = await rawGet(s.port, '/tail.ts');
      expect(res.body.toString()).to.equal('answered');
      await sleep(1500);
      expect(warning(s, '/tail.ts')).to.have.length(0);
    });
  });
});

describe('slowlog empty, request_slowlog_trace_depth', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(scripts, { ini: { request_slowlog_timeout: 1, request_slowlog_trace_depth: 1 } });
  });
  after(() => s.close());

  it('writes the entry into the server log, with at most request_slowlog_trace_depth frames', async () => {
    await rawGet(s.port, '/busy.ts');
    const entry = s.logs.find((l) => l.includes(`script_filename = ${join(s.docroot, 'busy.ts')}`)) ?? '';
    expect(entry).to.match(/^\[\d\d-\w{3}-\d{4} [\d:]{8}\]  \[pool www\] pid \d+\n/);
    expect(entry).to.contain('[0x0000000000000000] crunch()');
    expect(entry).to.not.contain('[0x0000000000000001]');
    expect(s.server.config.pool.counters.slowRequests).to.equal(1);
  });
});
