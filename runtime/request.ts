/**
 * PHP's view of a request: the superglobals built as PHP-FPM behind nginx builds them
 * ($_SERVER's keys and order from fastcgi_params, $_GET/$_COOKIE by PHP's variable rules,
 * $_REQUEST by request_order, $_ENV by variables_order).
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parseCookieHeader, parseQueryString, type InputVars, type InputValue } from './input-vars.ts';
import type { RequestIni } from './options.ts';
import type { ScriptTarget } from './routing.ts';

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

/** $_SERVER, in the order PHP-FPM behind nginx fills it. */
export function serverVars(facts: RequestFacts): ServerVars {
  const { req, target } = facts;
  const url = facts.originalUrl;
  const q = url.indexOf('?');
  const socket = req.socket;
  const tls = (socket as TLSSocket).encrypted === true;
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const now = Date.now();
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
  v.REQUEST_SCHEME = tls ? 'https' : 'http';
  if (tls) v.HTTPS = 'on';
  v.GATEWAY_INTERFACE = 'CGI/1.1';
  v.SERVER_SOFTWARE = facts.software;
  v.REMOTE_ADDR = socket.remoteAddress ?? '';
  v.REMOTE_PORT = String(socket.remotePort ?? '');
  v.SERVER_ADDR = socket.localAddress ?? '';
  v.SERVER_PORT = String(socket.localPort ?? '');
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
  v.REQUEST_TIME_FLOAT = now / 1000;
  v.REQUEST_TIME = Math.floor(now / 1000);
  return v;
}

/** Everything but the body: $_GET, $_COOKIE, $_SERVER, $_ENV. Warnings are PHP's startup warnings. */
export function requestVars(facts: RequestFacts, ini: RequestIni, body: { post: InputVars; files: RequestVars['$_FILES'] }, warn: (message: string) => void): RequestVars {
  const order = (ini.get('variables_order') ?? '').toUpperCase();
  const limits = { maxInputVars: ini.int('max_input_vars'), maxNestingLevel: ini.int('max_input_nesting_level') };
  const server = serverVars(facts);
  const vars: RequestVars = {
    $_GET: order.includes('G') ? parseQueryString(String(server.QUERY_STRING), limits, warn, 'get') : empty(),
    $_POST: order.includes('P') ? body.post : empty(),
    $_COOKIE: order.includes('C') && facts.req.headers.cookie ? parseCookieHeader(facts.req.headers.cookie, limits, warn) : empty(),
    $_FILES: body.files,
    $_SERVER: order.includes('S') ? server : empty(),
    $_ENV: order.includes('E') ? Object.assign(empty<{ [key: string]: string }>(), process.env) : empty(),
    $_REQUEST: empty(),
  };
  // request_order, or variables_order when it is empty; later sources override earlier ones
  const requestOrder = (ini.get('request_order') || order).toUpperCase();
  for (const letter of requestOrder) {
    const source = letter === 'G' ? vars.$_GET : letter === 'P' ? vars.$_POST : letter === 'C' ? vars.$_COOKIE : undefined;
    if (source) Object.assign(vars.$_REQUEST, source);
  }
  return vars;
}
