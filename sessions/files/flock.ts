/**
 * flock(2), the lock PHP's files handler takes on a session file (mod_files.c: flock(fd, LOCK_EX)).
 * Node has none, so it is called in libc through koffi, a prebuilt FFI package from the registry: no
 * helper process, no compiler. fcntl() record locks (what fs-native-extensions takes) are a different
 * lock on Linux and would not exclude PHP.
 *
 * Only the non-blocking form is offered: a blocking flock() would hold a thread (the event loop, or
 * one of libuv's four, which the holder may need to write and release its own session).
 * @module
 */
import koffi from 'koffi';

const LOCK_EX = 2;
const LOCK_NB = 4;
const EWOULDBLOCK = 11;
const EINTR = 4;

let call: ((fd: number, operation: number) => number) | undefined;

function libcFlock(): (fd: number, operation: number) => number {
  if (call) return call;
  if (process.platform !== 'linux' && process.platform !== 'darwin' && process.platform !== 'freebsd') {
    throw new Error(`flock(2) is not available on ${process.platform}: use session.save_handler=memory or redis`);
  }
  const libc = koffi.load(process.platform === 'linux' ? 'libc.so.6' : process.platform === 'darwin' ? 'libc.dylib' : 'libc.so.7');
  return (call = libc.func('int flock(int fd, int operation)') as (fd: number, operation: number) => number);
}

/** A system error as Node's fs functions give them (code, errno, syscall). */
function systemError(errno: number): Error {
  return Object.assign(new Error(`flock failed (errno ${errno})`), { errno: -errno, syscall: 'flock' });
}

/**
 * flock(fd, LOCK_EX | LOCK_NB): true when `fd` now holds the exclusive lock, false when another open
 * file description holds it. Throws for any other failure.
 */
export function tryLockExclusive(fd: number): boolean {
  const flock = libcFlock();
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) === 0) return true;
    const errno = koffi.errno();
    if (errno === EWOULDBLOCK) return false;
    if (errno !== EINTR) throw systemError(errno);
  }
}
