/**
 * The HTTP server's own limits, by tsfpm.* settings: header size and count, header and request
 * timeouts (slowloris), keep-alive. PHP has none of these (nginx or Apache in front of PHP-FPM
 * does); tsfpm's server faces clients itself.
 *
 * Every connection refused before its request reaches the handler gets a status and one log line
 * naming the client and the cause, as nginx's error log does:
 *
 *   head over tsfpm.max_header_size ............................. 431 (Node's parser)
 *   more than tsfpm.max_headers_count header lines .............. 431 (counted here: Node drops extras)
 *   head not received within tsfpm.header_timeout ............... 408
 *   body not received within tsfpm.request_timeout .............. 408
 *   anything Node's parser refuses (request line, header syntax,
 *   Content-Length, Transfer-Encoding, chunk sizes, early EOF) ... 400
 *   chunk extensions over Node's limit ........................... 413
 *   a request line of HTTP/2 or later, or 1.2 and up (over HTTP/1) 505 (nginx's answer to HTTP/2+)
 *   an HTTP/0.9 request line ..................................... 400 (as nginx)
 *   an absolute-form target of a scheme other than http(s) ....... 400
 *   HTTP/1.1 without Host (origin-form) .......................... 400
 *   Expect other than 100-continue ............................... 417
 *   CONNECT ...................................................... 405
 *   requests pipelined past tsfpm.keepalive_requests ............. 503 (Node's; the connection closes first)
 *
 * An absolute-form target (`GET http://host/path HTTP/1.1`, what a client sends to a proxy and
 * RFC 9112 §3.2.2 has every server accept) is routed by its path: req.url becomes the origin form,
 * as nginx's $request_uri (so REQUEST_URI is what PHP-FPM behind nginx gets; php -S keeps the whole URI).
 * @module
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerConfig } from './server-config.ts';
import type { Connection, Connections } from './connections.ts';
import { rawErrorResponse, sendErrorPage } from '../request/error-page.ts';
import { lingeringClose } from './lingering-close.ts';
import { RequestIni } from '../settings/settings-table.ts';
import { responseHeaders } from '../settings/response-headers.ts';

/** The limits in Node's units (bytes, milliseconds). */
interface Limits {
  readonly maxHeaderSize: number;
  readonly maxHeadersCount: number;
  readonly headerTimeoutMs: number;
  /** 0: no limit. */
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** 0: no limit. */
  readonly keepAliveRequests: number;
}

function limitsOf(config: ServerConfig): Limits {
  const ini = new RequestIni(config.settings);
  const requestTimeoutMs = Math.max(0, ini.int('tsfpm.request_timeout')) * 1000;
  const headerTimeoutMs = ini.int('tsfpm.header_timeout') * 1000;
  return {
    maxHeaderSize: ini.quantity('tsfpm.max_header_size'),
    maxHeadersCount: ini.int('tsfpm.max_headers_count'),
    // Node refuses a head timeout longer than the whole-request one; the head is part of the request
    headerTimeoutMs: requestTimeoutMs > 0 ? Math.min(headerTimeoutMs, requestTimeoutMs) : headerTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: Math.max(0, ini.int('tsfpm.keepalive_timeout')) * 1000,
    keepAliveRequests: Math.max(0, ini.int('tsfpm.keepalive_requests')),
  };
}

/** Options fixed when the node:http server is created. */
export function httpServerOptions(config: ServerConfig): ServerOptions {
  const limits = limitsOf(config);
  const shortest = Math.min(limits.headerTimeoutMs, limits.requestTimeoutMs || Infinity);
  return {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks both timeouts on this timer (30 s by default): a 2 s header_timeout would fire after 30
    connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(shortest / 4))),
    // refused below with a log line and tsfpm's page, instead of Node's silent 400
    requireHostHeader: false,
  };
}

/** Passes a parsed request on to the handler, or answers it: the checks Node's parser does not make. */
export type RequestGate = (req: IncomingMessage, res: ServerResponse, connection: Connection) => boolean;

/**
 * Sets the limits on the created server and logs each connection refused before a request; returns
 * the gate every request passes before the handler (Node has no hook of its own between parsing a
 * request and its 'request' listeners).
 */
export function applyHttpLimits(http: Server, config: ServerConfig, connections: Connections): RequestGate {
  const limits = limitsOf(config);
  const headers = responseHeaders(config.settings);
  const refused = new WeakSet<Duplex>();
  // one header line over the limit is enough to know; Node drops the lines past maxHeadersCount
  http.maxHeadersCount = limits.maxHeadersCount + 1;
  // Node answers 503 to requests pipelined past the limit; the last one allowed gets Connection: close below
  http.maxRequestsPerSocket = limits.keepAliveRequests;

  const client = (socket: Duplex): string => {
    const s = socket as Duplex & { remoteAddress?: string; remotePort?: number };
    return `${s.remoteAddress ?? '?'}:${s.remotePort ?? '?'}`;
  };
  const refuseSocket = (socket: Duplex, status: number, cause: string, request?: IncomingMessage): void => {
    if (refused.has(socket)) return;
    refused.add(socket);
    const what = request ? `${request.method} ${request.url}` : 'request refused before it was read';
    config.log(`${client(socket)} [${status}]: ${what} - ${cause}`);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // the client may still be sending the rest of its request: closing at once would reset the
    // connection before it reads this answer
    socket.write(rawErrorResponse(status, headers));
    lingeringClose(socket);
  };

  http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const current = connections.of(socket)?.current;
    const code = err.code ?? '';
    if (!code.startsWith('HPE_') && code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
      // ECONNRESET, EPIPE …: the client is gone, nobody to answer
      socket.destroy();
      return;
    }
    if (current?.res.headersSent) {
      config.log(`${client(socket)} [${current.res.statusCode}]: ${current.req.method} ${current.req.url} - connection closed: ${err.message} (${code})`);
      socket.destroy();
      return;
    }
    const [status, cause] = clientErrorCause(err, code, limits, current !== undefined && !current.req.complete);
    refuseSocket(socket, status, cause, current?.req);
  });

  http.on('connect', (req: IncomingMessage, socket: Duplex) => {
    // Node hands the socket over without its error listener: a reset would otherwise be an uncaught error
    socket.on('error', () => {});
    refuseSocket(socket, 405, 'CONNECT is not supported', req);
  });

  http.on('dropRequest', (req: IncomingMessage, socket: Duplex) => {
    config.log(`${client(socket)} [503]: ${req.method} ${req.url} - pipelined past tsfpm.keepalive_requests (${limits.keepAliveRequests}) on one connection, which closes`);
  });

  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, cause: string): void => {
    config.log(`${client(req.socket)} [${status}]: ${req.method} ${req.url} - ${cause}`);
    res.setHeader('Connection', 'close');
    sendErrorPage(res, status, (req.url ?? '/').split('?')[0]!, undefined, headers);
  };

  http.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    // node:http emits no 'request' for it: tracked here, so that its close lingers as any other's
    connections.request(req, res);
    refuse(req, res, 417, `unsupported Expect: ${req.headers.expect}`);
  });

  return (req, res, connection) => {
    // Node only announces Connection: close on the last request allowed and then waits for the client
    // (forever with keepalive_timeout 0, Node's "no timeout"); this header makes it close the connection itself.
    // keepalive_timeout=0 turns keep-alive off, as nginx's keepalive_timeout 0.
    if (limits.keepAliveTimeoutMs === 0 || (limits.keepAliveRequests > 0 && connection.served >= limits.keepAliveRequests)) res.setHeader('Connection', 'close');
    if (req.httpVersionMajor !== 1) {
      // as nginx: 505 for a version it cannot speak, 400 for an HTTP/0.9 request line
      if (req.httpVersionMajor === 0) refuse(req, res, 400, `HTTP/${req.httpVersion} request line`);
      else refuse(req, res, 505, `HTTP/${req.httpVersion} request line on an HTTP/1 connection`);
      return false;
    }
    const absolute = ABSOLUTE_FORM.exec(req.url ?? '');
    if (absolute) {
      if (!/^https?$/i.test(absolute[1]!)) {
        refuse(req, res, 400, `absolute-form target of scheme ${absolute[1]} (only http and https)`);
        return false;
      }
      const rest = req.url!.slice(absolute[0].length);
      req.url = rest.startsWith('/') ? rest : `/${rest}`;
    }
    const lines = req.rawHeaders.length / 2;
    if (lines > limits.maxHeadersCount) {
      refuse(req, res, 431, `more than tsfpm.max_headers_count (${limits.maxHeadersCount}) header lines`);
      return false;
    }
    // an absolute-form target carries the host itself (RFC 9112 §3.2.2)
    if (req.httpVersion === '1.1' && req.headers.host === undefined && !absolute) {
      refuse(req, res, 400, 'HTTP/1.1 request without a Host header');
      return false;
    }
    return true;
  };
}

/** `scheme://authority` at the start of an absolute-form request target; the path (raw, as sent) follows it. */
const ABSOLUTE_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/[^/?#]*/;

/** The status and the log's words for an error of Node's HTTP parser or its timeouts. */
function clientErrorCause(err: Error, code: string, limits: Limits, midRequest: boolean): [number, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, `request head over tsfpm.max_header_size (${limits.maxHeaderSize} bytes)`];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, `chunk extensions too large (${code})`];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return midRequest
        ? [408, `request body not received within tsfpm.request_timeout (${limits.requestTimeoutMs / 1000} s)`]
        : [408, `request head not received within tsfpm.header_timeout (${limits.headerTimeoutMs / 1000} s)`];
    case 'HPE_INVALID_VERSION': {
      // Node's parser takes 0.9, 1.0, 1.1 and 2.0 only; nginx answers 505 to any other it cannot speak
      const version = /^[^\r\n]* HTTP\/(\d)\.(\d)\r\n/.exec((err as { rawPacket?: Buffer }).rawPacket?.toString('latin1') ?? '');
      if (version && !['0.9', '1.0', '1.1', '2.0'].includes(`${version[1]}.${version[2]}`)) return [505, `HTTP/${version[1]}.${version[2]} request line on an HTTP/1 connection`];
      return [400, `malformed request: ${err.message.replace(/^Parse Error: /, '')} (${code})`];
    }
    case 'HPE_INVALID_EOF_STATE':
      return [400, `the client closed its side before the whole request was sent (${code})`];
    default:
      return [400, `malformed request: ${err.message.replace(/^Parse Error: /, '')} (${code})`];
  }
}
