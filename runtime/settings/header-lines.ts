/**
 * tsfpm.response_headers' lines: read from the setting's text and checked by the settings table when the
 * server starts, so a line the socket would refuse never reaches a response (response-headers.ts serves them).
 * @module
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';

/** One configured header: the line as given, and its name and value. */
export interface ResponseHeader {
  readonly line: string;
  readonly name: string;
  readonly value: string;
}

/** The setting's lines: `|`-separated, blank pieces skipped. */
function lines(setting: string): string[] {
  return setting
    .split('|')
    .map((l) => l.trim())
    .filter(Boolean);
}

function parse(line: string): ResponseHeader {
  const colon = line.indexOf(':');
  return { line, name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
}

/** The settings table's check: undefined when every line is `Name: value` that the socket accepts. */
export function responseHeadersProblem(setting: string): string | undefined {
  for (const line of lines(setting)) {
    if (!line.includes(':')) return `"${line}" is not a "Name: value" header line`;
    const { name, value } = parse(line);
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (err) {
      return `"${line}": ${(err as Error).message}`;
    }
    if (/^(status|content-length|transfer-encoding|connection)$/i.test(name)) return `"${line}": ${name} is set by the server`;
  }
  return undefined;
}

/** The setting's `Name: value` lines, parsed. */
export function headerLines(setting: string): ResponseHeader[] {
  return lines(setting).map(parse);
}
