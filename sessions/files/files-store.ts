/**
 * The reference session store: PHP's `files` save handler (ext/session/mod_files.c) as an express-session Store.
 * Other stores follow its contract. The session files are PHP's own (`<save_path>/sess_<id>`, in the
 * session.serialize_handler format), so a real PHP and tsfpm can share one save_path folder.
 *
 * Call order for one request, as mod_files.c documents it for PHP's handlers:
 *
 *   open           parse session.save_path (the constructor; "N;MODE;/path")
 *   create_sid /   a new ID when none was sent (the session layer; `exists()` checks collisions), or
 *   validate_sid   `exists()` for use_strict_mode
 *   lock           FileLocker (file-lock.ts) flocks the sess_ file, creating it (0 bytes) as PHP's open does
 *   read           `read()` → bytes (the session layer keeps them for lazy_write), or `get()` → decoded
 *   gc             `gc()`, by gc_probability/gc_divisor, after read
 *   write |        `write()`/`set()` when the encoded data changed,
 *   update_timestamp `updateTimestamp()`/`touch()` when it did not (lazy_write)
 *   close          release the lock
 *
 * Rules this store keeps and other stores should too: a missing session is not an error (`get()` gives null,
 * `destroy()` succeeds); an ID is validated before it names anything; data is written in place (the lock is
 * on the file's inode, so the file is never replaced by a rename); `touch()` never rewrites data.
 *
 * The files store itself does not lock: locking is the separate SessionLocker contract (lock/contract.ts).
 * @module
 */

import { constants, fstatSync, ftruncateSync, readSync, writeSync, type Stats } from 'node:fs';
import { open, readdir, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { Store, type SessionData } from 'express-session';
import { INVALID_ID_MESSAGE, isValidSessionId } from '../id.ts';
import type { HeldLock } from '../lock/contract.ts';
import { recordWithout, type PhpRecord } from '../serialize/php-values.ts';
import { decodeSession, encodeSession, SessionDecodeError } from '../serialize/session-codec.ts';
import { TsfpmError } from '../tsfpm-error.ts';

export interface FilesStoreOptions {
  /**
   * session.save_path: `""` (the temp folder), `"/path"`, `"N;/path"` (the first N characters of the ID name
   * nested folders, which must exist) or `"N;MODE;/path"` (octal file mode).
   * @default "" */
  readonly savePath?: string;
  /** session.serialize_handler. @default "php" */
  readonly serializeHandler?: 'php' | 'php_serialize';
  /** session.gc_maxlifetime in seconds: what `gc()` uses when called without an argument. @default 1440 */
  readonly gcMaxlifetime?: number;
  /** Receives the warnings PHP would emit (undecodable data, skipped keys). */
  readonly warn?: (message: string) => void;
  /**
   * The session file this process holds locked (`FileLocker.lockedFile`): read() and write() go through its
   * descriptor instead of opening the file again, as mod_files does, and skip what its known content answers.
   */
  readonly lockedFile?: (id: string) => LockedFile | undefined;
}

/**
 * A session file held under its lock in this process. While the lock is held nobody else writes the file (PHP
 * takes the same flock first), so bytes read or written through it stay its content until the lock is let go.
 */
export interface LockedFile {
  readonly fd: number;
  /** The file's bytes, once known (read, written, or created empty here); passed on with the lock, never re-read. */
  content: Buffer | undefined;
  /** True while the lock is held and its file still has its name (HeldLock.verify(), without a promise). */
  holds(): boolean;
}

/**
 * The file's bytes through its held descriptor: the known content, else one fstat and pread(s). Synchronous, as
 * PHP's: on an open descriptor these calls cost less than a trip through libuv's threadpool.
 */
function readLocked(file: LockedFile): Buffer {
  if (file.content !== undefined) return file.content;
  const stats = fstatSync(file.fd);
  checkOwner(stats);
  const data = Buffer.allocUnsafe(stats.size);
  let filled = 0;
  while (filled < data.length) {
    const bytesRead = readSync(file.fd, data, filled, data.length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return (file.content = filled === data.length ? data : data.subarray(0, filled));
}

/** pwrite at 0, then ftruncate if the file was longer (its length from the known content, else fstat). */
function writeLocked(file: LockedFile, data: Buffer): void {
  let size = file.content?.length;
  if (size === undefined) {
    const stats = fstatSync(file.fd);
    checkOwner(stats);
    size = stats.size;
  }
  // unknown from here until written: a failed write leaves the file's bytes uncertain
  file.content = undefined;
  for (let written = 0; written < data.length; ) written += writeSync(file.fd, data, written, data.length - written, written);
  if (data.length < size) ftruncateSync(file.fd, data.length);
  file.content = data;
}

/** session.save_path, parsed as PHP's PS_OPEN_FUNC(files) does. */
export interface SavePath {
  /** The base folder. */
  readonly dir: string;
  /** How many leading ID characters name nested folders (N). */
  readonly depth: number;
  /** The mode of new session files (MODE; before the umask, as open(2)). */
  readonly mode: number;
}

export { INVALID_ID_MESSAGE };

/** A session ID that may not name a file. PHP warns with the same text and session_start() fails. */
export class InvalidSessionIdError extends TsfpmError {
  constructor(message: string = INVALID_ID_MESSAGE) {
    super('TSFPM_ERR_SESSION_ID', message);
  }
}

const FILE_PREFIX = 'sess_';
const OPEN_FLAGS = constants.O_CREAT | constants.O_RDWR | constants.O_NOFOLLOW;

/** glibc's strerror() text where libuv's error description differs from it (PHP prints strerror()). */
const STRERROR: Readonly<Record<string, string>> = {
  ENAMETOOLONG: 'File name too long',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
};

/**
 * PHP's files-handler warning for a session file that cannot be opened (ps_files_open), from the error fs.open()
 * gave: `open(/p/sess_x, O_RDWR) failed: No such file or directory (2)`; undefined for others.
 */
export function phpOpenFailure(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  if (e?.syscall !== 'open' || typeof e.path !== 'string' || typeof e.errno !== 'number') return undefined;
  const [code, description] = getSystemErrorMap().get(-Math.abs(e.errno)) ?? ['', 'unknown error'];
  const text = STRERROR[code] ?? `${description[0]!.toUpperCase()}${description.slice(1)}`;
  return `open(${e.path}, O_RDWR) failed: ${text} (${Math.abs(e.errno)})`;
}

/** Whether `id` may name a session file: 1 to 256 characters of `[A-Za-z0-9,-]` (php_session_valid_key). */
export function validateId(id: string): boolean {
  return isValidSessionId(id);
}

/**
 * Parses session.save_path. Unlike PHP's strtol(), which reads `abc;/x` as depth 0, a depth or mode that is not
 * a number is refused here, when the store is created.
 * @throws TypeError naming session.save_path
 */
export function parseSavePath(savePath: string): SavePath {
  // PHP splits at most twice: whatever follows the second ";" is the folder, ";" included.
  const parts: string[] = [];
  let rest = savePath;
  for (let semi = rest.indexOf(';'); semi >= 0 && parts.length < 2; semi = rest.indexOf(';')) {
    parts.push(rest.slice(0, semi));
    rest = rest.slice(semi + 1);
  }
  let depth = 0;
  let mode = 0o600;
  if (parts.length >= 1) {
    if (!/^\s*\d+$/.test(parts[0]!)) throw new TypeError(`session.save_path: the first parameter in "${savePath}" is invalid`);
    depth = Number(parts[0]);
  }
  if (parts.length === 2) {
    mode = /^\s*[0-7]+$/.test(parts[1]!) ? parseInt(parts[1]!, 8) : -1;
    if (!(mode >= 0 && mode <= 0o7777)) throw new TypeError(`session.save_path: the second parameter in "${savePath}" is invalid`);
  }
  let dir = rest;
  if (savePath === '') dir = temporaryDirectory();
  else if (dir === '') throw new TypeError(`session.save_path "${savePath}" names no folder`);
  return { dir, depth, mode };
}

/** php_get_temporary_directory() without sys_temp_dir: $TMPDIR without its trailing slash, else /tmp. */
function temporaryDirectory(): string {
  const tmp = process.env['TMPDIR'];
  if (tmp === undefined || tmp === '') return '/tmp';
  return tmp.length > 1 && tmp.endsWith('/') ? tmp.slice(0, -1) : tmp;
}

/** A session object as express-session expects it: `$_SESSION`'s keys plus `cookie`. */
export type FilesSessionData = SessionData & PhpRecord;

type Callback<T> = (err: unknown, value?: T) => void;

/**
 * PHP's files save handler as an express-session Store. Every express-session method also returns a promise
 * (its callback is optional, as in connect-redis); the byte-level methods (`read`, `write`, `updateTimestamp`)
 * are PHP's handler calls, for a session layer that compares encoded bytes (lazy_write).
 *
 * Through express-session, `cookie` is express-session's own property: it is never written to the PHP file,
 * and a PHP session variable named `cookie` is replaced by it when read (kept only if it is an array).
 * express-session's default IDs are base64url and often contain `_`, which PHP, and so this store, refuses:
 * give express-session a `genid` that makes PHP IDs (32 hex characters, say).
 */
export class FilesStore extends Store {
  /** The parsed session.save_path. */
  readonly savePath: SavePath;
  /** The PHP file holds $_SESSION only (StoreCapabilities.storesCookie). */
  readonly storesCookie = false;
  readonly #handler: 'php' | 'php_serialize';
  readonly #gcMaxlifetime: number;
  readonly #warn: (message: string) => void;
  readonly #lockedFile: (id: string) => LockedFile | undefined;
  /** `<dir>/sess_`, joined once: the path of every session file but for its ID, without nested folders. */
  readonly #filePrefix: string;

  /** @throws TypeError for an invalid option */
  constructor(options: FilesStoreOptions = {}) {
    super();
    this.savePath = Object.freeze(parseSavePath(options.savePath ?? ''));
    this.#filePrefix = join(this.savePath.dir, FILE_PREFIX);
    const handler = options.serializeHandler ?? 'php';
    if (handler !== 'php' && handler !== 'php_serialize') {
      throw new TypeError(`serializeHandler: expected "php" or "php_serialize", got ${JSON.stringify(handler)}`);
    }
    this.#handler = handler;
    const maxlifetime = options.gcMaxlifetime ?? 1440;
    if (!Number.isSafeInteger(maxlifetime) || maxlifetime < 0) {
      throw new TypeError(`gcMaxlifetime: expected a whole number of seconds, got ${maxlifetime}`);
    }
    this.#gcMaxlifetime = maxlifetime;
    this.#warn = options.warn ?? (() => {});
    this.#lockedFile = options.lockedFile ?? (() => undefined);
  }

  /**
   * The session file of `id` (ps_files_path_create): `<dir>/<id[0]>/…/<id[N-1]>/sess_<id>`.
   * @throws InvalidSessionIdError for an ID that may not name a file, or that is not longer than N
   */
  pathFor(id: string): string {
    if (!validateId(id)) throw new InvalidSessionIdError();
    const { dir, depth } = this.savePath;
    if (id.length <= depth) {
      throw new InvalidSessionIdError('Failed to create session data file path. Too short session ID, invalid save_path or path length exceeds 4096 characters');
    }
    // a valid ID names no folder and holds no dot: appended to the joined prefix, it is what join() would make
    if (depth === 0) return this.#filePrefix + id;
    return join(dir, ...id.slice(0, depth), FILE_PREFIX + id);
  }

  /** PS_VALIDATE_SID (use_strict_mode) and PS_CREATE_SID's collision check: whether the session file exists. */
  async exists(id: string): Promise<boolean> {
    return (await statOrUndefined(this.pathFor(id))) !== undefined;
  }

  /**
   * PS_READ: the stored bytes, or null when there is no session file. Unlike PHP's read, this does not create the
   * file: FileLocker creates it when the session is locked, as PHP's open does.
   * @throws for a file owned by another user (`Session data file is not created by your uid`), or a symlink
   */
  async read(id: string): Promise<Buffer | null> {
    const locked = this.#lockedFile(id);
    if (locked !== undefined) return readLocked(locked);
    let file;
    try {
      file = await open(this.pathFor(id), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null;
      throw error;
    }
    try {
      checkOwner(await file.stat());
      return await file.readFile();
    } finally {
      await file.close();
    }
  }

  /**
   * PS_WRITE: writes `data` in place (pwrite at 0, then ftruncate if it shrank), creating the file with the
   * save_path mode. Never a rename: the session lock is on the file's inode.
   */
  async write(id: string, data: Buffer): Promise<void> {
    const locked = this.#lockedFile(id);
    if (locked !== undefined) return writeLocked(locked, data);
    const file = await open(this.pathFor(id), OPEN_FLAGS, this.savePath.mode);
    try {
      const stats = await file.stat();
      checkOwner(stats);
      for (let written = 0; written < data.length; ) {
        const { bytesWritten } = await file.write(data, written, data.length - written, written);
        written += bytesWritten;
      }
      if (data.length < stats.size) await file.truncate(data.length);
    } finally {
      await file.close();
    }
  }

  /** PS_UPDATE_TIMESTAMP: sets the mtime to now (GC goes by mtime); a file that vanished is written again, as PHP. */
  async updateTimestamp(id: string, data: Buffer): Promise<void> {
    if (!(await this.#utimes(id))) await this.write(id, data);
  }

  /**
   * PS_GC: deletes the `sess_*` files not modified for more than `maxlifetime` seconds and returns how many
   * (ps_files_cleanup_dir). With nested folders (N > 0) PHP does no GC and neither does this: -1.
   * An unreadable folder is reported through `warn` and gives -1.
   */
  async gc(maxlifetime: number = this.#gcMaxlifetime): Promise<number> {
    if (this.savePath.depth > 0) return -1;
    const { dir } = this.savePath;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      this.#warn(`ps_files_cleanup_dir: opendir(${dir}) failed: ${describe(error)}`);
      return -1;
    }
    // Whole seconds, as PHP compares time() with st_mtime.
    const now = Math.floor(Date.now() / 1000);
    let deleted = 0;
    for (const name of names) {
      if (!name.startsWith(FILE_PREFIX)) continue;
      const path = join(dir, name);
      const stats = await statOrUndefined(path);
      if (stats === undefined || now - Math.floor(stats.mtimeMs / 1000) <= maxlifetime) continue;
      await unlink(path).catch(() => {});
      deleted++;
    }
    return deleted;
  }

  /**
   * express-session get(): the decoded session with a `cookie`, or null for an unknown ID. Undecodable data is
   * handled as PHP does: the file is deleted, `Failed to decode session object. Session has been destroyed`
   * goes to `warn`, and the session is unknown (null).
   */
  override get(sid: string, callback?: Callback<FilesSessionData | null>): Promise<FilesSessionData | null | undefined> {
    return settle(this.#get(sid), callback);
  }

  /**
   * The fenced write (StoreCapabilities.setFenced): false, writing nothing, when `lock` no longer holds the file.
   * While this process holds the lock, the check and the write go through its descriptor at once, synchronously:
   * no promise or callback layer between them, on every request's write.
   */
  setFenced(sid: string, session: SessionData, lock: HeldLock): Promise<boolean> {
    const file = this.#lockedFile(sid);
    if (file === undefined || (file as object) !== lock) return this.#setVerified(sid, session, lock);
    try {
      if (!file.holds()) return Promise.resolve(false);
      writeLocked(file, this.#encode(session));
      return Promise.resolve(true);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #setVerified(sid: string, session: SessionData, lock: HeldLock): Promise<boolean> {
    // encoded first: `session` may be $_SESSION itself (storesCookie), which the script could change meanwhile
    const data = this.#encode(session);
    if (!(await lock.verify())) return false;
    await this.write(sid, data);
    return true;
  }

  /** express-session set(): encodes every property but `cookie` and writes it in place. */
  override set(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> {
    return settle(
      (async () => this.write(sid, this.#encode(session)))(),
      callback,
    );
  }

  /** express-session touch(): updates the mtime only, never the data; a missing file stays missing. */
  override touch(sid: string, _session: SessionData, callback?: Callback<void>): Promise<void> {
    return settle(
      (async () => {
        await this.#utimes(sid);
      })(),
      callback,
    );
  }

  /** express-session destroy() (PS_DESTROY): deletes the session file; a missing one is fine. */
  override destroy(sid: string, callback?: Callback<void>): Promise<void> {
    return settle(
      (async () => {
        await unlink(this.pathFor(sid)).catch((error: unknown) => {
          if (!isCode(error, 'ENOENT')) throw error;
        });
      })(),
      callback,
    );
  }

  /** express-session all(): every decodable session by ID. Undecodable files are skipped, not deleted. */
  override all(callback?: Callback<Record<string, FilesSessionData>>): Promise<Record<string, FilesSessionData> | undefined> {
    return settle(
      (async () => {
        const sessions: Record<string, FilesSessionData> = Object.create(null);
        for (const id of await this.#ids()) {
          const data = await this.read(id);
          if (data === null) continue;
          try {
            sessions[id] = this.#toSessionData(decodeSession(data, this.#handler));
          } catch (error) {
            if (!(error instanceof SessionDecodeError)) throw error;
          }
        }
        return sessions;
      })(),
      callback,
    );
  }

  /** express-session length(): how many session files there are. */
  override length(callback?: Callback<number>): Promise<number | undefined> {
    return settle(
      (async () => (await this.#ids()).length)(),
      callback,
    );
  }

  /** express-session clear(): deletes every session file. */
  override clear(callback?: Callback<void>): Promise<void> {
    return settle(
      (async () => {
        for (const id of await this.#ids()) await this.destroy(id);
      })(),
      callback,
    );
  }

  async #get(sid: string): Promise<FilesSessionData | null> {
    const data = await this.read(sid);
    if (data === null) return null;
    try {
      return this.#toSessionData(decodeSession(data, this.#handler));
    } catch (error) {
      if (!(error instanceof SessionDecodeError)) throw error;
      await this.destroy(sid);
      this.#warn(error.message);
      return null;
    }
  }

  #toSessionData(vars: PhpRecord): FilesSessionData {
    const stored = vars['cookie'];
    const isRecord = typeof stored === 'object' && stored !== null && Object.getPrototypeOf(stored) === null;
    vars['cookie'] = isRecord ? stored : { originalMaxAge: null, expires: null, httpOnly: true, path: '/' };
    return vars as FilesSessionData;
  }

  #encode(session: SessionData): Buffer {
    // `cookie` is express-session's, never written (a PHP variable of that name neither); copied without it only when there
    const vars = Object.hasOwn(session, 'cookie') ? recordWithout(session, 'cookie') : (session as unknown as PhpRecord);
    return encodeSession(vars, this.#handler, this.#warn);
  }

  /** utimes(path, now, now); false when the file does not exist. */
  async #utimes(id: string): Promise<boolean> {
    const now = new Date();
    try {
      await utimes(this.pathFor(id), now, now);
      return true;
    } catch (error) {
      if (isCode(error, 'ENOENT')) return false;
      throw error;
    }
  }

  /** The IDs of every sess_ file, walking the N levels of nested folders. */
  async #ids(): Promise<string[]> {
    const ids: string[] = [];
    const walk = async (dir: string, level: number): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return;
        throw error;
      }
      for (const entry of entries) {
        if (level < this.savePath.depth) {
          if (entry.isDirectory()) await walk(join(dir, entry.name), level + 1);
        } else if (entry.isFile() && entry.name.startsWith(FILE_PREFIX) && validateId(entry.name.slice(FILE_PREFIX.length))) {
          ids.push(entry.name.slice(FILE_PREFIX.length));
        }
      }
    };
    await walk(this.savePath.dir, 0);
    return ids;
  }
}

/** Resolves to the result and also calls `callback` when given; with a callback, errors go only to it. */
function settle<T>(work: Promise<T>, callback: Callback<T> | undefined): Promise<T | undefined> {
  if (callback === undefined) return work;
  // nextTick: an exception thrown by the callback must surface as one, not become a rejected promise.
  return work.then(
    (value) => {
      process.nextTick(callback, null, value);
      return value;
    },
    (error: unknown) => {
      process.nextTick(callback, error);
      return undefined;
    },
  );
}

/** PHP refuses a session file owned by another user unless one of them is root (a shared /tmp is the concern). */
function checkOwner(stats: Stats): void {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0 || stats.uid === 0 || stats.uid === uid) return;
  throw Object.assign(new Error('Session data file is not created by your uid'), { code: 'EPERM' });
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return undefined;
    throw error;
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
