/**
 * PHP's session functions (ext/session/session.c), bound to a request. Each takes the request
 * first. The ones that wait for the store or the lock are async.
 * @module
 */
import { createSessionId, isValidIdPrefix } from '../../sessions/id.ts';
import { PHP_SESSION_ACTIVE } from '../../sessions/session.ts';
import { E_WARNING } from '../error-reporting.ts';
import type { RequestContext } from '../request-context.ts';
import { sessionOf, startSession } from '../session-host.ts';

/** The refusal PHP gives a setter while a session is active or after the headers are sent; undefined when allowed. */
function setterRefusal(ctx: RequestContext, fn: string, thing: string): string | undefined {
  if (sessionOf(ctx).status === PHP_SESSION_ACTIVE) return `${fn}(): ${thing} cannot be changed when a session is active`;
  if (ctx.headersSent) return `${fn}(): ${thing} cannot be changed after headers have already been sent`;
  return undefined;
}

/** Runs `change` unless PHP would refuse it, in which case it warns and returns false. */
function guarded<T>(ctx: RequestContext, fn: string, thing: string, change: () => T): T | false {
  const refusal = setterRefusal(ctx, fn, thing);
  if (refusal) {
    ctx.raise(E_WARNING, refusal);
    return false;
  }
  return change();
}

export interface SessionCookieParams {
  lifetime: number;
  path: string;
  domain: string;
  secure: boolean;
  httponly: boolean;
  samesite: string;
}

export const sessionFunctions = {
  /** session_start($options = []): async; options are session.* names without the prefix, plus read_and_close. */
  session_start: (ctx: RequestContext, options: Record<string, unknown> = {}): Promise<boolean> => ctx.awaiting('session_start', startSession(ctx, options)),
  /** session_write_close(): writes the session and releases its lock. */
  session_write_close: (ctx: RequestContext): Promise<boolean> => sessionOf(ctx).writeClose(),
  /** session_commit(): the same as session_write_close(). */
  session_commit: (ctx: RequestContext): Promise<boolean> => sessionOf(ctx).writeClose(),
  /** session_abort(): closes without writing; the lock is released at once. */
  session_abort: (ctx: RequestContext): boolean => sessionOf(ctx).abort(),
  /** session_reset(): $_SESSION back to the stored data. */
  session_reset: (ctx: RequestContext): boolean => sessionOf(ctx).reset(),
  /** session_unset(): empties $_SESSION. */
  session_unset: (ctx: RequestContext): boolean => sessionOf(ctx).unset(),
  /** session_destroy(): deletes the stored session; $_SESSION and the cookie stay, as PHP. */
  session_destroy: (ctx: RequestContext): Promise<boolean> => sessionOf(ctx).destroy(),
  /** session_regenerate_id($delete_old_session = false) */
  session_regenerate_id: (ctx: RequestContext, delete_old_session = false): Promise<boolean> => sessionOf(ctx).regenerateId(delete_old_session),
  /** session_status(): PHP_SESSION_NONE (1) or PHP_SESSION_ACTIVE (2). */
  session_status: (ctx: RequestContext): number => sessionOf(ctx).status,
  /** session_gc(): the number of sessions deleted; false without an active session. */
  async session_gc(ctx: RequestContext): Promise<number | false> {
    const session = sessionOf(ctx);
    if (session.status !== PHP_SESSION_ACTIVE) {
      ctx.raise(E_WARNING, 'session_gc(): Session cannot be garbage collected when there is no active session');
      return false;
    }
    return session.gc();
  },
  /** session_id($id = null): the current ID or ""; with an ID, the one the next session_start() uses. */
  session_id(ctx: RequestContext, id?: string | null): string | false {
    const session = sessionOf(ctx);
    const current = session.status === PHP_SESSION_ACTIVE ? session.id : (session.pendingId ?? session.id);
    if (id === undefined || id === null) return current;
    const result = guarded(ctx, 'session_id', 'Session ID', () => session.setPendingId(id));
    return result === false ? false : current;
  },
  /** session_name($name = null): the old name; a numeric or empty one is refused with PHP's warning. */
  session_name(ctx: RequestContext, name?: string | null): string | false {
    const old = ctx.ini.get('session.name') ?? 'PHPSESSID';
    if (name === undefined || name === null) return old;
    const changed = guarded(ctx, 'session_name', 'Session name', () => {
      if (name === '' || /^\d+$/.test(name)) {
        ctx.raise(E_WARNING, `session_name(): session.name "${name}" cannot be numeric or empty`);
        return true;
      }
      return ctx.ini.set('session.name', name) !== false;
    });
    return changed === false ? false : old;
  },
  /** session_save_path($path = null): the old path. */
  session_save_path(ctx: RequestContext, path?: string | null): string | false {
    const old = ctx.ini.get('session.save_path') ?? '';
    if (path === undefined || path === null) return old;
    return guarded(ctx, 'session_save_path', 'Session save path', () => (ctx.ini.set('session.save_path', path), old));
  },
  /** session_cache_limiter($value = null): the old limiter. */
  session_cache_limiter(ctx: RequestContext, value?: string | null): string | false {
    const old = ctx.ini.get('session.cache_limiter') ?? '';
    if (value === undefined || value === null) return old;
    return guarded(ctx, 'session_cache_limiter', 'Session cache limiter', () => (ctx.ini.set('session.cache_limiter', value), old));
  },
  /** session_cache_expire($value = null): the old value; while active PHP warns and returns the current int. */
  session_cache_expire(ctx: RequestContext, value?: number | null): number {
    const old = ctx.ini.int('session.cache_expire');
    if (value === undefined || value === null) return old;
    guarded(ctx, 'session_cache_expire', 'Session cache expiration', () => ctx.ini.set('session.cache_expire', String(value)));
    return old;
  },
  session_get_cookie_params(ctx: RequestContext): SessionCookieParams {
    return {
      lifetime: ctx.ini.int('session.cookie_lifetime'),
      path: ctx.ini.get('session.cookie_path') ?? '/',
      domain: ctx.ini.get('session.cookie_domain') ?? '',
      secure: ctx.ini.bool('session.cookie_secure'),
      httponly: ctx.ini.bool('session.cookie_httponly'),
      samesite: ctx.ini.get('session.cookie_samesite') ?? '',
    };
  },
  /** session_set_cookie_params($lifetime_or_options, $path, $domain, $secure, $httponly): both signatures. */
  session_set_cookie_params(
    ctx: RequestContext,
    lifetime_or_options: number | Partial<SessionCookieParams>,
    path?: string | null,
    domain?: string | null,
    secure?: boolean | null,
    httponly?: boolean | null,
  ): boolean {
    const params: Partial<SessionCookieParams> =
      typeof lifetime_or_options === 'object'
        ? lifetime_or_options
        : { lifetime: lifetime_or_options, ...(path != null && { path }), ...(domain != null && { domain }), ...(secure != null && { secure }), ...(httponly != null && { httponly }) };
    return (
      guarded(ctx, 'session_set_cookie_params', 'Session cookie parameters', () => {
        for (const [key, value] of Object.entries(params)) {
          const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
          ctx.ini.set(`session.cookie_${key}`, text);
        }
        return true;
      }) !== false
    );
  },
  /** session_create_id($prefix = ""): a new ID in the configured length and alphabet. */
  session_create_id(ctx: RequestContext, prefix = ''): string | false {
    if (!isValidIdPrefix(prefix)) {
      ctx.raise(E_WARNING, 'session_create_id(): Prefix cannot contain special characters. Only the A-Z, a-z, 0-9, "-", and "," characters are allowed');
      return false;
    }
    return createSessionId(ctx.ini.int('session.sid_length') || 32, ctx.ini.int('session.sid_bits_per_character') || 4, prefix);
  },
};
