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
import { openBackend } from '../../sessions/open-backend.ts';
import type { RedisSessionFormat } from '../../sessions/redis/redis-store.ts';
import { parseSerializeHandler } from '../../sessions/serialize/session-codec.ts';
import { PhpSession, type SessionHost } from '../../sessions/session.ts';
import { captureStack, scriptCallSite } from '../php/call-site.ts';
import { E_NOTICE, E_WARNING } from '../php/error-reporting.ts';
import type { RequestContext } from './request-context.ts';
import { formatSetCookie } from '../php/set-cookie.ts';

const sessions = new WeakMap<RequestContext, PhpSession>();

function host(ctx: RequestContext): SessionHost {
  const ini = ctx.ini;
  const bool = (name: string) => ini.bool(name);
  const secret = (): string => ini.get('tsfpm.session_secret') ?? '';
  return {
    setting: (name) => ini.get(name) ?? '',
    setSetting: (name, value) => ini.set(name, value) !== false,
    headersSent: () => ctx.headersSent,
    clientId(name) {
      const fromCookie = bool('session.use_cookies') ? ctx.vars.$_COOKIE[name] : undefined;
      const fromRequest = bool('session.use_only_cookies') ? undefined : (ctx.vars.$_GET[name] ?? ctx.vars.$_POST[name]);
      const sent = typeof fromCookie === 'string' ? fromCookie : typeof fromRequest === 'string' ? fromRequest : undefined;
      // session.referer_check: an ID that came with a Referer not containing the string is not used (PHP)
      const check = ini.get('session.referer_check') ?? '';
      // read only when the setting is on: $_SERVER is made on first read
      const referer = check === '' ? undefined : ctx.vars.$_SERVER['HTTP_REFERER'];
      if (typeof referer === 'string' && referer !== '' && !referer.includes(check)) return undefined;
      if (sent === undefined || !secret()) return sent;
      // express-session's signed cookie: `s:<id>.<signature>`; a bad signature means no ID, as there
      if (!sent.startsWith('s:')) return undefined;
      const id = cookieSignature.unsign(sent.slice(2), secret());
      return id === false ? undefined : id;
    },
    sendCookie(name, id) {
      const lifetime = ini.int('session.cookie_lifetime');
      const now = Math.floor(Date.now() / 1000);
      const value = secret() ? `s:${cookieSignature.sign(id, secret())}` : id;
      ctx.headers.removeCookie(name);
      ctx.headers.addCookie(
        formatSetCookie(
          name,
          value,
          {
            expires: lifetime > 0 ? now + lifetime : 0,
            path: ini.get('session.cookie_path') ?? '/',
            domain: ini.get('session.cookie_domain') ?? '',
            secure: bool('session.cookie_secure'),
            httponly: bool('session.cookie_httponly'),
            samesite: ini.get('session.cookie_samesite') ?? '',
          },
          false,
          now,
        ),
      );
    },
    replaceHeader: (line) => void ctx.headers.header(line, true, 0, ''),
    scriptMtime: () => statSync(ctx.target.file, { throwIfNoEntry: false })?.mtimeMs,
    warning: (message) => ctx.raise(E_WARNING, message),
    notice: (message) => ctx.raise(E_NOTICE, message),
    log: (line) => ctx.log(line),
    owner: ctx.describe(),
    idExtraChars: secret() ? '_' : '',
    lockEvents: {
      waiting(id) {
        ctx.lockWaitStarted(id);
        ctx.env.pool.lockWaitStarted();
      },
      waited(waitedMs, acquired) {
        ctx.lockWaitEnded(acquired);
        ctx.env.pool.lockWaitEnded(waitedMs / 1000, acquired);
      },
      released() {
        ctx.lockReleased();
        ctx.env.pool.lockReleased();
      },
    },
    backend: () => openConfiguredBackend(ctx),
  };
}

/** Where the script called a session_start() that may not be awaited: reported if the request closes with it pending. */
const startCalls = new WeakMap<Promise<boolean>, Error>();

/** session_start() for the script: the call's stack is kept so a missing `await` can be reported at its line. */
export function startSession(ctx: RequestContext, options: Record<string, unknown>): Promise<boolean> {
  const started = sessionOf(ctx).start(options);
  startCalls.set(started, captureStack());
  return started;
}

/** The backend the request's settings name; `handler` overrides session.save_handler (SessionHandler wraps the one in effect before session_set_save_handler()). */
export function openConfiguredBackend(ctx: RequestContext, handler = ctx.ini.get('session.save_handler') ?? 'files'): Promise<SessionBackend> {
  const ini = ctx.ini;
  return openBackend({
    handler,
    savePath: ini.get('session.save_path') ?? '',
    serializeHandler: parseSerializeHandler(ini.get('session.serialize_handler') ?? 'php') ?? 'php',
    gcMaxlifetime: ini.int('session.gc_maxlifetime'),
    redisFormat: (ini.get('tsfpm.session_redis_format') ?? 'express') as RedisSessionFormat,
    log: ctx.env.log,
  });
}

/** The request's session, created on first use and closed with the request's resources. */
export function sessionOf(ctx: RequestContext): PhpSession {
  let session = sessions.get(ctx);
  if (!session) {
    const created = new PhpSession(host(ctx), ctx.vars.$_SESSION);
    session = created;
    sessions.set(ctx, created);
    ctx.hold({
      release(when) {
        // a request stopped, or abandoned to a time limit (maybe while it awaited the start), does not
        // wait for a lock a pending start waits for; the start closes the session when it settles
        const abandoned = ctx.phase === 'done' || ctx.deadline.passed;
        const pending = created.starting;
        const call = pending && !abandoned && startCalls.get(pending);
        if (call) {
          startCalls.delete(pending);
          ctx.raise(E_WARNING, `session_start() was still pending when the script ${when === 'finish' ? 'finished the response' : 'ended'}: its result is waited for and the session written at the end; write \`await session_start()\``, scriptCallSite(call.stack));
        }
        // fastcgi_finish_request() closes the session unless tsfpm.finish_closes_session restores PHP's behaviour
        if (when === 'finish' && !ctx.ini.bool('tsfpm.finish_closes_session')) return Promise.resolve();
        return created.release(when === 'end', !abandoned);
      },
    });
  }
  return session;
}
