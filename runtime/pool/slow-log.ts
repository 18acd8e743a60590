/**
 * PHP-FPM's slow log (request_slowlog_timeout): a request still Running after that many seconds is
 * counted ("slow requests"), announced in the server log with PHP-FPM's warning line, and described
 * in the `slowlog` file (the server log when it is empty):
 *
 *   [26-Nov-2026 00:22:20]  [pool www] pid 4242
 *   script_filename = /srv/www/checkout.ts
 *   state = waiting for the session lock on 5f1c… held by script /srv/www/cart.ts, GET /cart
 *   [0x0000000000000000] session_start() /srv/www/checkout.ts:4
 *   [0x0000000000000001] default() /srv/www/checkout.ts:4
 *
 * Where it is: a script blocking the event loop is described by its real stack, taken by the
 * watchdog while it runs (each frame names its function and the line it is at). A script that is
 * waiting has no stack of its own: the entry gives its state, and the tsfpm call it awaits with the
 * line that called it, or says that it awaits some other promise. `[0x…]` numbers the frames (PHP
 * prints addresses).
 * @module
 */
import { appendFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isOwnFile } from '../php/call-site.ts';
import type { RequestContext } from '../request/request-context.ts';
import { sessionOf } from '../request/session-host.ts';

/** A request caught running synchronous code: the watchdog's stack of it, and how long the event loop has been blocked. */
export interface Blocking {
  readonly stack: string;
  readonly blockedMs: number;
}

interface Frame {
  readonly fn: string;
  readonly file: string;
  readonly line: number;
}

/** Logs `ctx` as slow, once: the counter, the warning line, and the slowlog entry. */
export function logSlowRequest(ctx: RequestContext, blocking?: Blocking): void {
  if (!ctx.logAsSlow()) return;
  const pool = ctx.env.pool.settings.name;
  ctx.env.pool.slowRequest();
  const seconds = ((performance.now() - ctx.startedAt) / 1000).toFixed(6);
  ctx.log(`WARNING: [pool ${pool}] child ${process.pid}, script '${ctx.target.file}' (request: "${ctx.req.method} ${ctx.req.url}") executing too slow (${seconds} sec), logging`);
  const depth = Math.max(0, ctx.ini.int('request_slowlog_trace_depth'));
  const lines = [`[${localTime(new Date())}]  [pool ${pool}] pid ${process.pid}`, `script_filename = ${ctx.target.file}`, `state = ${stateOf(ctx, blocking)}`, ...traceOf(ctx, blocking).slice(0, depth)];
  const file = ctx.ini.get('slowlog') ?? '';
  if (file) {
    try {
      appendFileSync(file, `\n${lines.join('\n')}\n`);
      return;
    } catch (err) {
      ctx.log(`tsfpm: cannot write the slowlog ${file}: ${(err as Error).message}; the entry follows`);
    }
  }
  ctx.log(lines.join('\n'));
}

function stateOf(ctx: RequestContext, blocking: Blocking | undefined): string {
  if (blocking) return `running synchronous code: the event loop has been blocked for ${(blocking.blockedMs / 1000).toFixed(1)} s`;
  if (ctx.waitingForLock !== false) {
    const holder = lockHolder(ctx, ctx.waitingForLock);
    return `waiting for the session lock on ${ctx.waitingForLock}${holder ? ` held by ${holder}` : ''}`;
  }
  return ctx.waitingAt ? `awaiting ${ctx.waitingAt.fn}()` : 'awaiting a promise';
}

/** Who holds the session lock on `id`, when it is a request of this process. */
function lockHolder(ctx: RequestContext, id: string): string | undefined {
  for (const other of ctx.env.pool.live) {
    if (other !== ctx && other.sessionLocked && sessionOf(other).id === id) return other.describe();
  }
  return undefined;
}

/** The frame lines: the real stack when blocking; else the awaited tsfpm call and its callers. */
function traceOf(ctx: RequestContext, blocking: Blocking | undefined): string[] {
  if (blocking) {
    const frames = framesOf(blocking.stack);
    return frames.length ? frames.map((f, i) => frameLine(i, `${f.fn}()`, f)) : [frameLine(0, '(in node or tsfpm code: no script frame)')];
  }
  const waiting = ctx.waitingAt;
  if (!waiting) return [frameLine(0, '(awaiting a promise: no synchronous frame)')];
  const callers = framesOf(waiting.stack.stack ?? '');
  return [frameLine(0, `${waiting.fn}()`, callers[0]), ...callers.map((f, i) => frameLine(i + 1, `${f.fn}()`, f))];
}

function frameLine(index: number, text: string, at?: { file: string; line: number }): string {
  return `[0x${index.toString(16).padStart(16, '0')}] ${text}${at ? ` ${at.file}:${at.line}` : ''}`;
}

/** The stack's frames in script and library files; tsfpm's own and Node's are left out. */
function framesOf(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const raw of stack.split('\n')) {
    const text = raw.trim();
    if (!text.startsWith('at ')) continue;
    const named = /^at (?:async )?(.*?) \((.*)\)$/.exec(text);
    const fn = named ? named[1]! : '';
    const where = /^(.*?)(?:\?[^:]*)?:(\d+):\d+$/.exec(named ? named[2]! : text.slice(3).replace(/^async /, ''));
    if (!where) continue;
    const file = where[1]!.startsWith('file://') ? fileURLToPath(where[1]!) : where[1]!;
    if (!isAbsolute(file) || isOwnFile(file)) continue;
    frames.push({ fn: fn || '{closure}', file, line: Number(where[2]) });
  }
  return frames;
}

/** PHP-FPM's slowlog time, in local time: `26-Nov-2026 00:22:20`. */
function localTime(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getDate())}-${d.toLocaleString('en-US', { month: 'short' })}-${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
