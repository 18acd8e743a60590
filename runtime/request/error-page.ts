/**
 * tsfpm's own error responses (refused paths, unreadable bodies, scripts that fail to load,
 * requests refused before they reach a script), shaped like php -S's pages and carrying
 * tsfpm.response_headers.
 * @module
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { ResponseHeader } from '../settings/header-lines.ts';
import { addResponseHeaders } from '../settings/response-headers.ts';
import { htmlspecialchars } from '../php/html-escape.ts';


function pageBody(status: number, path: string, detail?: string): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  const message = status === 404 ? `The requested resource <code class="url">${htmlspecialchars(path)}</code> was not found on this server.` : htmlspecialchars(STATUS_CODES[status] ?? 'Error');
  return `<!doctype html><html><head><title>${title}</title></head><body><h1>${htmlspecialchars(STATUS_CODES[status] ?? 'Error')}</h1><p>${message}</p>${detail ? `<pre>${htmlspecialchars(detail)}</pre>` : ''}</body></html>`;
}

/**
 * Sends `status` with a small HTML page; `detail` (shown only when display_errors is on) says why.
 * `headers` (tsfpm.response_headers) are added unless the response already has one of that name.
 */
export function sendErrorPage(res: ServerResponse, status: number, path: string, detail?: string, headers: readonly ResponseHeader[] = []): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = pageBody(status, path, detail);
  addResponseHeaders(res, headers);
  res.writeHead(status, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The same page as raw bytes for a socket that has no ServerResponse (a request refused by the
 * HTTP parser or a timeout before its head was read): HTTP/1.1, and the connection closes.
 */
export function rawErrorResponse(status: number, headers: readonly ResponseHeader[] = []): Buffer {
  const body = pageBody(status, '');
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: text/html; charset=UTF-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...headers.filter(({ name }) => name.toLowerCase() !== 'content-type').map(({ name, value }) => `${name}: ${value}`),
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}
