/**
 * One side's cookies, as a browser keeps them for one host (RFC 6265 §5.3, without domains: each side is one
 * loopback server): Set-Cookie stores or, with a past expiry, deletes; a request sends the cookies whose path
 * matches, longest path first.
 * @module
 */
import { parseSetCookie } from 'cookie';

interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
}

export class CookieJar {
  readonly #cookies: StoredCookie[] = [];

  /** Applies the Set-Cookie headers of a response to the request of `target`. */
  store(setCookies: readonly string[], target: string, now = new Date()): void {
    for (const header of setCookies) {
      // values stay as sent (percent-encoded): the jar sends back exactly what it received
      const parsed = parseSetCookie(header, { decode: (value) => value });
      if (!parsed.name) continue;
      const path = parsed.path?.startsWith('/') ? parsed.path : defaultPath(target);
      const existing = this.#cookies.findIndex((c) => c.name === parsed.name && c.path === path);
      if (existing >= 0) this.#cookies.splice(existing, 1);
      const expired = (parsed.maxAge !== undefined && parsed.maxAge <= 0) || (parsed.maxAge === undefined && parsed.expires !== undefined && parsed.expires <= now);
      if (!expired) this.#cookies.push({ name: parsed.name, value: parsed.value ?? '', path });
    }
  }

  /** The Cookie header for a request to `target`, or undefined when no cookie applies. */
  header(target: string): string | undefined {
    const path = target.split('?')[0]!;
    const sent = this.#cookies
      .filter((c) => pathMatches(path, c.path))
      .sort((a, b) => b.path.length - a.path.length);
    return sent.length ? sent.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  /** The value of the cookie `name` that a request to `target` would send. */
  value(name: string, target = '/'): string | undefined {
    const path = target.split('?')[0]!;
    return this.#cookies.find((c) => c.name === name && pathMatches(path, c.path))?.value;
  }
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(path: string, cookiePath: string): boolean {
  return path === cookiePath || path.startsWith(cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`);
}

/** RFC 6265 §5.1.4: the request path up to its last slash. */
function defaultPath(target: string): string {
  const path = target.split('?')[0]!;
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}
