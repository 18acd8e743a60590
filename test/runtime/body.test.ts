/**
 * Request bodies as PHP reads them: $_POST, $_FILES, php://input and the limits, over a real
 * node:http server calling parseRequestBody() with real requests. Each test gets its own
 * upload_tmp_dir so that leftovers can be asserted on.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseRequestBody,
  UPLOAD_ERR_FORM_SIZE,
  UPLOAD_ERR_INI_SIZE,
  UPLOAD_ERR_NO_FILE,
  UPLOAD_ERR_OK,
  type BodySettings,
  type ParsedBody,
  type UploadedFile,
} from '../../runtime/request/body.ts';
import { RequestBodyError } from '../../runtime/php/errors.ts';

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

interface Outcome {
  body?: ParsedBody;
  error?: unknown;
  warnings: string[];
  /** Files in upload_tmp_dir when parseRequestBody settled. */
  tmpDirFiles: string[];
}

/** A node:http server whose handler only parses the body, and reports each outcome. */
class BodyServer {
  readonly settings: BodySettings;
  readonly #server: Server;
  readonly #outcomes: Outcome[] = [];
  readonly #waiting: ((o: Outcome) => void)[] = [];
  port = 0;

  /** @param watchDir the folder whose files each outcome lists (upload_tmp_dir by default). */
  constructor(settings: BodySettings, watchDir = settings.upload_tmp_dir) {
    this.settings = settings;
    this.#server = createServer((req, res) => {
      const warnings: string[] = [];
      Promise.resolve(parseRequestBody(req, this.settings, (w) => warnings.push(w))).then(
        (body) => {
          this.#report({ body, warnings, tmpDirFiles: listFiles(watchDir) });
          res.end('parsed');
        },
        (error: unknown) => {
          this.#report({ error, warnings, tmpDirFiles: listFiles(watchDir) });
          res.statusCode = (error as { status?: number }).status ?? 500;
          res.end('refused');
        },
      );
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  /** The outcome of the next request to settle. */
  next(): Promise<Outcome> {
    const ready = this.#outcomes.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #report(outcome: Outcome): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(outcome);
    else this.#outcomes.push(outcome);
  }
}

const MB = 1024 * 1024;

function defaults(uploadDir: string): BodySettings {
  return {
    post_max_size: 8 * MB,
    upload_max_filesize: 2 * MB,
    max_file_uploads: 20,
    max_input_vars: 1000,
    max_input_nesting_level: 64,
    upload_tmp_dir: uploadDir,
    file_uploads: true,
    enable_post_data_reading: true,
  };
}

/** A null-prototype object, as every parsed table is. */
function obj(entries: object): object {
  return Object.assign(Object.create(null), entries);
}

interface Part {
  name?: string;
  filename?: string;
  type?: string;
  body: string | Buffer;
}

const BOUNDARY = '----tsfpmBoundary7MA4YWxkTrZu0gW';

/** A multipart/form-data body built by hand, so every header is as the test says. */
function multipart(parts: Part[], { close = true } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let disposition = 'form-data';
    if (part.name !== undefined) disposition += `; name="${part.name}"`;
    if (part.filename !== undefined) disposition += `; filename="${part.filename}"`;
    let head = `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n`;
    if (part.type !== undefined) head += `Content-Type: ${part.type}\r\n`;
    chunks.push(Buffer.from(head + '\r\n'), Buffer.from(part.body), Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

function postMultipart(url: string, body: Buffer): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body });
}

/** Writes raw bytes to the server; resolves with whatever comes back until the server closes or `ms` passes. */
function rawRequest(port: number, data: Buffer | string, { end = true, ms = 2000 } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (d) => (response += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(response);
    });
    socket.write(data);
    if (end) socket.end();
  });
}

/** The names in $_POST or $_FILES as parsed: none when the body gave none (the superglobal is made empty when first read). */
const keysOf = (vars: object | undefined): string[] => Object.keys(vars ?? {});

function file(body: ParsedBody, field: string): UploadedFile {
  return body.files![field] as UploadedFile;
}

describe('parseRequestBody', () => {
  let dir: string;
  let server: BodyServer;

  async function start(overrides: Partial<BodySettings> = {}): Promise<BodyServer> {
    server = await new BodyServer({ ...defaults(dir), ...overrides }).start();
    return server;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsfpm-body-'));
  });

  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('application/x-www-form-urlencoded', () => {
    it('fills $_POST and keeps the raw body for php://input', async () => {
      await start();
      await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a.b=1&c[]=2&c[]=3' });
      const { body } = await server.next();
      expect(body!.post).to.deep.equal(obj({ a_b: '1', c: ['2', '3'] }));
      expect(body!.input.toString()).to.equal('a.b=1&c[]=2&c[]=3');
      expect(keysOf(body!.files)).to.deep.equal([]);
    });

    it('recognises the type case-insensitively, with parameters', async () => {
      await start();
      await fetch(server.url, { method: 'POST', headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' }, body: 'x=%E2%82%AC' });
      expect((await server.next()).body!.post).to.deep.equal(obj({ x: '€' }));
    });

    it('keeps max_input_vars + 1 variables and warns, as the PHP POST reader does', async () => {
      await start({ max_input_vars: 3 });
      await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2&c=3&d=4&e=5' });
      const { body, warnings } = await server.next();
      expect(keysOf(body!.post)).to.deep.equal(['a', 'b', 'c', 'd']);
      expect(warnings).to.deep.equal(['PHP Request Startup: Input variables exceeded 3. To increase the limit change max_input_vars in php.ini.']);
    });

    it('is only parsed for POST: a PUT body stays in php://input', async () => {
      await start();
      await fetch(server.url, { method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      const { body } = await server.next();
      expect(keysOf(body!.post)).to.deep.equal([]);
      expect(body!.input.toString()).to.equal('a=1');
    });
  });

  describe('other bodies', () => {
    it('keeps a JSON body raw in php://input with $_POST empty', async () => {
      await start();
      await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      const { body } = await server.next();
      expect(body!.input.toString()).to.equal('{"a":1}');
      expect(keysOf(body!.post)).to.deep.equal([]);
    });

    it('gives an empty result for a request without a body', async () => {
      await start();
      await fetch(server.url);
      const { body, warnings } = await server.next();
      expect(body!.input.length).to.equal(0);
      expect(warnings).to.deep.equal([]);
    });

    it('keeps even multipart raw when enable_post_data_reading is off', async () => {
      await start({ enable_post_data_reading: false });
      const raw = multipart([{ name: 'a', body: '1' }, { name: 'f', filename: 'f.txt', type: 'text/plain', body: 'abc' }]);
      await postMultipart(server.url, raw);
      const { body, tmpDirFiles } = await server.next();
      expect(body!.input.equals(raw)).to.equal(true);
      expect(keysOf(body!.post)).to.deep.equal([]);
      expect(keysOf(body!.files)).to.deep.equal([]);
      expect(tmpDirFiles).to.deep.equal([]);
    });
  });

  describe('post_max_size', () => {
    it('empties $_POST and warns when Content-Length is over the limit, and still answers', async () => {
      await start({ post_max_size: 100 });
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=' + 'x'.repeat(200) });
      const { body, warnings } = await server.next();
      expect(res.status).to.equal(200);
      expect(keysOf(body!.post)).to.deep.equal([]);
      // PHP 8.2 would still give the whole body to php://input; tsfpm drops it to bound memory.
      expect(body!.input.length).to.equal(0);
      expect(warnings).to.deep.equal(['PHP Request Startup: POST Content-Length of 202 bytes exceeds the limit of 100 bytes']);
    });

    it('accepts a body of exactly post_max_size', async () => {
      await start({ post_max_size: 100 });
      await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=' + 'x'.repeat(98) });
      const { body, warnings } = await server.next();
      expect((body!.post!.a as string).length).to.equal(98);
      expect(warnings).to.deep.equal([]);
    });

    it('stops buffering a chunked body that grows past the limit', async () => {
      await start({ post_max_size: 100 });
      const chunk = 'a=' + 'x'.repeat(150);
      const request = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`;
      const response = await rawRequest(server.port, request);
      const { body, warnings } = await server.next();
      expect(response).to.match(/^HTTP\/1\.1 200/);
      expect(keysOf(body!.post)).to.deep.equal([]);
      expect(body!.input.length).to.equal(0);
      expect(warnings).to.deep.equal(['PHP Request Startup: Actual POST length does not match Content-Length, and exceeds 100 bytes']);
    });

    it('deletes the temp files of a chunked multipart body that grows past the limit', async () => {
      await start({ post_max_size: 64 * 1024 });
      const raw = multipart([{ name: 'f', filename: 'big.bin', type: 'application/octet-stream', body: Buffer.alloc(200 * 1024, 7) }]);
      const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
      const chunks = [];
      for (let i = 0; i < raw.length; i += 16 * 1024) {
        const piece = raw.subarray(i, i + 16 * 1024);
        chunks.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
      }
      await rawRequest(server.port, Buffer.concat([Buffer.from(head), ...chunks, Buffer.from('0\r\n\r\n')]));
      const { body, warnings, tmpDirFiles } = await server.next();
      expect(keysOf(body!.files)).to.deep.equal([]);
      expect(body!.tmpFiles.size).to.equal(0);
      expect(tmpDirFiles).to.deep.equal([]);
      expect(warnings).to.deep.equal([`PHP Request Startup: Actual POST length does not match Content-Length, and exceeds ${64 * 1024} bytes`]);
    });
  });

  describe('multipart/form-data fields', () => {
    it('fills $_POST with PHP names and leaves php://input empty', async () => {
      await start();
      await postMultipart(server.url, multipart([
        { name: 'dot.name', body: '1' },
        { name: 'nest[a][]', body: 'x' },
        { name: 'nest[a][]', body: 'y' },
        { name: 'utf', body: 'é€' },
      ]));
      const { body } = await server.next();
      expect(body!.post).to.deep.equal(obj({ dot_name: '1', nest: obj({ a: ['x', 'y'] }), utf: 'é€' }));
      expect(body!.input.length).to.equal(0);
    });

    it('keeps exactly max_input_vars fields, warns once, and still takes later files', async () => {
      await start({ max_input_vars: 2 });
      await postMultipart(server.url, multipart([
        { name: 'a', body: '1' },
        { name: 'b', body: '2' },
        { name: 'c', body: '3' },
        { name: 'd', body: '4' },
        { name: 'f', filename: 'f.txt', type: 'text/plain', body: 'abc' },
      ]));
      const { body, warnings } = await server.next();
      expect(keysOf(body!.post)).to.deep.equal(['a', 'b']);
      expect(file(body!, 'f').error).to.equal(UPLOAD_ERR_OK);
      expect(warnings).to.deep.equal(['PHP Request Startup: Input variables exceeded 2. To increase the limit change max_input_vars in php.ini.']);
    });

    it('stops at max_multipart_body_parts with a warning', async () => {
      await start({ max_multipart_body_parts: 2 });
      await postMultipart(server.url, multipart([
        { name: 'a', body: '1' },
        { name: 'b', body: '2' },
        { name: 'c', body: '3' },
        { name: 'f', filename: 'f.txt', type: 'text/plain', body: 'abc' },
      ]));
      const { body, warnings, tmpDirFiles } = await server.next();
      expect(keysOf(body!.post)).to.deep.equal(['a', 'b']);
      expect(keysOf(body!.files)).to.deep.equal([]);
      expect(tmpDirFiles).to.deep.equal([]);
      expect(warnings).to.deep.equal(['PHP Request Startup: Multipart body parts limit exceeded 2. To increase the limit change max_multipart_body_parts in php.ini.']);
    });
  });

  describe('$_FILES', () => {
    it('describes an upload and streams it to <upload_tmp_dir>/phpXXXXXX, mode 0600', async () => {
      await start();
      const fd = new FormData();
      fd.append('doc', new Blob(['hello upload'], { type: 'text/plain' }), 'hello.txt');
      await fetch(server.url, { method: 'POST', body: fd });
      const { body, tmpDirFiles } = await server.next();
      const entry = file(body!, 'doc');
      expect(entry).to.include({ name: 'hello.txt', full_path: 'hello.txt', type: 'text/plain', error: UPLOAD_ERR_OK, size: 12 });
      expect(Object.keys(entry)).to.deep.equal(['name', 'full_path', 'type', 'tmp_name', 'error', 'size']);
      expect(entry.tmp_name).to.match(new RegExp(`^${dir}/php[A-Za-z0-9]{6}$`));
      expect(tmpDirFiles).to.deep.equal([entry.tmp_name.slice(dir.length + 1)]);
      expect([...body!.tmpFiles]).to.deep.equal([entry.tmp_name]);
      expect(readFileSync(entry.tmp_name, 'utf8')).to.equal('hello upload');
      expect(statSync(entry.tmp_name).mode & 0o777).to.equal(0o600);
    });

    it('transposes bracketed names: multi[] and nest[a][b]', async () => {
      await start();
      await postMultipart(server.url, multipart([
        { name: 'multi[]', filename: 'one.txt', type: 'text/plain', body: '1' },
        { name: 'multi[]', filename: 'two.txt', type: 'text/plain', body: '22' },
        { name: 'nest[a][b]', filename: 'n.bin', type: 'application/octet-stream', body: '333' },
        { name: 'dot.name', filename: 'd.txt', type: 'text/plain', body: '' },
      ]));
      const { body } = await server.next();
      const multi = body!.files!.multi as unknown as Record<string, unknown[]>;
      expect(multi.name).to.deep.equal(['one.txt', 'two.txt']);
      expect(multi.size).to.deep.equal([1, 2]);
      expect(multi.error).to.deep.equal([0, 0]);
      expect(multi.tmp_name).to.have.length(2);
      const nest = body!.files!.nest as unknown as Record<string, Record<string, Record<string, unknown>>>;
      expect(Object.keys(nest)).to.deep.equal(['name', 'full_path', 'type', 'tmp_name', 'error', 'size']);
      expect(nest.name!.a!.b).to.equal('n.bin');
      expect(nest.type!.a!.b).to.equal('application/octet-stream');
      expect(nest.size!.a!.b).to.equal(3);
      expect(file(body!, 'dot_name')).to.include({ name: 'd.txt', error: UPLOAD_ERR_OK, size: 0 });
      expect(body!.tmpFiles.size).to.equal(4);
    });

    it('gives name as the basename and full_path as sent', async () => {
      await start();
      await postMultipart(server.url, multipart([{ name: 'f', filename: 'dir/sub\\\\x.txt', type: 'text/plain', body: 'x' }]));
      const { body } = await server.next();
      expect(file(body!, 'f')).to.include({ name: 'x.txt', full_path: 'dir/sub\\x.txt' });
    });

    it('keeps only the media type of the part Content-Type', async () => {
      await start();
      await postMultipart(server.url, multipart([{ name: 'f', filename: 'a.txt', type: 'text/plain; charset=utf-8', body: 'x' }]));
      expect(file((await server.next()).body!, 'f').type).to.equal('text/plain');
    });

    it('reports an empty file input as UPLOAD_ERR_NO_FILE without a temp file', async () => {
      await start();
      await postMultipart(server.url, multipart([{ name: 'f', filename: '', type: 'application/octet-stream', body: '' }]));
      const { body, tmpDirFiles } = await server.next();
      expect({ ...file(body!, 'f') }).to.deep.equal({ name: '', full_path: '', type: '', tmp_name: '', error: UPLOAD_ERR_NO_FILE, size: 0 });
      expect(tmpDirFiles).to.deep.equal([]);
    });

    it('refuses a file over upload_max_filesize with UPLOAD_ERR_INI_SIZE and deletes its temp file', async () => {
      await start({ upload_max_filesize: 1000 });
      await postMultipart(server.url, multipart([
        { name: 'big', filename: 'big.bin', type: 'application/octet-stream', body: Buffer.alloc(1001) },
        { name: 'fits', filename: 'fits.bin', type: 'application/octet-stream', body: Buffer.alloc(1000) },
      ]));
      const { body, tmpDirFiles } = await server.next();
      expect({ ...file(body!, 'big') }).to.deep.equal({ name: 'big.bin', full_path: 'big.bin', type: '', tmp_name: '', error: UPLOAD_ERR_INI_SIZE, size: 0 });
      expect(file(body!, 'fits')).to.include({ error: UPLOAD_ERR_OK, size: 1000 });
      expect(tmpDirFiles).to.deep.equal([file(body!, 'fits').tmp_name.slice(dir.length + 1)]);
    });

    it('applies a MAX_FILE_SIZE field to the files after it (UPLOAD_ERR_FORM_SIZE)', async () => {
      await start();
      await postMultipart(server.url, multipart([
        { name: 'before', filename: 'a.txt', type: 'text/plain', body: 'abcdef' },
        { name: 'MAX_FILE_SIZE', body: '5' },
        { name: 'after', filename: 'b.txt', type: 'text/plain', body: 'abcdef' },
        { name: 'small', filename: 'c.txt', type: 'text/plain', body: 'abcde' },
      ]));
      const { body, tmpDirFiles } = await server.next();
      expect(body!.post!.MAX_FILE_SIZE).to.equal('5');
      expect(file(body!, 'before').error).to.equal(UPLOAD_ERR_OK);
      expect(file(body!, 'after')).to.include({ error: UPLOAD_ERR_FORM_SIZE, tmp_name: '', size: 0, type: '' });
      expect(file(body!, 'small').error).to.equal(UPLOAD_ERR_OK);
      expect(tmpDirFiles).to.have.length(2);
    });

    it('ignores files beyond max_file_uploads with one warning; empty file inputs do not count', async () => {
      await start({ max_file_uploads: 2 });
      await postMultipart(server.url, multipart([
        { name: 'f1', filename: '1.txt', type: 'text/plain', body: '1' },
        { name: 'empty', filename: '', type: 'application/octet-stream', body: '' },
        { name: 'f2', filename: '2.txt', type: 'text/plain', body: '2' },
        { name: 'f3', filename: '3.txt', type: 'text/plain', body: '3' },
        { name: 'f4', filename: '4.txt', type: 'text/plain', body: '4' },
        { name: 'field', body: 'still read' },
      ]));
      const { body, warnings, tmpDirFiles } = await server.next();
      expect(keysOf(body!.files)).to.deep.equal(['f1', 'empty', 'f2']);
      expect(body!.post).to.deep.equal(obj({ field: 'still read' }));
      expect(warnings).to.deep.equal(['Maximum number of allowable file uploads has been exceeded']);
      expect(tmpDirFiles).to.have.length(2);
    });

    it('skips every file after one with a malformed name, as rfc1867.c does', async () => {
      await start();
      await postMultipart(server.url, multipart([
        { name: 'ok', filename: 'a.txt', type: 'text/plain', body: 'a' },
        { name: 'bad]', filename: 'b.txt', type: 'text/plain', body: 'b' },
        { name: 'good', filename: 'c.txt', type: 'text/plain', body: 'c' },
      ]));
      const { body, tmpDirFiles } = await server.next();
      expect(keysOf(body!.files)).to.deep.equal(['ok']);
      expect(tmpDirFiles).to.have.length(1);
    });

    it('ignores file parts when file_uploads is off', async () => {
      await start({ file_uploads: false });
      await postMultipart(server.url, multipart([
        { name: 'f', filename: 'a.txt', type: 'text/plain', body: 'a' },
        { name: 'x', body: '1' },
      ]));
      const { body, tmpDirFiles } = await server.next();
      expect(keysOf(body!.files)).to.deep.equal([]);
      expect(body!.post).to.deep.equal(obj({ x: '1' }));
      expect(tmpDirFiles).to.deep.equal([]);
    });

    it('streams a large upload intact', async () => {
      await start({ upload_max_filesize: 20 * MB, post_max_size: 30 * MB });
      const data = Buffer.alloc(12 * MB);
      for (let i = 0; i < data.length; i += 4) data.writeUInt32LE(i, i);
      await postMultipart(server.url, multipart([{ name: 'f', filename: 'big.bin', type: 'application/octet-stream', body: data }]));
      const { body } = await server.next();
      const entry = file(body!, 'f');
      expect(entry.size).to.equal(data.length);
      const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
      expect(digest(readFileSync(entry.tmp_name))).to.equal(digest(data));
    });

    it('falls back to the system temp dir, with PHP\'s notice, when upload_tmp_dir is unusable', async () => {
      await start({ upload_tmp_dir: join(dir, 'missing') });
      await postMultipart(server.url, multipart([{ name: 'f', filename: 'a.txt', type: 'text/plain', body: 'a' }]));
      const { body, warnings } = await server.next();
      const entry = file(body!, 'f');
      try {
        expect(entry.error).to.equal(UPLOAD_ERR_OK);
        expect(entry.tmp_name).to.match(new RegExp(`^${tmpdir()}/php[A-Za-z0-9]{6}$`));
        expect(warnings).to.deep.equal(["PHP Request Startup: file created in the system's temporary directory"]);
      } finally {
        rmSync(entry.tmp_name, { force: true });
      }
    });
  });

  describe('malformed or interrupted bodies', () => {
    it('rejects multipart/form-data without a boundary with a 400 RequestBodyError', async () => {
      await start();
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'whatever' });
      const { error } = await server.next();
      expect(error).to.be.instanceOf(RequestBodyError);
      expect((error as RequestBodyError).status).to.equal(400);
      expect(res.status).to.equal(400);
    });

    it('rejects a body that ends inside a file part, leaving no temp file', async () => {
      await start();
      const raw = multipart([
        { name: 'ok', filename: 'a.txt', type: 'text/plain', body: 'complete' },
        { name: 'cut', filename: 'b.txt', type: 'text/plain', body: 'x'.repeat(100_000) },
      ], { close: false });
      const res = await postMultipart(server.url, raw.subarray(0, raw.length - 50_000));
      const { error, tmpDirFiles } = await server.next();
      expect(error).to.be.instanceOf(RequestBodyError);
      expect(res.status).to.equal(400);
      expect(tmpDirFiles).to.deep.equal([]);
    });

    it('rejects a malformed part header', async () => {
      await start();
      const raw = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nx\r\n--${BOUNDARY}--\r\n`);
      await postMultipart(server.url, raw);
      const { error } = await server.next();
      expect(error).to.be.instanceOf(RequestBodyError);
    });

    it('settles and deletes temp files when the client disconnects mid-upload', async () => {
      await start();
      const raw = multipart([
        { name: 'ok', filename: 'a.txt', type: 'text/plain', body: 'complete' },
        { name: 'cut', filename: 'b.txt', type: 'text/plain', body: Buffer.alloc(1 * MB) },
      ]);
      const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${raw.length}\r\n\r\n`;
      // Half the body, then the socket closes.
      void rawRequest(server.port, Buffer.concat([Buffer.from(head), raw.subarray(0, raw.length / 2)]), { ms: 300 });
      const { error, tmpDirFiles } = await server.next();
      expect(error).to.be.instanceOf(RequestBodyError);
      expect(tmpDirFiles).to.deep.equal([]);
    });

    it('settles when the client disconnects mid-way through an urlencoded body', async () => {
      await start();
      const head = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\na=1';
      void rawRequest(server.port, head, { ms: 200 });
      const { error } = await server.next();
      expect(error).to.be.instanceOf(RequestBodyError);
    });
  });
});
