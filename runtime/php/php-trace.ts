/**
 * PHP's "Stack trace:" for an uncaught error, made from the JS stack: the script's frames only
 * (tsfpm's own, node:internal and node_modules frames never reach a response), each line naming
 * the call made at that line as PHP does (`#0 /srv/app/x.ts(3): inner()`), ending in `#N {main}`
 * for the script's default export; an error thrown inside a PHP function the script called gets
 * that function's frame (`#0 /srv/app/x.ts(4): setcookie()`), also after that function awaited
 * (`session_start()` whose create_sid() returns no string). Arguments are never shown, as with
 * php.ini-production's zend.exception_ignore_args=On.
 * @module
 */
import { scriptFrames, type ScriptFrame } from './call-site.ts';

/** The file where the API layer binds every PHP function a script calls: the frame above a frame in it is the function. */
let bindingFile: string | undefined;

/** The API layer (api/php-api.ts) names the file that binds the PHP functions, as it loads. */
export function phpFunctionsBoundIn(file: string): void {
  bindingFile = file;
}

/**
 * The PHP function that threw, when the error came from inside one the script called directly:
 * the frame just above the binding, if that binding comes before the script's first frame.
 */
function phpFunctionThrowing(stack: string, first: ScriptFrame): string | undefined {
  const lines = stack.split('\n');
  const binding = bindingFile === undefined ? -1 : lines.findIndex((l) => l.includes(`(${bindingFile}:`));
  if (binding < 1) return undefined;
  const script = lines.findIndex((l) => l.includes(`${first.file}:${first.line}:`));
  if (script !== -1 && script < binding) return undefined;
  return /^\s*at (?:Object\.)?([\w$]+) \(/.exec(lines[binding - 1]!)?.[1];
}

/**
 * Errors tsfpm raised inside an async PHP function, by that function's name: once the function has
 * awaited, V8's async stack holds only tsfpm's internal frames between the throw and the script.
 */
const raisedInside = new WeakMap<object, string>();

/** Marks `err` as raised inside the PHP function `fn` (an async one), for its frame in the trace; returns `err`. */
export function raisedIn(fn: string, err: unknown): unknown {
  if (err instanceof Error && !raisedInside.has(err)) raisedInside.set(err, fn);
  return err;
}

/**
 * The async PHP function an error marked by raisedIn() came from, when tsfpm itself threw it there: the
 * stack's innermost frame is tsfpm's. An error the script's own callback threw (a save handler's open())
 * keeps its own frames.
 */
function asyncPhpFunctionThrowing(err: Error, stack: string): string | undefined {
  const fn = raisedInside.get(err);
  const innermost = stack.split('\n').find((l) => l.trimStart().startsWith('at '));
  return fn && innermost && scriptFrames(innermost).length === 0 ? fn : undefined;
}

/** PHP's name for the function a V8 frame is in. */
function phpName(frame: ScriptFrame): string {
  const fn = frame.fn?.replace(/^async /, '').replace(/^Object\./, '');
  if (!fn || fn === '<anonymous>') return '{closure}';
  if (fn.startsWith('new ')) return `${fn.slice(4)}->__construct`;
  return fn.replace(/\.(?=[^.]+$)/, '->');
}

/**
 * The trace lines of `err` (without "Stack trace:"). V8 gives each frame the function it is in and
 * the line inside it; PHP gives the function called and the caller's line, so each line pairs a
 * frame with its caller's position. The outermost script frame is the script's {main}.
 */
export function phpStackTrace(err: unknown): string {
  const stack = err instanceof Error ? err.stack : undefined;
  const frames: ScriptFrame[] = stack ? scriptFrames(stack) : [];
  // thrown inside a PHP function the script called (setcookie('') → ValueError): PHP's own frame for it
  const called = stack && frames[0] ? (phpFunctionThrowing(stack, frames[0]) ?? asyncPhpFunctionThrowing(err as Error, stack)) : undefined;
  if (called) frames.unshift({ fn: called, file: frames[0]!.file, line: frames[0]!.line });
  const lines: string[] = [];
  for (let i = 0; i + 1 < frames.length; i++) {
    const caller = frames[i + 1]!;
    lines.push(`#${i} ${caller.file}(${caller.line}): ${phpName(frames[i]!)}()`);
  }
  lines.push(`#${lines.length} {main}`);
  return lines.join('\n');
}
