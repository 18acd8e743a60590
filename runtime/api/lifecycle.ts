/**
 * The request's life as a script sees it: fastcgi_finish_request(), shutdown functions, exit,
 * connection state, time limits, errors and ini settings. Each takes the request first.
 * @module
 */
import { E_ALL, E_USER_DEPRECATED, E_WARNING, E_USER_ERROR, E_USER_NOTICE, E_USER_WARNING } from '../php/error-reporting.ts';
import { ExitSignal, ValueError } from '../php/errors.ts';
import { iniBool } from '../settings/ini-values.ts';
import { enterTail, fatalStatus, finishResponse } from '../request/run-request.ts';
import { appendToLogFile } from '../php/log.ts';
import { captureStack } from '../php/call-site.ts';
import type { RequestContext } from '../request/request-context.ts';
import { sessionIniRefusal } from './session.ts';

function exit(_ctx: RequestContext, status: string | number = 0): never {
  throw new ExitSignal(status);
}

export const lifecycleFunctions = {
  /**
   * Flushes all output, releases the session, sends the whole response and lets the script go on.
   * true the first time, false once the response is already finished.
   */
  async fastcgi_finish_request(ctx: RequestContext): Promise<boolean> {
    // the script's line and the binding's frame, what the time limit's report and the slow log name: a deeper capture costs a few µs more
    const finished = await ctx.awaiting('fastcgi_finish_request', finishResponse(ctx), captureStack(lifecycleFunctions.fastcgi_finish_request, 2));
    // a tail refused by tsfpm.tail_overflow ends here, as exit() would
    if (finished && !(await enterTail(ctx))) throw new ExitSignal(0);
    return finished;
  },
  /** register_shutdown_function($callback, ...$args): runs after the script, before the session is closed. */
  register_shutdown_function(ctx: RequestContext, callback: (...args: never[]) => unknown, ...args: unknown[]): void {
    ctx.addShutdownFunction(() => (callback as (...a: unknown[]) => unknown)(...args));
  },
  /** exit($status): ends the script here; a string is printed first. Throws ExitSignal to unwind. */
  exit,
  /** die(): the same as exit(). */
  die: exit,
  /** ignore_user_abort($enable = null): the previous setting. */
  ignore_user_abort(ctx: RequestContext, enable?: boolean | null): number {
    const previous = ctx.response.ignoreUserAbort ? 1 : 0;
    if (enable !== undefined && enable !== null) ctx.response.setIgnoreUserAbort(enable);
    return previous;
  },
  /** connection_aborted(): 1 when the client went away before the response was finished. */
  connection_aborted: (ctx: RequestContext): number => ctx.response.connectionStatus & 1,
  /** connection_status(): CONNECTION_NORMAL 0, CONNECTION_ABORTED 1, CONNECTION_TIMEOUT 2 (bits). */
  connection_status: (ctx: RequestContext): number => ctx.response.connectionStatus,
  /** set_time_limit($seconds): restarts the max_execution_time clock (0 = none). */
  set_time_limit(ctx: RequestContext, seconds: number): boolean {
    if (ctx.phase !== 'running') return true;
    ctx.ini.set('max_execution_time', String(seconds));
    ctx.deadline.reset(seconds);
    return true;
  },
  /**
   * error_log($message, $message_type = 0, $destination = null): type 0 and 4 go to PHP's error log
   * (the error_log setting or the server log), type 3 appends to the file `destination`.
   * Type 1 (mail) is not supported and returns false.
   */
  error_log(ctx: RequestContext, message: string, message_type = 0, destination?: string | null): boolean {
    switch (message_type) {
      case 0:
      case 4:
        ctx.logError(String(message));
        return true;
      case 3:
        if (!destination) return false;
        appendToLogFile(destination, String(message));
        return true;
      default:
        return false;
    }
  },
  /** trigger_error($message, $error_level = E_USER_NOTICE); E_USER_ERROR ends the script as PHP does. */
  trigger_error(ctx: RequestContext, message: string, error_level = E_USER_NOTICE): true {
    if (![E_USER_ERROR, E_USER_WARNING, E_USER_NOTICE, E_USER_DEPRECATED].includes(error_level)) {
      throw new ValueError('trigger_error(): Argument #2 ($error_level) must be one of E_USER_ERROR, E_USER_WARNING, E_USER_NOTICE, or E_USER_DEPRECATED');
    }
    ctx.raise(error_level, message);
    if (error_level === E_USER_ERROR) {
      if (ctx.phase === 'running') fatalStatus(ctx);
      exit(ctx, 255);
    }
    return true;
  },
  /** error_get_last(): the last error raised in this request, or null. */
  error_get_last: (ctx: RequestContext) => ctx.lastError ?? null,
  /** error_reporting($level = null): the previous level. */
  error_reporting(ctx: RequestContext, level?: number | null): number {
    const previous = ctx.ini.int('error_reporting');
    if (level !== undefined && level !== null) ctx.ini.set('error_reporting', String(level & E_ALL));
    return previous;
  },
  /** ini_get($option): the value as a string, false for an unknown name. */
  ini_get: (ctx: RequestContext, option: string): string | false => ctx.ini.get(option) ?? false,
  /** ini_set($option, $value): the old value, or false where PHP refuses the change. */
  ini_set(ctx: RequestContext, option: string, value: string | number | boolean | null): string | false {
    const text = typeof value === 'boolean' ? (value ? '1' : '') : value === null ? '' : String(value);
    const refusal = option.startsWith('session.') ? sessionIniRefusal(ctx, option, text) : undefined;
    if (refusal) {
      ctx.raise(E_WARNING, `ini_set(): ${refusal}`);
      return false;
    }
    const old = ctx.ini.set(option, text);
    if (old !== false && option === 'ignore_user_abort') ctx.response.setIgnoreUserAbort(iniBool(text));
    return old;
  },
  ini_restore(ctx: RequestContext, option: string): void {
    ctx.ini.restore(option);
  },
  /** php_sapi_name(): tsfpm answers as PHP-FPM does, so SAPI checks in ported code take the FPM branch. */
  php_sapi_name: (_ctx: RequestContext): string => 'fpm-fcgi',
};
