/**
 * One raw TCP exchange for tests that send what no HTTP client would: bytes the parser refuses,
 * a head that never ends, a body shorter than its Content-Length. Never rejects: a reset or a
 * timeout is an outcome to assert on, like a status.
 */
import { connect } from 'node:net';

export interface Exchange {
  /** Everything the server sent. */
  readonly data: Buffer;
  /** The status of the first response, undefined when none arrived. */
  readonly status: number | undefined;
  /** The first line the server sent ('' for none). */
  readonly statusLine: string;
  /** How it ended: the server closed, the connection was reset, `timeoutMs` passed, or `complete` held. */
  readonly end: 'closed' | 'reset' | 'timeout' | 'complete';
  /** The client's port, as the server's log lines name it. */
  readonly localPort: number;
  readonly ms: number;
}

export interface ExchangeOptions {
  /** Half-close after sending (the client says it has nothing more to send). */
  halfClose?: boolean;
  /** Give up (and destroy the socket) after this long. @default 10000 */
  timeoutMs?: number;
  /**
   * Read nothing until the whole request is written, as a client that uploads first (curl, most
   * HTTP libraries): a server that closes while the body is still coming resets the connection,
   * and the answer it sent is lost with the reset.
   */
  writeFirst?: boolean;
  /** With the request given in parts: the pause between two parts (a client still uploading when the answer comes). */
  gapMs?: number;
  /** Stop reading once this holds for what arrived (a whole response on a connection the server keeps open). */
  complete?: (data: Buffer) => boolean;
}

/** Sends `request` on a new connection and collects the answer until the server closes it (or it is `complete`). */
export function exchange(port: number, request: string | Buffer | readonly (string | Buffer)[], options: ExchangeOptions = {}): Promise<Exchange> {
  const { halfClose = false, timeoutMs = 10_000, writeFirst = false, gapMs = 0, complete } = options;
  const parts = Array.isArray(request) ? request : [request];
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let localPort = 0;
    let settled = false;
    const done = (end: Exchange['end']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(chunks);
      const eol = data.indexOf('\r\n');
      const statusLine = data.subarray(0, eol === -1 ? data.length : eol).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine);
      resolve({ data, status: match ? Number(match[1]) : undefined, statusLine, end, localPort, ms: performance.now() - started });
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    const read = (): void => {
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        if (complete?.(Buffer.concat(chunks))) done('complete');
      });
    };
    const write = (i: number): void => {
      if (settled) return;
      const last = i === parts.length - 1;
      socket.write(parts[i]!, () => {
        if (!last) setTimeout(() => write(i + 1), gapMs);
        else if (writeFirst && !settled) read();
      });
      if (last && halfClose) socket.end();
    };
    socket.on('connect', () => {
      localPort = socket.localPort ?? 0;
      write(0);
    });
    if (!writeFirst) read();
    socket.on('end', () => done('closed'));
    socket.on('close', () => done('closed'));
    socket.on('error', () => done('reset'));
  });
}

/** Every status line at the start of a response in `data` (pipelined or keep-alive responses). */
export function statusLines(data: Buffer): string[] {
  return data.toString('latin1').match(/HTTP\/1\.[01] \d{3} [^\r\n]*/g) ?? [];
}
