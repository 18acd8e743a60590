/**
 * The session state machine (sessions/session.ts) in process, through its host seam: no HTTP, a real files
 * store in a temp folder, the settings from tsfpm's own table. The HTTP side (cookies in, headers out) is
 * the session host's, specified over a socket in the other session specs.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../sessions/open-backend.ts';
import { PHP_SESSION_ACTIVE, PHP_SESSION_NONE, PhpSession, type SessionHost } from '../../sessions/session.ts';
import { createOrderedRecord } from '../../sessions/serialize/ordered-record.ts';
import type { SessionData } from '../../sessions/backend.ts';
import { IniSettings, RequestIni } from '../../runtime/settings/settings-table.ts';

/** One request as the session sees it: the cookie it came with, and what it sent back. */
interface Request {
  readonly session: PhpSession;
  readonly headers: string[];
  readonly warnings: string[];
  cookie: string | undefined;
}

describe('the session state machine, without HTTP', () => {
  let savePath: string;
  let settings: IniSettings;

  before(() => {
    savePath = mkdtempSync(join(tmpdir(), 'tsfpm-session-state-'));
    settings = new IniSettings('development', [
      { name: 'session.save_path', value: savePath, origin: 'spec' },
      { name: 'session.gc_probability', value: '0', origin: 'spec' },
    ]);
  });
  after(() => rmSync(savePath, { recursive: true, force: true }));

  function request(cookie?: string): Request {
    const ini = new RequestIni(settings);
    const made: Request = { session: undefined as unknown as PhpSession, headers: [], warnings: [], cookie };
    const host: SessionHost = {
      setting: (name) => ini.get(name) ?? '',
      int: (name) => ini.int(name),
      bool: (name) => ini.bool(name),
      setSetting: () => false,
      headersSent: () => false,
      clientId: () => made.cookie,
      sendCookie: (_name, id) => void (made.cookie = id),
      replaceHeader: (line) => void made.headers.push(line),
      scriptMtime: () => undefined,
      warning: (message) => void made.warnings.push(message),
      notice: (message) => void made.warnings.push(message),
      log: () => {},
      owner: 'spec',
      idExtraChars: '',
      backend: () =>
        openBackend({ handler: 'files', savePath, serializeHandler: 'php', gcMaxlifetime: 1440, redisFormat: 'express', log: () => {} }),
    };
    return Object.assign(made, { session: new PhpSession(host, createOrderedRecord<SessionData>()) });
  }

  it('session_start() with no ID makes one of session.sid_length characters, sends it as the cookie, and sends the cache limiter headers', async () => {
    const a = request();
    expect(a.session.status).to.equal(PHP_SESSION_NONE);
    expect(await a.session.start()).to.equal(true);
    expect(a.session.status).to.equal(PHP_SESSION_ACTIVE);
    expect(a.cookie).to.have.length(Number(settings.get('session.sid_length')));
    expect(a.cookie).to.equal(a.session.id);
    expect(a.headers.some((line) => line.startsWith('Cache-Control: no-store'))).to.equal(true);
    await a.session.release(true);
  });

  it('what one request writes at its close, the next request with that cookie reads', async () => {
    const a = request();
    await a.session.start();
    a.session.data.count = 1;
    await a.session.release(true);
    const b = request(a.cookie);
    await b.session.start();
    expect(b.session.id).to.equal(a.session.id);
    expect({ ...b.session.data }).to.deep.equal({ count: 1 });
    await b.session.release(true);
    expect(a.warnings.concat(b.warnings)).to.deep.equal([]);
  });

  it('a second session_start() on the same ID waits for the first one to write and let go of the lock', async () => {
    const a = request();
    await a.session.start();
    const order: string[] = [];
    const b = request(a.cookie);
    const started = b.session.start().then(() => order.push(`b started, count ${String(b.session.data.count)}`));
    await new Promise((resolve) => setImmediate(resolve));
    a.session.data.count = 2;
    order.push('a closes');
    await a.session.release(true);
    await started;
    expect(order).to.deep.equal(['a closes', 'b started, count 2']);
    await b.session.release(true);
  });

  it('writes $_SESSION to the sess_ file in PHP\'s format, without a variable named cookie (express-session\'s record has that name)', async () => {
    const a = request();
    await a.session.start();
    a.session.data.n = 1;
    a.session.data.cookie = 'kept in memory only';
    a.session.data.s = 'x';
    await a.session.release(true);
    expect(readFileSync(join(savePath, `sess_${a.session.id}`), 'latin1')).to.equal('n|i:1;s|s:1:"x";');
    expect(a.warnings).to.deep.equal([]);
  });
});
