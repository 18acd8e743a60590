/**
 * PHP's "Stack trace:" for an uncaught error, made from the JS stack: the script's frames only
 * (tsfpm's own, node:internal and node_modules frames never reach a response), each line naming
 * the call made at that line as PHP does (`#0 /srv/app/x.ts(3): inner()`), ending in `#N {main}`
 * for the script's default export. Arguments are never shown, as with php.ini-production's
 * zend.exception_ignore_args=On.
 * @module
 */
import { scriptFrames, type ScriptFrame } from './call-site.ts';

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
  const frames = err instanceof Error && err.stack ? scriptFrames(err.stack) : [];
  const lines: string[] = [];
  for (let i = 0; i + 1 < frames.length; i++) {
    const caller = frames[i + 1]!;
    lines.push(`#${i} ${caller.file}(${caller.line}): ${phpName(frames[i]!)}()`);
  }
  lines.push(`#${lines.length} {main}`);
  return lines.join('\n');
}
