/**
 * The watchdog, main-thread side: the pool's heartbeat, and how tsfpm stops a script stuck in
 * synchronous code (`for (;;) {}`), which blocks the one event loop so that no timer can fire.
 *
 * Every HEARTBEAT_MS this thread checks the pool timers of the live requests (the slow log and
 * request_terminate_timeout, as PHP-FPM's master does on its heartbeat) and bumps a counter in
 * shared memory. A worker thread (watchdog-thread.js) watches that counter. When it stalls, the
 * thread opens an inspector session to this one, whose commands run on an interrupt, in the middle
 * of the stuck code, and calls:
 *
 *   probe(beat, stalledMs)    which request is running (AsyncLocalStorage) and which of its limits
 *                             is due. Writes the slow log entry, with the stuck code's real stack,
 *                             when request_slowlog_timeout has passed. Answers whether to stop it and
 *                             when to look again.
 *   confirm(beat, stalledMs)  evaluated while the thread holds this one paused in the debugger, right
 *                             before it posts Runtime.terminateExecution: checks again, notes where
 *                             the script is stuck, and clears Node's async id stack, which the
 *                             termination would leave unbalanced (Node exits with "async hook stack
 *                             has become corrupted" when AsyncLocalStorage is in use). Before it, the
 *                             thread repairs Node's timer and immediate loops if the script is stuck
 *                             in one of their callbacks (see REPAIRS there), or gives up and calls
 *   cannotStop(beat, where)   which logs that this script cannot be stopped safely.
 *
 * The termination unwinds the stuck code at once: its finally blocks do not run and the async
 * functions it was in never settle. The limit that was due ends the request as soon as the event
 * loop runs again: request_terminate_timeout on the next heartbeat, with a 504 (stopRequest);
 * max_execution_time by its timer, with PHP's fatal error; tsfpm.tail_timeout as a tail no longer
 * tracked.
 *
 * A background tail (after fastcgi_finish_request()) that blocks the loop is held to the script's
 * limits, not only to tsfpm.tail_timeout: PHP's max_execution_time counts CPU time, after the finish
 * too, and time blocking the loop is CPU time, so a stall of max_execution_time is stopped with PHP's
 * fatal error (and the request then ends as after it: shutdown functions, session, access log);
 * one past request_terminate_timeout (counted from the request's start, as FPM) is stopped as FPM's kill.
 *
 * Only a request is stopped, and only once it has blocked the loop STOP_AFTER_MS: shorter stalls end
 * by themselves and the timers then fire as usual. V8 drops the rest of the microtask queue with the
 * termination, so a request whose continuation was queued in the same tick never resumes: it ends at
 * its own max_execution_time or request_terminate_timeout.
 * @module
 */
import inspector from 'node:inspector';
import { Worker } from 'node:worker_threads';
import { captureStack, scriptCallSite } from '../php/call-site.ts';
import { currentRequest } from '../request/current-request.ts';
import { checkPoolTimers, poolTimersOf, terminateRequest } from './pool-timers.ts';
import type { RequestContext, RequestEnvironment } from '../request/request-context.ts';
import { logSlowRequest } from './slow-log.ts';

/** How often this thread shows it is alive, and checks the pool timers of the live requests. */
const HEARTBEAT_MS = 100;
/** A stall this long is looked at: which request, and is a limit or the slow log due. */
const PROBE_AFTER_MS = 300;
/** A request is terminated only once it has blocked the event loop this long (and a limit has passed). */
const STOP_AFTER_MS = 1000;
/** While stalled with nothing due, look again this often (the stall may move on to another request). */
const RECHECK_MS = 1000;
/** How long the thread waits for this one to answer or to pause (it cannot while in native code). */
const ANSWER_TIMEOUT_MS = 2000;

const HOOK = Symbol.for('tsfpm.watchdog');
const NAMES = ['request_terminate_timeout', 'request_slowlog_timeout', 'max_execution_time'] as const;

/** What probe() tells the thread: terminate now, and else when to look again (ms). */
interface ProbeReply {
  readonly stop: boolean;
  readonly next: number;
}

interface Running {
  readonly worker: Worker;
  readonly heartbeat: NodeJS.Timeout;
  /** The time of the last heartbeat (ms, performance.timeOrigin + performance.now()): also what names a stall. */
  readonly beat: BigInt64Array;
  /** The stall already reported as "outside any request". */
  reportedBeat: number | undefined;
  /**
   * The stall whose script was terminated, or found not stoppable: nothing more to do for it (and
   * probes that come before the termination lands must not take it for a stall outside a request).
   */
  handledBeat: number | undefined;
}

const servers = new Set<RequestEnvironment>();
let running: Running | undefined;
let clearAsyncIdStack: (() => void) | undefined | null;

/**
 * Watches for scripts stuck in synchronous code on behalf of the server `env`, when any of its time limits
 * is on. One thread per process serves every server; it never keeps the process alive.
 */
export function startWatchdog(env: RequestEnvironment): void {
  if (!NAMES.some((name) => env.settings.typed[name] > 0)) return;
  servers.add(env);
  if (running) return;
  clearAsyncIdStack ??= asyncIdStackClearer(env);
  const beat = new BigInt64Array(new SharedArrayBuffer(8));
  const pulse = (): void => {
    const now = performance.now();
    Atomics.store(beat, 0, BigInt(Math.round(performance.timeOrigin + now)));
    for (const each of servers) checkPoolTimers(each, now);
  };
  pulse();
  const heartbeat = setInterval(pulse, HEARTBEAT_MS).unref();
  const worker = new Worker(new URL('./watchdog-thread.js', import.meta.url), {
    workerData: { heartbeat: beat.buffer, probeAfterMs: PROBE_AFTER_MS, recheckMs: RECHECK_MS, answerTimeoutMs: ANSWER_TIMEOUT_MS },
    execArgv: [],
  });
  worker.unref();
  const state: Running = { worker, heartbeat, beat, reportedBeat: undefined, handledBeat: undefined };
  worker.on('error', (err) => everyLog(`tsfpm: the watchdog thread failed (${err.message}); scripts stuck in synchronous code are no longer stopped`));
  worker.on('exit', () => {
    clearInterval(heartbeat);
    if (running === state) running = undefined;
  });
  running = state;
  (globalThis as Record<symbol, unknown>)[HOOK] = { probe, confirm, cannotStop };
}

/** The server `env` no longer needs watching (it closed); the thread stops with the last one. */
export function stopWatchdog(env: RequestEnvironment): void {
  servers.delete(env);
  if (servers.size > 0 || !running) return;
  clearInterval(running.heartbeat);
  void running.worker.terminate();
  running = undefined;
  delete (globalThis as Record<symbol, unknown>)[HOOK];
}

/** Node's own clearAsyncIdStack (what it runs after an uncaught exception), or null where it is not reachable. */
function asyncIdStackClearer(env: RequestEnvironment): (() => void) | null {
  const clearer = nodeAsyncIdStackClearer();
  if (!clearer) env.log('tsfpm: this Node.js gives no way to stop a script stuck in synchronous code safely; such scripts are only logged');
  return clearer;
}

/** Node's own clearAsyncIdStack, which makes terminating a script safe (Node 20); null where Node has none. */
function nodeAsyncIdStackClearer(): (() => void) | null {
  const quiet = process.noDeprecation;
  try {
    process.noDeprecation = true; // process.binding() warns DEP0111 once; this is a deliberate use
    const binding = (process as unknown as { binding(name: string): { clearAsyncIdStack?: () => void } }).binding('async_wrap');
    if (typeof binding.clearAsyncIdStack === 'function') return binding.clearAsyncIdStack.bind(binding);
  } catch {
    // fall through
  } finally {
    process.noDeprecation = quiet;
  }
  return null;
}

/** Whether this Node.js lets the watchdog stop a script stuck in synchronous code (else such scripts are only logged). */
export function canStopStuckScripts(): boolean {
  return nodeAsyncIdStackClearer() !== null;
}

/** The thread's first look at a stall (and each later one while it lasts). Runs inside the stuck code. */
function probe(beatSeen: number, stalledMs: number): ProbeReply {
  const state = running;
  if (!state || Number(Atomics.load(state.beat, 0)) !== beatSeen) return { stop: false, next: 0 };
  if (state.handledBeat === beatSeen) return { stop: false, next: RECHECK_MS };
  const ctx = currentRequest();
  if (!ctx) {
    // reported once it has lasted as long as a request would have been stopped after
    if (stalledMs < STOP_AFTER_MS) return { stop: false, next: STOP_AFTER_MS - stalledMs };
    const stack = captureStack().stack ?? '';
    if (state.reportedBeat !== beatSeen && runningBelow(stack)) {
      state.reportedBeat = beatSeen;
      const site = scriptCallSite(stack);
      everyLog(`tsfpm: event loop blocked ${(stalledMs / 1000).toFixed(1)} s outside any request${site ? ` at ${site.file}:${site.line}` : ''}; not stopped`);
    }
    return { stop: false, next: RECHECK_MS };
  }
  const now = performance.now();
  const { slowlogAt, terminateAt } = poolTimersOf(ctx);
  if (due(slowlogAt, now)) logSlowRequest(ctx, { stack: captureStack().stack ?? '', blockedMs: stalledMs });
  if (stopReason(ctx, now, stalledMs) && unwinder()) return stalledMs >= STOP_AFTER_MS ? { stop: true, next: 0 } : { stop: false, next: STOP_AFTER_MS - stalledMs };
  const tail = tailLimitsOf(ctx, now, stalledMs);
  const upcoming = [slowlogAt, terminateAt, ctx.deadline.expiresAt, tail?.executionAt, tail?.terminateAt].filter((at): at is number => at !== undefined && at > now);
  return { stop: false, next: Math.min(RECHECK_MS, ...upcoming.map((at) => at - now)) };
}

/**
 * Whether code runs below the probe. It runs on an interrupt inside that code; from an idle event
 * loop (the heartbeat held up by a stopped process or a machine that slept) there is none: only the
 * probe and the expression that called it.
 */
function runningBelow(stack: string): boolean {
  return stack.split('\n').filter((line) => line.trimStart().startsWith('at ')).length > 2;
}

/**
 * The last check before the termination, made while the thread holds this one paused: the same
 * stall, a request whose limit has passed, no developer's debugger attached. Prepares the stop.
 */
function confirm(beatSeen: number, stalledMs: number): boolean {
  const state = running;
  const unwind = unwinder();
  if (!state || !unwind || Number(Atomics.load(state.beat, 0)) !== beatSeen || stalledMs < STOP_AFTER_MS) return false;
  const ctx = currentRequest();
  const reason = ctx && stopReason(ctx, performance.now(), stalledMs);
  if (!ctx || !reason) return false;
  const site = scriptCallSite(captureStack().stack);
  if (reason === 'max_execution_time' || reason === TAIL_EXECUTION) ctx.deadline.noteStuckAt(site);
  // a macrotask: survives the termination, which drops the microtasks queued so far
  setImmediate(() => {
    const at = site ? ` at ${site.file}:${site.line}` : '';
    ctx.log(`tsfpm: terminated a script that blocked the event loop for ${(stalledMs / 1000).toFixed(1)} s${at}: ${reason} (${ctx.describe()})`);
    // no timer of the request's falls due for these: end it here
    if (reason === TAIL_EXECUTION) {
      ctx.deadline.stopTail(ctx.ini.int('max_execution_time'));
    } else if (reason === TAIL_TERMINATE) {
      void terminateRequest(ctx);
    }
  });
  state.handledBeat = beatSeen;
  unwind();
  return true;
}

/** The thread found no safe way to terminate the stuck script: logged once for the stall. */
function cannotStop(beatSeen: number, where: string): void {
  const state = running;
  if (!state || state.handledBeat === beatSeen) return;
  state.handledBeat = beatSeen;
  const ctx = currentRequest();
  const line = `tsfpm: a script blocking the event loop cannot be stopped safely (${where}); it goes on`;
  if (ctx) ctx.log(`${line} (${ctx.describe()})`);
  else everyLog(line);
}

/**
 * What prepares a termination (clearing Node's async id stack), when one may happen: Node lets us
 * clear that stack, and no developer's debugger is attached (--inspect), whose pauses are not stalls.
 */
function unwinder(): (() => void) | undefined {
  return clearAsyncIdStack && inspector.url() === undefined ? clearAsyncIdStack : undefined;
}

const TAIL_EXECUTION = 'max_execution_time, in the background tail after fastcgi_finish_request()';
const TAIL_TERMINATE = 'request_terminate_timeout, in the background tail after fastcgi_finish_request()';

/**
 * For a background tail blocking the loop (stalled `stalledMs`): when max_execution_time is spent by
 * the stall alone, and when request_terminate_timeout (if set) passes; undefined for no tail.
 */
function tailLimitsOf(ctx: RequestContext, now: number, stalledMs: number): { executionAt: number; terminateAt: number } | undefined {
  if (ctx.phase !== 'finished') return undefined;
  const execution = ctx.ini.int('max_execution_time');
  const terminate = ctx.ini.int('request_terminate_timeout');
  return {
    executionAt: execution > 0 ? now - stalledMs + execution * 1000 : Infinity,
    terminateAt: terminate > 0 ? ctx.startedAt + terminate * 1000 : Infinity,
  };
}

/** Which limit of `ctx` has passed (the earlier, when several have); a request already ended that still runs code is stopped at once. */
function stopReason(ctx: RequestContext, now: number, stalledMs: number): string | undefined {
  if (ctx.phase === 'done') return 'its request had already ended';
  const terminateAt = poolTimersOf(ctx).terminateAt ?? Infinity;
  const deadlineAt = ctx.deadline.expiresAt ?? Infinity;
  const tail = tailLimitsOf(ctx, now, stalledMs);
  const earliest = Math.min(terminateAt, deadlineAt, tail?.executionAt ?? Infinity, tail?.terminateAt ?? Infinity);
  if (earliest > now) return undefined;
  if (terminateAt === earliest) return 'request_terminate_timeout';
  if (tail?.terminateAt === earliest) return TAIL_TERMINATE;
  if (tail?.executionAt === earliest) return TAIL_EXECUTION;
  return ctx.phase === 'running' ? 'max_execution_time' : 'tsfpm.tail_timeout';
}

function due(at: number | undefined, now: number): boolean {
  return at !== undefined && at <= now;
}

function everyLog(line: string): void {
  for (const env of servers) env.log(line);
}
