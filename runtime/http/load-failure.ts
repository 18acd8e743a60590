/**
 * Why a script could not be loaded, told as PHP tells a PHP developer: at the script's file and line,
 * never at the loader's. A syntax error is PHP's "Parse error" with the lines around it; a PHP function
 * called at a module's top level (where a PHP page's code is, but which runs once when the module is
 * loaded, outside any request) says where request code goes; anything else thrown while loading is an
 * uncaught error at its line.
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scriptCallSite, type CallSite } from '../php/call-site.ts';
import { E_ERROR, E_PARSE } from '../php/error-reporting.ts';
import { NoRequestError, ScriptLoadError } from '../php/errors.ts';

const REQUEST_CODE = 'request code goes inside `export default function () { … }`';

/** esbuild's failure text: `/path/x.ts:3:12: ERROR: Expected ")" but found end of file` (column from 0). */
const ESBUILD_ERROR = /^(\/.+?):(\d+):(\d+): ERROR: (.+)$/m;
/** V8's SyntaxError for an ES module starts its stack with `file:///path/x.ts?v:3`. */
const V8_SYNTAX_AT = /^(file:\/\/[^\s?]+)(?:\?\S*)?:(\d+)\n/;

/** `  2 | code` lines around `line`, the error's line marked with `>` and its column with `^`. */
export function codeFrame(file: string, line: number, column?: number): string | undefined {
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line + 2);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1]}`);
    if (n === line && column !== undefined) out.push(`  ${' '.repeat(width)} | ${' '.repeat(column)}^`);
  }
  return out.join('\n');
}

/** The ScriptLoadError for `err`, thrown while importing the script `file`. */
export function loadFailure(file: string, err: unknown): ScriptLoadError {
  if (err instanceof NoRequestError) {
    const site = scriptCallSite(err.stack) ?? { file, line: 0 };
    const message = `${err.fn}() was called at the top level of the script, which runs once when it is loaded, outside of any request: ${REQUEST_CODE}`;
    return new ScriptLoadError(E_ERROR, message, site, codeFrame(site.file, site.line));
  }
  const text = err instanceof Error ? err.message : String(err);
  const esbuild = ESBUILD_ERROR.exec(text);
  if (esbuild) {
    const site: CallSite = { file: esbuild[1]!, line: Number(esbuild[2]) };
    const detail = esbuild[4]!.charAt(0).toLowerCase() + esbuild[4]!.slice(1);
    return new ScriptLoadError(E_PARSE, `syntax error, ${detail}`, site, codeFrame(site.file, site.line, Number(esbuild[3])));
  }
  if (err instanceof SyntaxError) {
    const at = V8_SYNTAX_AT.exec(err.stack ?? '');
    const site: CallSite = at ? { file: fileURLToPath(at[1]!), line: Number(at[2]) } : { file, line: 0 };
    return new ScriptLoadError(E_PARSE, text, site, at ? codeFrame(site.file, site.line) : undefined);
  }
  const site = scriptCallSite(err instanceof Error ? err.stack : undefined) ?? { file, line: 0 };
  const name = err instanceof Error ? err.name : 'Error';
  return new ScriptLoadError(E_ERROR, `Uncaught ${name}: ${text}`, site, site.line ? codeFrame(site.file, site.line) : undefined);
}

/** A module without a default-exported function. */
export function noDefaultExport(file: string): ScriptLoadError {
  return new ScriptLoadError(E_ERROR, `${file} has no default-exported function: ${REQUEST_CODE}`, { file, line: 0 });
}
