/**
 * The HTTP side of PHP sessions for one request: where the session ID comes from ($_COOKIE, or
 * GET/POST with use_only_cookies off, express-session's signed `s:` cookies when a secret is
 * shared), how the session cookie and cache headers are added, and which backend the settings
 * name. The state machine itself is sessions/session.ts.
 * @module
 */
import cookieSignature from 'cookie-signature';
import { statSync } from 'node:fs';
import type { SessionBackend } from '../../sessions/backend.ts';
import { openBackend, openedBackend, type BackendSettings } from '../../sessions/open-backend.ts';
import type { RedisSessionFormat } from '../../sessions/redis/redis-store.ts';
import { parseSerializeHandler } from '../../sessions/serialize/session-codec.ts';
import { PhpSession, type SessionHost, type SessionLockEvents } from '../../sessions/session.ts';
import { scriptCallSite, type CapturedStack } from '../php/call-site.ts';
import { E_NOTICE, E_WARNING } from '../php/error-reporting.ts';
import type { RequestContext, RequestResource } from './request-context.ts';
import { formatSetCookie } from '../php/set-cookie.ts';

/**
 * The request as its session sees it, and the session as one of the request's resources: one object per
 * request that uses sessions, its methods shared (no closures made per request).
 */
class RequestSessionHost implements SessionHost, SessionLockEvents, RequestResource {
  readonly #ctx: RequestContext;
  readonly idExtraChars: string;
  readonly lockEvents: SessionLockEvents = this;
  readonly session: PhpSession;
  /** The pending session_start() of the script's last call and the stack of that call, for a missing `await`. */
  #startCall: { readonly started: Promise<boolean>; readonly stack: CapturedStack } | undefined;

  constructor(ctx: RequestContext) {
    this.#ctx = ctx;
    this.idExtraChars = this.#secret() ? '_' : '';
    this.session = new PhpSession(this, ctx.vars.$_SESSION);
  }

  #secret(): string {
    return this.#ctx.ini.get('tsfpm.session_secret') ?? '';
  }

  get owner(): string {
    return this.#ctx.describe();
  }

  setting(name: string): string {
    return this.#ctx.ini.get(name) ?? '';
  }

  int(name: string): number {
    return this.#ctx.ini.int(name);
  }

  bool(name: string): boolean {
    return this.#ctx.ini.bool(name);
  }

  setSetting(name: string, value: string): boolean {
    return this.#ctx.ini.set(name, value) !== false;
  }

  headersSent(): boolean {
    return this.#ctx.headersSent;
  }

  clientId(name: string): string | undefined {
    const { ini, vars } = this.#ctx;
    const fromCookie = ini.bool('session.use_cookies') ? vars.$_COOKIE[name] : undefined;
    const fromRequest = ini.bool('session.use_only_cookies') ? undefined : (vars.$_GET[name] ?? vars.$_POST[name]);
    const sent = typeof fromCookie === 'string' ? fromCookie : typeof fromRequest === 'string' ? fromRequest : undefined;
    // session.referer_check: an ID that came with a Referer not containing the string is not used (PHP)
    const check = ini.get('session.referer_check') ?? '';
    // read only when the setting is on: $_SERVER is made on first read
    const referer = check === '' ? undefined : vars.$_SERVER['HTTP_REFERER'];
    if (typeof referer === 'string' && referer !== '' && !referer.includes(check)) return undefined;
    const secret = this.#secret();
    if (sent === undefined || !secret) return sent;
    // express-session's signed cookie: `s:<id>.<signature>`; a bad signature means no ID, as there
    if (!sent.startsWith('s:')) return undefined;
    const id = cookieSignature.unsign(sent.slice(2), secret);
    return id === false ? undefined : id;
  }

  sendCookie(name: string, id: string): void {
    const { ini, headers } = this.#ctx;
    const lifetime = ini.int('session.cookie_lifetime');
    const now = Math.floor(Date.now() / 1000);
    const secret = this.#secret();
    const value = secret ? `s:${cookieSignature.sign(id, secret)}` : id;
    headers.removeCookie(name);
    headers.addCookie(
      formatSetCookie(
        name,
        value,
        {
          expires: lifetime > 0 ? now + lifetime : 0,
          path: ini.get('session.cookie_path') ?? '/',
          domain: ini.get('session.cookie_domain') ?? '',
          secure: ini.bool('session.cookie_secure'),
          httponly: ini.bool('session.cookie_httponly'),
          samesite: ini.get('session.cookie_samesite') ?? '',
        },
        false,
        now,
      ),
    );
  }

  replaceHeader(line: string): void {
    this.#ctx.headers.header(line, true, 0, '');
  }

  scriptMtime(): number | undefined {
    return statSync(this.#ctx.target.file, { throwIfNoEntry: false })?.mtimeMs;
  }

  warning(message: string): void {
    this.#ctx.raise(E_WARNING, message);
  }

  notice(message: string): void {
    this.#ctx.raise(E_NOTICE, message);
  }

  log(line: string): void {
    this.#ctx.log(line);
  }

  backend(): SessionBackend | Promise<SessionBackend> {
    return openedBackend(backendSettings(this.#ctx));
  }

  waiting(id: string): void {
    this.#ctx.lockWaitStarted(id);
    this.#ctx.env.pool.lockWaitStarted();
  }

  waited(waitedMs: number, acquired: boolean): void {
    this.#ctx.lockWaitEnded(acquired);
    this.#ctx.env.pool.lockWaitEnded(waitedMs / 1000, acquired);
  }

  released(): void {
    this.#ctx.lockReleased();
    this.#ctx.env.pool.lockReleased();
  }

  /** Remembers where the script called session_start(), for the warning if the request closes with it pending. */
  startedAt(started: Promise<boolean>, stack: CapturedStack): void {
    this.#startCall = { started, stack };
  }

  release(when: 'finish' | 'end'): Promise<void> {
    const ctx = this.#ctx;
    const session = this.session;
    // a request stopped, or abandoned to a time limit (maybe while it awaited the start), does not
    // wait for a lock a pending start waits for; the start closes the session when it settles
    const abandoned = ctx.phase === 'done' || ctx.deadline.passed;
    const pending = session.starting;
    const call = this.#startCall;
    if (pending && !abandoned && call?.started === pending) {
      this.#startCall = undefined;
      ctx.raise(E_WARNING, `session_start() was still pending when the script ${when === 'finish' ? 'finished the response' : 'ended'}: its result is waited for and the session written at the end; write \`await session_start()\``, scriptCallSite(call.stack.stack));
    }
    // fastcgi_finish_request() closes the session unless tsfpm.finish_closes_session restores PHP's behaviour
    if (when === 'finish' && !ctx.ini.bool('tsfpm.finish_closes_session')) return Promise.resolve();
    return session.release(when === 'end', !abandoned);
  }
}

/**
 * session_start(). `call`: the stack of the script's call, captured once by the caller for its time limit's
 * report too; a missing `await` is then reported at that line (auto_start has no such call).
 */
export function startSession(ctx: RequestContext, options: Record<string, unknown>, call?: CapturedStack, mapError?: (err: unknown) => unknown): Promise<boolean> {
  const host = hostOf(ctx);
  const started = host.session.start(options, mapError);
  if (call) host.startedAt(started, call);
  return started;
}

/** The backend the request's settings name; `handler` overrides session.save_handler (SessionHandler wraps the one in effect before session_set_save_handler()). */
export function openConfiguredBackend(ctx: RequestContext, handler?: string): Promise<SessionBackend> {
  return openBackend(backendSettings(ctx, handler));
}

/** What names the backend in the request's settings; `handler` as in openConfiguredBackend(). */
function backendSettings(ctx: RequestContext, handler = ctx.ini.get('session.save_handler') ?? 'files'): BackendSettings {
  const ini = ctx.ini;
  return {
    handler,
    savePath: ini.get('session.save_path') ?? '',
    serializeHandler: parseSerializeHandler(ini.get('session.serialize_handler') ?? 'php') ?? 'php',
    gcMaxlifetime: ini.int('session.gc_maxlifetime'),
    redisFormat: (ini.get('tsfpm.session_redis_format') ?? 'express') as RedisSessionFormat,
    log: ctx.env.log,
  };
}

/**
 * The request's session host, created on first use and closed with the request's resources. It is found among
 * those (a handful at most) rather than in a WeakMap: a WeakMap entry per request keeps every request's
 * objects alive through young-generation GCs, until a full one.
 */
function hostOf(ctx: RequestContext): RequestSessionHost {
  for (const resource of ctx.resources) if (resource instanceof RequestSessionHost) return resource;
  const host = new RequestSessionHost(ctx);
  ctx.hold(host);
  return host;
}

/** The request's session, created on first use and closed with the request's resources. */
export function sessionOf(ctx: RequestContext): PhpSession {
  return hostOf(ctx).session;
}
