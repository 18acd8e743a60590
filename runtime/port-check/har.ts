/**
 * HAR files (HTTP Archive 1.2), as a browser's devtools save them after a click through the PHP site: each entry
 * becomes a step with the recorded method, path and query, headers and body. The recorded host is ignored and so
 * are recorded cookies (each side has its own jar); entries that are not http(s) (`data:`, extensions) are skipped.
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SetupError } from './setup-error.ts';
import { replayableHeaders, type Sequence, type Step } from './steps.ts';

interface HarParam {
  name?: unknown;
  value?: unknown;
  fileName?: unknown;
  contentType?: unknown;
}

interface HarEntry {
  request?: {
    method?: unknown;
    url?: unknown;
    headers?: unknown;
    postData?: { mimeType?: unknown; text?: unknown; encoding?: unknown; params?: unknown };
  };
}

/** Reads a HAR file into one sequence named after the file. @throws SetupError naming the file and what is wrong */
export function readHarFile(file: string): Sequence {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SetupError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SetupError(`${file} is not a HAR file: ${(error as Error).message}`);
  }
  return harSequence(parsed, basename(file), file);
}

/** A parsed HAR document as a sequence. @throws SetupError when it has no `log.entries` or an entry cannot be sent */
export function harSequence(har: unknown, name: string, file = name): Sequence {
  const entries = (har as { log?: { entries?: unknown } } | null)?.log?.entries;
  if (!Array.isArray(entries)) throw new SetupError(`${file} is not a HAR file: it has no log.entries list`);
  const turns: Step[][] = [];
  entries.forEach((entry: HarEntry, i) => {
    const step = harStep(entry, `${file}: entry ${i + 1}`);
    if (step) turns.push([step]);
  });
  return { name, turns };
}

function harStep(entry: HarEntry, where: string): Step | undefined {
  const request = entry?.request;
  if (typeof request?.url !== 'string' || typeof request.method !== 'string') throw new SetupError(`${where} has no request.method and request.url`);
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new SetupError(`${where}: request.url "${request.url}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const recorded = Array.isArray(request.headers) ? (request.headers as HarParam[]) : [];
  const headers = replayableHeaders(recorded.filter((h) => typeof h?.name === 'string').map((h) => [String(h.name), String(h.value ?? '')] as const));
  const body = harBody(request.postData, headers, where);
  return { method: request.method.toUpperCase(), target: url.pathname + url.search, headers: body?.headers ?? headers, ...(body ? { body: body.bytes } : {}) };
}

/** The request body: postData.text as recorded (base64 if so marked), else built from postData.params. */
function harBody(
  postData: NonNullable<HarEntry['request']>['postData'],
  headers: Array<readonly [string, string]>,
  where: string,
): { bytes: Buffer; headers: Array<readonly [string, string]> } | undefined {
  if (!postData) return undefined;
  if (typeof postData.text === 'string') {
    const bytes = postData.encoding === 'base64' ? Buffer.from(postData.text, 'base64') : Buffer.from(postData.text, 'utf8');
    return { bytes, headers: withContentType(headers, typeof postData.mimeType === 'string' ? postData.mimeType : '') };
  }
  if (!Array.isArray(postData.params)) return undefined;
  const params = postData.params as HarParam[];
  const mime = typeof postData.mimeType === 'string' ? postData.mimeType : '';
  if (mime.startsWith('multipart/form-data')) {
    // devtools leave file contents out of the recording: the files are sent with their names and types, empty
    throw new SetupError(`${where}: a multipart body without postData.text cannot be replayed; write it as a case file step with "files"`);
  }
  const form = new URLSearchParams(params.map((p): [string, string] => [String(p.name ?? ''), String(p.value ?? '')]));
  return { bytes: Buffer.from(form.toString()), headers: withContentType(headers, 'application/x-www-form-urlencoded') };
}

/** The recorded Content-Type stays (its multipart boundary matches the text); without one, the HAR's mimeType. */
function withContentType(headers: Array<readonly [string, string]>, mime: string): Array<readonly [string, string]> {
  if (!mime || headers.some(([name]) => name.toLowerCase() === 'content-type')) return headers;
  return [...headers, ['Content-Type', mime]];
}
