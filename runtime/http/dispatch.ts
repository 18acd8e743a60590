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
import { runRequest, type Outcome } from '../request/run-request.ts';
import { RequestIni } from '../settings/settings-table.ts';
import { RequestContext } from '../request/request-context.ts';
import { Superglobals, type ScriptTarget } from '../request/superglobals.ts';
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
  // the body is read before any script runs, so no ini_set() can change these: read them once
  const bodyLimits = bodySettings(new RequestIni(config.settings));
  const software = `tsfpm/${config.version}`;
  let toldEarlierParser = false;

  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, reason: string): void => {
    config.log(`${req.socket.remoteAddress}:${req.socket.remotePort} [${status}]: ${req.method} ${requestUri(req)} - ${reason}`);
    sendErrorPage(res, status, (req.url ?? '/').split('?')[0]!, new RequestIni(config.settings).bool('display_errors') ? reason : undefined, responseHeaders(config.settings));
  };

  /** The script, or one that throws why it could not be loaded: the request reports that as PHP reports a script that does not compile (lifecycle's fatal). */
  const loadScript = (file: string): ScriptFunction | Promise<ScriptFunction> => {
    const failing = (err: unknown): ScriptFunction => () => {
      throw err;
    };
    try {
      const loaded = config.loader.load(file);
      return loaded instanceof Promise ? loaded.catch(failing) : loaded;
    } catch (err) {
      return failing(err);
    }
  };

  const runScript = (req: MountedRequest, res: ServerResponse, slot: PoolSlot, target: ScriptTarget, body: ParsedBody, warnings: string[], preloaded?: ScriptFunction, asRouter = false): Promise<Outcome> => {
    const loaded = preloaded ?? loadScript(target.file);
    if (loaded instanceof Promise) return loaded.then((script) => startScript(req, res, slot, target, body, warnings, script, asRouter));
    return startScript(req, res, slot, target, body, warnings, loaded, asRouter);
  };

  const startScript = (req: MountedRequest, res: ServerResponse, slot: PoolSlot, target: ScriptTarget, body: ParsedBody, warnings: string[], script: ScriptFunction, asRouter: boolean): Promise<Outcome> => {
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
      ini,
      body,
      (w) => warnings.push(w),
    );
    const ctx = new RequestContext({ env: config, req, res, target, vars, input: body.input, uploads: body.tmpFiles, ini, slot });
    for (const w of warnings) ctx.raise(E_WARNING, w, { file: 'Unknown', line: 0 });
    return runRequest(ctx, script, createPhpApi(ctx), asRouter);
  };

  const dispatch = async (req: MountedRequest, res: ServerResponse, next: NextFunction | undefined): Promise<void> => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const rawPath = query === -1 ? url : url.slice(0, query);
    if (mailPath && (rawPath === mailPath || rawPath.startsWith(mailPath + '/'))) {
      return mailPage(config, req, res, mailPath);
    }
    const admin = serveAdminPage(config, req, res, rawPath);
    if (admin !== false && (await admin)) return;
    const route: Route = fixed ? { kind: 'script', target: fixed.target } : config.routes.resolve(rawPath);
    if (!config.router && route.kind === 'refused') {
      if (next && route.status === 404 && route.reason === 'no such file') return next();
      return refuse(req, res, route.status, route.reason);
    }
    if (!config.router && route.kind === 'static') {
      const status = await serveStatic(req, res, config.docroot, route.file, responseHeaders(config.settings));
      config.log(`${req.socket.remoteAddress}:${req.socket.remotePort} [${status}]: ${req.method} ${requestUri(req)}`);
      return;
    }
    const admitted = config.pool.admit();
    if (!(admitted === true || (admitted !== false && (await admitted)))) {
      const { maxChildren, backlog } = config.pool.settings;
      res.setHeader('Retry-After', '1');
      return refuse(req, res, 503, `server busy: pm.max_children (${maxChildren}) scripts running and listen.backlog (${backlog}) waiting`);
    }
    const slot = new PoolSlot(config.pool);
    const warnings: string[] = [];
    let body: ParsedBody;
    try {
      const earlier = bodyReadEarlier(req);
      if (earlier && !toldEarlierParser) {
        toldEarlierParser = true;
        config.log(
          `tsfpm: ${earlier.parser} read the request body before tsfpm (${req.method} ${requestUri(req)}): $_POST and php://input are rebuilt from req.body, ` +
            `not read as PHP reads the body; mount tsfpm before the body parsers for PHP's own parsing (logged once)`,
        );
      }
      const parsed = earlier ? earlier.body(bodyLimits, (w) => warnings.push(w)) : parseRequestBody(req, bodyLimits, (w) => warnings.push(w));
      body = parsed instanceof Promise ? await parsed : parsed;
    } catch (err) {
      slot.release();
      const status = (err as { status?: number }).status ?? 400;
      return refuse(req, res, status, `request body refused: ${(err as Error).message}`);
    }
    try {
      if (config.router) {
        const routerTarget: ScriptTarget =
          route.kind === 'script' ? route.target : { file: config.router, scriptName: rawPath, pathInfo: '' };
        const routerScript = await loadScript(config.router);
        const outcome = await runScript(req, res, slot, routerTarget, body, warnings, routerScript, true);
        if (outcome === 'done') return;
        if (route.kind === 'refused') return refuse(req, res, route.status, route.reason);
        if (route.kind === 'static') {
          const status = await serveStatic(req, res, config.docroot, route.file, responseHeaders(config.settings));
          config.log(`${req.socket.remoteAddress}:${req.socket.remotePort} [${status}]: ${req.method} ${requestUri(req)}`);
          return;
        }
      }
      if (route.kind === 'script') await runScript(req, res, slot, route.target, body, config.router ? [] : warnings, fixed?.script);
    } finally {
      slot.release();
      if (body.tmpFiles.size > 0) await removeUploads(body.tmpFiles, config.log);
    }
  };

  return (req, res, next) => {
    dispatch(req, res, next).catch((err: unknown) => {
      config.log(`tsfpm: internal error serving ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) sendErrorPage(res, 500, req.url ?? '/', undefined, responseHeaders(config.settings));
      else res.destroy();
    });
  };
}
