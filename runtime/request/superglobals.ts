/**
 * PHP's view of a request: the superglobals built as PHP-FPM behind nginx builds them
 * ($_SERVER's keys and order from fastcgi_params, $_GET/$_COOKIE by PHP's variable rules,
 * $_REQUEST by request_order, $_ENV by variables_order).
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parseCookieHeader, parseQueryString, type InputVars, type InputValue } from '../php/input-vars.ts';
import type { RequestIni } from '../settings/settings-table.ts';
import type { SessionData } from '../../sessions/backend.ts';
import { createOrderedRecord } from '../../sessions/serialize/ordered-record.ts';

/** The script a request runs, with the names $_SERVER gives it. */
export interface ScriptTarget {
  /** Absolute path of the script file (SCRIPT_FILENAME). */
  readonly file: string;
  /** The URL path that selected the script (SCRIPT_NAME), as requested: `/a/b.php` stays `/a/b.php`. */
  readonly scriptName: string;
  /** The rest of the path after the script (PATH_INFO), or ''. */
  readonly pathInfo: string;
}

export type ServerVars = { [key: string]: string | number };

/** The superglobals of one request. Every object is null-prototype, so no input key can reach Object.prototype. */
export interface RequestVars {
  $_GET: InputVars;
  $_POST: InputVars;
  $_COOKIE: InputVars;
  $_FILES: { [field: string]: InputValue | object };
  $_SERVER: ServerVars;
  $_ENV: { [key: string]: string };
  $_REQUEST: InputVars;
  /** Filled by session_start() (sessions/), an empty object before. */
  $_SESSION: SessionData;
}

export interface RequestFacts {
  readonly req: IncomingMessage;
  readonly target: ScriptTarget;
  readonly docroot: string;
  /** The path the request URL had before any Express mount point was stripped. */
  readonly originalUrl: string;
  /** Prefix of a mounted app (Express `req.baseUrl`), '' for the dev server. */
  readonly mountPath: string;
  readonly serverName: string;
  readonly software: string;
}

const empty = <T>(): T => Object.create(null) as T;

function hasKeys(o: object | undefined): boolean {
  for (const _ in o) return true;
  return false;
}

/** What $_SERVER needs of the connection, read when the request starts: a socket closed by the time $_SERVER is first read no longer knows its peer. */
interface ConnectionFacts {
  readonly tls: boolean;
  readonly remoteAddress: string;
  readonly remotePort: string;
  readonly localAddress: string;
  readonly localPort: string;
  /** Date.now() when the request started: REQUEST_TIME and REQUEST_TIME_FLOAT. */
  readonly time: number;
}

function connectionFacts(req: IncomingMessage): ConnectionFacts {
  const socket = req.socket;
  return {
    tls: (socket as TLSSocket).encrypted === true,
    remoteAddress: socket.remoteAddress ?? '',
    remotePort: String(socket.remotePort ?? ''),
    localAddress: socket.localAddress ?? '',
    localPort: String(socket.localPort ?? ''),
    time: Date.now(),
  };
}

/** $_SERVER, in the order PHP-FPM behind nginx fills it. */
function serverVars(facts: RequestFacts, conn: ConnectionFacts): ServerVars {
  const { req, target } = facts;
  const url = facts.originalUrl;
  const q = url.indexOf('?');
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const scriptName = facts.mountPath + target.scriptName;
  const v: ServerVars = empty();
  if (process.env.USER !== undefined) v.USER = process.env.USER;
  if (process.env.HOME !== undefined) v.HOME = process.env.HOME;
  v.QUERY_STRING = q === -1 ? '' : url.slice(q + 1);
  v.REQUEST_METHOD = req.method ?? 'GET';
  v.CONTENT_TYPE = req.headers['content-type'] ?? '';
  v.CONTENT_LENGTH = hasBody ? (req.headers['content-length'] ?? '') : '';
  v.SCRIPT_NAME = scriptName;
  v.REQUEST_URI = url;
  v.DOCUMENT_URI = scriptName + target.pathInfo;
  v.DOCUMENT_ROOT = facts.docroot;
  v.SERVER_PROTOCOL = `HTTP/${req.httpVersion}`;
  v.REQUEST_SCHEME = conn.tls ? 'https' : 'http';
  if (conn.tls) v.HTTPS = 'on';
  v.GATEWAY_INTERFACE = 'CGI/1.1';
  v.SERVER_SOFTWARE = facts.software;
  v.REMOTE_ADDR = conn.remoteAddress;
  v.REMOTE_PORT = conn.remotePort;
  v.SERVER_ADDR = conn.localAddress;
  v.SERVER_PORT = conn.localPort;
  v.SERVER_NAME = facts.serverName;
  v.REDIRECT_STATUS = '200';
  v.SCRIPT_FILENAME = target.file;
  v.PATH_INFO = target.pathInfo;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    v['HTTP_' + name.toUpperCase().replace(/-/g, '_')] = Array.isArray(value) ? value.join(', ') : value;
  }
  v.FCGI_ROLE = 'RESPONDER';
  v.PHP_SELF = scriptName + target.pathInfo;
  v.REQUEST_TIME_FLOAT = conn.time / 1000;
  v.REQUEST_TIME = Math.floor(conn.time / 1000);
  return v;
}

/**
 * The superglobals of one request. $_GET, $_POST, $_COOKIE and $_FILES are parsed when the request
 * starts, since their parsing raises PHP's startup warnings; $_SERVER, $_ENV and $_REQUEST when
 * first read, as PHP's auto_globals_jit makes them. A script may replace any of them.
 */
export class Superglobals implements RequestVars {
  // $_GET and $_COOKIE stay undefined while empty, and are made when first read: a null-prototype
  // object costs about 190 bytes, and most requests have no query or cookie
  #get: InputVars | undefined;
  #cookie: InputVars | undefined;
  $_POST: InputVars;
  $_FILES: RequestVars['$_FILES'];
  readonly #facts: RequestFacts;
  readonly #conn: ConnectionFacts;
  readonly #order: string;
  readonly #requestOrder: string;
  #server: ServerVars | undefined;
  #env: RequestVars['$_ENV'] | undefined;
  #request: InputVars | undefined;
  #session: SessionData | undefined;

  /** Warnings are PHP's startup warnings. */
  constructor(facts: RequestFacts, ini: RequestIni, body: { post: InputVars; files: RequestVars['$_FILES'] }, warn: (message: string) => void) {
    this.#facts = facts;
    this.#conn = connectionFacts(facts.req);
    const order = (ini.get('variables_order') ?? '').toUpperCase();
    this.#order = order;
    // request_order, or variables_order when it is empty
    this.#requestOrder = (ini.get('request_order') || order).toUpperCase();
    const url = facts.originalUrl;
    const q = url.indexOf('?');
    const cookie = facts.req.headers.cookie;
    const query = order.includes('G') && q !== -1 && q < url.length - 1;
    if (query || (order.includes('C') && cookie)) {
      const limits = { maxInputVars: ini.int('max_input_vars'), maxNestingLevel: ini.int('max_input_nesting_level') };
      if (query) this.#get = parseQueryString(url.slice(q + 1), limits, warn, 'get');
      if (order.includes('C') && cookie) this.#cookie = parseCookieHeader(cookie, limits, warn);
    }
    this.$_POST = order.includes('P') ? body.post : empty();
    this.$_FILES = body.files;
    // made now from the sources as they are (PHP makes it when the script is compiled, before any
    // line runs); with nothing to copy it waits for a first read
    if (hasKeys(this.#get) || hasKeys(this.$_POST) || hasKeys(this.#cookie)) {
      const request: InputVars = empty();
      for (const letter of this.#requestOrder) {
        // later sources override earlier ones
        const source = letter === 'G' ? this.#get : letter === 'P' ? this.$_POST : letter === 'C' ? this.#cookie : undefined;
        if (source) Object.assign(request, source);
      }
      this.#request = request;
    }
  }

  get $_GET(): InputVars {
    return (this.#get ??= empty<InputVars>());
  }

  set $_GET(value: InputVars) {
    this.#get = value;
  }

  get $_COOKIE(): InputVars {
    return (this.#cookie ??= empty<InputVars>());
  }

  set $_COOKIE(value: InputVars) {
    this.#cookie = value;
  }

  get $_SERVER(): ServerVars {
    return (this.#server ??= this.#order.includes('S') ? serverVars(this.#facts, this.#conn) : empty<ServerVars>());
  }

  set $_SERVER(value: ServerVars) {
    this.#server = value;
  }

  get $_ENV(): RequestVars['$_ENV'] {
    return (this.#env ??= this.#order.includes('E') ? Object.assign(empty<RequestVars['$_ENV']>(), process.env) : empty<RequestVars['$_ENV']>());
  }

  set $_ENV(value: RequestVars['$_ENV']) {
    this.#env = value;
  }

  get $_REQUEST(): InputVars {
    return (this.#request ??= empty<InputVars>());
  }

  set $_REQUEST(value: InputVars) {
    this.#request = value;
  }

  // keeps PHP's key order, integer-like keys included: session_encode() and the stores write it in that order
  get $_SESSION(): SessionData {
    return (this.#session ??= createOrderedRecord<SessionData>());
  }

  set $_SESSION(value: SessionData) {
    this.#session = value;
  }
}
