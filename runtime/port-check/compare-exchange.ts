/**
 * One request's two answers compared, field by field in the order a reader checks them: status, reason, headers,
 * Set-Cookie, body; then the session contents after it. Masks are applied to both sides first.
 * @module
 */
import { bodyText, compareBodies } from './body-compare.ts';
import type { Difference } from './difference.ts';
import { compareHeaders } from './headers-compare.ts';
import type { Masks } from './masks.ts';
import type { Exchange } from './replay.ts';
import type { Side } from './side.ts';

/** One side's answer as the report shows it: masked, the body as text (or a note for bytes that are not UTF-8). */
export interface Answer {
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
  readonly ms: number;
}

export interface CompareOptions {
  readonly htmlWhitespace: boolean;
}

/** A port this many times slower than the original on a request is flagged. */
export const SLOW_FACTOR = 2;

export function maskedAnswer(side: Side, exchange: Exchange, masks: Masks): Answer & { readonly text: string | undefined } {
  const text = bodyText(exchange.body);
  return {
    status: exchange.status,
    reason: exchange.reason,
    headers: exchange.headers.map(([n, v]) => [n, masks.apply(side, v)] as const),
    text: text === undefined ? undefined : masks.apply(side, text),
    body: text === undefined ? `(${exchange.body.length} bytes that are not UTF-8 text)` : masks.apply(side, text),
    ms: exchange.ms,
  };
}

/** The differences between two masked answers; `phpBytes`/`tsBytes` are the raw bodies, for bodies that are not text. */
export function compareAnswers(
  php: ReturnType<typeof maskedAnswer>,
  phpBytes: Buffer,
  ts: ReturnType<typeof maskedAnswer>,
  tsBytes: Buffer,
  options: CompareOptions,
): Difference[] {
  const differences: Difference[] = [];
  if (php.status !== ts.status) differences.push({ field: 'status', php: `${php.status} ${php.reason}`, ts: `${ts.status} ${ts.reason}` });
  else if (php.reason !== ts.reason) differences.push({ field: 'reason', php: php.reason, ts: ts.reason });
  differences.push(...compareHeaders(php.headers, ts.headers));
  const type = (a: Answer): string => a.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
  const body = compareBodies(
    { php: { text: php.text, bytes: phpBytes, type: type(php) }, ts: { text: ts.text, bytes: tsBytes, type: type(ts) } },
    { htmlWhitespace: options.htmlWhitespace },
  );
  if (body) differences.push(body);
  return differences;
}
