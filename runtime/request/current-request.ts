/**
 * Which request is current. Every PHP name exported by `tsfpm` resolves its request here, so
 * `import { echo } from 'tsfpm'` works in timers, promises and callbacks that a script starts:
 * AsyncLocalStorage carries the request through them.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { NoRequestError } from '../php/errors.ts';
import type { RequestContext } from './request-context.ts';

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn(...args)` with `ctx` as the current request for everything it starts. */
export function runInRequest<A extends unknown[], T>(ctx: RequestContext, fn: (...args: A) => T, ...args: A): T {
  return storage.run(ctx, fn, ...args);
}

/** The current request, or undefined outside any request. */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** The current request; throws NoRequestError naming the PHP function called outside one. */
export function requireRequest(fnName: string): RequestContext {
  const ctx = storage.getStore();
  if (ctx === undefined) throw new NoRequestError(fnName);
  return ctx;
}

/**
 * The request a promise was created in. Node's 'unhandledRejection' event runs outside any request,
 * so the promise's own async resource is the only link back to the script that made it. Node 20
 * stores the AsyncLocalStorage value on that resource under the instance's `kResourceStore` symbol;
 * where a Node version does not, this returns undefined and the error is logged without a request.
 */
export function requestOfPromise(promise: Promise<unknown>): RequestContext | undefined {
  const key = (storage as unknown as { kResourceStore?: symbol }).kResourceStore;
  if (typeof key !== 'symbol') return undefined;
  return (promise as unknown as Record<symbol, RequestContext | undefined>)[key];
}
