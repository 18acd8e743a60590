/**
 * echo, print and the ob_* functions (main/output.c), bound to one request.
 * @module
 */
import { scriptCallSite } from '../call-site.ts';
import { E_NOTICE, E_WARNING } from '../error-reporting.ts';
import type { OutputCallback, OutputStatus } from '../output.ts';
import { phpString } from '../php-string.ts';
import type { RequestContext } from '../request-context.ts';

export function outputFunctions(ctx: RequestContext) {
  const out = ctx.output;
  const write = (value: unknown): void => {
    const { text, warning } = phpString(value);
    if (warning) ctx.raise(E_WARNING, warning);
    out.write(text);
  };
  /** Runs an ob operation; PHP raises its refusal as E_NOTICE `<fn>(): <why>` and returns false. */
  const op = (fn: string, why: string | undefined): boolean => {
    if (why === undefined) return true;
    ctx.raise(E_NOTICE, `${fn}(): ${why}`);
    return false;
  };
  return {
    /** echo: any number of values, converted as PHP converts them to strings. */
    echo(...values: unknown[]): void {
      for (const v of values) write(v);
    },
    /** print: one value; returns 1. */
    print(value: unknown): 1 {
      write(value);
      return 1;
    },
    ob_start(callback?: OutputCallback | null, chunk_size = 0, flags?: number): boolean {
      return out.start(callback ?? undefined, chunk_size, flags);
    },
    ob_get_contents: (): string | false => out.contents(),
    ob_get_length: (): number | false => out.length(),
    ob_get_level: (): number => out.level,
    ob_flush: (): boolean => op('ob_flush', out.flush()),
    ob_clean: (): boolean => op('ob_clean', out.clean()),
    ob_end_flush: (): boolean => op('ob_end_flush', out.endFlush()),
    ob_end_clean: (): boolean => op('ob_end_clean', out.endClean()),
    ob_get_clean(): string | false {
      const contents = out.contents();
      if (contents === false) return false;
      return op('ob_get_clean', out.endClean()) ? contents : false;
    },
    ob_get_flush(): string | false {
      const contents = out.contents();
      const why = out.endFlush();
      if (why !== undefined) {
        op('ob_get_flush', why);
        return false;
      }
      return contents;
    },
    ob_get_status: (full_status = false): OutputStatus | OutputStatus[] | [] => out.status(full_status),
    ob_list_handlers: (): string[] => out.handlers(),
    /**
     * flush(): sends the headers and the output that left PHP's buffers to the client now, as
     * `php -S` does. Output still inside ob_start() buffers stays there (ob_flush() first).
     */
    flush(): void {
      if (ctx.phase !== 'running') return;
      if (!ctx.sapi.headersSent) ctx.outputStartedAt = scriptCallSite();
      ctx.sapi.flush(ctx.sendOptions);
    },
  };
}
