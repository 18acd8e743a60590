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
const OWN_ROOT = dirname(dirname(fileURLToPath(import.meta.url))) + sep;
const OWN_DIRS = [OWN_ROOT + 'runtime' + sep, OWN_ROOT + 'sessions' + sep];

/** A file of tsfpm itself: its frames are never the script's. */
export function isOwnFile(file: string): boolean {
  return OWN_DIRS.some((d) => file.startsWith(d));
}

// the path must start the location: `node:internal/process/task_queues:95:5` is no file of the script's
const FRAME = /(?:^at |\()((?:file:\/\/)?\/[^():]*?)(?:\?[^:)]*)?:(\d+):\d+\)?$/;

/**
 * The current stack, deep enough to get past tsfpm's own frames. Only the capture happens here; the
 * text (with source maps, the costly part) is made when `.stack` is first read.
 */
export function captureStack(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const here = new Error();
  Error.stackTraceLimit = limit;
  return here;
}

/** The innermost frame outside tsfpm, node internals and node_modules; undefined if none. */
export function scriptCallSite(stack: string | undefined = captureStack().stack): CallSite | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (isOwnFile(file) || file.includes(`${sep}node_modules${sep}`)) continue;
    return { file, line: Number(m[2]) };
  }
  return undefined;
}
