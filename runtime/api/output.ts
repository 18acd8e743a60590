/**
 * echo, print and the ob_* functions (main/output.c). Each takes the request first; php-api.ts
 * binds them to one request.
 * @module
 */
import { E_NOTICE, E_WARNING } from '../php/error-reporting.ts';
import type { OutputCallback, OutputStatus } from '../php/output-stack.ts';
import { phpString } from '../php/php-string.ts';
import type { RequestContext } from '../request/request-context.ts';

function write(ctx: RequestContext, value: unknown): void {
  const { text, warning } = phpString(value);
  if (warning) ctx.raise(E_WARNING, warning);
  ctx.output.write(text);
}

/** Runs an ob operation's outcome: PHP raises a refusal as E_NOTICE `<fn>(): <why>` and returns false. */
function op(ctx: RequestContext, fn: string, why: string | undefined): boolean {
  if (why === undefined) return true;
  ctx.raise(E_NOTICE, `${fn}(): ${why}`);
  return false;
}

export const outputFunctions = {
  /** echo: any number of values, converted as PHP converts them to strings. */
  echo(ctx: RequestContext, ...values: unknown[]): void {
    for (const v of values) write(ctx, v);
  },
  /** print: one value; returns 1. */
  print(ctx: RequestContext, value: unknown): 1 {
    write(ctx, value);
    return 1;
  },
  ob_start(ctx: RequestContext, callback?: OutputCallback | null, chunk_size = 0, flags?: number): boolean {
    return ctx.output.start(callback ?? undefined, chunk_size, flags);
  },
  ob_get_contents: (ctx: RequestContext): string | false => ctx.output.contents(),
  ob_get_length: (ctx: RequestContext): number | false => ctx.output.length(),
  ob_get_level: (ctx: RequestContext): number => ctx.output.level,
  ob_flush: (ctx: RequestContext): boolean => op(ctx, 'ob_flush', ctx.output.flush()),
  ob_clean: (ctx: RequestContext): boolean => op(ctx, 'ob_clean', ctx.output.clean()),
  ob_end_flush: (ctx: RequestContext): boolean => op(ctx, 'ob_end_flush', ctx.output.endFlush()),
  ob_end_clean: (ctx: RequestContext): boolean => op(ctx, 'ob_end_clean', ctx.output.endClean()),
  ob_get_clean(ctx: RequestContext): string | false {
    const contents = ctx.output.contents();
    if (contents === false) return false;
    return op(ctx, 'ob_get_clean', ctx.output.endClean()) ? contents : false;
  },
  ob_get_flush(ctx: RequestContext): string | false {
    const contents = ctx.output.contents();
    const why = ctx.output.endFlush();
    if (why !== undefined) {
      op(ctx, 'ob_get_flush', why);
      return false;
    }
    return contents;
  },
  ob_get_status: (ctx: RequestContext, full_status = false): OutputStatus | OutputStatus[] | [] => ctx.output.status(full_status),
  ob_list_handlers: (ctx: RequestContext): string[] => ctx.output.handlers(),
  /**
   * flush(): sends the headers and the output that left PHP's buffers to the client now, as
   * `php -S` does. Output still inside ob_start() buffers stays there (ob_flush() first).
   */
  flush: (ctx: RequestContext): void => ctx.response.flush(),
};
