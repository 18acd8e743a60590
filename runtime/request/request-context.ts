/**
 * One request's state, from the moment its script starts until its background tail settles, and
 * what it needs of the server (RequestEnvironment) and of its pool (RequestPool, RequestSlot).
 * The PHP functions in runtime/api/ are thin views of this object.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { scriptCallSite, type CallSite, type CapturedStack } from '../php/call-site.ts';
import { E_ERROR, E_PARSE, formatDisplay, formatLogLine } from '../php/error-reporting.ts';
import { HeaderList } from '../php/header-list.ts';
import { appendToLogFile, type LogSink } from '../php/log.ts';
import type { OutputStack } from '../php/output-stack.ts';
import { responseHeaders } from '../settings/response-headers.ts';
import { RequestIni, type IniSettings } from '../settings/settings-table.ts';
import { Deadline } from './deadline.ts';
import { ScriptResponse, type ResponseOwner } from './script-response.ts';
import type { RequestVars, ScriptTarget } from './superglobals.ts';

/**
 * Something a request holds that must be let go when its response is finished and again, for
 * sure, when the request ends: the session and its lock. `release` must be idempotent.
 */
export interface RequestResource {
  release(when: 'finish' | 'end'): Promise<void>;
}

/** Where the request is in its life. */
export type RequestPhase = 'running' | 'finished' | 'done';

const NONE: readonly never[] = Object.freeze([]);

/** What one request's end tells the pool's observers. */
export interface EndedRequest {
  readonly method: string;
  readonly status: number;
  readonly script: string;
  /** Seconds from start until the response was complete. */
  readonly responseSeconds: number;
  /** Seconds of background tail after fastcgi_finish_request(), when there was one. */
  readonly tailSeconds: number | undefined;
}

/** The pool a request runs in, as the request sees it: its live requests and the counters it tells (pool/pool.ts's Pool is one). */
export interface RequestPool {
  /** The pool's name in log lines (PHP-FPM's `[www]`). */
  readonly settings: { readonly name: string };
  /** Requests whose script has not settled yet, including those past fastcgi_finish_request(). */
  readonly live: Iterable<RequestContext> & { readonly size: number };
  /** The script starts: the request is live, at the place the entry marks. */
  enter(ctx: RequestContext): PoolEntry;
  /** The request is over (or a router let it through to the next answer): no longer live. */
  leave(entry: PoolEntry): void;
  ended(request: EndedRequest): void;
  slowRequest(): void;
  lockWaitStarted(): void;
  lockWaitEnded(seconds: number, acquired: boolean): void;
  lockReleased(): void;
}

/** A live request's place in its pool, which the request keeps until it leaves. */
export interface PoolEntry {
  readonly ctx: RequestContext;
}

/** What a request holds of its pool (pool/pool.ts's PoolSlot): a child until the finish, then a tail slot. */
export interface RequestSlot {
  /** The response is finished: the child goes back and a tail slot is taken. False when the tail is refused; `description` names the request in that log line. */
  toTail(description: string): Promise<boolean>;
  /** Lets go of what the slot holds; called once or more by whoever ends the request. */
  release(): void;
}

/**
 * What a request needs of the server that runs it. The server's config (http/server-config.ts) is one;
 * the request layer knows nothing else of the server.
 */
export interface RequestEnvironment {
  readonly docroot: string;
  readonly settings: IniSettings;
  readonly log: LogSink;
  /** tsfpm's version, for X-Powered-By. */
  readonly version: string;
  readonly pool: RequestPool;
}

/** Where a request is, as the status page's "state" column and the stop log line name it. */
export type RequestState = 'Running' | 'Waiting for session lock' | 'Finishing';

export function requestState(ctx: RequestContext): RequestState {
  if (ctx.phase !== 'running') return 'Finishing';
  return ctx.waitingForLock ? 'Waiting for session lock' : 'Running';
}

const initialHeaders = new WeakMap<RequestEnvironment, HeaderList>();

/**
 * The lines every script's header list starts with, as header($line, false) before its first line
 * (its own header() replaces them): X-Powered-By with expose_php, then tsfpm.response_headers.
 * Both settings are per server, so the lines are parsed once.
 */
function initialHeadersOf(env: RequestEnvironment): HeaderList {
  let headers = initialHeaders.get(env);
  if (headers === undefined) {
    headers = new HeaderList();
    const ini = new RequestIni(env.settings);
    if (ini.bool('expose_php')) headers.header(`X-Powered-By: tsfpm/${env.version}`, true, 0, '');
    for (const { line } of responseHeaders(env.settings)) headers.header(line, false, 0, ini.get('default_charset') ?? '');
    initialHeaders.set(env, headers);
  }
  return headers;
}

/**
 * One request's context, in three sections, each changed only through its own methods:
 * - its input, fixed when it starts: the HTTP request, the script, the superglobals, php://input, uploads;
 * - its response (script-response.ts): the header list, the output stack, the write to the socket;
 * - its lifecycle state: the phase, the time limit, shutdown functions and resources to release,
 *   what it awaits, the session lock it waits for or holds, and its pool slot.
 * The parts of the response the PHP functions use most are delegated, as koa's context delegates.
 */
export class RequestContext implements ResponseOwner {
  // input
  readonly env: RequestEnvironment;
  readonly ini: RequestIni;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly target: ScriptTarget;
  readonly vars: RequestVars;
  /** php://input */
  readonly input: Buffer;
  /** Upload temp files not yet moved; deleted when the request ends. */
  readonly uploads: Set<string>;
  /** performance.now() at start, for the access log and status. */
  readonly startedAt = performance.now();

  readonly response: ScriptResponse;

  // lifecycle state
  /** max_execution_time while running, tsfpm.tail_timeout after the finish. */
  readonly deadline: Deadline;
  /** The pool slot it holds, when it runs in a pool. */
  readonly slot: RequestSlot | undefined;
  #phase: RequestPhase = 'running';
  #respondedAt: number | undefined;
  #shutdownFunctions: (() => unknown)[] | undefined;
  #resources: RequestResource[] | undefined;
  #slowLogged = false;
  #waitingAt: { readonly fn: string; readonly stack: CapturedStack } | undefined;
  #waitingForLock: string | false = false;
  #sessionLocked = false;
  #lastError: { type: number; message: string; file: string; line: number } | undefined;
  #poolEntry: PoolEntry | undefined;

  constructor(init: {
    env: RequestEnvironment;
    req: IncomingMessage;
    res: ServerResponse;
    target: ScriptTarget;
    vars: RequestVars;
    input: Buffer;
    uploads: Set<string>;
    /** The request's settings, when the caller already made them for the superglobals. */
    ini?: RequestIni;
    slot?: RequestSlot;
  }) {
    this.env = init.env;
    this.req = init.req;
    this.res = init.res;
    this.target = init.target;
    this.vars = init.vars;
    this.input = init.input;
    this.uploads = init.uploads;
    this.slot = init.slot;
    this.ini = init.ini ?? new RequestIni(init.env.settings);
    this.response = new ScriptResponse(this, init.req, init.res, this.ini, initialHeadersOf(init.env));
    this.deadline = new Deadline(this.ini.int('max_execution_time'), this.startedAt);
  }

  // the response's parts, delegated

  get headers(): HeaderList {
    return this.response.headers;
  }

  get output(): OutputStack {
    return this.response.output;
  }

  /** PHP's headers_sent() */
  get headersSent(): boolean {
    return this.response.headersSent;
  }

  // lifecycle state

  /** Where the request is in its life. */
  get phase(): RequestPhase {
    return this.#phase;
  }

  get running(): boolean {
    return this.#phase === 'running';
  }

  /** performance.now() when the response was ended (by the finish or by the end of the script). */
  get respondedAt(): number | undefined {
    return this.#respondedAt;
  }

  /** The script starts: the request is live in its pool. */
  enterPool(): void {
    this.#poolEntry ??= this.env.pool.enter(this);
  }

  /** The request is over, or a router let it through: no longer live. */
  leavePool(): void {
    if (this.#poolEntry === undefined) return;
    this.env.pool.leave(this.#poolEntry);
    this.#poolEntry = undefined;
  }

  /** The response is sent and ended (fastcgi_finish_request(), or the end of a request still running), `at` performance.now(). */
  responded(at = performance.now()): void {
    this.#respondedAt ??= at;
  }

  /** The finish: the script goes on as a background tail. */
  finished(): void {
    this.#phase = 'finished';
  }

  /** The request has ended; nothing of it reaches the client any more. */
  done(): void {
    this.#phase = 'done';
  }

  /** register_shutdown_function()'s callbacks, in order; ones added while they run are run too. */
  get shutdownFunctions(): readonly (() => unknown)[] {
    return this.#shutdownFunctions ?? NONE;
  }

  addShutdownFunction(fn: () => unknown): void {
    (this.#shutdownFunctions ??= []).push(fn);
  }

  /** What the request holds that must be let go at the finish and at the end: its session. */
  get resources(): readonly RequestResource[] {
    return this.#resources ?? NONE;
  }

  hold(resource: RequestResource): void {
    (this.#resources ??= []).push(resource);
  }

  /** The slow log has this request (request_slowlog_timeout logs a request once). */
  get slowLogged(): boolean {
    return this.#slowLogged;
  }

  /** True the first time: the slow log takes this request. */
  logAsSlow(): boolean {
    if (this.#slowLogged) return false;
    this.#slowLogged = true;
    return true;
  }

  /** The tsfpm call the script is awaiting, for the slow log and time limits: its name and the stack where it was called. */
  get waitingAt(): { readonly fn: string; readonly stack: CapturedStack } | undefined {
    return this.#waitingAt;
  }

  /** The session ID whose lock session_start() is waiting for (the status page's state), or false. */
  get waitingForLock(): string | false {
    return this.#waitingForLock;
  }

  /** The request holds a session lock. */
  get sessionLocked(): boolean {
    return this.#sessionLocked;
  }

  lockWaitStarted(id: string): void {
    this.#waitingForLock = id;
  }

  lockWaitEnded(acquired: boolean): void {
    this.#waitingForLock = false;
    this.#sessionLocked = acquired;
  }

  lockReleased(): void {
    this.#sessionLocked = false;
  }

  /** error_get_last() */
  get lastError(): { type: number; message: string; file: string; line: number } | undefined {
    return this.#lastError;
  }

  /**
   * Marks the script as awaiting tsfpm's `fn` until `work` settles, for the slow log and for the line
   * a time limit's fatal error names; nothing to do when neither can come. `stack` is the script's call,
   * captured by the caller from its PHP function down (captureStack(fn, 2)): it becomes frames if logged.
   */
  awaiting<T>(fn: string, work: Promise<T>, stack: CapturedStack): Promise<T> {
    const reported = this.deadline.seconds > 0 || (!this.#slowLogged && this.ini.int('request_slowlog_timeout') > 0);
    return reported ? this.#tracked(fn, work, stack) : work;
  }

  #tracked<T>(fn: string, work: Promise<T>, stack: CapturedStack): Promise<T> {
    const entry = { fn, stack };
    this.#waitingAt = entry;
    // then(), not an async function's await: under AsyncLocalStorage's promise hooks an await makes a
    // throwaway promise more; V8's async stack traces follow a native then() chain to the script's await too
    return work.then(
      (value) => {
        this.#stopWaiting(entry);
        return value;
      },
      (err: unknown) => {
        this.#stopWaiting(entry);
        throw err;
      },
    );
  }

  #stopWaiting(entry: { readonly fn: string; readonly stack: CapturedStack }): void {
    if (this.#waitingAt === entry) this.#waitingAt = undefined;
  }

  /** Raises a PHP error (E_WARNING, E_NOTICE …): logged, and displayed into the output when display_errors is on. */
  raise(level: number, message: string, site: CallSite | undefined = scriptCallSite()): void {
    this.#lastError = { type: level, message, file: site?.file ?? 'Unknown', line: site?.line ?? 0 };
    if ((this.ini.int('error_reporting') & level) === 0) return;
    if (this.ini.bool('log_errors')) this.logError(formatLogLine(level, message, site));
    if (level !== E_ERROR && level !== E_PARSE && this.ini.bool('display_errors') && this.#phase === 'running') {
      this.output.write(formatDisplay(level, message, site, this.ini.bool('html_errors')));
    }
  }

  /** A line for PHP's error log: the error_log file when set, else the server log. */
  logError(line: string): void {
    const file = this.ini.get('error_log');
    if (file) appendToLogFile(file, line);
    else this.env.log(line);
  }

  /** A line for the server log. */
  log(line: string): void {
    this.env.log(line);
  }

  /** `script /path/x.ts, GET /x?y` for log lines about this request. */
  describe(): string {
    return `script ${this.target.file}, ${this.req.method} ${this.req.url}`;
  }
}
