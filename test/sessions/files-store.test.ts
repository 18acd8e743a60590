// PHP's files save handler (ext/session/mod_files.c) as FilesStore: session files byte for byte as PHP 8.2 writes
// them (test/fixtures/files-store/generate.php), and a real PHP sharing the save_path, run live.

import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import express from 'express';
import session, { type SessionData } from 'express-session';
import { FileLocker } from '../../sessions/files/file-lock.ts';
import { FilesStore, InvalidSessionIdError, INVALID_ID_MESSAGE, parseSavePath, validateId } from '../../sessions/files/files-store.ts';
import { DECODE_FAILED_MESSAGE } from '../../sessions/serialize/session-codec.ts';
import { listenOnLoopback, tempDir } from '../support/server.ts';

interface FixtureCase {
  name: string;
  handler: 'php' | 'php_serialize';
  savePath: string;
  id: string;
  vars: Record<string, unknown>;
  mkdir: string[];
  file: string;
  mode: string;
  base64: string;
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/files-store/files.json', import.meta.url), 'utf8')) as {
  cases: FixtureCase[];
};

const HAS_PHP = spawnSync('php', ['-v']).status === 0;
const run = promisify(execFile);

/** Runs `code` in a real PHP with the files handler on `savePath`; `$argv[1..]` are `args`, `ini` more `-d` settings. */
async function php(savePath: string, handler: string, code: string, args: string[] = [], ini: string[] = []): Promise<string> {
  const { stdout } = await run('php', [
    '-n',
    '-d', `session.save_path="${savePath}"`,
    '-d', `session.serialize_handler=${handler}`,
    '-d', 'display_errors=stderr',
    ...ini.flatMap((setting) => ['-d', setting]),
    '-r', code, '--', ...args,
  ]);
  return stdout;
}

const COOKIE = { originalMaxAge: null, expires: null, httpOnly: true, path: '/' };
const withCookie = (vars: Record<string, unknown>): SessionData => ({ ...vars, cookie: COOKIE }) as unknown as SessionData;
const modeOf = (path: string): string => (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');

/** A store on a fresh folder, with the warnings it reported. */
function makeStore(options: { savePath?: string; serializeHandler?: 'php' | 'php_serialize'; gcMaxlifetime?: number } = {}) {
  const dir = tempDir();
  const warnings: string[] = [];
  const store = new FilesStore({
    savePath: options.savePath?.replace('{dir}', dir) ?? dir,
    serializeHandler: options.serializeHandler ?? 'php',
    gcMaxlifetime: options.gcMaxlifetime ?? 1440,
    warn: (m) => warnings.push(m),
  });
  return { dir, store, warnings };
}

describe('FilesStore', () => {
  describe('session files as PHP 8.2 writes them', () => {
    for (const fixture of fixtures.cases) {
      it(`writes PHP's bytes, file name and mode: ${fixture.name} (${fixture.savePath})`, async () => {
        const { dir, store } = makeStore({ savePath: fixture.savePath, serializeHandler: fixture.handler });
        for (const sub of fixture.mkdir) mkdirSync(join(dir, sub), { recursive: true });
        await store.set(fixture.id, withCookie(fixture.vars));
        const path = join(dir, fixture.file);
        expect(readFileSync(path).toString('latin1')).to.equal(Buffer.from(fixture.base64, 'base64').toString('latin1'));
        expect(modeOf(path)).to.equal(fixture.mode);
        expect(store.pathFor(fixture.id)).to.equal(path);
      });

      it(`reads the file PHP wrote: ${fixture.name}`, async () => {
        const { dir, store } = makeStore({ savePath: fixture.savePath, serializeHandler: fixture.handler });
        for (const sub of fixture.mkdir) mkdirSync(join(dir, sub), { recursive: true });
        writeFileSync(join(dir, fixture.file), Buffer.from(fixture.base64, 'base64'));
        expect({ ...(await store.get(fixture.id)) }).to.deep.equal({ ...fixture.vars, cookie: COOKIE });
      });
    }
  });

  describe('sharing a save_path with a real PHP', function () {
    before(function () {
      if (!HAS_PHP) {
        console.warn('    (skipped: no `php` on PATH; these tests run a real PHP 8.2)');
        this.skip();
      }
    });
    const vars = { n: 42, s: 'héllo', list: [1, 'two', 3.5], map: { k: 'v', deep: { t: true, f: null } } };
    const phpWrites = 'session_id($argv[1]); session_start(); $_SESSION = json_decode($argv[2], true);';
    const phpReads = 'session_id($argv[1]); session_start(); echo json_encode($_SESSION);';

    for (const handler of ['php', 'php_serialize'] as const) {
      it(`reads a session PHP wrote (${handler})`, async () => {
        const { dir, store } = makeStore({ serializeHandler: handler });
        await php(dir, handler, phpWrites, ['fromphp', JSON.stringify(vars)]);
        expect({ ...(await store.get('fromphp')) }).to.deep.equal({ ...vars, cookie: COOKIE });
      });

      it(`writes a session PHP reads (${handler})`, async () => {
        const { dir, store } = makeStore({ serializeHandler: handler });
        await store.set('fromnode', withCookie(vars));
        expect(JSON.parse(await php(dir, handler, phpReads, ['fromnode']))).to.deep.equal(vars);
      });
    }

    it('writes into N;MODE; nested folders where PHP reads', async () => {
      const { dir, store } = makeStore({ savePath: '2;0640;{dir}' });
      mkdirSync(join(dir, 'n/e'), { recursive: true });
      await store.set('nested1', withCookie({ a: 1 }));
      expect(JSON.parse(await php(`2;0640;${dir}`, 'php', phpReads, ['nested1']))).to.deep.equal({ a: 1 });
      expect(modeOf(join(dir, 'n/e/sess_nested1'))).to.equal('0640');
    });

    it('counts what it collects as session_gc() does', async () => {
      const counts: number[] = [];
      for (const collector of ['php', 'store'] as const) {
        const { dir, store } = makeStore({ gcMaxlifetime: 100 });
        plantForGc(dir);
        if (collector === 'php') {
          // PHP's own session is new; session_gc() returns the number it deleted.
          const ini = ['session.gc_maxlifetime=100', 'session.gc_probability=0'];
          counts.push(Number(await php(dir, 'php', 'session_start(); echo session_gc();', [], ini)));
        } else {
          counts.push(await store.gc());
        }
      }
      expect(counts).to.deep.equal([3, 3]);
    });
  });

  describe('write()/set(): in place, as PHP (pwrite at 0, ftruncate when shorter)', () => {
    it('keeps the inode and truncates a shorter session', async () => {
      const { store } = makeStore();
      await store.set('inplace', withCookie({ long: 'x'.repeat(100) }));
      const path = store.pathFor('inplace');
      const before = statSync(path).ino;
      await store.set('inplace', withCookie({ s: 'y' }));
      expect(statSync(path).ino).to.equal(before);
      expect(readFileSync(path, 'latin1')).to.equal('s|s:1:"y";');
    });

    it('never writes express-session\'s cookie into the PHP file', async () => {
      const { store } = makeStore();
      await store.set('nocookie', { a: 1, cookie: { originalMaxAge: 1000, expires: new Date(), httpOnly: true, path: '/' } } as never);
      expect(readFileSync(store.pathFor('nocookie'), 'latin1')).to.equal('a|i:1;');
    });

    it('creates missing files with mode 0600, as PHP', async () => {
      const { store } = makeStore();
      await store.write('fresh', Buffer.from('a|i:1;'));
      expect(modeOf(store.pathFor('fresh'))).to.equal('0600');
    });

    it('fails when an N; nested folder does not exist (PHP: open(...) failed: No such file or directory)', async () => {
      const { store } = makeStore({ savePath: '1;{dir}' });
      let error: unknown;
      await store.set('qmissing', withCookie({ a: 1 })).catch((e: unknown) => (error = e));
      expect(error).to.have.property('code', 'ENOENT');
    });
  });

  describe('touch() (update_timestamp)', () => {
    it('changes the mtime only, never the data', async () => {
      const { store } = makeStore();
      await store.write('touched', Buffer.from('a|i:1;'));
      const path = store.pathFor('touched');
      utimesSync(path, new Date(2000, 0, 1), new Date(2000, 0, 1));
      const ino = statSync(path).ino;
      await store.touch('touched', withCookie({ a: 2 }));
      expect(readFileSync(path, 'latin1')).to.equal('a|i:1;');
      expect(statSync(path).ino).to.equal(ino);
      expect(Date.now() - statSync(path).mtimeMs).to.be.below(5000);
    });

    it('leaves a missing session missing', async () => {
      const { store } = makeStore();
      await store.touch('gone', withCookie({ a: 1 }));
      expect(existsSync(store.pathFor('gone'))).to.equal(false);
    });

    it('updateTimestamp() writes the data when the file vanished, as PHP', async () => {
      const { store } = makeStore();
      await store.updateTimestamp('vanished', Buffer.from('a|i:1;'));
      expect(readFileSync(store.pathFor('vanished'), 'latin1')).to.equal('a|i:1;');
    });
  });

  describe('get() and destroy(): missing is not an error', () => {
    it('gives null for an unknown ID', async () => {
      const { store } = makeStore();
      expect(await store.get('unknown')).to.equal(null);
      expect(await store.read('unknown')).to.equal(null);
      expect(await store.exists('unknown')).to.equal(false);
    });

    it('destroys a session, and a missing one without error', async () => {
      const { store } = makeStore();
      await store.write('doomed', Buffer.from('a|i:1;'));
      await store.destroy('doomed');
      await store.destroy('doomed');
      expect(existsSync(store.pathFor('doomed'))).to.equal(false);
    });

    it('an empty session file is an empty session (PHP creates it at session_start)', async () => {
      const { store } = makeStore();
      await store.write('empty', Buffer.alloc(0));
      expect({ ...(await store.get('empty')) }).to.deep.equal({ cookie: COOKIE });
      expect(await store.exists('empty')).to.equal(true);
    });

    it('answers through express-session callbacks too', async () => {
      const { store } = makeStore();
      await new Promise<void>((resolve, reject) => store.set('cb', withCookie({ a: 1 }), (err) => (err ? reject(err) : resolve())));
      const got = await new Promise((resolve, reject) => store.get('cb', (err, sess) => (err ? reject(err) : resolve(sess))));
      expect(got).to.have.property('a', 1);
    });
  });

  describe('undecodable data', () => {
    for (const [handler, bytes] of [
      ['php', 'garbage without a bar'],
      ['php', 'a:1:{s:1:"a";i:1;}'], // php_serialize data read by the php handler
      ['php_serialize', 'a|i:1;'],
    ] as const) {
      it(`deletes the file and warns "${DECODE_FAILED_MESSAGE}" (${handler} reading ${JSON.stringify(bytes)})`, async () => {
        const { store, warnings } = makeStore({ serializeHandler: handler });
        await store.write('corrupt', Buffer.from(bytes));
        expect(await store.get('corrupt')).to.equal(null);
        expect(warnings).to.deep.equal([DECODE_FAILED_MESSAGE]);
        expect(existsSync(store.pathFor('corrupt'))).to.equal(false);
      });
    }
  });

  describe('session IDs', () => {
    const valid = ['a', 'ABCxyz019', 'with,comma-and-dash', 'x'.repeat(256)];
    const invalid = ['', 'a.b', '../etc', 'a/b', 'a b', 'ü', 'x'.repeat(257), 'sess\0'];
    for (const id of valid) it(`accepts ${JSON.stringify(id.length > 20 ? `${id.length} characters` : id)}`, () => expect(validateId(id)).to.equal(true));
    for (const id of invalid) {
      it(`refuses ${JSON.stringify(id.length > 20 ? `${id.length} characters` : id)} before it names a file`, async () => {
        const { store } = makeStore();
        expect(validateId(id)).to.equal(false);
        for (const call of [() => store.get(id), () => store.set(id, withCookie({})), () => store.destroy(id), () => store.touch(id, withCookie({}))]) {
          let error: unknown;
          await call().catch((e: unknown) => (error = e));
          expect(error).to.be.instanceOf(InvalidSessionIdError).with.property('message', INVALID_ID_MESSAGE);
        }
      });
    }

    it('refuses an ID not longer than N, which cannot name N folders and a file', () => {
      const { store } = makeStore({ savePath: '3;{dir}' });
      expect(() => store.pathFor('abc')).to.throw(InvalidSessionIdError, /Too short session ID/);
    });
  });

  describe('session.save_path', () => {
    const table: Array<[string, { dir: string; depth: number; mode: number }]> = [
      ['/var/sess', { dir: '/var/sess', depth: 0, mode: 0o600 }],
      ['2;/var/sess', { dir: '/var/sess', depth: 2, mode: 0o600 }],
      ['1;0640;/var/sess', { dir: '/var/sess', depth: 1, mode: 0o640 }],
      ['1;644;/a;b', { dir: '/a;b', depth: 1, mode: 0o644 }], // PHP splits twice at most
    ];
    for (const [input, expected] of table) {
      it(`parses ${JSON.stringify(input)}`, () => expect(parseSavePath(input)).to.deep.equal(expected));
    }
    it('uses the temporary folder for "" ($TMPDIR, else /tmp)', () => {
      const saved = process.env['TMPDIR'];
      try {
        process.env['TMPDIR'] = '/some/tmp/';
        expect(parseSavePath('').dir).to.equal('/some/tmp');
        delete process.env['TMPDIR'];
        expect(parseSavePath('').dir).to.equal('/tmp');
      } finally {
        if (saved === undefined) delete process.env['TMPDIR'];
        else process.env['TMPDIR'] = saved;
      }
    });
    for (const input of ['x;/p', '1;0999;/p', '1;77777;/p', '2;']) {
      it(`refuses ${JSON.stringify(input)} with a TypeError naming session.save_path`, () => {
        expect(() => parseSavePath(input)).to.throw(TypeError, /session\.save_path/);
      });
    }
  });

  describe('gc() (ps_files_cleanup_dir)', () => {
    it('deletes sess_* files older than maxlifetime by mtime and counts them', async () => {
      const { dir, store } = makeStore({ gcMaxlifetime: 100 });
      plantForGc(dir);
      expect(await store.gc()).to.equal(3);
      expect(existsSync(join(dir, 'sess_fresh'))).to.equal(true);
      expect(existsSync(join(dir, 'other_old'))).to.equal(true);
      // with maxlifetime 0 only a file modified in this very second is kept: date it ahead, so a slow run cannot age it
      const ahead = new Date(Date.now() + 60_000);
      utimesSync(join(dir, 'sess_fresh'), ahead, ahead);
      expect(await store.gc(0)).to.equal(0);
    });

    it('does nothing and returns -1 with N; nested folders, as PHP', async () => {
      const { dir, store } = makeStore({ savePath: '1;{dir}' });
      mkdirSync(join(dir, 'o'));
      writeFileSync(join(dir, 'o', 'sess_old'), '');
      utimesSync(join(dir, 'o', 'sess_old'), new Date(2000, 0, 1), new Date(2000, 0, 1));
      expect(await store.gc()).to.equal(-1);
      expect(existsSync(join(dir, 'o', 'sess_old'))).to.equal(true);
    });

    it('reports an unreadable folder through warn and returns -1', async () => {
      const { dir, store, warnings } = makeStore();
      rmSync(dir, { recursive: true });
      expect(await store.gc()).to.equal(-1);
      expect(warnings[0]).to.match(/^ps_files_cleanup_dir: opendir\(.*\) failed/);
    });
  });

  describe('all(), length(), clear()', () => {
    it('list, count and delete the sessions in N; nested folders', async () => {
      const { dir, store } = makeStore({ savePath: '1;{dir}' });
      for (const sub of ['a', 'b']) mkdirSync(join(dir, sub));
      await store.set('a1', withCookie({ n: 1 }));
      await store.set('a2', withCookie({ n: 2 }));
      await store.set('b1', withCookie({ n: 3 }));
      writeFileSync(join(dir, 'b', 'sess_b2'), 'not decodable');
      expect(await store.length()).to.equal(4);
      const all = (await store.all())!;
      expect(Object.keys(all).sort()).to.deep.equal(['a1', 'a2', 'b1']);
      expect(all['b1']).to.have.property('n', 3);
      await store.clear();
      expect(await store.length()).to.equal(0);
    });
  });

  describe('as the store of express-session', () => {
    it('keeps a session across requests in a PHP session file', async () => {
      const { store } = makeStore();
      const app = express();
      // express-session's own IDs are base64url, and PHP refuses the "_" that 40% of them contain: make PHP's IDs.
      const genid = () => randomBytes(16).toString('hex');
      app.use(session({ store, genid, secret: 'test', resave: false, saveUninitialized: false, name: 'PHPSESSID' }));
      app.get('/', (req, res) => {
        const s = req.session as unknown as { n?: number };
        s.n = (s.n ?? 0) + 1;
        res.send(String(s.n));
      });
      const served = await listenOnLoopback(app);
      try {
        const url = `${served.url}/`;
        const first = await fetch(url);
        const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
        expect(await first.text()).to.equal('1');
        expect(await (await fetch(url, { headers: { cookie } })).text()).to.equal('2');
        const id = decodeURIComponent(cookie.slice('PHPSESSID='.length)).slice(2).split('.')[0]!;
        expect(readFileSync(store.pathFor(id), 'latin1')).to.equal('n|i:2;');
      } finally {
        await served.close();
      }
    });
  });
});

/** Three sess_ files older than 100 s, one fresh, and an old file without the prefix. */
function plantForGc(dir: string): void {
  const old = new Date(Date.now() - 200_000);
  for (const name of ['sess_old1', 'sess_old2', 'sess_old3', 'other_old', 'sess_fresh']) {
    writeFileSync(join(dir, name), 'a|i:1;');
    if (name !== 'sess_fresh') utimesSync(join(dir, name), old, old);
  }
}

describe('FilesStore with the lock\'s descriptor (as mod_files reads and writes the file it locked)', () => {
  let dir: string;
  let locker: FileLocker;
  let store: FilesStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsfpm-files-descriptor-'));
    store = new FilesStore({ savePath: dir, lockedFile: (id) => locker.lockedFile(id) });
    locker = new FileLocker({ path: (id) => store.pathFor(id) });
  });
  afterEach(async () => {
    await locker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lock = async (id: string, newId = false) => {
    const result = await locker.acquire(id, { waitMs: 1000, ttlMs: 30_000, owner: 'spec', newId });
    if (!result.ok) throw new Error('no lock');
    return result.lock;
  };

  it('reads and writes through the locked descriptor, not the path', async () => {
    const id = 'descriptor0123456789abcdef';
    const held = await lock(id);
    await store.write(id, Buffer.from('a|i:1;'));
    // the path now names another file: the locked descriptor still reaches the session's own
    const path = store.pathFor(id);
    renameSync(path, `${path}.moved`);
    writeFileSync(path, 'b|i:2;');
    expect(String(await store.read(id))).to.equal('a|i:1;');
    await store.write(id, Buffer.from('c|i:3;'));
    await held.release();
    expect(readFileSync(`${path}.moved`, 'utf8')).to.equal('c|i:3;');
    expect(String(await store.read(id))).to.equal('b|i:2;');
  });

  it('shortens a file whose new data is shorter, as ftruncate after pwrite', async () => {
    const id = 'shorter0123456789abcdefgh';
    const held = await lock(id);
    await store.write(id, Buffer.from('long|s:10:"0123456789";'));
    await store.write(id, Buffer.from('a|i:1;'));
    expect(readFileSync(store.pathFor(id), 'utf8')).to.equal('a|i:1;');
    await held.release();
  });

  it('hands the session as last written to the next holder in this process, which reads nothing (no one else can write it under the lock)', async () => {
    const id = 'handoff0123456789abcdefgh';
    const first = await lock(id);
    await store.write(id, Buffer.from('a|i:1;'));
    const second = lock(id);
    await first.release();
    const held = await second;
    // a write that did not take the lock (never PHP's) is not seen: the content came with the lock
    writeFileSync(store.pathFor(id), 'x|i:9;');
    expect(String(await store.read(id))).to.equal('a|i:1;');
    await held.release();
  });

  it('setFenced() writes through the held lock, and writes nothing once its file was deleted or the lock released', async () => {
    const id = 'fenced0123456789abcdefghi';
    const data = (n: number) => Object.assign(Object.create(null), { n, cookie: { path: '/' } }) as unknown as SessionData;
    const held = await lock(id, true);
    expect(await store.setFenced(id, data(1), held)).to.equal(true);
    expect(readFileSync(store.pathFor(id), 'utf8')).to.equal('n|i:1;');
    // another process's session_destroy() or gc: the lock is on the deleted file, a new one at the path is not it
    rmSync(store.pathFor(id));
    expect(await store.setFenced(id, data(2), held)).to.equal(false);
    expect(held.lost).to.equal(true);
    expect(existsSync(store.pathFor(id))).to.equal(false);
    await held.release();
    const again = await lock(id);
    await again.release();
    expect(await store.setFenced(id, data(3), again)).to.equal(false);
    expect(readFileSync(store.pathFor(id), 'utf8')).to.equal('');
  });

  it('creates the file of a new ID with O_EXCL and knows it empty; an ID whose file exists is read as usual', async () => {
    const fresh = 'freshid0123456789abcdefgh';
    const held = await lock(fresh, true);
    expect(readFileSync(store.pathFor(fresh), 'utf8')).to.equal('');
    expect((await store.read(fresh))?.length).to.equal(0);
    await held.release();
    const taken = 'takenid0123456789abcdefgh';
    writeFileSync(store.pathFor(taken), 'a|i:1;');
    const again = await lock(taken, true);
    expect(String(await store.read(taken))).to.equal('a|i:1;');
    await again.release();
  });
});
