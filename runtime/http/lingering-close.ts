/**
 * nginx's lingering_close for tsfpm's own server: a response that closes its connection before
 * the client has sent its whole request (a body over post_max_size, a 404, 413, 431, 400 …) must
 * not close the socket at once. Closing a socket with unread input makes the kernel answer with
 * a reset: a client still writing its body gets EPIPE or ECONNRESET and never reads the response
 * it was sent. So tsfpm half-closes (FIN after the response), then reads and drops what the client
 * still sends until it closes its side, with nginx's bounds: 5 s without data (lingering_timeout)
 * or 30 s in all (lingering_time), after which the socket is closed anyway.
 * @module
 */
import type { Duplex } from 'node:stream';

/** nginx's lingering_timeout: the longest wait for more data from the client. */
const LINGERING_TIMEOUT_MS = 5_000;
/** nginx's lingering_time: the longest time spent reading and dropping what the client sends. */
const LINGERING_TIME_MS = 30_000;

/** How often a lingering socket is looked at. */
const CHECK_MS = 500;

/**
 * Ends our side of `socket` after what is queued, drains the client's side, then closes it.
 * Progress is read from bytesRead: a 'data' listener would take the socket away from node:http's
 * parser, which is what reads and drops the rest of a request body.
 */
export function lingeringClose(socket: Duplex & { readonly bytesRead?: number }): void {
  if (socket.destroyed) return;
  socket.on('error', () => socket.destroy());
  if (!socket.writableEnded) socket.end();
  const started = performance.now();
  let lastRead = socket.bytesRead ?? 0;
  let lastReadAt = started;
  const close = (): void => {
    clearInterval(check);
    socket.destroy();
  };
  const check = setInterval(() => {
    const now = performance.now();
    if ((socket.bytesRead ?? 0) !== lastRead) {
      lastRead = socket.bytesRead ?? 0;
      lastReadAt = now;
    }
    if (now - lastReadAt >= LINGERING_TIMEOUT_MS || now - started >= LINGERING_TIME_MS) close();
  }, CHECK_MS);
  check.unref();
  socket.once('end', close);
  socket.once('close', close);
  socket.resume();
}
