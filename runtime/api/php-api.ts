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
import { fileURLToPath } from 'node:url';
import { phpFunctionsBoundIn } from '../php/php-trace.ts';
import { requireRequest } from '../request/current-request.ts';
import type { RequestContext } from '../request/request-context.ts';
import type { RequestVars } from '../request/superglobals.ts';

const IMPLEMENTATIONS = { ...outputFunctions, ...headerFunctions, ...lifecycleFunctions, ...requestFunctions, ...mailFunctions, ...sessionFunctions };

type Bound<F> = F extends (ctx: RequestContext, ...args: infer A) => infer R ? (...args: A) => R : never;

/** The PHP functions, bound to one request. */
export type PhpFunctions = { [K in keyof typeof IMPLEMENTATIONS]: Bound<(typeof IMPLEMENTATIONS)[K]> };

export type PhpApi = PhpFunctions & RequestVars;

/** A request script's default export. */
export type ScriptFunction = (php: PhpApi) => unknown;

const CONTEXT = Symbol('tsfpm.request');

// the frames of the closures below are how php-trace.ts names the PHP function that threw
phpFunctionsBoundIn(fileURLToPath(import.meta.url));

/** Getters that bind a function to the API object's request on first use, then cache it on the object. */
const prototype: object = Object.create(null);
for (const [name, impl] of Object.entries(IMPLEMENTATIONS) as [string, (ctx: RequestContext, ...args: unknown[]) => unknown][]) {
  Object.defineProperty(prototype, name, {
    enumerable: true,
    get(this: { [CONTEXT]: RequestContext }) {
      const ctx = this[CONTEXT];
      // a closure here, not bind(), for its frame in this file
      const bound = (...args: unknown[]) => impl(ctx, ...args);
      Object.defineProperty(this, name, { value: bound, enumerable: true });
      return bound;
    },
  });
}

// the superglobals are the request's own (request/superglobals.ts): the API object and the names exported from
// `tsfpm` see one $_GET, even after a script assigns a new one
const SUPERGLOBALS = ['$_GET', '$_POST', '$_COOKIE', '$_FILES', '$_SERVER', '$_ENV', '$_REQUEST', '$_SESSION'] as const;
for (const name of SUPERGLOBALS) {
  Object.defineProperty(prototype, name, {
    enumerable: true,
    get(this: { [CONTEXT]: RequestContext }) {
      return this[CONTEXT].vars[name];
    },
    set(this: { [CONTEXT]: RequestContext }, value: never) {
      this[CONTEXT].vars[name] = value;
    },
  });
}

export function createPhpApi(ctx: RequestContext): PhpApi {
  const api = Object.create(prototype) as PhpApi & { [CONTEXT]: RequestContext };
  api[CONTEXT] = ctx;
  return api;
}

/** The PHP function `name` for the current request (the names exported from `tsfpm`). */
export function currentRequestFunction<K extends keyof PhpFunctions>(name: K): PhpFunctions[K] {
  const impl = IMPLEMENTATIONS[name] as (ctx: RequestContext, ...args: unknown[]) => unknown;
  return ((...args: unknown[]) => impl(requireRequest(name), ...args)) as PhpFunctions[K];
}
