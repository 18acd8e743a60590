/**
 * From an HTTP request to what answers it: the dev spool page, a refused path, a static file,
 * or a script run through the lifecycle (with the router script first, when there is one).
 * Shared by the standalone server and the Express middleware.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRequestBody, type BodySettings, type ParsedBody } from '../request/body.ts';
import type { ServerConfig } from './server-config.ts';
import { installCrashGuards } from './crash-guards.ts';
import { installRequestContext } from '../request/wait-until.ts';
import { E_WARNING } from '../php/error-reporting.ts';
import { sendErrorPage } from '../request/error-page.ts';
import { requestUri } from '../php/log.ts';
import { mailPage } from '../admin/mail-page.ts';
import { serveAdminPage } from '../admin/admin-pages.ts';
import { metricsOf } from '../admin/metrics.ts';
import { bodyReadEarlier } from '../request/parsed-body.ts';
import { PoolSlot } from '../pool/pool.ts';
import { runRequest, type Outcome, type RunEnded } from '../request/run-request.ts';
import { RequestIni } from '../settings/settings-table.ts';
import { RequestContext } from '../request/request-context.ts';
import { inputSettings, Superglobals, type ScriptTarget } from '../request/superglobals.ts';
import { createPhpApi, type ScriptFunction } from '../api/php-api.ts';
import type { Route } from './routing.ts';
import { responseHeaders } from '../settings/response-headers.ts';
import { serveStatic } from './static.ts';
import { removeUploads } from '../request/uploads.ts';
import { startWatchdog } from '../pool/watchdog.ts';

export type NextFunction = (err?: unknown) => void;
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;

/** Express-style request data, present when mounted in an Express app. */
interface MountedRequest extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
}

function bodySettings(ini: RequestIni): BodySettings {
  return {
    post_max_size: ini.quantity('post_max_size'),
    upload_max_filesize: ini.quantity('upload_max_filesize'),
    max_file_uploads: ini.int('max_file_uploads'),
    max_input_vars: ini.int('max_input_vars'),
    max_input_nesting_level: ini.int('max_input_nesting_level'),
    max_multipart_body_parts: ini.int('max_multipart_body_parts'),
    upload_tmp_dir: ini.get('upload_tmp_dir') ?? '',
    file_uploads: ini.bool('file_uploads'),
    enable_post_data_reading: ini.bool('enable_post_data_reading'),
  };
}

/**
 * @param fixed a script that answers every request (the one-script handler) instead of the document root's mapping.
 */
export function createRequestHandler(config: ServerConfig, fixed?: { target: ScriptTarget; script?: ScriptFunction }): RequestHandler {
  installCrashGuards(config.log);
  installRequestContext();
  startWatchdog(config); // for scripts stuck in synchronous code, when a time limit is on
  metricsOf(config); // subscribed to the pool now, so the metrics count from the first request
  const mailPath = config.settings.typed['tsfpm.mail_page'];
  // the body is read and the superglobals are made before any script runs, so no ini_set() can change these: read them once
  const bodyLimits = bodySettings(new RequestIni(config.settings));
  const input = inputSettings(new RequestIni(config.settings));
  const software = `tsfpm/${config.version}`;
  let toldEarlierParser = false;

  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, reason: string): void => {
    config.log(`${req.socket.remoteAddress}:${req.socket.remotePort} [${status}]: ${req.method} ${requestUri(req)} - ${reason}`);
    sendErrorPage(res, status, (req.url ?? '/').split('?')[0]!, new RequestIni(config.settings).bool('display_errors') ? reason : undefined, responseHeaders(config.settings));
  };

  /** The script, or one that throws why it could not be loaded: the request reports that as PHP reports a script that does not compile (lifecycle's fatal). */
  const loadScript = (file: string): ScriptFunction | Promise<ScriptFunction> => {
    try {
      const loaded = config.loader.load(file);
      return loaded instanceof Promise ? loaded.catch(failingScript) : loaded;
    } catch (err) {
      return failingScript(err);
    }
  };

  /** tsfpm itself failed serving the request: logged, and a 500 if the response has not started. */
  const internalError = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    config.log(`tsfpm: internal error serving ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (!res.headersSent) sendErrorPage(res, 500, req.url ?? '/', undefined, responseHeaders(config.settings));
    else res.destroy();
  };

  const scriptEnded: RunEnded = (ctx, error) => {
    if (error !== undefined) internalError(ctx.req, ctx.res, error);
  };

  /** Starts the script; its request's end lets go of the slot and the upload files, and tells `ended`. */
  const startScript = (req: MountedRequest, res: ServerResponse, slot: PoolSlot, target: ScriptTarget, body: ParsedBody, warnings: string[], script: ScriptFunction, asRouter: boolean, ended: RunEnded): void => {
    const ini = new RequestIni(config.settings);
    const vars = new Superglobals(
      {
        req,
        target,
        docroot: config.docroot,
        originalUrl: req.originalUrl ?? req.url ?? '/',
        mountPath: req.baseUrl ?? '',
        serverName: config.serverName ?? (req.headers.host ?? '').replace(/:\d+$/, ''),
        software,
      },
      input,
      body,
      (w) => warnings.push(w),
    );
    const ctx = new RequestContext({ env: config, req, res, target, vars, input: body.input, uploads: body.tmpFiles, ini, slot });
    for (const w of warnings) ctx.raise(E_WARNING, w, { file: 'Unknown', line: 0 });
    runRequest(ctx, script, createPhpApi(ctx), asRouter, ended);
  };

  /** The script of a request with no router; a promise only while the script is imported. */
  const runScript = (req: MountedRequest, res: ServerResponse, slot: PoolSlot, target: ScriptTarget, body: ParsedBody, warnings: string[]): Promise<void> | void => {
    const loaded = fixed?.script ?? loadScript(target.file);
    if (loaded instanceof Promise) return loaded.then((script) => startAlone(req, res, slot, target, body, warnings, script));
    startAlone(req, res, slot, target, body, warnings, loaded);
  };

  const startAlone = (req: MountedRequest, res: ServerResponse, slot: PoolSlot, target: ScriptTarget, body: ParsedBody, warnings: string[], script: ScriptFunction): void => {
    try {
      startScript(req, res, slot, target, body, warnings, script, false, scriptEnded);
    } catch (err) {
      // the request never started: nothing else lets go of what it holds
      slot.release();
      void removeUploads(body.tmpFiles, config.log);
      throw err;
    }
  };

  /** The router script first, then, when it returns false, what the path maps to; the slot is let go once all is done. */
  const runRouted = async (req: MountedRequest, res: ServerResponse, slot: PoolSlot, rawPath: string, route: Route, body: ParsedBody, warnings: string[]): Promise<void> => {
    const router = config.router!;
    const run = (target: ScriptTarget, script: ScriptFunction, scriptWarnings: string[], asRouter: boolean): Promise<Outcome> =>
      new Promise((resolve, reject) => startScript(req, res, slot, target, body, scriptWarnings, script, asRouter, (_ctx, error, outcome) => (error === undefined ? resolve(outcome!) : reject(error))));
    try {
      const routerTarget: ScriptTarget = route.kind === 'script' ? route.target : { file: router, scriptName: rawPath, pathInfo: '' };
      const outcome = await run(routerTarget, await loadScript(router), warnings, true);
      if (outcome === 'done') return;
      if (route.kind === 'refused') return refuse(req, res, route.status, route.reason);
      if (route.kind === 'static') return await sendStatic(req, res, route.file);
      await run(route.target, fixed?.script ?? (await loadScript(route.target.file)), [], false);
    } finally {
      slot.release();
      if (body.tmpFiles.size > 0) await removeUploads(body.tmpFiles, config.log);
    }
  };

  const sendStatic = async (req: IncomingMessage, res: ServerResponse, file: string): Promise<void> => {
    const status = await serveStatic(req, res, config.docroot, file, responseHeaders(config.settings));
    config.log(`${req.socket.remoteAddress}:${req.socket.remotePort} [${status}]: ${req.method} ${requestUri(req)}`);
  };

  const busy = (req: IncomingMessage, res: ServerResponse): void => {
    const { maxChildren, backlog } = config.pool.settings;
    res.setHeader('Retry-After', '1');
    refuse(req, res, 503, `server busy: pm.max_children (${maxChildren}) scripts running and listen.backlog (${backlog}) waiting`);
  };

  const bodyRefused = (req: IncomingMessage, res: ServerResponse, slot: PoolSlot, err: unknown): void => {
    slot.release();
    const status = (err as { status?: number }).status ?? 400;
    refuse(req, res, status, `request body refused: ${(err as Error).message}`);
  };

  /** The request holds a child: its body is read, then the script (or the router) runs. */
  const admitted = (req: MountedRequest, res: ServerResponse, rawPath: string, route: Route): Promise<void> | void => {
    const slot = new PoolSlot(config.pool);
    const warnings: string[] = [];
    let parsed: ParsedBody | Promise<ParsedBody>;
    try {
      const earlier = bodyReadEarlier(req);
      if (earlier && !toldEarlierParser) {
        toldEarlierParser = true;
        config.log(
          `tsfpm: ${earlier.parser} read the request body before tsfpm (${req.method} ${requestUri(req)}): $_POST and php://input are rebuilt from req.body, ` +
            `not read as PHP reads the body; mount tsfpm before the body parsers for PHP's own parsing (logged once)`,
        );
      }
      parsed = earlier ? earlier.body(bodyLimits, (w) => warnings.push(w)) : parseRequestBody(req, bodyLimits, (w) => warnings.push(w));
    } catch (err) {
      return bodyRefused(req, res, slot, err);
    }
    if (parsed instanceof Promise) return parsed.then((body) => withBody(req, res, slot, rawPath, route, body, warnings), (err: unknown) => bodyRefused(req, res, slot, err));
    return withBody(req, res, slot, rawPath, route, parsed, warnings);
  };

  const withBody = (req: MountedRequest, res: ServerResponse, slot: PoolSlot, rawPath: string, route: Route, body: ParsedBody, warnings: string[]): Promise<void> | void => {
    if (config.router) return runRouted(req, res, slot, rawPath, route, body, warnings);
    // without a router, only a script is left: the rest was answered before a child was taken
    if (route.kind === 'script') return runScript(req, res, slot, route.target, body, warnings);
  };

  /** Answers the request; a promise only while a stage waits (a pool page, a static file, a child, the body, a script import, a router). */
  const dispatch = (req: MountedRequest, res: ServerResponse, next: NextFunction | undefined): Promise<void> | void => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const rawPath = query === -1 ? url : url.slice(0, query);
    if (mailPath && (rawPath === mailPath || rawPath.startsWith(mailPath + '/'))) {
      return mailPage(config, req, res, mailPath);
    }
    const admin = serveAdminPage(config, req, res, rawPath);
    if (admin !== false) return admin.then((answered) => (answered ? undefined : mapped(req, res, next, rawPath)));
    return mapped(req, res, next, rawPath);
  };

  /** What the path maps to: refused, a static file, or a script, which waits for a child. */
  const mapped = (req: MountedRequest, res: ServerResponse, next: NextFunction | undefined, rawPath: string): Promise<void> | void => {
    const route: Route = fixed ? { kind: 'script', target: fixed.target } : config.routes.resolve(rawPath);
    if (!config.router && route.kind === 'refused') {
      if (next && route.status === 404 && route.reason === 'no such file') return next();
      return refuse(req, res, route.status, route.reason);
    }
    if (!config.router && route.kind === 'static') return sendStatic(req, res, route.file);
    const admission = config.pool.admit();
    if (admission === true) return admitted(req, res, rawPath, route);
    if (admission === false) return busy(req, res);
    return admission.then((child) => (child ? admitted(req, res, rawPath, route) : busy(req, res)));
  };

  return (req, res, next) => {
    try {
      dispatch(req, res, next)?.catch((err: unknown) => internalError(req, res, err));
    } catch (err) {
      internalError(req, res, err);
    }
  };
}

/** A script that throws why it could not be loaded. */
function failingScript(err: unknown): ScriptFunction {
  return () => {
    throw err;
  };
}
