/**
 * The pool's own pages: pm.status_path, ping.path and tsfpm.metrics_path, answered before any
 * script and never counted as requests of the pool. PHP-FPM answers status and ping inside a
 * child (fpm_status.c); here they need no child, so they answer even when every child is busy.
 * All three, and the dev mail page, are for the clients tsfpm.status_allow lets in; others get 403 and a log line.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseAccessList, type AccessList } from './access-allow.ts';
import { sendErrorPage } from '../request/error-page.ts';
import { metricsOf } from './metrics.ts';
import { RequestIni } from '../settings/settings-table.ts';
import { addResponseHeaders, responseHeaders } from '../settings/response-headers.ts';
import { localSnapshot, mergeSnapshots, peersOf, type AdminEnvironment, type PoolSnapshot } from './snapshot.ts';
import { renderJson, renderOpenMetrics, renderText, renderXml, statusContentType, statusQuery, unixNow } from './status-formats.ts';
import { renderStatusHtml } from './status-html.ts';

type Page = 'status' | 'ping' | 'metrics';

/** The pages' settings, read once per server (all are INI_SYSTEM). */
interface Pages {
  /** Path → page; a page whose setting is empty is absent. */
  readonly paths: ReadonlyMap<string, Page>;
  readonly pingResponse: string;
  readonly allow: AccessList;
  readonly allowSetting: string;
  readonly charset: string;
}

/** PHP-FPM's headers on status and ping: never cached. */
const NO_CACHE = { Expires: 'Thu, 01 Jan 1970 00:00:00 GMT', 'Cache-Control': 'no-cache, no-store, must-revalidate, max-age=0' } as const;

const byServer = new WeakMap<AdminEnvironment, Pages>();

function pagesOf(env: AdminEnvironment): Pages {
  let pages = byServer.get(env);
  if (pages === undefined) {
    const { settings } = env;
    const paths = new Map<string, Page>();
    // PHP-FPM looks at ping.path before pm.status_path: with both on one path, ping answers
    for (const [name, page] of [['tsfpm.metrics_path', 'metrics'], ['pm.status_path', 'status'], ['ping.path', 'ping']] as const) {
      const path = settings.get(name) ?? '';
      if (path !== '') paths.set(path, page);
    }
    const allowSetting = settings.typed['tsfpm.status_allow'];
    pages = {
      paths,
      pingResponse: settings.typed['ping.response'],
      allow: parseAccessList(allowSetting, (message) => env.log(`tsfpm: ${message}`)),
      allowSetting,
      charset: settings.typed.default_charset,
    };
    byServer.set(env, pages);
  }
  return pages;
}

/** Answers the request when its path is one of the pool's pages; false (synchronously, the common case) otherwise. */
export function serveAdminPage(env: AdminEnvironment, req: IncomingMessage, res: ServerResponse, path: string): false | Promise<boolean> {
  const pages = pagesOf(env);
  const page = pages.paths.get(path);
  if (page === undefined) return false;
  return answer(env, pages, page, req, res).then(() => true);
}

/**
 * tsfpm.status_allow for the server's own pages (these and the dev mail page): true when the client
 * may see them; otherwise it gets 403 and the refusal is logged.
 */
export function admitToServerPage(env: AdminEnvironment, req: IncomingMessage, res: ServerResponse): boolean {
  const pages = pagesOf(env);
  const client = req.socket.remoteAddress;
  if (pages.allow.allows(client)) return true;
  const reason = `client ${client ?? '(unknown address)'} is not allowed by tsfpm.status_allow (${pages.allowSetting || 'empty: nobody'})`;
  env.log(`${client}:${req.socket.remotePort} [403]: ${req.method} ${req.url} - ${reason}`);
  const display = new RequestIni(env.settings).bool('display_errors');
  sendErrorPage(res, 403, (req.url ?? '/').split('?')[0]!, display ? reason : undefined, responseHeaders(env.settings));
  return false;
}

async function answer(env: AdminEnvironment, pages: Pages, page: Page, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!admitToServerPage(env, req, res)) return;
  if (page === 'ping') return send(env, res, 200, statusContentType('text', pages.charset), pages.pingResponse);
  let figures: { contentType: string; text: string } | PoolSnapshot;
  try {
    const peers = peersOf(env);
    figures = page === 'metrics' ? await metricsText(env) : peers ? mergeSnapshots(await peers.snapshots()) : localSnapshot(env);
  } catch (err) {
    // PHP-FPM's answer when it cannot read its scoreboard
    env.log(`tsfpm: ${page} page: cannot gather the workers' figures: ${(err as Error).message}`);
    return send(env, res, 500, statusContentType('text', pages.charset), 'Internal error. Please review log file for errors.');
  }
  if ('contentType' in figures) return send(env, res, 200, figures.contentType, figures.text);
  const { format, full } = statusQuery((req.url ?? '').split('?')[1] ?? '');
  const now = unixNow();
  const body =
    format === 'html' ? renderStatusHtml(figures, now)
    : format === 'json' ? renderJson(figures, full, now)
    : format === 'xml' ? renderXml(figures, full, now)
    : format === 'openmetrics' ? renderOpenMetrics(figures, now)
    : renderText(figures, full, now);
  send(env, res, 200, statusContentType(format, pages.charset), body);
}

/** Prometheus text: this process's, or every worker's aggregated by the primary. */
async function metricsText(env: AdminEnvironment): Promise<{ contentType: string; text: string }> {
  const peers = peersOf(env);
  if (peers) return peers.metrics();
  const metrics = metricsOf(env);
  return { contentType: metrics.contentType, text: await metrics.text() };
}

/** HEAD gets the same head without the body, as PHP-FPM's status and ping. */
function send(env: AdminEnvironment, res: ServerResponse, status: number, contentType: string, body: string): void {
  addResponseHeaders(res, responseHeaders(env.settings));
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...NO_CACHE });
  res.end(body);
}
