/**
 * Request bodies as PHP reads them before the script runs (main/SAPI.c, main/rfc1867.c):
 * urlencoded POST into $_POST, multipart/form-data into $_POST and $_FILES with uploads streamed
 * to temp files, anything else kept raw for php://input. post_max_size, upload_max_filesize,
 * MAX_FILE_SIZE, max_file_uploads, max_input_vars and max_multipart_body_parts apply as in PHP 8.2.
 *
 * Failure behaviour: a body over post_max_size is not an error (a PHP warning, empty $_POST and
 * $_FILES, the rest of the body drained). A malformed multipart body or a client that goes away
 * rejects with {@link RequestBodyError} (400). On every path that does not hand temp files over in
 * `tmpFiles`, they are deleted before the promise settles.
 * @module
 */
import busboy from 'busboy';
import { randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RequestBodyError } from '../php/errors.ts';
import {
  InputVarsBuilder,
  inputVarsExceededMessage,
  parseQueryString,
  type InputLimits,
  type InputVars,
  type VarValue,
} from '../php/input-vars.ts';

/** $_FILES[...]['error'] codes (rfc1867.h). */
export const UPLOAD_ERR_OK = 0;
/** Larger than upload_max_filesize. */
export const UPLOAD_ERR_INI_SIZE = 1;
/** Larger than the form's MAX_FILE_SIZE field (which must come before the file). */
export const UPLOAD_ERR_FORM_SIZE = 2;
/** Only part of the file arrived. tsfpm rejects a truncated body instead (see php-compat.md). */
export const UPLOAD_ERR_PARTIAL = 3;
/** The file part had an empty filename (an empty `<input type="file">`). */
export const UPLOAD_ERR_NO_FILE = 4;
/** No temp file could be created. */
export const UPLOAD_ERR_NO_TMP_DIR = 6;
/** Writing the temp file failed. */
export const UPLOAD_ERR_CANT_WRITE = 7;
/** An extension stopped the upload (never set by tsfpm). */
export const UPLOAD_ERR_EXTENSION = 8;

/** The php.ini settings that govern body parsing, read once per request. */
export interface BodySettings {
  /** post_max_size in bytes; 0 = unlimited. */
  post_max_size: number;
  /** upload_max_filesize in bytes; 0 = unlimited. */
  upload_max_filesize: number;
  /** max_file_uploads: file parts beyond it are ignored with a warning. */
  max_file_uploads: number;
  /** max_input_vars, for $_POST. */
  max_input_vars: number;
  /** max_input_nesting_level, for $_POST and $_FILES. */
  max_input_nesting_level: number;
  /** upload_tmp_dir; '' means the system temp directory. */
  upload_tmp_dir: string;
  /** file_uploads: when false, file parts are skipped. */
  file_uploads: boolean;
  /** enable_post_data_reading: when false, $_POST/$_FILES stay empty and php://input has the raw body. */
  enable_post_data_reading: boolean;
  /** max_multipart_body_parts; -1 (the default) means max_input_vars + max_file_uploads. */
  max_multipart_body_parts?: number;
}

/** One $_FILES entry for a plain field name (`<input type="file" name="f">`). */
export interface UploadedFile {
  /** The client's file name without directories. */
  name: string;
  /** The file name as the client sent it, directories included (PHP 8.1+). */
  full_path: string;
  /** The part's Content-Type; '' when the upload failed. */
  type: string;
  /** The temp file, or '' when the upload failed. */
  tmp_name: string;
  /** One of the UPLOAD_ERR_* codes. */
  error: number;
  /** Bytes received; 0 when the upload failed. */
  size: number;
}

/** A $_FILES entry for a name with brackets: `multi[]` gives `{name: [..], tmp_name: [..], ...}`, transposed as PHP does. */
export interface NestedUploadedFiles {
  name: VarValue<string>;
  full_path: VarValue<string>;
  type: VarValue<string>;
  tmp_name: VarValue<string>;
  error: VarValue<number>;
  size: VarValue<number>;
}

/** $_FILES: a null-prototype object keyed by (mangled) field name. */
export type FilesVars = { [field: string]: UploadedFile | NestedUploadedFiles };

/** What the body gives the request before its script runs. */
export interface ParsedBody {
  /** $_POST; undefined when nothing was posted (the superglobal is made empty when first read). */
  post?: InputVars;
  /** $_FILES; undefined when nothing was uploaded. */
  files?: FilesVars;
  /** php://input: the raw body, empty for multipart/form-data (as PHP) and when over post_max_size. */
  input: Buffer;
  /** Temp files of successful uploads; the runtime deletes those still there when the request ends. */
  tmpFiles: Set<string>;
}

const STARTUP = 'PHP Request Startup';

function noop(): void {}

/** php://input of a request with no body: one for all, since a Buffer of length 0 cannot change. */
const NO_INPUT = Buffer.alloc(0);

/**
 * The uploads of a request with none: one for all. Nothing adds to it (the multipart reader fills a
 * set of its own); move_uploaded_file() deletes only what the set has, removeUploads() clears only a set with files.
 */
const NO_UPLOADS = new Set<string>();

export function emptyBody(): ParsedBody {
  return { input: NO_INPUT, tmpFiles: NO_UPLOADS };
}

/** Lets the rest of a body flow to nowhere, so that the connection can answer and be reused. */
function discard(req: IncomingMessage): void {
  req.on('error', noop);
  req.resume();
}

/** The connection closed mid-body: the client left, or the server cut it (tsfpm.request_timeout, a malformed chunk). */
function aborted(req: IncomingMessage, received: number): RequestBodyError {
  const declared = req.headers['content-length'];
  const of = declared === undefined ? '' : ` of ${declared}`;
  return new RequestBodyError(400, `the connection closed before the whole request body arrived (${received}${of} bytes)`);
}

/** Content-Length as a number, null when absent (a chunked body or none). */
function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  if (header === undefined) return null;
  if (!/^\d+$/.test(header)) throw new RequestBodyError(400, `invalid Content-Length: ${header}`);
  return Number(header);
}

/** SAPI.c: only a POST with a known content type (lower-cased up to `;`, `,` or space) is parsed. */
function formType(req: IncomingMessage, settings: BodySettings): 'urlencoded' | 'multipart' | null {
  const type = req.headers['content-type'];
  if (!settings.enable_post_data_reading || req.method !== 'POST' || type === undefined) return null;
  const mime = type.split(/[;, ]/, 1)[0]!.toLowerCase();
  if (mime === 'application/x-www-form-urlencoded') return 'urlencoded';
  if (mime === 'multipart/form-data') return 'multipart';
  return null;
}

/**
 * Reads the body of `req` the way PHP does before a script runs.
 *
 * Resolves with empty results and a warning when the body exceeds post_max_size (announced by
 * Content-Length, or found while reading a chunked body); rejects with a {@link RequestBodyError} when
 * the multipart body is malformed or the client disconnects. Warnings use PHP's texts and are
 * passed to `warn` in the order PHP emits them.
 */
export function parseRequestBody(
  req: IncomingMessage,
  settings: BodySettings,
  warn: (message: string) => void,
): ParsedBody | Promise<ParsedBody> {
  const length = declaredLength(req);
  // most requests have no body: answered without a promise
  if (length === 0 || (length === null && req.headers['transfer-encoding'] === undefined)) return emptyBody();
  return readBody(req, settings, length, warn);
}

async function readBody(req: IncomingMessage, settings: BodySettings, length: number | null, warn: (message: string) => void): Promise<ParsedBody> {
  const limit = settings.post_max_size > 0 ? settings.post_max_size : Infinity;
  if (length !== null && length > limit) {
    warn(`${STARTUP}: POST Content-Length of ${length} bytes exceeds the limit of ${limit} bytes`);
    discard(req);
    return emptyBody();
  }
  const limits: InputLimits = { maxInputVars: settings.max_input_vars, maxNestingLevel: settings.max_input_nesting_level };
  const type = formType(req, settings);
  if (type === 'multipart') return new MultipartReader(req, settings, limits, limit, warn).read();

  const input = await readAll(req, limit);
  if (input === null) {
    warn(tooLongMessage(limit));
    return emptyBody();
  }
  const body = emptyBody();
  body.input = input;
  if (type === 'urlencoded') body.post = parseQueryString(input, limits, warn, 'post');
  return body;
}

function tooLongMessage(limit: number): string {
  return `${STARTUP}: Actual POST length does not match Content-Length, and exceeds ${limit} bytes`;
}

/** Buffers the whole body; null (and the rest drained) once it grows past `limit`. */
function readAll(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  if (req.readableEnded) return req.complete ? Promise.resolve(Buffer.alloc(0)) : Promise.reject(aborted(req, 0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      req.on('error', noop);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stop();
        discard(req);
        resolve(null);
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (): void => {
      stop();
      reject(aborted(req, size));
    };
    const onClose = (): void => {
      if (req.complete) return;
      stop();
      reject(aborted(req, size));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** strtoll(value, NULL, 10), as PHP reads MAX_FILE_SIZE: leading digits count, junk means 0. */
function strtoll(value: string): number {
  const match = /^\s*([+-]?\d+)/.exec(value);
  return match ? Number(match[1]) : 0;
}

/** rfc1867.c "never repair potential malicious user input": brackets balanced, nothing after a `]` but `[`. */
function isSafeUploadName(name: string): boolean {
  let depth = 0;
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '[') {
      depth++;
    } else if (name[i] === ']') {
      depth--;
      if (i + 1 < name.length && name[i + 1] !== '[') return false;
    }
    if (depth < 0) return false;
  }
  return depth === 0;
}

/** php_ap_basename: the part after the last `/` or `\`. */
function clientBasename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** mkstemp("<dir>/phpXXXXXX") with mode 0600. */
async function createTempFile(dir: string): Promise<{ path: string; handle: FileHandle }> {
  for (let attempt = 0; ; attempt++) {
    let suffix = '';
    for (let i = 0; i < 6; i++) suffix += NAME_CHARS[randomInt(NAME_CHARS.length)];
    const path = join(dir, `php${suffix}`);
    try {
      return { path, handle: await open(path, 'wx', 0o600) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw err;
    }
  }
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length; ) {
    const { bytesWritten } = await handle.write(chunk, offset);
    offset += bytesWritten;
  }
}

/** One file part, ready to register into $_FILES once the whole body is read. */
interface FilePart {
  field: string;
  filename: string;
  type: string;
  tmpName: string;
  error: number;
  size: number;
}

/**
 * One multipart/form-data body: busboy's parts in, $_POST/$_FILES out. Keeps the rfc1867.c state
 * that spans parts (MAX_FILE_SIZE, upload and part counters, the sticky "skip uploads" flag) and
 * every temp file it creates, so that any failure can remove them.
 */
class MultipartReader {
  readonly #req: IncomingMessage;
  readonly #settings: BodySettings;
  readonly #limit: number;
  readonly #warn: (message: string) => void;
  readonly #post: InputVarsBuilder;
  readonly #partsLimit: number;
  /** File parts in body order; registered in that order, whatever order their writes finish in. */
  readonly #parts: Promise<FilePart>[] = [];
  readonly #receiving = new Set<Readable>();
  /** Temp files created and not yet deleted. */
  readonly #created = new Set<string>();
  #partCount = 0;
  #uploadsLeft: number;
  #skipUploads = false;
  #maxFileSize = 0;
  #anonymous = 0;

  constructor(req: IncomingMessage, settings: BodySettings, limits: InputLimits, limit: number, warn: (message: string) => void) {
    this.#req = req;
    this.#settings = settings;
    this.#limit = limit;
    this.#warn = warn;
    this.#post = new InputVarsBuilder(limits, { onLimitExceeded: () => warn(inputVarsExceededMessage(limits.maxInputVars)) });
    const parts = settings.max_multipart_body_parts ?? -1;
    this.#partsLimit = parts < 0 ? settings.max_input_vars + settings.max_file_uploads : parts;
    this.#uploadsLeft = settings.max_file_uploads;
  }

  async read(): Promise<ParsedBody> {
    const req = this.#req;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        preservePath: true,
        defParamCharset: 'utf8',
        limits: { fieldSize: this.#limit },
      });
    } catch (err) {
      discard(req);
      throw new RequestBodyError(400, `malformed multipart/form-data request: ${(err as Error).message}`);
    }

    const outcome = await new Promise<'done' | 'too-large' | RequestBodyError>((settle) => {
      let received = 0;
      let settled = false;
      const finish = (result: 'done' | 'too-large' | RequestBodyError): void => {
        if (settled) return;
        settled = true;
        req.off('data', onData);
        req.off('close', onClose);
        if (result !== 'done') {
          req.unpipe(parser);
          parser.destroy();
          for (const stream of this.#receiving) stream.destroy(new Error('request body parsing stopped'));
          discard(req);
        }
        settle(result);
      };
      const onData = (chunk: Buffer): void => {
        received += chunk.length;
        if (received > this.#limit) finish('too-large');
      };
      const onClose = (): void => {
        if (!req.complete) finish(aborted(req, received));
      };
      parser.on('field', (name, value) => this.#field(name as string | undefined, value));
      parser.on('file', (name, stream, info) => this.#file(name as string | undefined, stream, info));
      parser.on('error', (err) => finish(new RequestBodyError(400, `malformed multipart/form-data body: ${(err as Error).message}`)));
      parser.on('finish', () => finish('done'));
      req.on('data', onData);
      req.on('close', onClose);
      req.on('error', noop);
      req.pipe(parser);
    });

    const parts = await Promise.allSettled(this.#parts);
    if (outcome !== 'done') {
      await this.#removeAll();
      if (outcome === 'too-large') {
        this.#warn(tooLongMessage(this.#limit));
        return emptyBody();
      }
      throw outcome;
    }
    const files = new InputVarsBuilder<string | number>({ maxInputVars: Infinity, maxNestingLevel: this.#settings.max_input_nesting_level });
    const tmpFiles = new Set<string>();
    for (const part of parts) {
      if (part.status === 'rejected') continue;
      registerFile(files, part.value);
      if (part.value.error === UPLOAD_ERR_OK) tmpFiles.add(part.value.tmpName);
    }
    // Parts only fail when parsing stops, but a temp file must never outlive its request unlisted.
    await Promise.all([...this.#created].filter((path) => !tmpFiles.has(path)).map((path) => this.#remove(path)));
    return {
      post: this.#post.result(),
      // The builder holds exactly the six keys per entry that registerFile() adds.
      files: files.result() as unknown as FilesVars,
      input: Buffer.alloc(0),
      tmpFiles,
    };
  }

  /** Counts a part against max_multipart_body_parts; true when it must be ignored. */
  #overPartsLimit(): boolean {
    if (++this.#partCount === this.#partsLimit + 1) {
      this.#warn(`${STARTUP}: Multipart body parts limit exceeded ${this.#partsLimit}. To increase the limit change max_multipart_body_parts in php.ini.`);
    }
    return this.#partCount > this.#partsLimit;
  }

  #field(name: string | undefined, value: string): void {
    // busboy reports a missing and an empty name alike; PHP drops an empty one.
    if (this.#overPartsLimit() || name === undefined) return;
    this.#post.add(name, value);
    if (/^MAX_FILE_SIZE$/i.test(name)) this.#maxFileSize = strtoll(value);
  }

  #file(name: string | undefined, stream: Readable, info: busboy.FileInfo): void {
    // Errors reach #receive() through its iterator; skipped parts just drain.
    stream.on('error', noop);
    if (this.#overPartsLimit()) {
      stream.resume();
      return;
    }
    if (!this.#settings.file_uploads) {
      this.#skipUploads = true;
    } else if (this.#uploadsLeft <= 0) {
      this.#skipUploads = true;
      if (this.#uploadsLeft === 0) {
        this.#uploadsLeft--;
        this.#warn('Maximum number of allowable file uploads has been exceeded');
      }
    }
    const field = name ?? String(this.#anonymous++);
    // In rfc1867.c the flag is never reset: after one refused name, every later file is skipped too.
    if (!this.#skipUploads && !isSafeUploadName(field)) this.#skipUploads = true;
    if (this.#skipUploads) {
      stream.resume();
      return;
    }
    // busboy has no filename for `filename=""` (a browser's empty file input).
    const filename = (info.filename as string | undefined) ?? '';
    if (filename !== '') this.#uploadsLeft--;
    this.#parts.push(this.#receive(stream, field, filename, info.mimeType, this.#maxFileSize));
  }

  async #receive(stream: Readable, field: string, filename: string, type: string, maxFileSize: number): Promise<FilePart> {
    const failed = (error: number): FilePart => ({ field, filename, type: '', tmpName: '', error, size: 0 });
    if (filename === '') {
      stream.resume();
      return failed(UPLOAD_ERR_NO_FILE);
    }
    this.#receiving.add(stream);
    try {
      const temp = await this.#createTempFile();
      if (temp === null) {
        stream.resume();
        return failed(UPLOAD_ERR_NO_TMP_DIR);
      }
      let error = UPLOAD_ERR_OK;
      let size = 0;
      const uploadMax = this.#settings.upload_max_filesize;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (error !== UPLOAD_ERR_OK) continue;
          if (uploadMax > 0 && size + chunk.length > uploadMax) {
            error = UPLOAD_ERR_INI_SIZE;
          } else if (maxFileSize !== 0 && size + chunk.length > maxFileSize) {
            error = UPLOAD_ERR_FORM_SIZE;
          } else {
            try {
              await writeAll(temp.handle, chunk);
              size += chunk.length;
            } catch {
              error = UPLOAD_ERR_CANT_WRITE;
            }
          }
        }
      } finally {
        await temp.handle.close().catch(noop);
      }
      if (error !== UPLOAD_ERR_OK) {
        await this.#remove(temp.path);
        return failed(error);
      }
      return { field, filename, type, tmpName: temp.path, error, size };
    } finally {
      this.#receiving.delete(stream);
    }
  }

  /** php_open_temporary_fd_ex: upload_tmp_dir, else the system temp dir (with PHP's notice), else null. */
  async #createTempFile(): Promise<{ path: string; handle: FileHandle } | null> {
    const dirs = this.#settings.upload_tmp_dir ? [this.#settings.upload_tmp_dir, tmpdir()] : [tmpdir()];
    for (const [i, dir] of dirs.entries()) {
      if (i > 0) this.#warn(`${STARTUP}: file created in the system's temporary directory`);
      try {
        const temp = await createTempFile(dir);
        this.#created.add(temp.path);
        return temp;
      } catch {
        // try the next directory
      }
    }
    this.#warn('File upload error - unable to create a temporary file');
    return null;
  }

  async #remove(path: string): Promise<void> {
    await unlink(path).catch(noop);
    this.#created.delete(path);
  }

  async #removeAll(): Promise<void> {
    await Promise.all([...this.#created].map((path) => this.#remove(path)));
  }
}

/**
 * Registers one upload the way rfc1867.c does: `f` → `f[name]`, `f[a][]` → `f[name][a][]`, ...,
 * through PHP's variable rules, which gives $_FILES its transposed shape.
 */
function registerFile(files: InputVarsBuilder<string | number>, part: FilePart): void {
  const open = part.field.indexOf('[');
  const isArray = open >= 0 && part.field.endsWith(']');
  const key = (what: string): string =>
    isArray ? `${part.field.slice(0, open)}[${what}][${part.field.slice(open + 1, -1)}]` : `${part.field}[${what}]`;
  files.add(key('name'), clientBasename(part.filename));
  files.add(key('full_path'), part.filename);
  files.add(key('type'), part.type);
  files.add(key('tmp_name'), part.tmpName);
  files.add(key('error'), part.error);
  files.add(key('size'), part.size);
}
