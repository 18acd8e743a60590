/**
 * Bodies compared as a person would: JSON as values (json-lines.ts), HTML optionally with whitespace collapsed,
 * other text line by line, and bytes that are not UTF-8 by size and first differing offset. A difference carries
 * the first differing line on each side and a unified diff.
 * @module
 */
import { createTwoFilesPatch } from 'diff';
import { ABSENT, type Difference } from './difference.ts';
import { jsonLines } from './json-lines.ts';

export interface BodyOptions {
  /** `--html-whitespace`: in HTML, runs of whitespace count as one space, and none between tags. */
  readonly htmlWhitespace: boolean;
}

/** Masked texts of both bodies (undefined for bytes that are not UTF-8) with each side's Content-Type. */
export interface BodyPair {
  readonly php: { readonly text: string | undefined; readonly bytes: Buffer; readonly type: string };
  readonly ts: { readonly text: string | undefined; readonly bytes: Buffer; readonly type: string };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text, or undefined when it is not valid UTF-8 (compared as bytes then). */
export function bodyText(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function compareBodies(pair: BodyPair, options: BodyOptions): Difference | undefined {
  const { php, ts } = pair;
  if (php.text === undefined || ts.text === undefined) {
    if (php.bytes.equals(ts.bytes)) return undefined;
    let at = 0;
    while (at < php.bytes.length && at < ts.bytes.length && php.bytes[at] === ts.bytes[at]) at++;
    return { field: `body (bytes, first difference at offset ${at})`, php: `${php.bytes.length} bytes`, ts: `${ts.bytes.length} bytes` };
  }
  let phpLines = textLines(php.text, php.type, options);
  let tsLines = textLines(ts.text, ts.type, options);
  if (isJson(php.type) && isJson(ts.type)) {
    const a = jsonLines(php.text);
    const b = jsonLines(ts.text);
    if (a && b) [phpLines, tsLines] = [a, b];
  }
  let first = 0;
  while (first < phpLines.length && first < tsLines.length && phpLines[first] === tsLines[first]) first++;
  if (first === phpLines.length && first === tsLines.length) return undefined;
  const patch = createTwoFilesPatch('php', 'ts', phpLines.join('\n') + '\n', tsLines.join('\n') + '\n', '', '', { context: 3 });
  return {
    field: `body line ${first + 1}`,
    php: phpLines[first] ?? ABSENT,
    ts: tsLines[first] ?? ABSENT,
    diff: patch.split('\n').filter((line) => !line.startsWith('====')).map((line) => line.replace(/^(---|\+\+\+) (php|ts)\t$/, '$1 $2')).join('\n').trimEnd(),
  };
}

function isJson(type: string): boolean {
  return /[/+]json\b/i.test(type);
}

function textLines(text: string, type: string, options: BodyOptions): string[] {
  if (options.htmlWhitespace && /^text\/html\b/i.test(type)) {
    // one tag per line keeps the diff readable once the whitespace that separated lines is gone
    return text.replace(/\s+/g, ' ').replace(/>\s+</g, '><').trim().split(/(?<=>)(?=<)/);
  }
  return text.split('\n'); // a CR stays at the end of its line: CRLF and LF answers differ
}
