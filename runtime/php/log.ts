/**
 * The server log: one line per event, as `php -S` writes to stderr (`[Wed Nov 25 20:15:54 2026] …`),
 * and PHP's error_log file format (`[25-Nov-2026 20:15:54 UTC] …`) when the error_log setting names a file.
 * @module
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';

/** Receives finished log lines (no trailing newline). Tests pass their own to read the log. */
export type LogSink = (line: string) => void;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** asctime() in local time, as php -S prints it: `Wed Nov 25 20:15:54 2026`. */
export function asctime(d: Date = new Date()): string {
  const day = String(d.getDate()).padStart(2, ' ');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
}

/** The error_log file's timestamp, in UTC as PHP writes it without date.timezone: `25-Nov-2026 20:15:54 UTC`. */
export function errorLogTime(d: Date = new Date()): string {
  return `${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

/** The request's URI as the client sent it: under an Express mount, `originalUrl` keeps the mount path that `url` lost. */
export function requestUri(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}

let pending: string[] = [];
let flushesOnExit = false;
let stampSecond = -1;
let stamp = '';

function flushStderr(): void {
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  process.stderr.write(text);
}

/**
 * stderr with php -S's date prefix. A busy server logs a line per request: the lines of one turn of the event
 * loop go out in one write (stderr writes are synchronous on Linux, so one per line would cost a system call
 * each), and the date is formatted once a second. What is still pending is written when the process exits.
 */
export const stderrSink: LogSink = (line) => {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stamp = `[${asctime(new Date(now))}] `;
  }
  if (pending.length === 0) {
    if (!flushesOnExit) {
      flushesOnExit = true;
      process.once('exit', flushStderr);
    }
    setImmediate(flushStderr).unref();
  }
  pending.push(`${stamp}${line}\n`);
};

const files = new Map<string, WriteStream>();

/** Appends a line to a PHP-style error_log file; streams stay open and are shared per path. */
export function appendToLogFile(path: string, line: string): void {
  let stream = files.get(path);
  if (stream === undefined) {
    stream = createWriteStream(path, { flags: 'a' });
    stream.on('error', (err) => {
      files.delete(path);
      stderrSink(`tsfpm: cannot write error_log ${path}: ${err.message}; logging to stderr`);
    });
    files.set(path, stream);
  }
  stream.write(`[${errorLogTime()}] ${line}\n`);
}
