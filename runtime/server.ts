/**
 * The standalone HTTP server (what the CLI runs), with a graceful close: stop accepting, let every
 * response in flight and every background tail finish (up to a deadline), then resolve.
 * @module
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConfig, type ServerConfig, type TsfpmOptions } from './config.ts';
import { createRequestHandler } from './handler.ts';
import { applyHttpLimits, httpServerOptions } from './http-limits.ts';

export interface TsfpmServer {
  readonly http: Server;
  readonly config: ServerConfig;
  /** Listens on `port` (0 = any free one) at `host`; resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops accepting, waits for live requests and tails up to `graceMs`, then closes every connection.
   * Resolves with the number of requests cut at the deadline (logged by script and URI).
   */
  close(graceMs?: number): Promise<number>;
}

export function createServer(options: TsfpmOptions): TsfpmServer {
  const config = createConfig(options);
  const handler = createRequestHandler(config);
  const http = createHttpServer(httpServerOptions(config), (req, res) => handler(req, res));
  applyHttpLimits(http, config);
  return {
    http,
    config,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve(http.address() as AddressInfo);
        });
      });
    },
    async close(graceMs = 10_000) {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (config.live.size > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const cut = config.live.size;
      for (const ctx of config.live) config.log(`tsfpm: shutting down while still running (${ctx.describe()}, ${ctx.phase})`);
      http.closeAllConnections();
      await closed;
      return cut;
    },
  };
}
