/**
 * The session lock of the files store: an exclusive flock(2) on the sess_ file itself, the very lock PHP's
 * files handler takes at session_start(), so tsfpm and PHP processes sharing a save_path exclude each other.
 *
 * Node has no flock() and native addons are not available, so one small helper process per locker takes the
 * locks: a Perl script (perl-base is, like util-linux, an Essential package on Debian) reading commands on
 * stdin. An uncontended lock is one pipe round trip: the helper opens the file and flock(LOCK_NB)s it. A
 * contended one makes the helper fork a waiter that blocks in flock(LOCK_EX) on the same open file
 * description and exits once it has it; the lock then belongs to the helper's descriptor (flock(2) locks
 * belong to the open file description, not to a process). Release closes that descriptor.
 * Spawning a `flock` command per lock instead would block Node's event loop for ~5 ms per lock (fork of a
 * large process); here Node only writes a line.
 *
 * The kernel drops every lock the moment the helper's descriptors close: when Node exits or is killed, the
 * helper reads EOF, kills its waiters and exits. So a crashed holder never blocks a session and `ttlMs` is not
 * used. A held lock is *lost* only when the helper dies unexpectedly, or when its file is deleted or replaced
 * while held (another process's session_destroy() or GC), since a new file at that path is a different lock.
 *
 * Inside one process, waiters for one ID queue in arrival order and only the first of them waits in flock;
 * a release hands on to the next at once.
 * @module
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { getSystemErrorMap } from 'node:util';
import { checkLockOptions, type AcquireResult, type HeldLock, type LockOptions, type SessionLocker } from './lock.ts';

export interface FileLockerOptions {
  /** The file whose flock is the session's lock: the files store's sess_ file (`FilesStore.pathFor`). May throw for an invalid ID. */
  readonly path: (id: string) => string;
  /** The mode of a session file the lock creates, as session.save_path's MODE. @default 0o600 */
  readonly mode?: number;
  /** Diagnostics: lost locks, a helper that died. */
  readonly log?: (line: string) => void;
}

/**
 * The helper. Commands, one per line: `L <n> <wait 0|1> <hex path>` lock, `U <n>` unlock, `C <n>` cancel a wait.
 * Replies: `k <n> <dev> <ino>` locked, `b <n>` busy or cancelled, `e <n> <errno>` open failed, `u <n>` unlocked.
 * A waiter child first closes every other lock descriptor it inherited, or it would keep those locks alive.
 * After a wait, a file that was deleted or replaced meanwhile is opened and locked again (unless cancelled).
 */
const HELPER = String.raw`
use strict; use warnings;
use Fcntl qw(O_CREAT O_RDWR O_NOFOLLOW LOCK_EX LOCK_NB);
use POSIX ();
$| = 1;
$SIG{PIPE} = 'IGNORE';
my $mode = oct $ARGV[0];
my (%held, %waiting);
pipe(my $wake_r, my $wake_w) or die "pipe: $!";
$SIG{CHLD} = sub { syswrite $wake_w, 'x' };
my $in = '';
for (;;) {
  my $rin = '';
  vec($rin, fileno(STDIN), 1) = 1;
  vec($rin, fileno($wake_r), 1) = 1;
  next if select(my $rout = $rin, undef, undef, undef) <= 0;
  if (vec($rout, fileno($wake_r), 1)) { sysread $wake_r, my $x, 512; reap() }
  if (vec($rout, fileno(STDIN), 1)) {
    my $got = sysread STDIN, $in, 65536, length $in;
    if (!$got) { next if !defined $got && $!{EINTR}; kill 'KILL', keys %waiting; exit 0 }
    while ($in =~ s/\A([^\n]*)\n//) { command(split / /, $1) }
  }
}
sub command {
  my ($op, $n, @args) = @_;
  if ($op eq 'L') { lock_file($n, $args[0], pack 'H*', $args[1]) }
  elsif ($op eq 'U') { close delete $held{$n} if $held{$n}; print "u $n\n" }
  elsif ($op eq 'C') { for (grep { $waiting{$_}[0] == $n } keys %waiting) { $waiting{$_}[3] = 1; kill 'KILL', $_ } }
}
sub lock_file {
  my ($n, $wait, $path) = @_;
  for (;;) {
    sysopen(my $fh, $path, O_CREAT | O_RDWR | O_NOFOLLOW, $mode) or return print "e $n ", $! + 0, "\n";
    if (flock $fh, LOCK_EX | LOCK_NB) { return if granted($n, $fh, $path); next }
    return print "b $n\n" unless $wait;
    my $pid = fork;
    return print "e $n ", $! + 0, "\n" unless defined $pid;
    if ($pid == 0) {
      close $_ for values %held;
      close $_->[1] for values %waiting;
      POSIX::_exit(flock($fh, LOCK_EX) ? 0 : 1);
    }
    $waiting{$pid} = [$n, $fh, $path];
    return;
  }
}
sub granted {
  my ($n, $fh, $path) = @_;
  my @mine = stat $fh;
  my @now = stat $path;
  if (!@now || $mine[0] != $now[0] || $mine[1] != $now[1]) { close $fh; return 0 }
  $held{$n} = $fh;
  print "k $n $mine[0] $mine[1]\n";
  return 1;
}
sub reap {
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $w = delete $waiting{$pid} or next;
    my ($n, $fh, $path, $cancelled) = @$w;
    if ($? == 0) { next if granted($n, $fh, $path); $cancelled ? print "b $n\n" : lock_file($n, 1, $path) }
    else { close $fh; print "b $n\n" }
  }
}
`;

/** A lock command's outcome: held (with the file's identity) or busy; an open() failure rejects. */
type LockReply = { readonly held: true; readonly dev: bigint; readonly ino: bigint } | { readonly held: false };

/** One helper process and its outstanding commands. */
class LockHelper {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (reply: LockReply) => void; reject: (error: Error) => void; path: string }>();
  readonly #unlocks = new Map<number, () => void>();
  readonly #exited: Promise<void>;
  #next = 1;
  #input = '';
  #alive = true;
  #closing = false;

  constructor(mode: number, onDeath: (reason: string) => void) {
    this.#child = spawn('perl', ['-e', HELPER, mode.toString(8)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    this.#child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    (this.#child.stderr as unknown as { unref(): void }).unref();
    this.#child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.#read(chunk));
    this.#child.stdin!.on('error', () => {}); // EPIPE after a death is reported by 'exit'
    this.#exited = new Promise((resolve) => {
      const died = (reason: string) => {
        if (!this.#alive) return;
        this.#alive = false;
        const error = new Error(`FileLocker's flock helper (perl) ${reason}${stderr ? `: ${stderr.trim()}` : ''}`);
        for (const { resolve: settle, reject } of this.#pending.values()) {
          if (this.#closing) settle({ held: false });
          else reject(error);
        }
        this.#pending.clear();
        for (const done of this.#unlocks.values()) done();
        this.#unlocks.clear();
        if (!this.#closing) onDeath(error.message);
        resolve();
      };
      this.#child.once('error', (error) => died(`could not start: ${error.message}`));
      this.#child.once('exit', (code, signal) => died(`exited (${signal ?? code})`));
    });
    this.#child.unref();
    this.#updateRef();
  }

  /** Running and not closing: it takes commands. */
  get usable(): boolean {
    return this.#alive && !this.#closing;
  }

  /** Asks for the lock on `path`; `wait` false makes one attempt. Returns the request number (to cancel) and the outcome. */
  lock(path: string, wait: boolean): { n: number; reply: Promise<LockReply> } {
    const n = this.#next++;
    if (!this.usable) return { n, reply: Promise.resolve({ held: false }) };
    const reply = new Promise<LockReply>((resolve, reject) => this.#pending.set(n, { resolve, reject, path }));
    this.#send(`L ${n} ${wait ? 1 : 0} ${Buffer.from(path).toString('hex')}`);
    return { n, reply };
  }

  /** Stops waiting for request `n`; its reply comes as busy (or held, when the lock won the race). */
  cancel(n: number): void {
    if (this.usable) this.#send(`C ${n}`);
  }

  /** Closes the descriptor of request `n`, which drops its lock. A dead or closing helper holds nothing. */
  unlock(n: number): Promise<void> {
    if (!this.usable) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#unlocks.set(n, resolve));
    this.#send(`U ${n}`);
    return done;
  }

  /** Ends the helper: it kills its waiters and exits, and the kernel drops every lock it held. */
  async close(): Promise<void> {
    this.#closing = true;
    // the helper is unref'd while idle; a caller awaiting its exit must keep Node alive until then
    this.#child.ref();
    this.#child.stdin!.end();
    await this.#exited;
  }

  #send(line: string): void {
    this.#updateRef();
    this.#child.stdin!.write(`${line}\n`);
  }

  #read(chunk: string): void {
    this.#input += chunk;
    let newline;
    while ((newline = this.#input.indexOf('\n')) >= 0) {
      const [kind, number, ...rest] = this.#input.slice(0, newline).split(' ');
      this.#input = this.#input.slice(newline + 1);
      const n = Number(number);
      if (kind === 'u') {
        this.#unlocks.get(n)?.();
        this.#unlocks.delete(n);
      } else {
        const request = this.#pending.get(n);
        if (request === undefined) continue;
        this.#pending.delete(n);
        if (kind === 'k') request.resolve({ held: true, dev: BigInt(rest[0]!), ino: BigInt(rest[1]!) });
        else if (kind === 'b') request.resolve({ held: false });
        else request.reject(openError(Number(rest[0]), request.path));
      }
    }
    this.#updateRef();
  }

  /** Keeps the process alive only while a reply is awaited: idle held locks must not keep Node from exiting. */
  #updateRef(): void {
    const stdout = this.#child.stdout as unknown as { ref(): void; unref(): void };
    if (this.#pending.size > 0 || this.#unlocks.size > 0) stdout.ref();
    else stdout.unref();
  }
}

/** The error fs.open() would have given for this errno. */
function openError(errno: number, path: string): Error {
  const [code, description] = getSystemErrorMap().get(-errno) ?? [`E${errno}`, 'unknown error'];
  return Object.assign(new Error(`${code}: ${description}, open '${path}'`), { errno: -errno, code, syscall: 'open', path });
}

/** One acquire() call. */
interface Waiter {
  readonly id: string;
  readonly path: string;
  readonly options: LockOptions;
  readonly startedAt: number;
  readonly resolve: (result: AcquireResult) => void;
  readonly reject: (error: unknown) => void;
  timer?: NodeJS.Timeout;
  /** Its lock request to the helper, while it waits in flock. */
  request?: number;
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
  readonly #held = new Set<FileHeldLock>();
  #helper: LockHelper | undefined;
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
   *   as in PHP); an Error when perl is missing or the helper dies while this waits
   */
  async acquire(id: string, options: LockOptions): Promise<AcquireResult> {
    // checked like every locker's, though a kernel lock has no TTL
    checkLockOptions(options);
    if (this.#closed) return { ok: false, holder: undefined, waitedMs: 0 };
    const path = this.#path(id);
    let line = this.#lines.get(id);
    if (line === undefined) {
      line = { holder: undefined, trying: undefined, queue: [] };
      this.#lines.set(id, line);
    }
    if (options.waitMs === 0 && (line.holder || line.trying || line.queue.length > 0)) {
      return { ok: false, holder: line.holder?.owner, waitedMs: 0 };
    }
    const busy = line;
    return new Promise<AcquireResult>((resolve, reject) => {
      const waiter: Waiter = { id, path, options, startedAt: performance.now(), resolve, reject };
      if (options.waitMs > 0) waiter.timer = setTimeout(() => this.#expire(busy, waiter), options.waitMs);
      busy.queue.push(waiter);
      this.#next(id, busy);
    });
  }

  /** Checks that `lock` still holds its file (not released or lost, file not deleted or replaced), then writes. */
  async fencedWrite(lock: HeldLock, write: () => Promise<void>): Promise<boolean> {
    if (!(await lock.verify())) return false;
    await write();
    return true;
  }

  /** Gives up every wait (`ok: false`), releases every held lock and ends the helper and its waiters. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const line of this.#lines.values()) {
      for (const waiter of line.queue.splice(0)) this.#giveUp(waiter, line.holder?.owner);
    }
    for (const lock of this.#held) lock.forget();
    this.#held.clear();
    await this.#helper?.close();
    this.#helper = undefined;
  }

  #expire(line: Line, waiter: Waiter): void {
    const queued = line.queue.indexOf(waiter);
    if (queued >= 0) {
      line.queue.splice(queued, 1);
      this.#giveUp(waiter, line.holder?.owner);
    } else if (line.trying === waiter && waiter.request !== undefined) {
      // The reply settles it: busy, or held if the lock came in the meantime.
      this.#helper?.cancel(waiter.request);
    }
  }

  #giveUp(waiter: Waiter, holder: string | undefined): void {
    clearTimeout(waiter.timer);
    waiter.resolve({ ok: false, holder, waitedMs: performance.now() - waiter.startedAt });
  }

  #startHelper(): LockHelper {
    if (this.#helper?.usable) return this.#helper;
    const helper = new LockHelper(this.#mode, (reason) => {
      const lost = [...this.#held].filter((lock) => lock.helper === helper);
      for (const lock of lost) lock.markLost();
      this.#log(`tsfpm: ${reason}${lost.length > 0 ? `; session locks lost: ${lost.map((lock) => lock.id).join(', ')}` : ''}`);
    });
    this.#helper = helper;
    return helper;
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
    const helper = this.#startHelper();
    const { n, reply } = helper.lock(waiter.path, waiter.options.waitMs > 0);
    waiter.request = n;
    reply.then(
      (outcome) => {
        line.trying = undefined;
        clearTimeout(waiter.timer);
        if (!outcome.held || this.#closed) {
          if (outcome.held) void helper.unlock(n); // closed meanwhile: the helper's exit drops it anyway
          // Busy: held by another process, whose owner is unknown here.
          waiter.resolve({ ok: false, holder: undefined, waitedMs: performance.now() - waiter.startedAt });
        } else {
          const lock = new FileHeldLock(waiter, helper, outcome, this.#log, () => {
            this.#held.delete(lock);
            line.holder = undefined;
            this.#next(id, line);
          });
          this.#held.add(lock);
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
  }
}

/** A held flock: the helper's open descriptor for request `n` is the lock. */
class FileHeldLock implements HeldLock {
  readonly id: string;
  readonly token = randomBytes(16).toString('hex');
  readonly acquiredAt = performance.now();
  /** Who holds it, for waiters that give up. */
  readonly owner: string;
  readonly helper: LockHelper;
  readonly #request: number;
  readonly #path: string;
  readonly #file: { readonly dev: bigint; readonly ino: bigint };
  readonly #log: (line: string) => void;
  readonly #onRelease: () => void;
  #released = false;
  #lost = false;

  constructor(waiter: Waiter, helper: LockHelper, file: { dev: bigint; ino: bigint }, log: (line: string) => void, onRelease: () => void) {
    this.id = waiter.id;
    this.owner = waiter.options.owner;
    this.helper = helper;
    this.#request = waiter.request!;
    this.#path = waiter.path;
    this.#file = { dev: file.dev, ino: file.ino };
    this.#log = log;
    this.#onRelease = onRelease;
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** True while this lock is held and its file is still the one at the session's path. */
  async verify(): Promise<boolean> {
    if (this.#released || this.#lost) return false;
    let current;
    try {
      current = await stat(this.#path, { bigint: true });
    } catch {
      current = undefined;
    }
    if (current?.dev === this.#file.dev && current.ino === this.#file.ino) return !this.#lost && !this.#released;
    if (!this.#released) {
      this.markLost();
      this.#log(`tsfpm: session lock on ${this.id} (${this.owner}) lost: ${this.#path} was deleted or replaced while held`);
    }
    return false;
  }

  /** Closes the descriptor, which drops the flock; idempotent. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.helper.unlock(this.#request);
    this.#onRelease();
  }

  /** The kernel no longer holds it for us (the helper died, or the file went). */
  markLost(): void {
    this.#lost = true;
  }

  /** Released by the locker's close(), which ends the helper and with it every lock. */
  forget(): void {
    this.#released = true;
  }
}
