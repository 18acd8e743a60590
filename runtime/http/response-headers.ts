/**
 * tsfpm.response_headers: header lines every response carries (the security headers a web server
 * in front of PHP-FPM would add with `add_header`). Scripts get them as if header($line, false)
 * ran before their first line, so their own header() of the same name replaces them and
 * header_remove() removes them; static files and tsfpm's own error pages get them as they are.
 * @module
 */
import { validateHeaderName, validateHeaderValue, type ServerResponse } from 'node:http';
import type { IniSettings } from '../settings/settings-table.ts';

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

/** The options-table check: undefined when every line is `Name: value` that the socket accepts. */
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

const parsed = new WeakMap<IniSettings, readonly ResponseHeader[]>();

/** The configured headers (the setting is INI_SYSTEM: read once per server). */
export function responseHeaders(settings: IniSettings): readonly ResponseHeader[] {
  let headers = parsed.get(settings);
  if (headers === undefined) {
    headers = Object.freeze(lines(settings.typed['tsfpm.response_headers']).map(parse));
    parsed.set(settings, headers);
  }
  return headers;
}

/** Adds `headers` to a response not written by a script, except names it already has (Retry-After, Allow …). */
export function addResponseHeaders(res: ServerResponse, headers: readonly ResponseHeader[]): void {
  if (headers.length === 0) return;
  const present = new Set(res.getHeaderNames());
  for (const { name, value } of headers) if (!present.has(name.toLowerCase())) res.appendHeader(name, value);
}
