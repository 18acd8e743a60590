/**
 * session_set_save_handler() over real HTTP: a script's own storage takes no session lock, as in PHP, unless
 * tsfpm.session_user_handler_lock asks for tsfpm's; SessionHandler keeps the configured handler's files and lock;
 * session_register_shutdown() closes the session in the order of the shutdown functions.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installGates } from '../support/gates.ts';
import { waitUntil } from '../support/wait.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';

/** Sessions in a Map, and the calls the scripts record, shared with them through globalThis. */
class RecordingHandler {
  readonly data = new Map<string, string>();
  readonly events: string[] = [];
  open(): boolean {
    return true;
  }
  close(): boolean {
    return true;
  }
  read(id: string): string {
    return this.data.get(id) ?? '';
  }
  write(id: string, data: string): boolean {
    this.data.set(id, data);
    return true;
  }
  destroy(id: string): boolean {
    this.data.delete(id);
    return true;
  }
  gc(): number {
    return 0;
  }
}

const gates = installGates('userHandlerGate');

/** A script that counts in its session through the handler, recording its name around read and write. */
const COUNTER = `
import { $_GET, $_SESSION, session_set_save_handler, session_start } from 'tsfpm';
export default async function () {
  const handler = globalThis.recordingHandler;
  const name = String($_GET.name);
  session_set_save_handler({
    open: () => handler.open(),
    close: () => { handler.events.push('close ' + name); return true; },
    read: (id) => { handler.events.push('read ' + name); return handler.read(id); },
    write: (id, data) => { handler.events.push('write ' + name); return handler.write(id, data); },
    destroy: (id) => handler.destroy(id),
    gc: () => handler.gc(),
  });
  await session_start();
  $_SESSION.n = (Number($_SESSION.n) || 0) + 1;
  await ${gates.call('name')};
}`;

describe('session_set_save_handler()', () => {
  let handler: RecordingHandler;

  beforeEach(() => {
    handler = new RecordingHandler();
    Object.assign(globalThis, { recordingHandler: handler });
  });

  for (const locked of [false, true]) {
    describe(locked ? 'with tsfpm.session_user_handler_lock=1' : 'by default, as PHP', () => {
      let s: TestServer;
      let savePath: string;
      before(async () => {
        savePath = tempDir();
        s = await startServer({ 'count.ts': COUNTER }, { ini: { 'tsfpm.session_user_handler_lock': locked ? '1' : '0', 'session.save_path': savePath } });
      });
      after(async () => {
        for (const name of locked ? ['la', 'lb'] : ['a', 'b']) gates.open(name);
        await s.close();
        rmSync(s.docroot, { recursive: true, force: true });
        rmSync(savePath, { recursive: true, force: true });
      });

      const id = locked ? 'lockedsession0000000000000001' : 'unlockedsession00000000000001';
      const request = (name: string) => fetch(`${s.url}/count.ts?name=${name}`, { headers: { cookie: `PHPSESSID=${id}` } }).then((r) => r.text());

      if (!locked) {
        it('takes no lock: a second request reads the session while the first still has it open, and one count is lost', async () => {
          const a = request('a');
          await waitUntil('the first request to read', () => handler.events.includes('read a'));
          const b = request('b');
          await waitUntil('the second request to read while the first is open', () => handler.events.includes('read b'));
          gates.open('a');
          await a;
          gates.open('b');
          await b;
          expect(handler.events).to.deep.equal(['read a', 'read b', 'write a', 'close a', 'write b', 'close b']);
          expect(handler.data.get(id)).to.equal('n|i:1;');
        });
      } else {
        it("holds the configured handler's lock from before read() until after close(): the second request reads what the first wrote", async () => {
          const a = request('la');
          await waitUntil('the first request to read', () => handler.events.includes('read la'));
          const b = request('lb');
          await waitUntil('the second request to wait for the lock', () => s.server.config.pool.lockWaiters === 1);
          expect(handler.events).to.deep.equal(['read la']);
          gates.open('la');
          await a;
          gates.open('lb');
          await b;
          expect(handler.events).to.deep.equal(['read la', 'write la', 'close la', 'read lb', 'write lb', 'close lb']);
          expect(handler.data.get(id)).to.equal('n|i:2;');
        });
      }
    });
  }
});

describe('session_set_save_handler() given something else than a handler', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      'bad.ts': `
import { PhpTypeError, echo, session_set_save_handler } from 'tsfpm';
export default function () {
  for (const call of [() => session_set_save_handler(() => true), () => session_set_save_handler(() => true, () => true), () => session_set_save_handler({} as never), () => session_set_save_handler({ open: () => true } as never)]) {
    try {
      call();
    } catch (e) {
      if (!(e instanceof PhpTypeError)) throw e;
      echo(e.name + ': ' + e.message + '\\n');
    }
  }
}`,
    });
  });
  after(async () => {
    await s.close();
    rmSync(s.docroot, { recursive: true, force: true });
  });

  it("throws PHP 8.2's TypeError: fewer than six callbacks are taken as the object form", async () => {
    // php -r: session_set_save_handler(function(){}) and (function(){}, function(){}), then (new stdClass)
    expect(await fetch(`${s.url}/bad.ts`).then((r) => r.text())).to.equal(
      'TypeError: session_set_save_handler(): Argument #1 ($open) must be of type SessionHandlerInterface, Closure given\n'.repeat(2) +
        'TypeError: session_set_save_handler(): Argument #1 ($open) must be of type SessionHandlerInterface, stdClass given\n'.repeat(2),
    );
  });
});

describe('a save handler whose read() returns no string', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(
      {
        'read.ts': `
import { echo, session_set_save_handler, session_start } from 'tsfpm';
export default async function () {
  session_set_save_handler({ open: () => true, close: () => true, read: () => undefined as never, write: () => true, destroy: () => true, gc: () => 0 });
  echo(JSON.stringify(await session_start()));
}`,
      },
      { ini: { display_errors: '1', html_errors: '0', 'session.save_path': '/srv/sessions' } },
    );
  });
  after(async () => {
    await s.close();
    rmSync(s.docroot, { recursive: true, force: true });
  });

  it("fails session_start() with PHP's warning, as a read() that returned false", async () => {
    const body = await fetch(`${s.url}/read.ts`).then((r) => r.text());
    expect(body).to.match(/^\nWarning: session_start\(\): Failed to read session data: user \(path: \/srv\/sessions\) in \S+ on line \d+\nfalse$/);
  });
});

describe('an error session_start() or session_regenerate_id() raises after it awaited the save handler', () => {
  let s: TestServer;
  // create_sid() gives an ID once, then null (PHP 8.2: "Session id must be a string")
  const handler = `{ open: () => true, close: () => true, read: () => '', write: () => true, destroy: () => true, gc: () => 0,
    create_sid: () => (calls++ === 0 ? 'abcdefabcdef0123' : null) as never }`;
  before(async () => {
    s = await startServer(
      {
        'start.ts': `import { session_set_save_handler, session_start } from 'tsfpm';\nexport default async function () {\n  let calls = 1; session_set_save_handler(${handler});\n  await session_start();\n}\n`,
        'regenerate.ts': `import { session_regenerate_id, session_set_save_handler, session_start } from 'tsfpm';\nexport default async function () {\n  let calls = 0; session_set_save_handler(${handler});\n  await session_start();\n  await session_regenerate_id();\n}\n`,
        'option.ts': `import { session_start } from 'tsfpm';\nexport default async function () {\n  await session_start({ read_and_close: 1.5 });\n}\n`,
      },
      { ini: { display_errors: '1', html_errors: '0', max_execution_time: '0', 'session.save_handler': 'memory' } },
    );
  });
  after(async () => {
    await s.close();
    rmSync(s.docroot, { recursive: true, force: true });
  });

  // PHP 8.2 (php -d zend.exception_ignore_args=1) prints these traces for the same statements
  for (const [script, line, error, fn] of [
    ['start.ts', 5, 'Error: Session id must be a string', 'session_start'],
    ['regenerate.ts', 6, 'Error: Session id must be a string', 'session_regenerate_id'],
    ['option.ts', 3, 'TypeError: session_start(): Option "read_and_close" must be of type string|int|bool, float given', 'session_start'],
  ] as const) {
    it(`${script}: names ${fn}() at the script's line in the stack trace, as PHP`, async () => {
      const file = join(s.docroot, script);
      const body = await fetch(`${s.url}/${script}`).then((r) => r.text());
      expect(body).to.equal(`\nFatal error: Uncaught ${error} in ${file}:${line}\nStack trace:\n#0 ${file}(${line}): ${fn}()\n#1 {main}\n  thrown in ${file} on line ${line}\n`);
    });
  }
});

describe('SessionHandler', () => {
  let s: TestServer;
  let savePath: string;

  before(async () => {
    savePath = tempDir();
    s = await startServer(
      {
        'write.ts': `
import { $_SESSION, SessionHandler, echo, session_set_save_handler, session_start } from 'tsfpm';
class Logged extends SessionHandler {
  override async write(id: string, data: string) { echo('write ' + data + '\\n'); return super.write(id, data); }
}
export default async function () {
  session_set_save_handler(new Logged());
  await session_start();
  $_SESSION.cart = ['book'];
}`,
        'read.ts': `
import { $_SESSION, echo, session_start } from 'tsfpm';
export default async function () {
  await session_start();
  echo(JSON.stringify($_SESSION));
}`,
      },
      { ini: { 'session.save_path': savePath, 'session.save_handler': 'files' } },
    );
  });
  after(async () => {
    await s.close();
    rmSync(s.docroot, { recursive: true, force: true });
    rmSync(savePath, { recursive: true, force: true });
  });

  it("fails session_start() with PHP's warnings when the wrapped store cannot be opened", async () => {
    const bad = await startServer(
      {
        'open.ts': `
import { SessionHandler, echo, session_set_save_handler, session_start } from 'tsfpm';
export default async function () {
  session_set_save_handler(new SessionHandler());
  echo(JSON.stringify(await session_start()));
}`,
      },
      { ini: { 'session.save_path': '1;x;/nonexistent', display_errors: '1', html_errors: '0' } },
    );
    try {
      const body = await fetch(`${bad.url}/open.ts`).then((r) => r.text());
      const warnings = [...body.matchAll(/^Warning: (.*) in \S+ on line \d+$/gm)].map((m) => m[1]);
      expect(warnings).to.deep.equal([
        // the same three warnings as PHP 8.2 in php-src's gh13856.phpt (there for open_basedir)
        'SessionHandler::open(): session.save_path: the second parameter in "1;x;/nonexistent" is invalid',
        'SessionHandler::close(): Parent session handler is not open',
        'session_start(): Failed to initialize storage module: user (path: 1;x;/nonexistent)',
      ]);
      expect(body.trimEnd().endsWith('false')).to.equal(true);
    } finally {
      await bad.close();
      rmSync(bad.docroot, { recursive: true, force: true });
    }
  });

  it('wraps the configured files handler: PHP-format sess_ files that a request without a handler reads', async () => {
    const id = 'sessionhandlerfiles0000000001';
    const written = await fetch(`${s.url}/write.ts`, { headers: { cookie: `PHPSESSID=${id}` } }).then((r) => r.text());
    expect(written).to.equal('write cart|a:1:{i:0;s:4:"book";}\n');
    expect(readdirSync(savePath)).to.deep.equal([`sess_${id}`]);
    expect(readFileSync(join(savePath, `sess_${id}`), 'utf8')).to.equal('cart|a:1:{i:0;s:4:"book";}');
    const read = await fetch(`${s.url}/read.ts`, { headers: { cookie: `PHPSESSID=${id}` } }).then((r) => r.text());
    expect(read).to.equal('{"cart":["book"]}');
  });
});

describe('session_register_shutdown()', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(
      {
        'order.ts': `
import { echo, register_shutdown_function, session_register_shutdown, session_start, session_status } from 'tsfpm';
export default async function () {
  await session_start();
  register_shutdown_function(() => echo('before: ' + session_status() + '\\n'));
  session_register_shutdown();
  register_shutdown_function(() => echo('after: ' + session_status() + '\\n'));
}`,
      },
      { ini: { 'session.save_handler': 'memory' } },
    );
  });
  after(async () => {
    await s.close();
    rmSync(s.docroot, { recursive: true, force: true });
  });

  it('closes the session as a shutdown function, in the order the shutdown functions were registered', async () => {
    const body = await fetch(`${s.url}/order.ts`).then((r) => r.text());
    expect(body).to.equal('before: 2\nafter: 1\n');
  });
});
