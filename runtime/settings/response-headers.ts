/**
 * tsfpm.response_headers: header lines every response carries (the security headers a web server
 * in front of PHP-FPM would add with `add_header`). Scripts get them as if header($line, false)
 * ran before their first line, so their own header() of the same name replaces them and
 * header_remove() removes them; static files and tsfpm's own error pages get them as they are.
 * @module
 */
import type { ServerResponse } from 'node:http';
import { headerLines, type ResponseHeader } from './header-lines.ts';
import type { IniSettings } from './settings-table.ts';

const parsed = new WeakMap<IniSettings, readonly ResponseHeader[]>();

/** The configured headers (the setting is INI_SYSTEM: read once per server). */
export function responseHeaders(settings: IniSettings): readonly ResponseHeader[] {
  let headers = parsed.get(settings);
  if (headers === undefined) {
    headers = Object.freeze(headerLines(settings.typed['tsfpm.response_headers']));
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
