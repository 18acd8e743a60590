/**
 * What port-check replays: named sequences of HTTP requests, read from a HAR file (har.ts) or from tsfpm's own case
 * format (case-file.ts). Each turn of a sequence is one request, or several sent at once (to show session locking).
 * @module
 */

/** One request, as sent to both sides: the recorded host is never used, cookies come from each side's jar. */
export interface Step {
  readonly method: string;
  /** Path and query, e.g. `/cart.php?id=3`. */
  readonly target: string;
  /** Request headers in order, without Host, Cookie, Content-Length and hop-by-hop headers. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
}

/** A named sequence: its turns run in order, each turn's steps at the same time. One cookie jar per side per sequence. */
export interface Sequence {
  readonly name: string;
  readonly turns: readonly (readonly Step[])[];
}

/** Request headers port-check sets itself, or that belong to one hop only: dropped from recordings. */
const NOT_REPLAYED = new Set(['host', 'cookie', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'accept-encoding', 'proxy-connection']);

/**
 * The recorded headers a replay sends. Accept-Encoding is dropped so that both sides answer uncompressed bodies
 * that can be compared; HTTP/2 pseudo-headers (`:authority`) are not HTTP/1.1 headers.
 */
export function replayableHeaders(headers: Iterable<readonly [string, string]>): Array<readonly [string, string]> {
  return [...headers].filter(([name]) => !name.startsWith(':') && !NOT_REPLAYED.has(name.toLowerCase()));
}
