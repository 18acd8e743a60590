/**
 * tsfpm's own error responses (refused paths, unreadable bodies, scripts that fail to load),
 * shaped like php -S's pages.
 * @module
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Sends `status` with a small HTML page; `detail` (shown only when display_errors is on) says why. */
export function sendErrorPage(res: ServerResponse, status: number, path: string, detail?: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  const message = status === 404 ? `The requested resource <code class="url">${escape(path)}</code> was not found on this server.` : escape(STATUS_CODES[status] ?? 'Error');
  const body = `<!doctype html><html><head><title>${title}</title></head><body><h1>${escape(STATUS_CODES[status] ?? 'Error')}</h1><p>${message}</p>${detail ? `<pre>${escape(detail)}</pre>` : ''}</body></html>`;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
