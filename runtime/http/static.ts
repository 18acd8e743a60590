/**
 * Static files under the document root, through `send` (Content-Type, ETag, Last-Modified,
 * ranges, HEAD). The router has already refused sources, dotfiles and paths outside the root.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { relative, sep } from 'node:path';
import send from 'send';
import type { ResponseHeader } from '../settings/header-lines.ts';
import { addResponseHeaders } from '../settings/response-headers.ts';

/**
 * Serves `file` with `headers` (tsfpm.response_headers) added; resolves once the response has
 * ended (or failed), with the status sent.
 */
export function serveStatic(req: IncomingMessage, res: ServerResponse, docroot: string, file: string, headers: readonly ResponseHeader[] = []): Promise<number> {
  addResponseHeaders(res, headers);
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
    res.writeHead(405, { Allow: 'GET, HEAD, POST', 'Content-Length': 0 });
    res.end();
    return Promise.resolve(405);
  }
  const urlPath = '/' + relative(docroot, file).split(sep).map(encodeURIComponent).join('/');
  return new Promise((resolve) => {
    res.once('close', () => resolve(res.statusCode));
    send(req, urlPath, { root: docroot, dotfiles: 'deny', index: false })
      .on('error', (err: { status?: number }) => {
        res.statusCode = err.status ?? 500;
        res.end();
      })
      .pipe(res);
  });
}
