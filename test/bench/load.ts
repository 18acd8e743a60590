/**
 * The load generator of the side-by-side figures: wrk (C, a process of its own, so the load costs
 * the machine far less than a Node client would) when installed, else autocannon. Each run gives
 * requests/s, latency percentiles and the count of non-2xx answers.
 */
import autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses counted, and those not 2xx/3xx (wrk) or not 2xx (autocannon). */
  readonly requests: number;
  readonly errors: number;
}

export interface LoadOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly headers?: Readonly<Record<string, string>>;
}

const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((p) => existsSync(p));

export const loadGenerator = WRK ? 'wrk' : 'autocannon';

/** wrk's latency lines: `50%  1.23ms`, units us, ms or s. */
function wrkMs(text: string, percent: string): number {
  const m = new RegExp(`^\\s*${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
  if (!m) return NaN;
  const scale = m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1;
  return Number(m[1]) * scale;
}

/** Loads `url` (loopback only) for `seconds`. */
export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`load() sends traffic to loopback only, not ${url}`);
  if (WRK) {
    const threads = Math.min(2, options.connections);
    const headerArgs = Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    const { stdout } = await promisify(execFile)(WRK, ['-t', String(threads), '-c', String(options.connections), '-d', `${options.seconds}s`, '--latency', ...headerArgs, url], { timeout: (options.seconds + 30) * 1000 });
    const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
    const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0) + Number(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)?.slice(1).reduce((a, b) => a + Number(b), 0) ?? 0);
    return { requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0), p50Ms: wrkMs(stdout, '50'), p99Ms: wrkMs(stdout, '99'), requests, errors };
  }
  const result = await autocannon({ url, connections: options.connections, duration: options.seconds, headers: { ...options.headers } });
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, requests: result.requests.total, errors: result.non2xx + result.errors };
}
