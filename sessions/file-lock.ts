/**
 * The session lock of the files store: an exclusive flock(2) on the sess_ file itself, the very lock PHP's
 * files handler takes at session_start(), so tsfpm and PHP processes sharing a save_path exclude each other.
 *
 * Node has no flock() and native addons are not available, so the lock is taken by util-linux's `flock`
 * command on a descriptor this process opened and lent to it (`flock -x 3`). flock(2) locks belong to the open
 * file description, not the process: when the child exits the lock stays, held by this process's descriptor,
 * until that descriptor is closed. So a held lock costs no process, release is a close(), and if this process
 * dies the kernel closes the descriptor and drops the lock at once. A child runs only while waiting.
 *
 * Inside one process, waiters for one ID queue in arrival order and only the first of them waits in flock;
 * a release closes the descriptor and starts the next waiter's flock at once.
 *
 * The kernel's lock has no time to live: `ttlMs` is not used, and a lock is never taken over while its
 * holder's process lives. It is *lost* only when its file is deleted or replaced while held (another process's
 * session_destroy() or GC), since a new file at that path is a different lock.
 * @module
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { AcquireResult, HeldLock, LockOptions, SessionLocker } from './lock.ts';

export interface FileLockerOptions {
  /** The file whose flock is the session's lock: the files store's sess_ file (`FilesStore.pathFor`). May throw for an invalid ID. */
  readonly path: (id: string) => string;
  /** The mode of a session file the lock creates, as session.save_path's MODE. @default 0o600 */
  readonly mode?: number;
  /** Diagnostics: lost locks, flock failures. */
  readonly log?: (line: string) => void;
}

/** The exit code asked of flock for "the lock is held elsewhere" (timeout or --nonblock), apart from its errors. */
const CONFLICT_EXIT_CODE = 75;
const OPEN_FLAGS = constants.O_CREAT | constants.O_RDWR | constants.O_NOFOLLOW;

/** One acquire() call. */
interface Waiter {
  readonly id: string;
  readonly path: string;
  readonly options: LockOptions;
  readonly startedAt: number;
  readonly resolve: (result: AcquireResult) => void;
  readonly reject: (error: unknown) => void;
  timer?: NodeJS.Timeout;
  /** The flock child while this waiter waits in the kernel. */
  child?: ChildProcess;
  /** Its time is up (or the locker closed): stop waiting. */
  expired: boolean;
}

/** The holder and the waiters of one session ID in this process. */
interface Line {
  holder: FileHeldLock | undefined;
  /** The waiter at the head, waiting in flock. */
  trying: Waiter | undefined;
  readonly queue: Waiter[];
}

/** flock(LOCK_EX) on the session file, compatible with PHP's files handler. */
export class FileLocker implements SessionLocker {
  readonly #path: (id: string) => string;
  readonly #mode: number;
  readonly #log: (line: string) => void;
  readonly #lines = new Map<string, Line>();
  readonly #children = new Set<ChildProcess>();
  /** Lock attempts under way, so close() can wait for them to end. */
  readonly #attempts = new Set<Promise<void>>();
  #closed = false;

  constructor(options: FileLockerOptions) {
    this.#path = options.path;
    this.#mode = options.mode ?? 0o600;
    this.#log = options.log ?? (() => {});
  }

  /**
   * Waits for the lock on `id`, creating its file (0 bytes, `mode`) if missing, as PHP's session_start() does.
   * A waiter that gives up learns the holder's owner when the holder is in this process.
   * After close() it resolves `ok: false`.
   * @throws (rejects) a TypeError for a waitMs that is not a finite number >= 0; the open error when the file
   *   cannot be opened (a nested save_path folder that does not exist, as PHP); an Error when flock is missing
   */
  async acquire(id: string, options: LockOptions): Promise<AcquireResult> {
    if (!(options.waitMs >= 0) || !Number.isFinite(options.waitMs)) {
      throw new TypeError(`LockOptions.waitMs must be a finite number >= 0, got ${options.waitMs}`);
    }
    if (this.#closed) return { ok: false, holder: undefined, waitedMs: 0 };
    const path = this.#path(id);
    let line = this.#lines.get(id);
    if (line === undefined) {
      line = { holder: undefined, trying: undefined, queue: [] };
      this.#lines.set(id, line);
    }
    if (options.waitMs <= 0 && (line.holder || line.trying || line.queue.length > 0)) {
      return { ok: false, holder: line.holder?.owner, waitedMs: 0 };
    }
    const busy = line;
    return new Promise<AcquireResult>((resolve, reject) => {
      const waiter: Waiter = { id, path, options, startedAt: performance.now(), resolve, reject, expired: false };
      if (options.waitMs > 0) waiter.timer = setTimeout(() => this.#expire(busy, waiter), options.waitMs);
      busy.queue.push(waiter);
      this.#next(id, busy);
    });
  }

  /** Checks that `lock` still holds its file (not released, not deleted or replaced), then writes. */
  async fencedWrite(lock: HeldLock, write: () => Promise<void>): Promise<boolean> {
    if (!(await lock.verify())) return false;
    await write();
    return true;
  }

  /** Releases every held lock, gives up every wait (`ok: false`) and ends every flock child. */
  async close(): Promise<void> {
    this.#closed = true;
    const releases: Array<Promise<void>> = [];
    for (const line of this.#lines.values()) {
      for (const waiter of line.queue.splice(0)) this.#giveUp(waiter, line.holder?.owner);
      if (line.trying) line.trying.expired = true;
      if (line.holder) releases.push(line.holder.release());
    }
    for (const child of this.#children) child.kill('SIGKILL');
    await Promise.all([...releases, ...this.#attempts]);
  }

  #expire(line: Line, waiter: Waiter): void {
    waiter.expired = true;
    const queued = line.queue.indexOf(waiter);
    if (queued >= 0) {
      line.queue.splice(queued, 1);
      this.#giveUp(waiter, line.holder?.owner);
    } else if (line.trying === waiter) {
      this.#stopWaiting(waiter);
    }
  }

  #giveUp(waiter: Waiter, holder: string | undefined): void {
    clearTimeout(waiter.timer);
    waiter.resolve({ ok: false, holder, waitedMs: performance.now() - waiter.startedAt });
  }

  #stopWaiting(waiter: Waiter): void {
    waiter.expired = true;
    waiter.child?.kill('SIGKILL');
  }

  /** Lets the first waiter of `id` wait in flock, unless the lock is held or being waited for here. */
  #next(id: string, line: Line): void {
    if (line.holder || line.trying) return;
    const waiter = line.queue.shift();
    if (waiter === undefined) {
      this.#lines.delete(id);
      return;
    }
    line.trying = waiter;
    const attempt = this.#lock(waiter).then(
      (file) => {
        line.trying = undefined;
        if (file !== undefined && this.#closed) {
          void file.close();
          file = undefined;
        }
        if (file === undefined) {
          this.#giveUp(waiter, undefined); // held by another process: its owner is unknown here
        } else {
          clearTimeout(waiter.timer);
          const lock = new FileHeldLock(waiter, file, this.#log, () => {
            line.holder = undefined;
            this.#next(id, line);
          });
          line.holder = lock;
          waiter.resolve({ ok: true, lock, waitedMs: performance.now() - waiter.startedAt });
        }
        this.#next(id, line);
      },
      (error: unknown) => {
        line.trying = undefined;
        clearTimeout(waiter.timer);
        waiter.reject(error);
        this.#next(id, line);
      },
    );
    this.#attempts.add(attempt);
    void attempt.finally(() => this.#attempts.delete(attempt));
  }

  /** Opens the file and flocks it; undefined when the time ran out. Retries when the file was replaced while waiting. */
  async #lock(waiter: Waiter): Promise<FileHandle | undefined> {
    for (;;) {
      if (waiter.expired) return undefined;
      const file = await open(waiter.path, OPEN_FLAGS, this.#mode);
      let locked = false;
      try {
        locked = await this.#flock(waiter, file);
        if (!locked) return undefined;
        // A holder that deleted the file (session_destroy, GC) before we got the lock leaves us an unlinked inode.
        if (await isCurrentFile(file, waiter.path)) return file;
        locked = false;
      } finally {
        if (!locked) await file.close();
      }
    }
  }

  /** Runs `flock -x 3` on the file; true once it holds the lock, false on conflict or when stopped. */
  #flock(waiter: Waiter, file: FileHandle): Promise<boolean> {
    const remainingMs = waiter.options.waitMs - (performance.now() - waiter.startedAt);
    // -w bounds the child even if this process dies while it waits; the timer normally ends it first.
    const wait = waiter.options.waitMs <= 0 ? ['--nonblock'] : ['--timeout', (Math.max(remainingMs, 1) / 1000).toFixed(3)];
    const child = spawn('flock', ['--exclusive', '--conflict-exit-code', String(CONFLICT_EXIT_CODE), ...wait, '3'], {
      stdio: ['ignore', 'ignore', 'pipe', file.fd],
    });
    waiter.child = child;
    this.#children.add(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const done = new Promise<boolean>((resolve, reject) => {
      child.once('error', (error) => reject(new Error(`FileLocker needs util-linux's flock command: ${error.message}`, { cause: error })));
      child.once('close', (code, signal) => {
        if (code === 0) resolve(true);
        else if (code === CONFLICT_EXIT_CODE || signal !== null) resolve(false);
        else reject(new Error(`flock ${waiter.path} exited with ${code}: ${stderr.trim()}`));
      });
    });
    return done.finally(() => {
      this.#children.delete(child);
      waiter.child = undefined;
    });
  }
}

/** A held flock: the open descriptor is the lock. */
class FileHeldLock implements HeldLock {
  readonly id: string;
  readonly token = randomBytes(16).toString('hex');
  readonly acquiredAt = performance.now();
  /** Who holds it, for waiters that give up. */
  readonly owner: string;
  readonly #path: string;
  readonly #file: FileHandle;
  readonly #log: (line: string) => void;
  readonly #onRelease: () => void;
  #released = false;
  #lost = false;

  constructor(waiter: Waiter, file: FileHandle, log: (line: string) => void, onRelease: () => void) {
    this.id = waiter.id;
    this.owner = waiter.options.owner;
    this.#path = waiter.path;
    this.#file = file;
    this.#log = log;
    this.#onRelease = onRelease;
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** True while this lock is held and its file is still the one at the session's path. */
  async verify(): Promise<boolean> {
    if (this.#released || this.#lost) return false;
    if (await isCurrentFile(this.#file, this.#path)) return true;
    if (!this.#released && !this.#lost) {
      this.#lost = true;
      this.#log(`tsfpm: session lock on ${this.id} (${this.owner}) lost: ${this.#path} was deleted or replaced while held`);
    }
    return false;
  }

  /** Closes the descriptor, which drops the flock; idempotent. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#file.close().catch(() => {});
    this.#onRelease();
  }
}

/** Whether `file` is still the file at `path` (same device and inode). */
async function isCurrentFile(file: FileHandle, path: string): Promise<boolean> {
  try {
    const [held, current] = await Promise.all([file.stat(), stat(path)]);
    return held.ino === current.ino && held.dev === current.dev;
  } catch {
    return false;
  }
}
