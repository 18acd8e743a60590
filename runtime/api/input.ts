/**
 * The request's raw input and uploads: file_get_contents('php://input'), getallheaders(),
 * is_uploaded_file(), move_uploaded_file(), getenv().
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { E_WARNING } from '../php/error-reporting.ts';
import type { RequestContext } from '../request/request-context.ts';
import { moveUpload } from '../request/uploads.ts';

/**
 * getallheaders(): the names as the client spelled them, in its order, as php -S gives them
 * (`X_Under_Score`, `lower-case`). PHP-FPM behind nginx rebuilds Title-Case names from HTTP_*
 * variables instead, and nginx drops names with `_` unless underscores_in_headers is on
 * (test/fixtures/fpm). A name sent twice keeps its first spelling, its values joined with `, `.
 */
function getallheaders(ctx: RequestContext): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  const spelled = new Map<string, string>();
  const raw = ctx.req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    const name = spelled.get(lower);
    if (name === undefined) {
      spelled.set(lower, raw[i]!);
      headers[raw[i]!] = raw[i + 1]!;
    } else {
      headers[name] += `, ${raw[i + 1]!}`;
    }
  }
  return headers;
}

export const requestFunctions = {
  /**
   * file_get_contents($filename): `php://input` is the raw request body (empty for multipart, as PHP);
   * other names are read from the file system, relative to the script's folder. false and a warning on failure.
   */
  file_get_contents(ctx: RequestContext, filename: string): string | false {
    if (filename === 'php://input') return ctx.input.toString();
    try {
      return readFileSync(resolve(dirname(ctx.target.file), filename), 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (err as Error).message;
      ctx.raise(E_WARNING, `file_get_contents(${filename}): Failed to open stream: ${reason}`);
      return false;
    }
  },
  getallheaders,
  apache_request_headers: getallheaders,
  /** is_uploaded_file($filename): true for a temp file of this request's uploads not yet moved. */
  is_uploaded_file: (ctx: RequestContext, filename: string): boolean => ctx.uploads.has(filename),
  /** move_uploaded_file($from, $to): false for anything but this request's uploads. */
  move_uploaded_file(ctx: RequestContext, from: string, to: string): boolean {
    const { ok, warning } = moveUpload(ctx.uploads, from, to);
    if (warning) ctx.raise(E_WARNING, `move_uploaded_file(): ${warning}`);
    return ok;
  },
  /** getenv($name): the process environment, as PHP-FPM with clear_env=no. */
  getenv(_ctx: RequestContext, name?: string): string | false | Record<string, string> {
    if (name === undefined) return { ...(process.env as Record<string, string>) };
    return process.env[name] ?? false;
  },
};
