/**
 * One request, start to end. Each stage is one function below; the diagram gives the order and
 * what happens when a stage fails.
 *
 *   runRequest
 *     │ script(php) ──────────────── throws ─────────► fatal: log it; before the finish, as PHP:
 *     │    │                                            500 if display_errors is off, no header sent
 *     │    │ exit()/die() ──► a normal end              and the code still 200; with display_errors,
 *     │    │                                            the error text after the output buffered so far
 *     │    │ max_execution_time ──► fatal (as above), the script is abandoned
 *     │    │ request_terminate_timeout ──► stopRequest: 504, no shutdown functions (FPM kills the child)
 *     │    │ request_slowlog_timeout ──► the slow log (once), the script goes on
 *     │    │   (both checked on the watchdog's heartbeat; a script blocking the event loop meets
 *     │    │    them and max_execution_time through the watchdog thread: runtime/pool/watchdog.ts)
 *     │    │
 *     │    │ returns with waitUntil() work ──► finishResponse (below), then the work as its tail
 *     │    └─ fastcgi_finish_request() ─► finishResponse:
 *     │            1. flush every output buffer into the response
 *     │            2. release resources ('finish'): the session is written and its lock released
 *     │            3. send status, headers, body; end the response (Content-Length or last chunk)
 *     │            4. the script goes on as a background tail, timed by tsfpm.tail_timeout (one that
 *     │               blocks the event loop: by max_execution_time, through the watchdog);
 *     │               its output is dropped (logged once), header changes warn
 *     ▼
 *   endRequest (always, once the script settles, fails, times out, or its tail times out)
 *       1. shutdown functions, in order; one that throws is logged and the rest still run
 *       2. flush every output buffer        3. release resources ('end'): sessions not yet closed
 *       4. delete upload temp files not moved  5. end the response if still open
 *       6. access log line, with the script's total time when it finished early
 * @module
 */
import { captureStack, scriptCallSite, type CallSite, type CapturedStack } from '../php/call-site.ts';
import { phpStackTrace } from '../php/php-trace.ts';
import { runInRequest } from './current-request.ts';
import { E_ERROR, formatDisplay } from '../php/error-reporting.ts';
import { describeError, ExitSignal, ScriptLoadError, TailTimeoutError, TimeLimitError } from '../php/errors.ts';
import { sendErrorPage } from './error-page.ts';
import { responseHeaders } from '../settings/response-headers.ts';
import { removeUploads } from './uploads.ts';
import { hasWaitUntil, settleWaitUntil } from './wait-until.ts';
import { requestUri } from '../php/log.ts';
import { requestState, type RequestContext } from './request-context.ts';
import { startSession } from './session-host.ts';

/** What a router script asked for: `false` lets the request through to the normal mapping. */
export type Outcome = 'done' | 'fallthrough';

/** How the script's own run ended first: it returned (or its promise resolved), it threw, or its time limit passed. */
type Ending = { readonly value: unknown } | { readonly error: unknown } | { readonly timeout: number };

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | null)?.then === 'function';

/**
 * Told once, when the request is over or when a router's script let it through (the outcome), or
 * when tsfpm itself failed running it (the error).
 */
export type RunEnded = (ctx: RequestContext, error: unknown, outcome?: Outcome) => void;

/**
 * Runs `script(php)` for `ctx` to the end of its request (or of its tail), then calls `ended`. `php`
 * is what the API layer hands the script (its PHP API object); this layer only passes it on. The
 * pool slot the request holds is let go at its end.
 *
 * The script starts as the current request in a microtask of its own: a script terminated by the
 * watchdog in its first synchronous stretch ends only that microtask, and the deadline still ends
 * the request. A script that returns at once, leaving nothing to wait for, ends its request in
 * that same microtask, without a promise.
 */
export function runRequest<P>(ctx: RequestContext, script: (php: P) => unknown, php: P, asRouter: boolean, ended: RunEnded): void {
  ctx.enterPool();
  const run = new ScriptRun(ctx, asRouter, ended);
  ctx.deadline.onExpired((timeout) => run.settle({ timeout }));
  runInRequest(ctx, queueMicrotask, () => run.start(script, php));
}

/** One run of a script: the first of its endings (its return, its error, its time limit) ends it. */
class ScriptRun {
  readonly #ctx: RequestContext;
  readonly #asRouter: boolean;
  readonly #ended: RunEnded;
  #settled = false;
  /** The script's promise, when it returned one. */
  #running: PromiseLike<unknown> | undefined;

  constructor(ctx: RequestContext, asRouter: boolean, ended: RunEnded) {
    this.#ctx = ctx;
    this.#asRouter = asRouter;
    this.#ended = ended;
  }

  start<P>(script: (php: P) => unknown, php: P): void {
    const ctx = this.#ctx;
    try {
      const value = ctx.ini.bool('session.auto_start') ? ctx.awaiting('session_start', startSession(ctx, {}), autoStartCall()).then(() => script(php)) : script(php);
      if (!isThenable(value)) return this.settle({ value });
      this.#running = value;
      value.then(
        (value) => this.settle({ value }),
        (error: unknown) => this.settle({ error }),
      );
    } catch (error) {
      this.settle({ error });
    }
  }

  settle(ending: Ending): void {
    if (this.#settled) return;
    this.#settled = true;
    const ctx = this.#ctx;
    let outcome: Outcome | Promise<Outcome>;
    try {
      outcome = afterScript(ctx, ending, this.#running, this.#asRouter);
    } catch (err) {
      return this.#failed(err);
    }
    if (typeof outcome === 'string') return this.#ended(ctx, undefined, outcome);
    outcome.then(
      (outcome) => this.#ended(ctx, undefined, outcome),
      (err: unknown) => this.#failed(err),
    );
  }

  /** tsfpm failed ending the request: it may not have reached its end, which lets go of the slot. */
  #failed(err: unknown): void {
    this.#ctx.slot?.release();
    this.#ended(this.#ctx, err);
  }
}

/** session.auto_start's session_start() has no call of the script's: a stack of no frames, which costs no walk. */
function autoStartCall(): CapturedStack {
  return captureStack(autoStartCall, 0);
}

/** The script's own run ended: the request ends now when nothing is left to wait for, else through settleScript. */
function afterScript(ctx: RequestContext, ending: Ending, running: PromiseLike<unknown> | undefined, asRouter: boolean): Outcome | Promise<Outcome> {
  if ('timeout' in ending || hasWaitUntil(ctx) || ('error' in ending && !(ending.error instanceof ExitSignal))) return settleScript(ctx, ending, running, asRouter);
  ctx.deadline.clear();
  let returned: unknown;
  if ('value' in ending) returned = ending.value;
  else exited(ctx, ending.error as ExitSignal);
  if (asRouter && returned === false && ctx.phase === 'running') return abandon(ctx).then(() => 'fallthrough');
  return endRequest(ctx);
}

/** exit($status): a string status is printed, as PHP does. */
function exited(ctx: RequestContext, exit: ExitSignal): void {
  if (typeof exit.status === 'string') ctx.output.write(exit.status);
}

/** The endings that wait: a fatal error, waitUntil() work, the time limit. */
async function settleScript(ctx: RequestContext, winner: Ending, running: PromiseLike<unknown> | undefined, asRouter: boolean): Promise<Outcome> {
  const { deadline } = ctx;
  let returned: unknown;
  try {
    if ('error' in winner) throw winner.error;
    if (!('timeout' in winner) && hasWaitUntil(ctx)) {
      // waitUntil() work runs after the response, as on the platforms that defined it
      if (ctx.phase === 'running' && (await finishResponse(ctx)) && !(await enterTail(ctx))) {
        ctx.log(`tsfpm: waitUntil() work is no longer tracked (${ctx.describe()})`);
      } else {
        const timedOut = await Promise.race([settleWaitUntil(ctx).then(() => undefined), deadline.expired]);
        if (timedOut !== undefined) logTailTimeout(ctx, timedOut);
      }
    }
    if ('timeout' in winner) {
      // it may go on and take a session lock: that is let go when it settles
      if (running) {
        void Promise.resolve(running)
          .catch((err) => ctx.log(`tsfpm: abandoned script failed later (${ctx.describe()}): ${describeError(err)}`))
          .finally(() => releaseResources(ctx, 'end'));
      }
      if (ctx.phase === 'running' || deadline.tailStopped) fatal(ctx, new TimeLimitError(winner.timeout), deadline.stuckSite ?? waitingSite(ctx));
      else logTailTimeout(ctx, winner.timeout);
    } else {
      returned = winner.value;
    }
  } catch (err) {
    if (!(err instanceof ExitSignal)) fatal(ctx, err, undefined);
    else exited(ctx, err);
  } finally {
    deadline.clear();
  }
  if (asRouter && returned === false && ctx.phase === 'running') {
    await abandon(ctx);
    return 'fallthrough';
  }
  return endRequest(ctx);
}

/** A tail past tsfpm.tail_timeout: its code cannot be stopped from here, so the request stops waiting for it. */
function logTailTimeout(ctx: RequestContext, seconds: number): void {
  ctx.log(`tsfpm: ${new TailTimeoutError(seconds).message} (${ctx.describe()}); it is no longer tracked`);
}

/**
 * After the finish: the request leaves its child for a tail slot, waiting for one when
 * tsfpm.max_tails are running, or false when tsfpm.tail_overflow refuses it.
 */
export function enterTail(ctx: RequestContext): Promise<boolean> | boolean {
  return ctx.slot ? ctx.slot.toTail(ctx.describe()) : true;
}

/** fastcgi_finish_request(): true when it ended the response, false when it was already ended. */
export async function finishResponse(ctx: RequestContext): Promise<boolean> {
  if (ctx.phase !== 'running') return false;
  ctx.response.markOutputStart();
  ctx.output.endAll();
  await releaseResources(ctx, 'finish');
  ctx.response.noteClientGone(); // a client gone before the end stays ABORTED for the tail
  ctx.response.end();
  ctx.finished();
  ctx.responded();
  ctx.deadline.reset(ctx.ini.int('tsfpm.tail_timeout'));
  return true;
}

/**
 * Ends a request from outside its script: request_terminate_timeout, a script stuck in synchronous
 * code, a shutdown deadline. The script is not waited for (it may never settle) and its shutdown
 * functions do not run, as when PHP-FPM kills a child; what the request holds is let go as at its
 * end: the session written and unlocked, upload files removed, the pool slot freed. A response not
 * sent yet becomes `status`; one already streaming is cut.
 */
export async function stopRequest(ctx: RequestContext, status: number, reason: string): Promise<void> {
  if (ctx.phase === 'done') return;
  const hadTail = ctx.phase === 'finished';
  ctx.log(`tsfpm: ${reason} (${ctx.describe()}, ${requestState(ctx)})`);
  ctx.done();
  ctx.response.startClosing();
  ctx.deadline.clear();
  ctx.output.discardAll();
  if (!hadTail) sendErrorPage(ctx.res, status, ctx.req.url ?? '/', undefined, responseHeaders(ctx.env.settings));
  await releaseResources(ctx, 'end');
  await removeUploads(ctx.uploads, ctx.log.bind(ctx));
  ctx.responded();
  requestEnded(ctx, hadTail);
}

/**
 * The end of every request; it waits only for shutdown functions, resources and upload files it has,
 * and is over at once (no promise) when it has none.
 */
function endRequest(ctx: RequestContext): 'done' | Promise<'done'> {
  // stopped from outside (stopRequest) while the script was still going: already ended, but what
  // the script took since (a session lock it was waiting for) is let go now that it has settled
  if (ctx.phase === 'done') return releaseThen(ctx, 'end', done);
  const hadTail = ctx.phase === 'finished';
  if (ctx.shutdownFunctions.length > 0) return runShutdownFunctions(ctx).then(() => closeRequest(ctx, hadTail));
  return closeRequest(ctx, hadTail);
}

const done = (): 'done' => 'done';

/**
 * After the shutdown functions: the output flushed, what the request holds let go, the response ended.
 * A request holding its session alone waits for one promise, the session's release, not a chain of them:
 * each promise costs a promise-hook call (AsyncLocalStorage), a microtask and garbage.
 */
function closeRequest(ctx: RequestContext, hadTail: boolean): 'done' | Promise<'done'> {
  ctx.response.startClosing();
  ctx.output.endAll();
  if (ctx.uploads.size === 0) return ctx.resources.length === 0 ? respondAndEnd(ctx, hadTail) : releaseThen(ctx, 'end', () => respondAndEnd(ctx, hadTail));
  // before the response ends, as PHP removes them before FPM ends the request
  return Promise.resolve(releaseThen(ctx, 'end', () => removeUploads(ctx.uploads, ctx.log.bind(ctx)))).then(() => respondAndEnd(ctx, hadTail));
}

function respondAndEnd(ctx: RequestContext, hadTail: boolean): 'done' {
  const now = performance.now();
  if (ctx.phase === 'running') {
    ctx.response.end();
    ctx.responded(now);
  }
  ctx.done();
  requestEnded(ctx, hadTail, now);
  return 'done';
}

/** The request leaves the live set and its pool slot; the access log and the pool's observers hear of it. */
function requestEnded(ctx: RequestContext, hadTail: boolean, now = performance.now()): void {
  ctx.leavePool();
  ctx.slot?.release();
  accessLog(ctx, now);
  const respondedAt = ctx.respondedAt ?? now;
  ctx.env.pool.ended({
    method: ctx.req.method ?? 'GET',
    status: ctx.res.statusCode,
    script: ctx.target.scriptName,
    responseSeconds: (respondedAt - ctx.startedAt) / 1000,
    tailSeconds: hadTail ? (now - respondedAt) / 1000 : undefined,
  });
}

/** A router that returned false: its session is released and its output dropped, the request goes on. */
async function abandon(ctx: RequestContext): Promise<void> {
  if (ctx.output.level > 0 && ctx.output.length()) ctx.log(`tsfpm: router output discarded because it returned false (${ctx.describe()})`);
  ctx.output.discardAll();
  await releaseResources(ctx, 'end');
  ctx.done();
  ctx.leavePool();
}

async function runShutdownFunctions(ctx: RequestContext): Promise<void> {
  // functions registered while these run are appended and run too, as PHP does
  for (let i = 0; i < ctx.shutdownFunctions.length; i++) {
    try {
      await runInRequest(ctx, async () => ctx.shutdownFunctions[i]!());
    } catch (err) {
      if (err instanceof ExitSignal) break;
      fatal(ctx, err, undefined);
    }
  }
}

/** Lets go of what the request holds, one resource after the other; one that fails is logged and the rest still go. */
function releaseResources(ctx: RequestContext, when: 'finish' | 'end'): void | Promise<void> {
  return releaseThen(ctx, when, nothing);
}

const nothing = (): void => undefined;

/**
 * releaseResources(), then `next`: at once when the request holds nothing, else one promise step per
 * resource it holds (its session, as a rule), in order; one added meanwhile is let go too.
 */
function releaseThen<T>(ctx: RequestContext, when: 'finish' | 'end', next: () => T | Promise<T>, from = 0): T | Promise<T> {
  const resource = ctx.resources[from];
  if (resource === undefined) return next();
  let released: Promise<void>;
  try {
    released = resource.release(when);
  } catch (err) {
    releaseFailed(ctx, err);
    return releaseThen(ctx, when, next, from + 1);
  }
  return released.then(
    () => releaseThen(ctx, when, next, from + 1),
    (err: unknown) => {
      releaseFailed(ctx, err);
      return releaseThen(ctx, when, next, from + 1);
    },
  );
}

function releaseFailed(ctx: RequestContext, err: unknown): void {
  ctx.log(`tsfpm: releasing a request resource failed (${ctx.describe()}): ${describeError(err)}`);
}

/** Where a script past its time limit waits: the line that called the tsfpm function it awaits (PHP's "on line N"). */
function waitingSite(ctx: RequestContext): CallSite | undefined {
  return ctx.waitingAt ? scriptCallSite(ctx.waitingAt.stack.stack) : undefined;
}

/**
 * An uncaught error: PHP's "Fatal error: Uncaught …" with the script's stack trace, in the log and,
 * with display_errors, after the output still buffered, which is kept and sent as PHP sends it.
 * After the finish, only the log.
 */
export function fatal(ctx: RequestContext, err: unknown, site = scriptCallSite(err instanceof Error ? err.stack : undefined)): void {
  const where = err instanceof ScriptLoadError ? err.site : (site ?? { file: ctx.target.file, line: 0 });
  const level = err instanceof ScriptLoadError ? err.level : E_ERROR;
  const text =
    err instanceof TimeLimitError || err instanceof ScriptLoadError
      ? err.message
      : `Uncaught ${describeError(err)} in ${where.file}:${where.line}\nStack trace:\n${phpStackTrace(err)}\n  thrown`;
  const background = ctx.phase === 'running' ? '' : ` (after fastcgi_finish_request(): ${ctx.describe()})`;
  ctx.raise(level, text + background, where);
  if (err instanceof ScriptLoadError && err.frame && ctx.ini.bool('log_errors')) ctx.logError(err.frame);
  if (ctx.phase !== 'running') return;
  fatalStatus(ctx);
  if (ctx.ini.bool('display_errors') && ctx.ini.int('error_reporting') & level) {
    ctx.output.write(formatDisplay(level, text, where, ctx.ini.bool('html_errors')));
  }
}

/** php_error_cb on a fatal error: 500 only when display_errors is off, no header was sent and the code is still 200. */
export function fatalStatus(ctx: RequestContext): void {
  if (!ctx.ini.bool('display_errors') && !ctx.response.sapi.headersSent && ctx.headers.status === 200) ctx.headers.setStatus(500);
}

function accessLog(ctx: RequestContext, now: number): void {
  const { req, res } = ctx;
  const total = now - ctx.startedAt;
  const responded = (ctx.respondedAt ?? now) - ctx.startedAt;
  const early = total - responded > 1 ? ` - response in ${responded.toFixed(1)} ms, script ran ${total.toFixed(1)} ms` : '';
  ctx.log(`${req.socket.remoteAddress}:${req.socket.remotePort} [${res.statusCode}]: ${req.method} ${requestUri(req)}${early}`);
}
