/**
 * The response a script writes: its header list, its output stack, and the SAPI end that takes the
 * output to the socket (response.ts). It also keeps what PHP learns from writing: where output
 * first went out ("output started at"), and whether the client is still there (connection_status()).
 * The request context (request-context.ts) owns one and hands out its parts.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { captureStack, scriptCallSite, type CallSite } from '../php/call-site.ts';
import { ExitSignal } from '../php/errors.ts';
import { HeaderList } from '../php/header-list.ts';
import { OutputStack } from '../php/output-stack.ts';
import type { RequestIni } from '../settings/settings-table.ts';
import { ResponseSink, SOCKET_BUFFER, type SendOptions } from './response.ts';

export const CONNECTION_NORMAL = 0;
export const CONNECTION_ABORTED = 1;
export const CONNECTION_TIMEOUT = 2;

/** What the response needs of its request (the request context is one). */
export interface ResponseOwner {
  /** The script is before its finish: its output still reaches the client. */
  readonly running: boolean;
  /** A line for the server log. */
  log(line: string): void;
  /** `script /path/x.ts, GET /x?y` for log lines about the request. */
  describe(): string;
}

/** Also the SendOptions of its own writes: default_mimetype and default_charset as the request's ini has them now, and header refusals to the log. */
export class ScriptResponse implements SendOptions {
  readonly headers: HeaderList;
  readonly sapi: ResponseSink;
  readonly output: OutputStack;
  readonly #owner: ResponseOwner;
  readonly #req: IncomingMessage;
  readonly #ini: RequestIni;
  #connectionStatus = CONNECTION_NORMAL;
  #ignoreUserAbort: boolean;
  #closing = false;
  /** Where output first reached the response: a captured stack until someone asks, then the call site. */
  #outputStart: CallSite | Error | undefined;
  #discardLogged = false;
  /** Bytes of output after the finish, which PHP-FPM's FastCGI buffer would hold until it fills. */
  #lostBytes = 0;

  /** `initial` is the header list every script starts with (header-list.ts copies it). */
  constructor(owner: ResponseOwner, req: IncomingMessage, res: ServerResponse, ini: RequestIni, initial: HeaderList) {
    this.#owner = owner;
    this.#req = req;
    this.#ini = ini;
    this.#ignoreUserAbort = ini.bool('ignore_user_abort');
    this.headers = new HeaderList(initial);
    this.sapi = new ResponseSink(res, this.headers);
    this.output = new OutputStack((data) => this.#toSapi(data));
    const buffering = ini.quantity('output_buffering');
    if (buffering > 0) this.output.start(undefined, buffering > 1 ? buffering : 0);
  }

  get mimetype(): string {
    return this.#ini.get('default_mimetype') ?? 'text/html';
  }

  get charset(): string {
    return this.#ini.get('default_charset') ?? '';
  }

  reject(header: string, why: string): void {
    this.#owner.log(`tsfpm: header "${header}" not sent: ${why}`);
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
      const socket = this.#req.socket;
      if (socket.destroyed || socket.readableEnded) this.#connectionStatus |= CONNECTION_ABORTED;
    }
  }

  /** ignore_user_abort: the script goes on when its output finds the client gone. */
  get ignoreUserAbort(): boolean {
    return this.#ignoreUserAbort;
  }

  setIgnoreUserAbort(ignore: boolean): void {
    this.#ignoreUserAbort = ignore;
  }

  /** The request's own end has begun (shutdown functions are over): output from here on has no script line to blame, and no client gone ends it. */
  get closing(): boolean {
    return this.#closing;
  }

  startClosing(): void {
    this.#closing = true;
  }

  /** Output leaving the bottom output buffer: to the response while it is open, else dropped. */
  #toSapi(data: string | Buffer): void {
    if (!this.#owner.running) {
      this.lostOutput(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
      if (!this.#discardLogged) {
        this.#discardLogged = true;
        const site = scriptCallSite();
        this.#owner.log(`tsfpm: output after the response was finished is discarded (${this.#owner.describe()}${site ? `, first at ${site.file}:${site.line}` : ''})`);
      }
      return;
    }
    this.endIfAborted();
    // one capture per request (a few µs): fastcgi_finish_request() may have taken it already
    if (!this.sapi.headersSent && !this.#closing && this.#outputStart === undefined) this.#outputStart = captureStack();
    this.sapi.write(data, this);
    if (this.#ini.bool('implicit_flush')) this.sapi.flush(this);
  }

  /** flush(): the headers and the output that left the buffers go to the client now. */
  flush(): void {
    if (!this.#owner.running) return this.lostOutput('flush');
    this.endIfAborted();
    this.markOutputStart();
    this.sapi.flush(this);
  }

  /** Sends what is left and ends the response (the finish, or the end of a request still running). */
  end(): void {
    this.sapi.end(this);
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
    if (this.connectionStatus & CONNECTION_ABORTED && !this.#ignoreUserAbort && !this.#closing) throw new ExitSignal(0);
  }

  /** PHP's "output started at" file and line, for headers_sent() and the headers-sent warning. */
  get outputStartedAt(): CallSite | undefined {
    if (this.#outputStart instanceof Error) this.#outputStart = scriptCallSite(this.#outputStart.stack);
    return this.#outputStart;
  }

  /** The headers go out now (flush(), the finish): this line is "output started at" unless output went out before; resolved only if asked for. */
  markOutputStart(): void {
    if (!this.sapi.headersSent) this.#outputStart = captureStack();
  }

  /** PHP's headers_sent() */
  get headersSent(): boolean {
    return this.sapi.headersSent || !this.#owner.running;
  }

  /** The warning PHP gives for a header change once the headers are out. */
  headersSentWarning(): string {
    const at = this.outputStartedAt;
    return at
      ? `Cannot modify header information - headers already sent by (output started at ${at.file}:${at.line})`
      : 'Cannot modify header information - headers already sent';
  }
}
