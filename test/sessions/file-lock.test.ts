// FileLocker: the flock(LOCK_EX) PHP's files handler takes on sess_<id> at session_start(), checked against
// itself, a second Node process (test/fixtures/files-store/lock-holder.ts) and a real PHP 8.2 run live.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { FileLocker } from '../../sessions/files/file-lock.ts';
import { heldLock as held, lockOptions, runLockContract } from './lock-contract.ts';
import { sleep } from '../support/wait.ts';

const HAS_PHP = spawnSync('php', ['-v']).status === 0;
const HOLDER_SCRIPT = fileURLToPath(new URL('../fixtures/files-store/lock-holder.ts', import.meta.url));

const opts = (owner: string, waitMs?: number) => lockOptions(owner, waitMs === undefined ? {} : { waitMs });

/** This process's open descriptors of files under `dir`. */
function descriptorsIn(dir: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false;
    }
  }).length;
}

/** Resolves with the first line `child` prints. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before printing a line: ${err}`)));
  });
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/** PHP's files handler on `dir`, running `code` for session ID `id`. */
function php(dir: string, code: string, id: string): ChildProcess {
  return spawn('php', ['-n', '-d', `session.save_path=${dir}`, '-d', 'display_errors=stderr', '-r', code, '--', id]);
}

runLockContract('FileLocker', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsfpm-file-lock-contract-'));
  const locker = new FileLocker({ path: (id) => join(dir, `sess_${id}`) });
  return {
    locker,
    cleanup: async () => {
      await locker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('FileLocker', () => {
  let dir: string;
  let locker: FileLocker;
  let logged: string[];
  const path = (id: string) => join(dir, `sess_${id}`);
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsfpm-file-lock-'));
    logged = [];
    locker = new FileLocker({ path, log: (line) => logged.push(line) });
  });
  afterEach(async () => {
    await locker.close();
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  describe('waiting in one process', () => {
    it('waitMs 0 makes one attempt only', async () => {
      const first = held(await locker.acquire('x', opts('first')));
      expect(await locker.acquire('x', opts('second', 0))).to.deep.equal({ ok: false, holder: 'first', waitedMs: 0 });
      await first.release();
      await held(await locker.acquire('x', opts('third', 0))).release();
    });

    it('a waiter that timed out does not hold up the ones behind it', async () => {
      const first = held(await locker.acquire('x', opts('first')));
      const impatient = locker.acquire('x', opts('impatient', 100));
      const patient = locker.acquire('x', opts('patient', 5000));
      expect(await impatient).to.include({ ok: false, holder: 'first' });
      await first.release();
      await held(await patient).release();
    });
  });

  describe('the session file', () => {
    it('is created empty with mode 0600 when locked, as at PHP\'s session_start()', async () => {
      const lock = held(await locker.acquire('new', opts('me')));
      expect(readFileSync(path('new')).length).to.equal(0);
      expect(statSync(path('new')).mode & 0o777).to.equal(0o600);
      await lock.release();
    });

    it('takes its mode from the option (session.save_path MODE)', async () => {
      const custom = new FileLocker({ path, mode: 0o640 });
      await held(await custom.acquire('moded', opts('me'))).release();
      await custom.close();
      expect(statSync(path('moded')).mode & 0o777).to.equal(0o640);
    });

    it('keeps existing data', async () => {
      writeFileSync(path('kept'), 'a|i:1;');
      await held(await locker.acquire('kept', opts('me'))).release();
      expect(readFileSync(path('kept'), 'latin1')).to.equal('a|i:1;');
    });

    it('a missing nested folder is an error, as PHP\'s open() failure', async () => {
      const nested = new FileLocker({ path: (id) => join(dir, 'missing', `sess_${id}`) });
      let error: unknown;
      await nested.acquire('x', opts('me')).catch((e: unknown) => (error = e));
      await nested.close();
      expect(error).to.have.property('code', 'ENOENT');
    });

    it('an ID the path function refuses is an error', async () => {
      const strict = new FileLocker({
        path: () => {
          throw new Error('Session ID is too long or contains illegal characters');
        },
      });
      let error: unknown;
      await strict.acquire('../x', opts('me')).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(Error);
      await strict.close();
    });

    it('marks the lock lost when its file is deleted while held, and fencedWrite() refuses', async () => {
      const lock = held(await locker.acquire('x', opts('me')));
      unlinkSync(path('x'));
      let wrote = false;
      expect(await locker.fencedWrite(lock, async () => void (wrote = true))).to.equal(false);
      expect(wrote).to.equal(false);
      expect(lock.lost).to.equal(true);
      expect(logged[0]).to.match(/session lock on x \(me\) lost/);
      await lock.release();
    });

    it('a waiter whose holder deleted the file (session_destroy) locks the new file, not the deleted one', async () => {
      // Two lockers: two open file descriptions, excluding each other as two processes do.
      const other = new FileLocker({ path });
      const first = held(await other.acquire('x', opts('destroyer')));
      const waiting = locker.acquire('x', opts('waiter'));
      await sleep(100);
      unlinkSync(path('x'));
      await first.release();
      const second = held(await waiting);
      expect(existsSync(path('x'))).to.equal(true);
      expect(await second.verify()).to.equal(true);
      // and the new file is really locked: the other locker cannot get it
      expect(await other.acquire('x', opts('late', 0))).to.include({ ok: false });
      await second.release();
      await other.close();
    });
  });

  describe('handing the lock on inside one process', () => {
    it('gives the locked file to the next waiter here without unlocking it: another process cannot slip in', async () => {
      const other = new FileLocker({ path });
      const first = held(await locker.acquire('x', opts('first')));
      const second = locker.acquire('x', opts('second'));
      const foreign = other.acquire('x', opts('other process', 10_000));
      await sleep(10);
      await first.release();
      const next = held(await second);
      expect(await other.acquire('x', opts('probe', 0))).to.include({ ok: false });
      await next.release();
      await held(await foreign).release();
      await other.close();
    });

    it('lets the file go after a run of hand-offs, so a waiting process gets its turn', async () => {
      const other = new FileLocker({ path });
      const order: string[] = [];
      const first = held(await locker.acquire('x', opts('first')));
      const local = Array.from({ length: 40 }, (_, i) =>
        locker.acquire('x', opts(`local ${i}`)).then(async (result) => {
          order.push(`local ${i}`);
          await sleep(1);
          await held(result).release();
        }),
      );
      const foreign = other.acquire('x', opts('other process', 20_000)).then(async (result) => {
        order.push('other process');
        await held(result).release();
      });
      await sleep(20);
      await first.release();
      await Promise.all([...local, foreign]);
      expect(order.indexOf('other process')).to.be.below(order.length - 1);
      await other.close();
    });

    it('keeps a file let go with nobody waiting locked to the end of the event-loop turn, for a request of the same ID in it', async () => {
      const other = new FileLocker({ path });
      await held(await locker.acquire('x', opts('first'))).release();
      expect(await other.acquire('x', opts('other process', 0))).to.include({ ok: false, holder: undefined });
      await held(await locker.acquire('x', opts('second, same turn', 0))).release();
      await new Promise((resolve) => setImmediate(resolve));
      await held(await other.acquire('x', opts('other process, next turn', 0))).release();
      await other.close();
    });

    it('lets a file go at once, not at the end of the turn, once it met another process\'s lock: that process polls for its turn', async () => {
      const other = new FileLocker({ path });
      const theirs = held(await other.acquire('y', opts('other process')));
      expect(await locker.acquire('y', opts('probe', 0))).to.include({ ok: false });
      await held(await locker.acquire('x', opts('first'))).release();
      await held(await other.acquire('x', opts('other process, same turn', 0))).release();
      await theirs.release();
      await other.close();
    });

    it('a file deleted by its holder (session_destroy) is not handed on: the next waiter locks the new file', async () => {
      const first = held(await locker.acquire('x', opts('destroyer')));
      const waiting = locker.acquire('x', opts('waiter'));
      unlinkSync(path('x'));
      await first.release();
      const second = held(await waiting);
      expect(existsSync(path('x'))).to.equal(true);
      expect(await second.verify()).to.equal(true);
      await second.release();
    });
  });

  describe('close()', () => {
    it('releases held locks, gives up waits and leaves no descriptor open', async () => {
      const other = new FileLocker({ path });
      const foreign = held(await other.acquire('x', opts('other process')));
      const mine = held(await locker.acquire('y', opts('mine')));
      const polling = locker.acquire('x', opts('w1', 10_000));
      const queued = locker.acquire('x', opts('w2', 10_000));
      await sleep(50);
      await other.close(); // its descriptor closed: w1 gets x
      expect(await polling).to.include({ ok: true });
      await locker.close();
      expect(await queued).to.include({ ok: false });
      expect(await mine.verify()).to.equal(false);
      expect(descriptorsIn(dir)).to.equal(0);
      expect(await locker.acquire('z', opts('after close'))).to.include({ ok: false });
      // every lock was released: another locker takes them at once
      const third = new FileLocker({ path });
      await held(await third.acquire('x', opts('third', 0))).release();
      await held(await third.acquire('y', opts('third', 0))).release();
      await third.close();
      expect(foreign.lost).to.equal(false); // closed with its locker: released, not lost
    });

    it('a wait that timed out leaves no descriptor open', async () => {
      const other = new FileLocker({ path });
      const foreign = held(await other.acquire('x', opts('other process')));
      expect(await locker.acquire('x', opts('impatient', 100))).to.include({ ok: false, holder: undefined });
      expect(descriptorsIn(dir)).to.equal(1); // the other locker's
      await foreign.release();
      await other.close();
      expect(descriptorsIn(dir)).to.equal(0);
    });
  });

  describe('across Node processes', function () {
    this.timeout(30_000);

    const holder = (file: string, holdMs?: number): ChildProcess => {
      const child = spawn(process.execPath, ['--import', 'tsx', HOLDER_SCRIPT, file, ...(holdMs === undefined ? [] : [String(holdMs)])], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      return child;
    };

    it('two processes exclude each other', async () => {
      const child = holder(path('x'), 700);
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      expect(await firstLine(child)).to.match(/^locked/);
      expect(await locker.acquire('x', opts('parent', 200))).to.include({ ok: false, holder: undefined });
      const lock = held(await locker.acquire('x', opts('parent', 10_000)));
      const grantedAt = Date.now();
      await exited(child);
      // the child stamped the time just before it let go: the lock came to this process after that
      const releasedAt = Number(/^releasing (\d+)$/m.exec(output)?.[1]);
      expect(grantedAt).to.be.at.least(releasedAt);
      // and the other way round
      const second = holder(path('x'));
      await sleep(300);
      expect(second.stdout!.readableLength).to.equal(0);
      await lock.release();
      expect(await firstLine(second)).to.match(/^locked/);
    });

    it('SIGKILL of the holding process frees the lock at once', async () => {
      const child = holder(path('x'));
      expect(await firstLine(child)).to.match(/^locked/);
      const order: string[] = [];
      // the killed holder never releases and a flock has no TTL: only the kernel can let this waiter in
      const waiting = locker.acquire('x', opts('parent', 15_000)).then((result) => (order.push('granted'), result));
      await sleep(200);
      order.push('killed');
      child.kill('SIGKILL');
      const lock = held(await waiting);
      expect(order).to.deep.equal(['killed', 'granted']);
      await lock.release();
    });
  });

  describe('with a real PHP (its files handler flocks the same file)', function () {
    this.timeout(30_000);
    before(function () {
      if (!HAS_PHP) {
        console.warn('    (skipped: no `php` on PATH; these tests run a real PHP 8.2)');
        this.skip();
      }
    });

    it('PHP holding the session blocks acquire() until its script ends', async () => {
      const child = php(dir, 'session_id($argv[1]); session_start(); echo "started\\n"; usleep(1000000); $_SESSION["by"] = "php";', 'shared');
      children.push(child);
      expect(await firstLine(child)).to.equal('started');
      const lock = held(await locker.acquire('shared', opts('node', 10_000)));
      // PHP wrote at shutdown, then closed the file (its lock) as the last thing before exiting
      expect(readFileSync(path('shared'), 'latin1')).to.equal('by|s:3:"php";');
      await exited(child);
      await lock.release();
    });

    it('gives up after waitMs while PHP holds it, with no known holder', async () => {
      const child = php(dir, 'session_id($argv[1]); session_start(); echo "started\\n"; usleep(1500000);', 'shared');
      children.push(child);
      await firstLine(child);
      expect(await locker.acquire('shared', opts('node', 300))).to.include({ ok: false, holder: undefined });
      expect(child.exitCode).to.equal(null);
    });

    it('a held lock blocks PHP\'s session_start() until release', async () => {
      const lock = held(await locker.acquire('shared', opts('node')));
      // No output before session_start(): in the CLI it would count as headers sent and session_start() would fail.
      const child = php(
        dir,
        'session_id($argv[1]); session_start(); echo json_encode($_SESSION), "\\n";',
        'shared',
      );
      children.push(child);
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await sleep(700);
      expect(output).to.equal(''); // still waiting in session_start()
      writeFileSync(path('shared'), 'from|s:4:"node";'); // written by the holder before it lets go
      await lock.release();
      await exited(child);
      // what the holder wrote before it let go: PHP read the session only after the release
      expect(JSON.parse(output)).to.deep.equal({ from: 'node' });
    });
  });
});
