/**
 * A request body that an Express body parser (express.urlencoded(), express.json(), express.text(),
 * express.raw()) mounted before tsfpm has already read: the stream is over, and only `req.body` is
 * left. tsfpm rebuilds what PHP would have read from it: `$_POST` from a parsed form (through PHP's own
 * rules for names like `a[]` and `a[b]`), php://input from the parsed value. The raw bytes are gone, so
 * php://input is the form re-encoded or the JSON re-serialized, not the bytes the client sent.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { emptyBody, type BodySettings, type ParsedBody } from './body.ts';
import { parseQueryString } from '../php/input-vars.ts';

export interface EarlierBody {
  /** Which parser read it, as the user mounted it: `express.urlencoded()` … */
  readonly parser: string;
  /** What the script gets from it. */
  body(settings: BodySettings, warn: (message: string) => void): ParsedBody;
}

function mimeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(/[;, ]/, 1)[0]!.toLowerCase();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * `req.body` of a form back to `name=value` pairs. The simple parser (Express 5's default) keeps names
 * as sent (`a[]`): they are repeated as they are. The extended parser (qs) nests them: nested keys
 * become `a[b]`, arrays `a[]`, which PHP parses to the same shape.
 */
function formPairs(value: unknown, name: string, out: string[]): void {
  if (Array.isArray(value)) {
    const key = name.includes('[') ? name : `${name}[]`;
    for (const item of value) {
      if (isRecord(item) || Array.isArray(item)) formPairs(item, `${name}[]`, out);
      else out.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item ?? ''))}`);
    }
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) formPairs(item, `${name}[${key}]`, out);
  } else {
    out.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value ?? ''))}`);
  }
}

function encodeForm(form: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(form)) formPairs(value, name, pairs);
  return pairs.join('&');
}

function parserName(mime: string, parsed: unknown): string {
  if (Buffer.isBuffer(parsed)) return 'express.raw()';
  if (typeof parsed === 'string') return 'express.text()';
  if (mime === 'application/x-www-form-urlencoded') return 'express.urlencoded()';
  if (mime === 'application/json' || mime.endsWith('+json')) return 'express.json()';
  if (mime === 'multipart/form-data') return 'a multipart parser';
  return 'a body parser';
}

/** The body another middleware read before tsfpm, or undefined when the stream is still tsfpm's to read. */
export function bodyReadEarlier(req: IncomingMessage): EarlierBody | undefined {
  if (!req.readableEnded) return undefined;
  const declared = req.headers['content-length'];
  if ((declared === undefined || declared === '0') && req.headers['transfer-encoding'] === undefined) return undefined;
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  const mime = mimeOf(req);
  if (parsed === undefined) {
    return { parser: 'a middleware that left no req.body', body: () => emptyBody() };
  }
  return {
    parser: parserName(mime, parsed),
    body(settings, warn) {
      const body = emptyBody();
      if (Buffer.isBuffer(parsed)) body.input = parsed;
      else if (typeof parsed === 'string') body.input = Buffer.from(parsed);
      else if ((mime === 'application/x-www-form-urlencoded' || mime === 'multipart/form-data') && isRecord(parsed)) {
        const form = encodeForm(parsed);
        // PHP's php://input is empty for multipart; the uploads themselves are the other parser's
        if (mime !== 'multipart/form-data') body.input = Buffer.from(form);
        if (settings.enable_post_data_reading && req.method === 'POST') {
          body.post = parseQueryString(form, { maxInputVars: settings.max_input_vars, maxNestingLevel: settings.max_input_nesting_level }, warn, 'post');
        }
      } else body.input = Buffer.from(JSON.stringify(parsed) ?? '');
      return body;
    },
  };
}
