/**
 * Sends a step to one side and records its answer as sent: status line, headers in order (duplicates kept), body
 * and time to the last byte. One connection per request, so neither side profits from keep-alive.
 * @module
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { CookieJar } from './cookie-jar.ts';
import { SetupError } from './setup-error.ts';
import type { Step } from './steps.ts';

export interface Exchange {
  readonly status: number;
  readonly reason: string;
  /** As received, in order. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** Milliseconds from sending to the last byte of the response. */
  readonly ms: number;
}

/** How long one request may take before the side counts as not answering. */
const ANSWER_TIMEOUT_MS = 60_000;

/** Sends `step` to the server at `base` with the cookies of `jar`, and stores the cookies it sets. @throws SetupError when the server cannot be reached */
export function send(base: URL, step: Step, jar: CookieJar): Promise<Exchange> {
  const url = new URL(step.target, base);
  const cookie = jar.header(step.target);
  // headers given as a list keep their order and case, and Node then adds no Host of its own
  const headers: Array<[string, string]> = [['Host', url.host], ...step.headers.map(([n, v]): [string, string] => [n, v])];
  if (cookie) headers.push(['Cookie', cookie]);
  if (step.body) headers.push(['Content-Length', String(step.body.length)]);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const raw = res.rawHeaders;
        const pairs: Array<[string, string]> = [];
        for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
        jar.store(pairs.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v), step.target);
        resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: pairs, body: Buffer.concat(chunks), ms: performance.now() - started });
      });
    };
    let req: ClientRequest;
    try {
      req = request(url, { method: step.method, headers: headers.flat(), agent: false, timeout: ANSWER_TIMEOUT_MS }, onResponse);
    } catch (error) {
      // Node refuses a header it may not send (a control character in a recorded value)
      reject(new SetupError(`cannot send ${step.method} ${step.target}: ${(error as Error).message}`));
      return;
    }
    req.on('timeout', () => req.destroy(new SetupError(`${base.origin} did not answer ${step.method} ${step.target} within ${ANSWER_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) =>
      reject(error instanceof SetupError ? error : new SetupError(`cannot reach ${base.origin} for ${step.method} ${step.target}: ${(error as Error).message}`)),
    );
    req.end(step.body);
  });
}
