/**
 * The PHP API object a script's default export receives: every PHP function bound to this
 * request, and the superglobals as plain objects. The same names exported from `tsfpm` reach the
 * current request through AsyncLocalStorage; this object stays bound to its own request even in
 * callbacks that lose the async context.
 * @module
 */
import { headerFunctions } from './functions/headers.ts';
import { lifecycleFunctions } from './functions/lifecycle.ts';
import { mailFunctions } from './functions/mail.ts';
import { outputFunctions } from './functions/output.ts';
import { requestFunctions } from './functions/request.ts';
import type { RequestContext } from './request-context.ts';
import type { RequestVars } from './request.ts';

/** $_SESSION: filled by session_start() (sessions/), an empty object before. */
export type SessionVars = { [key: string]: unknown };

export function createPhpApi(ctx: RequestContext) {
  return {
    ...ctx.vars,
    $_SESSION: Object.create(null) as SessionVars,
    ...outputFunctions(ctx),
    ...headerFunctions(ctx),
    ...lifecycleFunctions(ctx),
    ...requestFunctions(ctx),
    ...mailFunctions(ctx),
  };
}

export type PhpApi = ReturnType<typeof createPhpApi> & RequestVars;
