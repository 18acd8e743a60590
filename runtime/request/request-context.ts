/**
 * One request's state, from the moment its script starts until its background tail settles:
 * the superglobals, the header list, the output stack over the response, the shutdown functions,
 * the resources to release at the finish (sessions), and PHP's error reporting for it.
 * The PHP functions in runtime/api/ are thin views of this object.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { captureStack, scriptCallSite, type CallSite } from '../php/call-site.ts';
import type { ServerConfig } from '../http/server-config.ts';
import type { Deadline } from './deadline.ts';
import { ExitSignal } from '../php/errors.ts';
import { E_ERROR, E_PARSE, formatDisplay, formatLogLine } from '../php/error-reporting.ts';
import { HeaderList } from '../php/header-list.ts';
import { appendToLogFile } from '../php/log.ts';
import { RequestIni } from '../settings/settings-table.ts';
import { OutputStack } from '../php/output-stack.ts';
import { createPhpApi, type PhpApi } from '../api/php-api.ts';
import type { PoolSlot } from '../pool/pool.ts';
import type { RequestVars } from './superglobals.ts';
import { responseHeaders } from '../http/response-headers.ts';
import { ResponseSink, SOCKET_BUFFER, type SendOptions } from './response.ts';
import type { ScriptTarget } from '../http/routing.ts';

/**
 * Something a request holds that must be let go when its response is finished and again, for
 * sure, when the request ends: the session and its lock. `release` must be idempotent.
 */
export interface RequestResource {
  release(when: 'finish' | 'end'): Promise<void>;
}

/** Where the request is in its life. */
export type RequestPhase = 'running' | 'finished' | 'done';

/** default_mimetype and default_charset as this request's ini has them now (ini_set() may change them), and header refusals to the server log. */
class RequestSendOptions implements SendOptions {
  readonly #ini: RequestIni;
  readonly #log: (line: string) => void;

  constructor(ini: RequestIni, log: (line: string) => void) {
    this.#ini = ini;
    this.#log = log;
  }

  get mimetype(): string {
    return this.#ini.get('default_mimetype') ?? 'text/html';
  }

  get charset(): string {
    return this.#ini.get('default_charset') ?? '';
  }

  reject(header: string, why: string): void {
    this.#log(`tsfpm: header "${header}" not sent: ${why}`);
  }
}

const initialHeaders = new WeakMap<ServerConfig, HeaderList>();

/**
 * The lines every script's header list starts with, as header($line, false) before its first line
 * (its own header() replaces them): X-Powered-By with expose_php, then tsfpm.response_headers.
 * Both settings are per server, so the lines are parsed once.
 */
function initialHeadersOf(config: ServerConfig): HeaderList {
  let headers = initialHeaders.get(config);
  if (headers === undefined) {
    headers = new HeaderList();
    const ini = new RequestIni(config.settings);
    if (ini.bool('expose_php')) headers.header(`X-Powered-By: tsfpm/${config.version}`, true, 0, '');
    for (const { line } of responseHeaders(config.settings)) headers.header(line, false, 0, ini.get('default_charset') ?? '');
    initialHeaders.set(config, headers);
  }
  return headers;
}

export const CONNECTION_NORMAL = 0;
export const CONNECTION_ABORTED = 1;
export const CONNECTION_TIMEOUT = 2;

export class RequestContext {
  readonly config: ServerConfig;
  readonly ini: RequestIni;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly target: ScriptTarget;
  readonly vars: RequestVars;
  /** php://input */
  readonly input: Buffer;
  /** Upload temp files not yet moved; deleted when the request ends. */
  readonly uploads: Set<string>;
  readonly headers: HeaderList;
  readonly sapi: ResponseSink;
  readonly output: OutputStack;
  readonly shutdownFunctions: (() => unknown)[] = [];
  readonly resources: RequestResource[] = [];
  /** performance.now() at start, for the access log and status. */
  readonly startedAt = performance.now();
  phase: RequestPhase = 'running';
  /** performance.now() when the response was ended (by finish or by the end of the script). */
  respondedAt: number | undefined;
  #connectionStatus = CONNECTION_NORMAL;
  ignoreUserAbort: boolean;
  /** Set by endRequest: output from here on is the request's own end, with no script line to blame. */
  closing = false;
  /** Where output first reached the response: a captured stack until someone asks, then the call site. */
  #outputStart: CallSite | Error | undefined;
  lastError: { type: number; message: string; file: string; line: number } | undefined;
  /** max_execution_time while running, tsfpm.tail_timeout after the finish. */
  deadline: Deadline | undefined;
  /** The slow log has this request (request_slowlog_timeout logs a request once). */
  slowLogged = false;
  /** The tsfpm call the script is awaiting, for the slow log and time limits: its name and the stack where it was called. */
  waitingAt: { readonly fn: string; readonly stack: Error } | undefined;
  /** The pool slot it holds: a child until the finish, then a tail slot. */
  slot: PoolSlot | undefined;
  /** The session ID whose lock session_start() is waiting for (the status page's state), or false. */
  waitingForLock: string | false = false;
  /** The request holds a session lock. */
  sessionLocked = false;
  #api: PhpApi | undefined;
  #discardLogged = false;
  /** Bytes of output after the finish, which PHP-FPM's FastCGI buffer would hold until it fills. */
  #lostBytes = 0;
  readonly #sendOptions: SendOptions;

  constructor(init: {
    config: ServerConfig;
    req: IncomingMessage;
    res: ServerResponse;
    target: ScriptTarget;
    vars: RequestVars;
    input: Buffer;
    uploads: Set<string>;
    /** The request's settings, when the caller already made them for the superglobals. */
    ini?: RequestIni;
  }) {
    this.config = init.config;
    this.req = init.req;
    this.res = init.res;
    this.target = init.target;
    this.vars = init.vars;
    this.input = init.input;
    this.uploads = init.uploads;
    this.ini = init.ini ?? new RequestIni(init.config.settings);
    this.ignoreUserAbort = this.ini.bool('ignore_user_abort');
    this.headers = new HeaderList(initialHeadersOf(init.config));
    this.sapi = new ResponseSink(init.res, this.headers);
    this.output = new OutputStack((data) => this.#toSapi(data));
    this.#sendOptions = new RequestSendOptions(this.ini, init.config.log);
    const buffering = this.ini.quantity('output_buffering');
    if (buffering > 0) this.output.start(undefined, buffering > 1 ? buffering : 0);
  }

  /**
   * PHP's connection_status() bits. The client going away before tsfpm ended the response (its FIN,
   * since HTTP clients never half-close while they wait, a reset, or a failed write) is read off the
   * socket when asked, rather than listened for on every request.
   */
  get connectionStatus(): number {
    this.noteClientGone();
    return this.#connectionStatus;
  }

  /** Marks the connection ABORTED if the client left while the response is not ended (the finish asks before ending it). */
  noteClientGone(): void {
    if (!(this.#connectionStatus & CONNECTION_ABORTED) && !this.sapi.ended) {
      const socket = this.req.socket;
      if (socket.destroyed || socket.readableEnded) this.#connectionStatus |= CONNECTION_ABORTED;
    }
  }

  /** The PHP API object the script receives. */
  get api(): PhpApi {
    return (this.#api ??= createPhpApi(this) as PhpApi);
  }

  get sendOptions(): SendOptions {
    return this.#sendOptions;
  }

  /** Output leaving the bottom output buffer: to the response while it is open, else dropped. */
  #toSapi(data: string | Buffer): void {
    if (this.phase !== 'running') {
      this.lostOutput(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
      if (!this.#discardLogged) {
        this.#discardLogged = true;
        const site = scriptCallSite();
        this.log(`tsfpm: output after the response was finished is discarded (${this.describe()}${site ? `, first at ${site.file}:${site.line}` : ''})`);
      }
      return;
    }
    this.endIfAborted();
    // one capture per request (a few µs): fastcgi_finish_request() may have taken it already
    if (!this.sapi.headersSent && !this.closing && this.#outputStart === undefined) this.#outputStart = captureStack();
    this.sapi.write(data, this.#sendOptions);
    if (this.ini.bool('implicit_flush')) this.sapi.flush(this.#sendOptions);
  }

  /**
   * Output after the finish cannot reach the client. PHP-FPM finds that out when its 8 KiB FastCGI
   * buffer fills or on flush(), and then reports connection_status() ABORTED (php_handle_aborted_connection).
   */
  lostOutput(bytes: number | 'flush'): void {
    this.#lostBytes += bytes === 'flush' ? SOCKET_BUFFER : bytes;
    if (this.#lostBytes >= SOCKET_BUFFER) this.#connectionStatus |= CONNECTION_ABORTED;
  }

  /** PHP ends a script whose output finds the client gone, unless ignore_user_abort is set: unwinds like exit(). */
  endIfAborted(): void {
    if (this.connectionStatus & CONNECTION_ABORTED && !this.ignoreUserAbort && !this.closing) throw new ExitSignal(0);
  }

  /**
   * Marks the script as awaiting tsfpm's `fn` until `work` settles, for the slow log and for the line
   * a time limit's fatal error names; nothing to do when neither can come. Only the stack is captured
   * here, unless the caller has it (`stack`): it becomes frames if logged.
   */
  awaiting<T>(fn: string, work: Promise<T>, stack?: Error): Promise<T> {
    const reported = (this.deadline?.seconds ?? 0) > 0 || (!this.slowLogged && this.ini.int('request_slowlog_timeout') > 0);
    return reported ? this.#tracked(fn, work, stack ?? captureStack()) : work;
  }

  async #tracked<T>(fn: string, work: Promise<T>, stack: Error): Promise<T> {
    const entry = { fn, stack };
    this.waitingAt = entry;
    try {
      // awaited here, not chained, so that V8's async stack traces still reach the script
      return await work;
    } finally {
      if (this.waitingAt === entry) this.waitingAt = undefined;
    }
  }

  /** PHP's "output started at" file and line, for headers_sent() and the headers-sent warning. */
  get outputStartedAt(): CallSite | undefined {
    if (this.#outputStart instanceof Error) this.#outputStart = scriptCallSite(this.#outputStart.stack);
    return this.#outputStart;
  }

  /** A call site, or a stack from captureStack() that becomes one only if asked for. */
  set outputStartedAt(site: CallSite | Error | undefined) {
    this.#outputStart = site;
  }

  /** PHP's headers_sent() */
  get headersSent(): boolean {
    return this.sapi.headersSent || this.phase !== 'running';
  }

  /** The warning PHP gives for a header change once the headers are out. */
  headersSentWarning(): string {
    const at = this.outputStartedAt;
    return at
      ? `Cannot modify header information - headers already sent by (output started at ${at.file}:${at.line})`
      : 'Cannot modify header information - headers already sent';
  }

  /** Raises a PHP error (E_WARNING, E_NOTICE …): logged, and displayed into the output when display_errors is on. */
  raise(level: number, message: string, site: CallSite | undefined = scriptCallSite()): void {
    this.lastError = { type: level, message, file: site?.file ?? 'Unknown', line: site?.line ?? 0 };
    if ((this.ini.int('error_reporting') & level) === 0) return;
    if (this.ini.bool('log_errors')) this.logError(formatLogLine(level, message, site));
    if (level !== E_ERROR && level !== E_PARSE && this.ini.bool('display_errors') && this.phase === 'running') {
      this.output.write(formatDisplay(level, message, site, this.ini.bool('html_errors')));
    }
  }

  /** A line for PHP's error log: the error_log file when set, else the server log. */
  logError(line: string): void {
    const file = this.ini.get('error_log');
    if (file) appendToLogFile(file, line);
    else this.config.log(line);
  }

  /** A line for the server log. */
  log(line: string): void {
    this.config.log(line);
  }

  /** `script /path/x.ts, GET /x?y` for log lines about this request. */
  describe(): string {
    return `script ${this.target.file}, ${this.req.method} ${this.req.url}`;
  }
}
