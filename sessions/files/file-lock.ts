/**
 * The session lock of the files store: an exclusive flock(2) on the sess_ file itself, the very lock PHP's
 * files handler takes at session_start(), so tsfpm and PHP processes sharing a save_path exclude each other.
 *
 * The lock is an open descriptor of the session file that holds flock(LOCK_EX) (flock.ts calls libc). The
 * store reads and writes the session through that same descriptor (`lockedFile`), as mod_files does, so a
 * locked session costs open, flock, fstat, pread, pwrite and close; a new ID's file is created with O_EXCL
 * and known empty (no fstat, no read). Inside one process, waiters for one ID queue in arrival order; a
 * release hands the locked descriptor straight to the next of them, without unlocking, for at most
 * HAND_OFF_MS in a row, together with the file's content as last read or written: nobody else can have
 * written it meanwhile, so the next holder reads nothing. A descriptor let go with nobody waiting stays locked
 * until the event-loop turn ends, for a request of the same ID in that turn (a user's parallel requests arrive
 * together), unless this process met another process's lock in the last SHARED_MS: other processes poll, and
 * would find such a file locked more often. After the run, the descriptor closes and this process waits
 * a little longer than other processes' polls before trying again, so that they get their turn (PHP's
 * waiters, blocked in flock(), get it at once). A waiter that meets another process's lock polls
 * flock(LOCK_NB) with a growing delay (1 ms up to POLL_MAX_MS): a blocking flock() would hold a thread the
 * holder may need. Opening an existing file is synchronous, as PHP's: on a local disk it costs a few µs, a
 * trip through libuv's threadpool several times that; creating one goes through the threadpool, since it may
 * wait for the filesystem's journal.
 *
 * The kernel drops the lock when the descriptor closes: at release, or when the process exits or is killed,
 * so a crashed holder never blocks a session and `ttlMs` is not used. A held lock is *lost* only when its file
 * is deleted while held (another process's session_destroy() or GC), since a new file at that path is a
 * different lock; verify() checks the file still has a name.
 * @module
 */

import { closeSync, constants, fstatSync, open, openSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { LockedFile } from './files-store.ts';
import { tryLockExclusive } from './flock.ts';
import { lockOptionsRejection, type AcquireResult, type HeldLock, type LockOptions, type SessionLocker } from '../lock/contract.ts';
import { grant, refuse, WaiterQueue, type Waiter } from '../lock/waiter-queue.ts';

export interface FileLockerOptions {
  /** The file whose flock is the session's lock: the files store's sess_ file (`FilesStore.pathFor`). May throw for an invalid ID. */
  readonly path: (id: string) => string;
  /** The mode of a session file the lock creates, as session.save_path's MODE. @default 0o600 */
  readonly mode?: number;
  /** Diagnostics: lost locks. */
  readonly log?: (line: string) => void;
}

/** How long one locked descriptor may pass from waiter to waiter here before other processes get a turn. */
const HAND_OFF_MS = 50;
/** The longest pause between two flock(LOCK_NB) attempts while another process holds the lock. */
const POLL_MAX_MS = 4;
/** After a run of hand-offs, this process's next try waits this long: past every other process's next poll. */
const YIELD_MS = POLL_MAX_MS + 2;
const OPEN_FLAGS = constants.O_CREAT | constants.O_RDWR | constants.O_NOFOLLOW;
const CREATE_FLAGS = OPEN_FLAGS | constants.O_EXCL;
/** How long after meeting another process's lock this process closes released descriptors at once (no idle ones). */
const SHARED_MS = 1000;
/** The content of a file this process just created. */
const EMPTY = Buffer.alloc(0);

/** One acquire() call: it may also fail, when its file cannot be opened or locked. */
interface FileWaiter extends Waiter {
  readonly id: string;
  readonly path: string;
  readonly reject: (error: unknown) => void;
  /** Its wait ran out while it was trying for the file's lock: the attempt gives up. */
  expired?: boolean;
}

/** The holder and the waiters of one session ID in this process. */
interface Line {
  holder: FileHeldLock | undefined;
  /** The waiter whose turn it is, taken off the queue: opening the file or polling its lock. */
  trying: FileWaiter | undefined;
  readonly waiters: WaiterQueue<FileWaiter>;
  /** performance.now() when the current descriptor was locked: it is handed on until HAND_OFF_MS later. */
  lockedAt: number;
  /** Yielding to other processes after a run of hand-offs: no try starts until it ends. */
  yielding: boolean;
  /**
   * A descriptor let go with nobody waiting, kept locked until this event-loop turn ends: a request for the ID
   * later in the same turn (parallel requests of one user) takes it as a hand-off, without opening or reading.
   */
  idle: { readonly fd: number; readonly content: Buffer | undefined } | undefined;
}

/** fstat's link count: 0 once the file was deleted (or renamed over) while open. */
function unlinked(fd: number): boolean {
  return fstatSync(fd).nlink === 0;
}

/** flock(LOCK_EX) on the session file, compatible with PHP's files handler. */
export class FileLocker implements SessionLocker {
  /** The kernel's flock lasts until release or the holder's exit: see the module comment. */
  readonly expires = false;
  readonly #path: (id: string) => string;
  readonly #mode: number;
  readonly #log: (line: string) => void;
  readonly #lines = new Map<string, Line>();
  readonly #held = new Set<FileHeldLock>();
  /** Lines with an idle descriptor, closed together when the event-loop turn ends. */
  readonly #idle = new Map<string, Line>();
  /** performance.now() when an attempt here last met another process's lock on a session file. */
  #sharedAt = -Infinity;
  #closed = false;

  constructor(options: FileLockerOptions) {
    this.#path = options.path;
    this.#mode = options.mode ?? 0o600;
    this.#log = options.log ?? (() => {});
  }

  /**
   * Waits for the lock on `id`, creating its file (0 bytes, `mode`) if missing, as PHP's session_start() does.
   * A waiter that gives up learns the holder's owner when the holder is in this process. After close() it
   * resolves `ok: false`.
   * @throws (rejects) a TypeError for a waitMs that is not a finite number >= 0 or a ttlMs that is not a positive
   *   integer; the open() error when the file cannot be opened (a nested save_path folder that does not exist,
   *   as in PHP); the flock() error on a platform without it
   */
  acquire(id: string, options: LockOptions): Promise<AcquireResult> {
    // checked like every locker's, though a kernel lock has no TTL
    const rejection = lockOptionsRejection(options);
    if (rejection) return rejection;
    if (this.#closed) return Promise.resolve({ ok: false, holder: undefined, waitedMs: 0 });
    let path: string;
    try {
      path = this.#path(id);
    } catch (error) {
      return Promise.reject(error);
    }
    let line = this.#lines.get(id);
    if (line === undefined) {
      line = { holder: undefined, trying: undefined, waiters: new WaiterQueue(), lockedAt: 0, yielding: false, idle: undefined };
      this.#lines.set(id, line);
    }
    const ahead = line.holder !== undefined || line.trying !== undefined || line.waiters.length > 0;
    if (options.waitMs === 0 && ahead) return Promise.resolve({ ok: false, holder: line.holder?.owner, waitedMs: 0 });
    const busy = line;
    return new Promise<AcquireResult>((resolve, reject) => {
      const waiter: FileWaiter = { id, path, options, startedAt: performance.now(), resolve, reject, timer: undefined };
      // nobody ahead here (a new session, nearly always): its turn at once, and no timer unless it meets another
      // process's lock (#attempt)
      if (!ahead && !busy.yielding) return this.#turn(id, busy, waiter);
      busy.waiters.push(waiter, (expired) => this.#expire(busy, expired));
      this.#next(id, busy);
    });
  }

  /** The locked file of `id` while this process holds its lock: the store reads and writes through it. */
  lockedFile(id: string): LockedFile | undefined {
    const holder = this.#lines.get(id)?.holder;
    return holder && !holder.lost ? holder : undefined;
  }

  /** Checks that `lock` still holds its file (not released, file not deleted), then writes. */
  async fencedWrite(lock: HeldLock, write: () => Promise<void>): Promise<boolean> {
    if (!(await lock.verify())) return false;
    await write();
    return true;
  }

  /** Gives up every wait (`ok: false`) and releases every held lock. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const line of this.#lines.values()) {
      for (const waiter of line.waiters.drain()) refuse(waiter, line.holder?.owner);
      if (line.trying) line.trying.expired = true;
      this.#closeIdle(line);
    }
    for (const lock of this.#held) lock.forget();
    this.#held.clear();
  }

  #expire(line: Line, waiter: FileWaiter): void {
    if (line.waiters.remove(waiter)) refuse(waiter, line.holder?.owner);
    // its next attempt settles it: busy, or held if the lock came meanwhile
    else if (line.trying === waiter) waiter.expired = true;
  }

  /** Lets the first waiter of `id` try for the file's lock, unless the lock is held or being tried for here. */
  #next(id: string, line: Line): void {
    if (line.holder || line.trying || line.yielding) return;
    const waiter = line.waiters.shift();
    if (waiter === undefined) {
      if (!line.idle) this.#lines.delete(id);
      return;
    }
    this.#turn(id, line, waiter);
  }

  /** `waiter` tries for the file's lock: the idle descriptor, else the file opened (or created, for a new ID). */
  #turn(id: string, line: Line, waiter: FileWaiter): void {
    line.trying = waiter;
    const idle = line.idle;
    if (idle) {
      line.idle = undefined;
      // another process's gc may have deleted the file meanwhile (it takes no lock): then it is opened anew
      if (!unlinked(idle.fd)) return this.#grant(id, line, waiter, idle.fd, idle.content);
      closeSync(idle.fd);
    }
    if (!waiter.options.newId) return this.#openExisting(id, line, waiter);
    // creating a file may wait for the filesystem's journal: in the threadpool, not on the event loop
    open(waiter.path, CREATE_FLAGS, this.#mode, (error, fd) => {
      if (error?.code === 'EEXIST') return this.#openExisting(id, line, waiter);
      if (error) return this.#failed(id, line, waiter, error);
      this.#attempt(id, line, waiter, fd, 1, EMPTY);
    });
  }

  #openExisting(id: string, line: Line, waiter: FileWaiter): void {
    let fd: number;
    try {
      fd = openSync(waiter.path, OPEN_FLAGS, this.#mode);
    } catch (error) {
      return this.#failed(id, line, waiter, error);
    }
    this.#attempt(id, line, waiter, fd, 1);
  }

  /**
   * One flock(LOCK_NB) on `fd`; another process holding it means a later attempt, `delay` ms on. `content`:
   * the file was created empty here, which holds only if the first attempt takes the lock.
   */
  #attempt(id: string, line: Line, waiter: FileWaiter, fd: number, delay: number, content?: Buffer): void {
    let locked: boolean;
    try {
      locked = !this.#closed && tryLockExclusive(fd);
      // deleted while this waited for another process's lock (its session_destroy): the lock to take is the new
      // file's. A lock taken at the first try had no holder to delete it (PHP checks neither).
      if (locked && delay > 1 && unlinked(fd)) {
        closeSync(fd);
        line.trying = undefined;
        line.waiters.unshift(waiter);
        return this.#next(id, line);
      }
    } catch (error) {
      closeSync(fd);
      return this.#failed(id, line, waiter, error);
    }
    if (locked) {
      line.lockedAt = performance.now();
      return this.#grant(id, line, waiter, fd, delay === 1 ? content : undefined);
    }
    this.#sharedAt = performance.now();
    // a waiter that came straight to its turn has no timer yet: it starts now, for what is left of its wait
    if (waiter.timer === undefined && waiter.options.waitMs > 0) {
      const left = waiter.options.waitMs - (this.#sharedAt - waiter.startedAt);
      if (left > 0) waiter.timer = setTimeout(() => this.#expire(line, waiter), left);
      else waiter.expired = true;
    }
    if (waiter.options.waitMs === 0 || waiter.expired || this.#closed) {
      closeSync(fd);
      line.trying = undefined;
      // held by another process, whose owner is unknown here
      refuse(waiter, undefined);
      return this.#next(id, line);
    }
    setTimeout(() => this.#attempt(id, line, waiter, fd, Math.min(delay * 2, POLL_MAX_MS)), delay);
  }

  #failed(id: string, line: Line, waiter: FileWaiter, error: unknown): void {
    line.trying = undefined;
    clearTimeout(waiter.timer);
    waiter.reject(error);
    this.#next(id, line);
  }

  #grant(id: string, line: Line, waiter: FileWaiter, fd: number, content: Buffer | undefined): void {
    line.trying = undefined;
    const lock = new FileHeldLock(waiter, fd, content, this.#log, () => this.#released(id, line, lock));
    this.#held.add(lock);
    line.holder = lock;
    grant(waiter, lock);
  }

  /** Closes the line's idle descriptor, if any, which drops its flock. */
  #closeIdle(line: Line): void {
    if (!line.idle) return;
    closeSync(line.idle.fd);
    line.idle = undefined;
  }

  /** The end of the event-loop turn: the descriptors still idle are closed, and their lines forgotten when empty. */
  #closeIdleLines(): void {
    for (const [id, line] of this.#idle) {
      this.#closeIdle(line);
      if (!line.holder && !line.trying && line.waiters.length === 0 && this.#lines.get(id) === line) this.#lines.delete(id);
    }
    this.#idle.clear();
  }

  /**
   * The holder let go: its descriptor goes to the next waiter here, or stays idle to the end of this event-loop turn
   * for a request of the same ID (within the run of HAND_OFF_MS), or is closed, which drops the flock.
   */
  #released(id: string, line: Line, lock: FileHeldLock): void {
    this.#held.delete(lock);
    line.holder = undefined;
    const next = line.waiters.first;
    const inRun = !this.#closed && !lock.lost && performance.now() - line.lockedAt < HAND_OFF_MS;
    // other processes poll for the files they share with this one: one that is kept locked idle would wait longer
    if (next === undefined && inRun && performance.now() - this.#sharedAt > SHARED_MS) {
      line.idle = { fd: lock.fd, content: lock.content };
      if (this.#idle.size === 0) setImmediate(() => this.#closeIdleLines());
      this.#idle.set(id, line);
      return;
    }
    const handOn = next !== undefined && !this.#closed && !lock.lost && !unlinked(lock.fd);
    if (handOn && inRun) {
      line.waiters.shift();
      return this.#grant(id, line, next, lock.fd, lock.content);
    }
    closeSync(lock.fd);
    if (!handOn) return this.#next(id, line);
    line.yielding = true;
    setTimeout(() => {
      line.yielding = false;
      this.#next(id, line);
    }, YIELD_MS);
  }
}

/** A held flock: the open descriptor `fd` is the lock. */
class FileHeldLock implements HeldLock, LockedFile {
  readonly id: string;
  readonly acquiredAt = performance.now();
  /** Who holds it, for waiters that give up. */
  readonly owner: string;
  readonly fd: number;
  content: Buffer | undefined;
  readonly #path: string;
  readonly #log: (line: string) => void;
  readonly #onRelease: () => void;
  #released = false;
  #lost = false;
  #token: string | undefined;

  constructor(waiter: FileWaiter, fd: number, content: Buffer | undefined, log: (line: string) => void, onRelease: () => void) {
    this.id = waiter.id;
    this.owner = waiter.options.owner;
    this.fd = fd;
    this.content = content;
    this.#path = waiter.path;
    this.#log = log;
    this.#onRelease = onRelease;
  }

  /** Made when first asked for: nothing in the files store reads it on a request's way. */
  get token(): string {
    return (this.#token ??= randomUUID());
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** True while this lock is held and its file still has its name (not deleted by another process). */
  async verify(): Promise<boolean> {
    return this.holds();
  }

  holds(): boolean {
    if (this.#released || this.#lost) return false;
    if (!unlinked(this.fd)) return true;
    this.#lost = true;
    this.#log(`tsfpm: session lock on ${this.id} (${this.owner}) lost: ${this.#path} was deleted or replaced while held`);
    return false;
  }

  /** Lets the lock go (to the next waiter of this process, or closes the descriptor); idempotent. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#onRelease();
  }

  /** Released by the locker's close(): the descriptor closes, which drops the flock. */
  forget(): void {
    if (this.#released) return;
    this.#released = true;
    closeSync(this.fd);
  }
}
