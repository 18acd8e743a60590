/**
 * The PHP API object a script's default export receives: every PHP function bound to this
 * request, and the superglobals as plain objects. The same names exported from `tsfpm` reach the
 * current request through AsyncLocalStorage; this object stays bound to its own request even in
 * callbacks that lose the async context.
 *
 * The functions are written once, taking the request first (the other files of runtime/api/); an API object
 * binds each on first use, so a request pays only for the functions its script touches.
 * @module
 */
import { headerFunctions } from './headers.ts';
import { lifecycleFunctions } from './lifecycle.ts';
import { mailFunctions } from './mail.ts';
import { outputFunctions } from './output.ts';
import { requestFunctions } from './input.ts';
import { sessionFunctions } from './session.ts';
import { createOrderedRecord } from '../../sessions/serialize/ordered-record.ts';
import type { RequestContext } from '../request/request-context.ts';
import type { RequestVars } from '../request/superglobals.ts';

const IMPLEMENTATIONS = { ...outputFunctions, ...headerFunctions, ...lifecycleFunctions, ...requestFunctions, ...mailFunctions, ...sessionFunctions };

type Bound<F> = F extends (ctx: RequestContext, ...args: infer A) => infer R ? (...args: A) => R : never;

/** The PHP functions, bound to one request. */
export type PhpFunctions = { [K in keyof typeof IMPLEMENTATIONS]: Bound<(typeof IMPLEMENTATIONS)[K]> };

/** $_SESSION: filled by session_start() (sessions/), an empty object before. */
export type SessionVars = { [key: string]: unknown };

export type PhpApi = PhpFunctions & RequestVars & { $_SESSION: SessionVars };

const CONTEXT = Symbol('tsfpm.request');

/** Getters that bind a function to the API object's request on first use, then cache it on the object. */
const prototype: object = Object.create(null);
for (const [name, impl] of Object.entries(IMPLEMENTATIONS) as [string, (ctx: RequestContext, ...args: unknown[]) => unknown][]) {
  Object.defineProperty(prototype, name, {
    enumerable: true,
    get(this: { [CONTEXT]: RequestContext }) {
      const ctx = this[CONTEXT];
      // a closure here, not bind(): its frame in this file is how php-trace.ts names the PHP function that threw
      const bound = (...args: unknown[]) => impl(ctx, ...args);
      Object.defineProperty(this, name, { value: bound, enumerable: true });
      return bound;
    },
  });
}

// the superglobals, read from the request on first use (most are made only then), then kept on the
// object as plain writable properties. $_SESSION is empty until session_start() fills it in place, and
// keeps PHP's key order, integer-like keys included (session_encode() and the stores write it in that order)
const made = (ctx: RequestContext, name: (typeof SUPERGLOBALS)[number]): unknown => (name === '$_SESSION' ? createOrderedRecord<SessionVars>() : ctx.vars[name]);
const SUPERGLOBALS = ['$_GET', '$_POST', '$_COOKIE', '$_FILES', '$_SERVER', '$_ENV', '$_REQUEST', '$_SESSION'] as const;
for (const name of SUPERGLOBALS) {
  Object.defineProperty(prototype, name, {
    enumerable: true,
    get(this: { [CONTEXT]: RequestContext }) {
      const value = made(this[CONTEXT], name);
      Object.defineProperty(this, name, { value, enumerable: true, writable: true, configurable: true });
      return value;
    },
    set(this: { [CONTEXT]: RequestContext }, value: unknown) {
      Object.defineProperty(this, name, { value, enumerable: true, writable: true, configurable: true });
    },
  });
}

export function createPhpApi(ctx: RequestContext): PhpApi {
  const api = Object.create(prototype) as PhpApi & { [CONTEXT]: RequestContext };
  api[CONTEXT] = ctx;
  return api;
}
