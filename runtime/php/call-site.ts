/**
 * Where in the script a PHP function was called: the file and line PHP prints in
 * "in <file> on line <n>" and in "output started at <file>:<n>". Found by walking the JS stack
 * past tsfpm's own frames; source maps make the line the TypeScript line.
 * @module
 */
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CallSite {
  readonly file: string;
  readonly line: number;
}

/** tsfpm's own folders (runtime/ and sessions/), whose frames are never the caller. */
const OWN_ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url)))) + sep;
const OWN_DIRS = [OWN_ROOT + 'runtime' + sep, OWN_ROOT + 'sessions' + sep];

/** A file of tsfpm itself: its frames are never the script's. */
export function isOwnFile(file: string): boolean {
  return OWN_DIRS.some((d) => file.startsWith(d));
}

// the path must start the location: `node:internal/process/task_queues:95:5` is no file of the script's
const FRAME = /^at (?:(.+?) \()?((?:file:\/\/)?\/[^():]*?)(?:\?[^:)]*)?:(\d+):\d+\)?$/;

/** One V8 stack frame in a file of the script's: the function V8 names (undefined when anonymous), file and line. */
export interface ScriptFrame extends CallSite {
  readonly fn: string | undefined;
}

/** A captured stack: its text (with source maps, the costly part) is made when `stack` is first read. */
export interface CapturedStack {
  readonly stack?: string;
}

/**
 * The current stack, deep enough to get past tsfpm's own frames. Only the capture happens here; the
 * text is made when `.stack` is first read. With `caller`, a PHP function the script calls, the frames
 * from it up are left out and `frames` are kept: the script's own come first. A capture costs V8 about
 * 4 µs however few frames it keeps (it decodes each optimized frame it walks), and ~0.3 µs a frame more;
 * with `caller` it is made on a plain object, as an Error's own capture (of no frames) would add ~1 µs.
 */
export function captureStack(): Error;
export function captureStack(caller: Function, frames?: number): CapturedStack;
export function captureStack(caller?: Function, frames = 10): CapturedStack {
  const limit = Error.stackTraceLimit;
  let here: CapturedStack;
  if (caller) {
    here = {};
    Error.stackTraceLimit = frames;
    Error.captureStackTrace(here, caller);
  } else {
    Error.stackTraceLimit = 40;
    here = new Error();
  }
  Error.stackTraceLimit = limit;
  return here;
}

/** The frames of `stack` outside tsfpm, node internals and node_modules, innermost first. */
export function scriptFrames(stack: string, max = Infinity): ScriptFrame[] {
  const frames: ScriptFrame[] = [];
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line.trim());
    if (!m) continue;
    const file = m[2]!.startsWith('file://') ? fileURLToPath(m[2]!) : m[2]!;
    if (isOwnFile(file) || file.includes(`${sep}node_modules${sep}`)) continue;
    frames.push({ fn: m[1], file, line: Number(m[3]) });
    if (frames.length >= max) break;
  }
  return frames;
}

/** The innermost frame outside tsfpm, node internals and node_modules; undefined if none. */
export function scriptCallSite(stack: string | undefined = captureStack().stack): CallSite | undefined {
  const frame = stack ? scriptFrames(stack, 1)[0] : undefined;
  return frame && { file: frame.file, line: frame.line };
}
