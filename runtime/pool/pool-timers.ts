/**
 * PHP-FPM's pool timers (request_slowlog_timeout, request_terminate_timeout), which its master checks
 * from outside the child: here on the watchdog's heartbeat (watchdog.ts), and by the watchdog thread
 * for a script that blocks the event loop.
 * @module
 */
import { describeError } from '../php/errors.ts';
import type { RequestContext, RequestEnvironment } from '../request/request-context.ts';
import { stopRequest } from '../request/run-request.ts';
import { RequestIni } from '../settings/settings-table.ts';
import { logSlowRequest } from './slow-log.ts';

interface PoolLimits {
  readonly slowlog: number;
  readonly terminate: number;
  readonly trackFinished: boolean;
}

const poolLimits = new WeakMap<RequestEnvironment, PoolLimits>();

/** request_slowlog_timeout, request_terminate_timeout and _track_finished: pool settings, read once per server. */
function limitsOf(env: RequestEnvironment): PoolLimits {
  let limits = poolLimits.get(env);
  if (!limits) {
    const ini = new RequestIni(env.settings);
    limits = { slowlog: ini.int('request_slowlog_timeout'), terminate: ini.int('request_terminate_timeout'), trackFinished: ini.bool('request_terminate_timeout_track_finished') };
    poolLimits.set(env, limits);
  }
  return limits;
}

/**
 * When PHP-FPM's pool timers fall due for `ctx` (performance.now() ms), counted from its start as
 * PHP-FPM's master counts them: request_slowlog_timeout in the Running stage, once;
 * request_terminate_timeout while Running, and after the finish with _track_finished. Undefined
 * for a timer that is off or does not apply.
 */
export function poolTimersOf(ctx: RequestContext): { slowlogAt: number | undefined; terminateAt: number | undefined } {
  const limits = limitsOf(ctx.env);
  const running = ctx.phase === 'running';
  return {
    slowlogAt: limits.slowlog > 0 && running && !ctx.slowLogged ? ctx.startedAt + limits.slowlog * 1000 : undefined,
    terminateAt: limits.terminate > 0 && (running || (ctx.phase === 'finished' && limits.trackFinished)) ? ctx.startedAt + limits.terminate * 1000 : undefined,
  };
}

/**
 * The pool timers of every live request of `env`, on the watchdog's heartbeat (PHP-FPM's master
 * checks them on its own): a slow request is logged, one past request_terminate_timeout stopped.
 * A script blocking the event loop holds the heartbeat up; the watchdog thread handles it.
 */
export function checkPoolTimers(env: RequestEnvironment, now: number): void {
  const limits = limitsOf(env);
  if (limits.slowlog <= 0 && limits.terminate <= 0) return;
  for (const ctx of env.pool.live) {
    const { slowlogAt, terminateAt } = poolTimersOf(ctx);
    if (slowlogAt !== undefined && slowlogAt <= now) logSlowRequest(ctx);
    if (terminateAt !== undefined && terminateAt <= now) void terminateRequest(ctx);
  }
}

/** request_terminate_timeout: PHP-FPM's kill, in its words; the response (if not sent) is 504. */
export function terminateRequest(ctx: RequestContext): Promise<void> {
  const seconds = ((performance.now() - ctx.startedAt) / 1000).toFixed(6);
  return stopRequest(ctx, 504, `execution timed out (${seconds} sec), terminating`).catch((err) => ctx.log(`tsfpm: stopping a request failed (${ctx.describe()}): ${describeError(err)}`));
}
