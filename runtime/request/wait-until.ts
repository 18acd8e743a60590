/**
 * The de facto `waitUntil` contract: libraries that run on Vercel or Next.js (`@vercel/functions`'
 * waitUntil, Next's `after()`, SDKs that vendor it) find the current request's context at
 * `globalThis[Symbol.for('@vercel/request-context')]` (and `@next/request-context`) and hand it
 * promises to finish after the response. tsfpm answers with the current request, and those
 * promises become part of its background tail: the response goes out when the script returns, the
 * request stays live until they settle, bounded by tsfpm.tail_timeout.
 * @module
 */
import { currentRequest } from './current-request.ts';
import type { RequestContext } from './request-context.ts';

const pending = new WeakMap<RequestContext, Promise<unknown>[]>();

const provider = {
  get(): { waitUntil: (promise: Promise<unknown>) => void } | undefined {
    const ctx = currentRequest();
    if (ctx === undefined) return undefined;
    return {
      waitUntil(promise) {
        const list = pending.get(ctx) ?? [];
        pending.set(ctx, list);
        list.push(
          Promise.resolve(promise).catch((err: unknown) =>
            ctx.logError(`PHP Warning:  a waitUntil() promise failed (${ctx.describe()}): ${err instanceof Error ? err.message : String(err)}`),
          ),
        );
      },
    };
  },
};

/** Installs the context symbols once, unless a host platform already provides them. */
export function installRequestContext(): void {
  for (const name of ['@vercel/request-context', '@next/request-context']) {
    const key = Symbol.for(name);
    if (!(key in globalThis)) Object.defineProperty(globalThis, key, { value: provider, configurable: true });
  }
}

/** Whether the request handed over work with waitUntil(). */
export function hasWaitUntil(ctx: RequestContext): boolean {
  return (pending.get(ctx)?.length ?? 0) > 0;
}

/** Settles every waitUntil() promise of the request, including ones added while waiting. */
export async function settleWaitUntil(ctx: RequestContext): Promise<void> {
  for (;;) {
    const list = pending.get(ctx);
    if (!list || list.length === 0) return;
    pending.set(ctx, []);
    await Promise.allSettled(list);
  }
}
