/**
 * session.cache_limiter's headers, exactly as PHP sends them (session.c CACHE_LIMITER_FUNC):
 * nocache, private, private_no_expire, public; "" or an unknown name sends none.
 * @module
 */

/** PHP's fixed "long ago" date for Expires. */
const EXPIRED = 'Thu, 19 Nov 1981 08:52:00 GMT';

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/**
 * The header lines for `limiter` (case-insensitive). `expireMinutes` is session.cache_expire;
 * `lastModified` the main script's mtime (ms), omitted when unknown.
 */
export function cacheLimiterHeaders(limiter: string, expireMinutes: number, now: number, lastModified: () => number | undefined): string[] {
  const maxAge = expireMinutes * 60;
  switch (limiter.toLowerCase()) {
    case 'nocache':
      return [`Expires: ${EXPIRED}`, 'Cache-Control: no-store, no-cache, must-revalidate', 'Pragma: no-cache'];
    case 'private':
      return [`Expires: ${EXPIRED}`, `Cache-Control: private, max-age=${maxAge}`, ...modified(lastModified)];
    case 'private_no_expire':
      return [`Cache-Control: private, max-age=${maxAge}`, ...modified(lastModified)];
    case 'public':
      return [`Expires: ${httpDate(now + maxAge * 1000)}`, `Cache-Control: public, max-age=${maxAge}`, ...modified(lastModified)];
    default:
      return [];
  }
}

/**
 * Last-Modified, when the script's mtime is known: a stat, made only for the limiters that send it, not for the
 * default nocache. A function of the module, not a closure per call: the TypeScript loader names each closure
 * with a defineProperty call.
 */
function modified(lastModified: () => number | undefined): string[] {
  const mtime = lastModified();
  return mtime === undefined ? [] : [`Last-Modified: ${httpDate(mtime)}`];
}
