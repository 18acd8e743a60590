/**
 * header(), setcookie() and friends (ext/standard/head.c). Each takes the request first.
 * @module
 */
import { E_DEPRECATED, E_WARNING } from '../php/error-reporting.ts';
import { headerLineProblem } from '../php/header-list.ts';
import type { RequestContext } from '../request/request-context.ts';
import { formatSetCookie, normalizeCookieArgs } from '../php/set-cookie.ts';

/** PHP's refusal once the headers are out: the warning, and false. */
function refused(ctx: RequestContext): false {
  ctx.raise(E_WARNING, ctx.response.headersSentWarning());
  return false;
}

function cookie(ctx: RequestContext, fn: 'setcookie' | 'setrawcookie', args: unknown[]): boolean {
  const { name, value, options } = normalizeCookieArgs(fn, args, (message, level) => ctx.raise(level === 'E_DEPRECATED' ? E_DEPRECATED : E_WARNING, message));
  const line = formatSetCookie(name, value, options, fn === 'setrawcookie', Math.floor(Date.now() / 1000));
  if (ctx.headersSent) return refused(ctx);
  // the header layer's checks apply to cookies too (sapi_header_op)
  const problem = headerLineProblem(line);
  if (problem) {
    ctx.raise(E_WARNING, problem);
    return false;
  }
  ctx.headers.addCookie(line);
  return true;
}

export const headerFunctions = {
  /** header($header, $replace = true, $response_code = 0) */
  header(ctx: RequestContext, header: string, replace = true, response_code = 0): void {
    if (ctx.headersSent) {
      refused(ctx);
      return;
    }
    const problem = ctx.headers.header(String(header), replace, response_code, ctx.ini.get('default_charset') ?? '');
    if (problem) ctx.raise(E_WARNING, problem);
  },
  /** header_remove($name = null) */
  header_remove(ctx: RequestContext, name?: string | null): void {
    if (ctx.headersSent) {
      refused(ctx);
      return;
    }
    ctx.headers.remove(name ?? undefined);
  },
  headers_list: (ctx: RequestContext): string[] => ctx.headers.list(),
  /**
   * headers_sent(): PHP fills `$file`/`$line` by reference; pass an object to receive them.
   * @example const where = {}; if (headers_sent(where)) echo(where.file, ':', where.line);
   */
  headers_sent(ctx: RequestContext, where?: { file?: string; line?: number }): boolean {
    const sent = ctx.headersSent;
    if (where) {
      const at = ctx.response.outputStartedAt;
      where.file = sent ? (at?.file ?? '') : '';
      where.line = sent ? (at?.line ?? 0) : 0;
    }
    return sent;
  },
  /**
   * http_response_code($response_code = 0): the current code; with a code, sets it and returns the
   * previous one. Once the headers are sent PHP 8.2 stores the code silently (it is not sent).
   */
  http_response_code(ctx: RequestContext, response_code = 0): number | boolean {
    const previous = ctx.headers.status;
    if (response_code > 0) ctx.headers.setStatus(response_code);
    return previous;
  },
  /** setcookie($name, $value = "", $expires_or_options = 0, $path = "", $domain = "", $secure = false, $httponly = false) */
  setcookie: (ctx: RequestContext, ...args: unknown[]): boolean => cookie(ctx, 'setcookie', args),
  /** setrawcookie(): as setcookie() without URL-encoding the value. */
  setrawcookie: (ctx: RequestContext, ...args: unknown[]): boolean => cookie(ctx, 'setrawcookie', args),
};
