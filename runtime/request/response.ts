/**
 * The SAPI end of the output layer: what PHP-FPM's FastCGI buffer does for PHP. Output that leaves
 * the bottom output buffer marks the headers as sent (PHP's headers_sent()) and is held in an
 * 8 KiB buffer, as FPM's out_buf, which goes to the socket when it fills, on flush(), or at the
 * end. A response that ends before anything reached the socket is sent whole, with Content-Length.
 * @module
 */
import { STATUS_CODES, validateHeaderName, validateHeaderValue, type ServerResponse } from 'node:http';
import { headerLine, type HeaderLine, type HeaderList } from '../php/header-list.ts';

/** FPM's FastCGI output buffer size (main/fastcgi.c). */
export const SOCKET_BUFFER = 8192;

export interface SendOptions {
  /** default_mimetype and default_charset, for the default Content-Type. */
  readonly mimetype: string;
  readonly charset: string;
  /** Called once for each header PHP keeps that the socket refuses (bad name or value). */
  readonly reject: (header: string, why: string) => void;
}

/** A name the socket accepts (RFC 9110 token), and a value with no control character but tab: node:http's own checks, without an exception per header. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** Why the socket refuses a header, or undefined when it takes it. */
function headerRefusal(name: string, value: string): string | undefined {
  if (HEADER_NAME.test(name) && !BAD_HEADER_VALUE.test(value)) return undefined;
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** The default Content-type line for the last default_mimetype and default_charset: the same for nearly every response of a server. */
let defaultType: { mimetype: string; charset: string; line: HeaderLine | undefined } | undefined;

/** PHP's default Content-type (SAPI.c sapi_get_default_content_type): the charset only on text/* types; none for an empty mimetype. */
function defaultTypeLine(mimetype: string, charset: string): HeaderLine | undefined {
  if (defaultType?.mimetype !== mimetype || defaultType.charset !== charset) {
    const type = charset && /^text\//i.test(mimetype) ? `${mimetype}; charset=${charset}` : mimetype;
    defaultType = { mimetype, charset, line: type ? headerLine('content-type', `Content-type: ${type}`) : undefined };
  }
  return defaultType.line;
}

export class ResponseSink {
  readonly #res: ServerResponse;
  readonly #headers: HeaderList;
  #pending: (string | Buffer)[] = [];
  #pendingSize = 0;
  #headersSent = false;
  #ended = false;
  /** The status as it was when PHP considered the headers sent: later http_response_code() calls do not reach the wire. */
  #status = 0;
  #reason: string | undefined;

  constructor(res: ServerResponse, headers: HeaderList) {
    this.#res = res;
    this.#headers = headers;
  }

  /** PHP's headers_sent(): true once any output reached the SAPI, or flush() or the end sent them. */
  get headersSent(): boolean {
    return this.#headersSent;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Marks the headers as sent (PHP's view) without writing yet; `send` applies the defaults once. */
  commitHeaders(options: SendOptions): void {
    if (this.#headersSent) return;
    this.#headersSent = true;
    this.#status = this.#headers.status;
    this.#reason = this.#headers.reason;
    if (!this.#headers.suppressContentType && !this.#headers.has('content-type')) {
      const line = defaultTypeLine(options.mimetype, options.charset);
      if (line) this.#headers.append(line);
    }
  }

  /** Output leaving the bottom buffer. */
  write(data: string | Buffer, options: SendOptions): void {
    if (this.#ended) return;
    this.commitHeaders(options);
    this.#pending.push(data);
    this.#pendingSize += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (this.#pendingSize >= SOCKET_BUFFER) this.flush(options);
  }

  /** flush(): headers and held output to the socket now (chunked, since the length is not known yet). */
  flush(options: SendOptions): void {
    if (this.#ended) return;
    this.commitHeaders(options);
    if (!this.#res.headersSent) this.#writeHead(options);
    if (this.#pendingSize > 0) this.#res.write(this.#take());
    else this.#res.flushHeaders();
  }

  /** Sends what is left and ends the response; whole with Content-Length when nothing went out yet. */
  end(options: SendOptions): void {
    if (this.#ended) return;
    this.commitHeaders(options);
    this.#ended = true;
    const body = this.#take();
    // a string body goes out in one write with the head (node:http joins them); a Buffer in two
    if (!this.#res.headersSent) this.#writeHead(options, typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    this.#res.end(body);
  }

  /** Ends the response with a status and body of tsfpm's own, replacing whatever the script buffered (an error before any output was sent). */
  fail(status: number, body: string): void {
    if (this.#ended) return;
    this.#pending = [];
    this.#pendingSize = 0;
    if (this.#res.headersSent) {
      this.#ended = true;
      this.#res.end(body);
      return;
    }
    this.#headersSent = true;
    this.#ended = true;
    this.#res.writeHead(status, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
    this.#res.end(body);
  }

  /** The held output as one piece: a string while every chunk is text, else a Buffer. */
  #take(): string | Buffer {
    const chunks = this.#pending;
    this.#pending = [];
    this.#pendingSize = 0;
    if (chunks.length === 1) return chunks[0]!;
    if (chunks.every((c) => typeof c === 'string')) return chunks.join('');
    return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  }

  /** With `contentLength`, it replaces any Content-Length the script set: the body is known. */
  #writeHead(options: SendOptions, contentLength?: number): void {
    // commitHeaders() ran before any write: the status it took
    let status = this.#status;
    let reason = this.#reason;
    const flat: string[] = [];
    for (const { lower, name, value } of this.#headers.lines) {
      // PHP-FPM passes `Status:` to the web server, which makes it the status line (nginx does)
      if (lower === 'status') {
        const m = /^(\d{3})\s*(.*)$/.exec(value);
        if (m) {
          status = Number(m[1]);
          reason = m[2] || undefined;
        }
        continue;
      }
      if (contentLength !== undefined && lower === 'content-length') continue;
      const refusal = headerRefusal(name, value);
      if (refusal !== undefined) {
        options.reject(`${name}: ${value}`, refusal);
        continue;
      }
      flat.push(name, value);
    }
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      options.reject(`HTTP status ${status}`, 'not a valid HTTP status code; sending 500');
      status = 500;
      reason = undefined;
    }
    if (contentLength !== undefined) flat.push('Content-Length', String(contentLength));
    this.#res.writeHead(status, reason ?? STATUS_CODES[status] ?? 'Unknown', flat);
  }
}
