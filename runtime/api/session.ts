/**
 * PHP's session functions (ext/session/session.c), bound to a request. Each takes the request
 * first. The ones that wait for the store or the lock are async.
 * @module
 */
import { createSessionId, isValidIdPrefix } from '../../sessions/id.ts';
import type { SessionLocker } from '../../sessions/lock/contract.ts';
import { PHP_SESSION_ACTIVE, PHP_SESSION_DISABLED } from '../../sessions/session.ts';
import { SAVE_HANDLERS, sessionSettingProblem } from '../../sessions/session-settings.ts';
import { StartOptionTypeError } from '../../sessions/start-options.ts';
import { createUserBackend, missingHandlerMethod, type SessionHandlerInterface } from '../../sessions/user-handler.ts';
import { phpTypeName } from '../../sessions/serialize/php-values.ts';
import { parseSerializeHandler } from '../../sessions/serialize/session-codec.ts';
import { captureStack } from '../php/call-site.ts';
import { E_WARNING } from '../php/error-reporting.ts';
import { PhpTypeError, ValueError } from '../php/errors.ts';
import { raisedIn } from '../php/php-trace.ts';
import { INI_USER, SETTINGS } from '../settings/settings-table.ts';
import { runInRequest } from '../request/current-request.ts';
import type { RequestContext } from '../request/request-context.ts';
import { SessionHandler } from './session-handler.ts';
import { openConfiguredBackend, sessionOf, startSession } from '../request/session-host.ts';

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

type Callback = (...args: never[]) => unknown;

/** The positional form's callbacks as one handler object (PHP's mod_user keeps them the same way). */
function handlerFromCallbacks(callbacks: readonly unknown[]): SessionHandlerInterface {
  const names = ['open', 'close', 'read', 'write', 'destroy', 'gc', 'create_sid', 'validateId', 'updateTimestamp'] as const;
  // PHP's parameter names, which its warnings use for a callback without a name of its own
  const phpNames = ['open', 'close', 'read', 'write', 'destroy', 'gc', 'create_sid', 'validate_sid', 'update_timestamp'] as const;
  const handler: Record<string, unknown> = {};
  callbacks.forEach((fn, i) => {
    if (fn === undefined || fn === null) return;
    if (typeof fn !== 'function') throw new PhpTypeError(`session_set_save_handler(): Argument #${i + 1} ($${phpNames[i]}) must be a valid callback, no array or string given`);
    const name = fn.name.replace(/^bound /, '');
    handler[names[i]!] = Object.assign((...args: unknown[]) => (fn as (...a: unknown[]) => unknown)(...args), { phpName: name || phpNames[i]! });
  });
  return handler as unknown as SessionHandlerInterface;
}

/** tsfpm's lock for a user handler: the configured handler's locker, opened when the session first locks. */
function configuredLocker(ctx: RequestContext, module: string): SessionLocker {
  const locker = () => openConfiguredBackend(ctx, module).then((b) => b.locker);
  return {
    acquire: async (id, options) => (await locker()).acquire(id, options),
    fencedWrite: async (lock, write) => (await locker()).fencedWrite(lock, write),
    close: () => Promise.resolve(),
  };
}

/**
 * Why ini_set() refuses a session.* value, as ext/session's OnUpdate handlers do: any session setting while a
 * session is active or after the headers were sent, and values PHP cannot use. Undefined when allowed.
 */
export function sessionIniRefusal(ctx: RequestContext, name: string, value: string): string | undefined {
  const row = SETTINGS[name];
  // a setting scripts may not change is refused by ini_set() itself, silently
  if (row === undefined || (row.mode & INI_USER) === 0) return undefined;
  if (sessionOf(ctx).status === PHP_SESSION_ACTIVE) return 'Session ini settings cannot be changed when a session is active';
  if (ctx.headersSent) return 'Session ini settings cannot be changed after headers have already been sent';
  return sessionSettingProblem(name, value, 'runtime');
}

/** session_register_shutdown(): session_write_close() as a shutdown function. */
function registerShutdown(ctx: RequestContext): void {
  ctx.addShutdownFunction(() => sessionOf(ctx).writeClose());
}

const COOKIE_PARAMS: readonly (keyof SessionCookieParams)[] = ['lifetime', 'path', 'domain', 'secure', 'httponly', 'samesite'];

/** What session_start() rejects with, as PHP reports it (the session maps it as it fails: no catch() promise per call). */
function startError(err: unknown): unknown {
  return raisedIn('session_start', err instanceof StartOptionTypeError ? new PhpTypeError(err.message) : err);
}

export const sessionFunctions = {
  /** session_start($options = []): async; options are session.* names without the prefix, plus read_and_close. */
  session_start(ctx: RequestContext, options: Record<string, unknown> = {}): Promise<boolean> {
    // one capture of the call for both of its uses: the time limit's report and a missing `await`'s warning,
    // on every call: two frames, the binding (php-api.ts) and the line that called it, which is what PHP names
    const call = captureStack(sessionFunctions.session_start, 2);
    return ctx.awaiting('session_start', startSession(ctx, options, call, startError), call);
  },
  /** session_encode(): $_SESSION in the session.serialize_handler format. */
  session_encode: (ctx: RequestContext): string | false => sessionOf(ctx).encode(),
  /** session_decode($data): merges encoded variables into the active session; async (bad data destroys the session). */
  session_decode: (ctx: RequestContext, data: string): Promise<boolean> => sessionOf(ctx).decode(data),
  /** session_module_name($module = null): the save handler's name; a new one takes effect at the next start. */
  session_module_name(ctx: RequestContext, module?: string | null): string | false {
    const session = sessionOf(ctx);
    const old = ctx.ini.get('session.save_handler') ?? 'files';
    if (module === undefined || module === null) return old;
    const changed = guarded(ctx, 'session_module_name', 'Session save handler module', () => {
      if (module === 'user') throw new ValueError('session_module_name(): Argument #1 ($module) cannot be "user"');
      if (!SAVE_HANDLERS.includes(module)) {
        ctx.raise(E_WARNING, `session_module_name(): Session handler module "${module}" cannot be found`);
        return false;
      }
      ctx.ini.set('session.save_handler', module);
      session.setUserBackend(undefined);
      return true;
    });
    return changed === false ? false : old;
  },
  /**
   * session_set_save_handler($handler, $register_shutdown = true), or the positional form
   * ($open, $close, $read, $write, $destroy, $gc[, $create_sid[, $validate_sid[, $update_timestamp]]]).
   * Methods may be async. No lock is taken (as PHP) unless tsfpm.session_user_handler_lock is on.
   */
  session_set_save_handler(ctx: RequestContext, handler: SessionHandlerInterface | Callback, ...rest: unknown[]): boolean {
    let object: SessionHandlerInterface;
    let registerShutdownFunction = false;
    // PHP takes fewer than six arguments as the object form, and names what it got instead of a handler
    const notAHandler = (given: string) => new PhpTypeError(`session_set_save_handler(): Argument #1 ($open) must be of type SessionHandlerInterface, ${given} given`);
    if (typeof handler === 'function') {
      if (rest.length < 5) throw notAHandler(phpTypeName(handler));
      object = handlerFromCallbacks([handler, ...rest]);
    } else {
      if (handler === null || typeof handler !== 'object' || missingHandlerMethod(handler)) throw notAHandler(phpTypeName(handler));
      object = handler;
      registerShutdownFunction = rest.length === 0 || Boolean(rest[0]);
    }
    const session = sessionOf(ctx);
    const allowed = guarded(ctx, 'session_set_save_handler', 'Session save handler', () => true);
    if (allowed === false) return false;
    const configured = ctx.ini.get('session.save_handler') ?? 'files';
    const module = configured === 'user' ? 'files' : configured;
    const locked = ctx.ini.bool('tsfpm.session_user_handler_lock') && !(object instanceof SessionHandler);
    session.setUserBackend(
      createUserBackend(object, {
        savePath: ctx.ini.get('session.save_path') ?? '',
        serializeHandler: () => parseSerializeHandler(ctx.ini.get('session.serialize_handler') ?? 'php') ?? 'php',
        warn: (message) => ctx.raise(E_WARNING, message),
        locker: locked ? configuredLocker(ctx, module) : undefined,
        inRequest: (call) => runInRequest(ctx, call),
      }),
    );
    ctx.ini.set('session.save_handler', 'user');
    if (registerShutdownFunction) registerShutdown(ctx);
    return true;
  },
  /** session_register_shutdown(): writes and closes the session as a shutdown function. */
  session_register_shutdown: (ctx: RequestContext): void => registerShutdown(ctx),
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
  session_regenerate_id: (ctx: RequestContext, delete_old_session = false): Promise<boolean> =>
    sessionOf(ctx).regenerateId(delete_old_session).catch((err: unknown) => {
      throw raisedIn('session_regenerate_id', err);
    }),
  /** session_status(): PHP_SESSION_DISABLED (0) when the configured save handler does not exist, else NONE (1) or ACTIVE (2). */
  session_status(ctx: RequestContext): number {
    const session = sessionOf(ctx);
    if (!session.userHandler && !SAVE_HANDLERS.includes(ctx.ini.get('session.save_handler') ?? 'files')) return PHP_SESSION_DISABLED;
    return session.status;
  },
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
    // PHP 8.2 refuses a new ID after the headers only when the ID travels in a cookie
    if (session.status !== PHP_SESSION_ACTIVE && !ctx.ini.bool('session.use_cookies')) {
      session.setPendingId(id);
      return current;
    }
    const result = guarded(ctx, 'session_id', 'Session ID', () => session.setPendingId(id));
    return result === false ? false : current;
  },
  /** session_name($name = null): the old name; a numeric or empty one is refused with PHP's warning. */
  session_name(ctx: RequestContext, name?: string | null): string | false {
    const old = ctx.ini.get('session.name') ?? 'PHPSESSID';
    if (name === undefined || name === null) return old;
    const changed = guarded(ctx, 'session_name', 'Session name', () => {
      // a name with a NUL byte is refused without a word, as PHP 8.2's OnUpdateName does
      if (name.includes('\0')) return true;
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
  /**
   * session_set_cookie_params($lifetime_or_options, $path, $domain, $secure, $httponly): both signatures, with PHP
   * 8.2's ValueErrors for an options array (no valid key, or more arguments after it) and its warnings (unknown key,
   * negative lifetime).
   */
  session_set_cookie_params(
    ctx: RequestContext,
    lifetime_or_options: number | Partial<SessionCookieParams>,
    path?: string | null,
    domain?: string | null,
    secure?: boolean | null,
    httponly?: boolean | null,
  ): boolean {
    const fn = 'session_set_cookie_params()';
    if (!ctx.ini.bool('session.use_cookies')) {
      ctx.raise(E_WARNING, `${fn}: Session cookies cannot be used when session.use_cookies is disabled`);
      return false;
    }
    let params: Partial<SessionCookieParams>;
    if (typeof lifetime_or_options === 'object') {
      if (path != null || domain != null || secure != null || httponly != null) {
        const which = path != null ? '#2 ($path)' : domain != null ? '#3 ($domain)' : secure != null ? '#4 ($secure)' : '#5 ($httponly)';
        throw new ValueError(`${fn}: Argument ${which} must be null when argument #1 ($lifetime_or_options) is an array`);
      }
      params = {};
      for (const [key, value] of Object.entries(lifetime_or_options)) {
        if (COOKIE_PARAMS.includes(key as keyof SessionCookieParams)) (params as Record<string, unknown>)[key] = value;
        else ctx.raise(E_WARNING, `${fn}: Argument #1 ($lifetime_or_options) contains an unrecognized key "${key}"`);
      }
      if (Object.keys(params).length === 0) throw new ValueError(`${fn}: Argument #1 ($lifetime_or_options) must contain at least 1 valid key`);
    } else {
      params = { lifetime: lifetime_or_options, ...(path != null && { path }), ...(domain != null && { domain }), ...(secure != null && { secure }), ...(httponly != null && { httponly }) };
    }
    return (
      guarded(ctx, 'session_set_cookie_params', 'Session cookie parameters', () => {
        for (const [key, value] of Object.entries(params)) {
          const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
          const problem = sessionSettingProblem(`session.cookie_${key}`, text, 'runtime');
          if (problem) {
            ctx.raise(E_WARNING, `${fn}: ${problem}`);
            return false;
          }
          ctx.ini.set(`session.cookie_${key}`, text);
        }
        return true;
      }) === true
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
