/**
 * The dev server's mail page (tsfpm.mail_page, `/_tsfpm/mail` by default in development): the
 * messages mail() wrote to the spool, newest first, and each raw message.
 * @module
 */
import type { AdminEnvironment } from './snapshot.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admitToServerPage } from './admin-pages.ts';
import { sendErrorPage } from '../request/error-page.ts';
import { spoolDir } from '../api/mail.ts';
import { listSpool, readSpoolMessage, renderSpoolPage, type SpoolEntry } from '../mail/spool.ts';
import { RequestIni } from '../settings/settings-table.ts';
import { responseHeaders } from '../settings/response-headers.ts';

/** The page, for the clients tsfpm.status_allow lets in (loopback by default): mail holds password-reset links. */
export async function mailPage(env: AdminEnvironment, req: IncomingMessage, res: ServerResponse, basePath: string): Promise<void> {
  if (!admitToServerPage(env, req, res)) return;
  const dir = spoolDir(new RequestIni(env.settings), env.docroot);
  let rest: string;
  try {
    rest = decodeURIComponent((req.url ?? '').split('?')[0]!.slice(basePath.length).replace(/^\//, ''));
  } catch {
    env.log(`${req.socket.remoteAddress}:${req.socket.remotePort} [400]: ${req.method} ${req.url} - malformed percent-encoding in the path`);
    return sendErrorPage(res, 400, req.url ?? '', undefined, responseHeaders(env.settings));
  }
  let found: SpoolEntry[] | Buffer | undefined;
  try {
    found = rest === '' ? await listSpool(dir) : await readSpoolMessage(dir, rest);
  } catch (err) {
    env.log(`${req.socket.remoteAddress}:${req.socket.remotePort} [500]: ${req.method} ${req.url} - the mail spool cannot be read: ${(err as Error).message}`);
    return sendErrorPage(res, 500, req.url ?? '', undefined, responseHeaders(env.settings));
  }
  if (Array.isArray(found)) {
    const html = renderSpoolPage(found, basePath);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(html), 'Cache-Control': 'no-store' });
    res.end(html);
    return;
  }
  const message = found;
  if (message === undefined) return sendErrorPage(res, 404, req.url ?? '', undefined, responseHeaders(env.settings));
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': message.length });
  res.end(message);
}
