/**
 * A script's error never takes the server down. Errors thrown in a script's timers and promise
 * rejections nobody handled are logged against the request they came from (found through the
 * async context), then the server goes on, as PHP-FPM's pool outlives a failing script.
 * @module
 */
import { currentRequest, requestOfPromise } from '../request/current-request.ts';
import { ExitSignal } from '../php/errors.ts';
import type { LogSink } from '../php/log.ts';
import type { RequestContext } from '../request/request-context.ts';

let installed = false;

function report(log: LogSink, kind: string, err: unknown, ctx: RequestContext | undefined): void {
  if (err instanceof ExitSignal) return; // exit() from a callback: nothing left to unwind
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`).replace(/\?tsfpm-v=\d+/g, '') : String(err);
  if (ctx) ctx.logError(`PHP Fatal error:  ${kind} in ${ctx.describe()}: ${text}`);
  else log(`tsfpm: ${kind} outside any request: ${text}`);
}

export function installCrashGuards(log: LogSink): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (err) => report(log, 'Uncaught exception', err, currentRequest()));
  process.on('unhandledRejection', (reason, promise) => report(log, 'Unhandled promise rejection', reason, requestOfPromise(promise) ?? currentRequest()));
}
