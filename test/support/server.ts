/**
 * Test servers: a tsfpm server on an ephemeral loopback port over a document root made for the
 * test, with its log captured so tests can assert on PHP's warnings and the access log.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer, type TsfpmOptions, type TsfpmServer } from '../../runtime/index.ts';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly docroot: string;
  readonly server: TsfpmServer;
  /** Every log line so far. */
  readonly logs: string[];
  /** Resolves with the first log line matching `pattern` (waits up to `ms`). */
  waitForLog(pattern: RegExp, ms?: number): Promise<string>;
  close(): Promise<void>;
}

const madeDirs = new Set<string>();
// servers, their sessions and child processes may use a folder up to a spec's very end: each folder
// made here is removed when the test process exits, whatever the outcome
process.once('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder holding `files` (path → contents), removed when the test process exits. */
export function tempDir(files: Record<string, string | Buffer> = {}, prefix = 'tsfpm-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.add(dir);
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), contents);
  }
}

/** Starts a server on 127.0.0.1:0. `docroot` is a folder, or files to put in a new temp folder. */
export async function startServer(docroot: string | Record<string, string | Buffer>, options: Partial<TsfpmOptions> = {}): Promise<TestServer> {
  const root = typeof docroot === 'string' ? docroot : tempDir(docroot);
  const logs: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const server = createServer({
    docroot: root,
    ...options,
    log: (line) => {
      logs.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    docroot: root,
    server,
    logs,
    waitForLog(pattern, ms = 5000) {
      const found = logs.find((l) => pattern.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line matched ${pattern} within ${ms} ms; log:\n${logs.join('\n')}`)), ms);
        waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      });
    },
    async close() {
      await server.close(5000);
    },
  };
}


export interface LoopbackApp {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `app` (an Express app, or any request listener) on 127.0.0.1:0, for specs that mount tsfpm in someone else's server. */
export async function listenOnLoopback(app: RequestListener): Promise<LoopbackApp> {
  const server = createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
