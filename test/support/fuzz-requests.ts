/**
 * Seeded random HTTP requests for the fuzz test: request lines, paths, headers, bodies, cookies
 * and session IDs, from well-formed to garbage, as raw bytes. The same seed always gives the same
 * requests, so a failure can be replayed.
 */

/** mulberry32: a small, fast 32-bit PRNG; good enough to pick cases, and reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** `n` random bytes as a latin1 string (one character per byte). */
  bytes(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += String.fromCharCode(this.int(256));
    return out;
  }
  /** `n` characters from `alphabet`. */
  text(n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}

/** One generated request. */
export interface FuzzRequest {
  /** What was generated, for the failure report. */
  readonly kind: string;
  /** The bytes to send (latin1). */
  readonly bytes: Buffer;
  /** Half-close after sending (a truncated body then "closes"); otherwise the client waits. */
  readonly halfClose: boolean;
}

/** The document root's scripts and files the generator aims at (see the fuzz test). */
const TARGETS = ['/echo.ts', '/session.ts', '/upload.ts', '/finish.ts', '/static.txt', '/', '/echo', '/echo.php', '/nothing', '/dir/', '/_tsfpm/mail', '/fpm-status'];

const JUNK_SEGMENTS = [
  '..', '%2e%2e', '%2E%2e', '.%2e', '%c0%ae%c0%ae', '%e0%80%ae', '%252e%252e', '%5c', '\\', '%00', '%zz', '%', '%4', '%u002e',
  '.env', '.git', 'a b', '%20', '%ff%fe', 'ü', '%C3%BC', '*', '~', ';', 'x'.repeat(300), '%2f', '//',
];

const QUERY_JUNK = [
  'a=%zz', 'b=%', 'c=%4', 'd[=1', 'e[][]=x', 'f[a][b][c][d]=1', '__proto__[x]=1', 'constructor[prototype][x]=1', 'a.b=1', 'a b=2',
  'PHPSESSID=../../x', '%00=1', '=x', '&&&', 'g[]=1&g[]=2', 'h=%E0%A4%A', 'i=' + 'z'.repeat(2000),
];

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE'];
const BAD_METHODS = ['get', 'BREW', '', 'G\0T', 'PRI', 'GET GET', '\x16\x03\x01'];
const BAD_VERSIONS = ['HTTP/2.0', 'HTTP/1.x', '', 'HTTP/9.9', 'http/1.1', 'HTTP/1.1 extra', 'HTTP/01.1'];

/** Where a request is broken, if anywhere: about half are well-formed HTTP (with hostile content). */
type Defect = 'none' | 'method' | 'version' | 'host' | 'header' | 'body' | 'line-ends' | 'cut' | 'garbage';
const DEFECTS: readonly Defect[] = ['none', 'none', 'none', 'none', 'none', 'none', 'none', 'method', 'version', 'host', 'header', 'header', 'body', 'body', 'body', 'line-ends', 'cut', 'garbage'];

function path(r: Random): string {
  let p = r.pick(TARGETS);
  if (r.chance(0.2)) {
    const segments = Array.from({ length: 1 + r.int(5) }, () => r.pick(JUNK_SEGMENTS));
    p = r.chance(0.5) ? '/' + segments.join('/') + p : p.replace(/\/?$/, '/') + segments.join('/');
  }
  if (r.chance(0.05)) p += r.bytes(1 + r.int(8)).replace(/[\r\n]/g, '');
  if (r.chance(0.03)) p = '/' + 'p'.repeat(5000 + r.int(20000));
  if (r.chance(0.4)) p += '?' + Array.from({ length: 1 + r.int(4) }, () => r.pick(QUERY_JUNK)).join('&');
  if (r.chance(0.02)) p = r.pick(['*', 'http://evil.example/x', '', 'echo.ts', '/echo.ts#frag']);
  return p;
}

/** Session IDs: a few valid ones shared between requests (lock contention), and junk. */
function sessionId(r: Random): string {
  return r.pick([
    'fuzzsession0000000000000a1', 'fuzzsession0000000000000b2', 'fuzzsession0000000000000c3', 'fuzzsession0000000000000d4',
    '', '../../etc/passwd', 'a/b', '%00abc', 'abc%00def', 'x'.repeat(300), 'has space', 'sess.1', '"quoted"', 'ü', '-,-,', r.text(r.int(40)),
  ]);
}

function cookie(r: Random): string {
  const pairs = Array.from({ length: r.int(5) }, () =>
    r.pick([`PHPSESSID=${sessionId(r)}`, ';;;=', 'a=1', 'a[b]=2', 'a[=3', ' =', '__Host-x=1', 'x=%zz', `big=${'c'.repeat(r.int(6000))}`, r.bytes(r.int(20)).replace(/[\r\n]/g, '')]),
  );
  return pairs.join(r.pick(['; ', ';', ',']));
}

interface Body {
  readonly headers: string[];
  readonly body: string;
  readonly kind: string;
  /** The body is shorter than announced. */
  readonly truncated: boolean;
}

function urlencoded(r: Random): string {
  return Array.from({ length: r.int(8) }, () => r.pick([...QUERY_JUNK, r.bytes(r.int(30))])).join('&');
}

function multipart(r: Random, boundary: string, broken: boolean): string {
  const parts: string[] = [];
  for (let i = 0, n = r.int(5); i < n; i++) {
    const name = r.pick(['f', 'f', 'g[]', 'h[a][b]', 'x', '', 'a]b', 'MAX_FILE_SIZE', '__proto__']);
    if (r.chance(0.5)) {
      const data = r.chance(0.1) ? 'F'.repeat(150_000) : r.bytes(r.int(3000));
      parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${r.pick(['a.txt', '../../x', '', 'ü.bin', 'a"b'])}"\r\nContent-Type: ${r.pick(['text/plain', 'application/octet-stream', ''])}\r\n\r\n${data}\r\n`);
    } else {
      parts.push(`--${boundary}\r\nContent-Disposition: form-data${r.chance(0.9) ? `; name="${name}"` : ''}\r\n\r\n${r.pick(['1', '%zz', r.bytes(r.int(50))])}\r\n`);
    }
  }
  const end = broken ? r.pick(['', `--${boundary}\r\nContent-Disp`, '--other--\r\n', r.bytes(r.int(100))]) : `--${boundary}--\r\n`;
  return parts.join('') + end;
}

function chunked(r: Random, payload: string): string {
  const out: string[] = [];
  for (let i = 0; i < payload.length; i += 1 + r.int(2000)) {
    const piece = payload.slice(i, i + 1000);
    out.push(`${piece.length.toString(16)}\r\n${piece}\r\n`);
  }
  return out.join('') + '0\r\n\r\n';
}

function body(r: Random, method: string, broken: boolean): Body {
  if (method !== 'POST' && method !== 'PUT' && !r.chance(0.1)) return { headers: [], body: '', kind: 'no body', truncated: false };
  const boundary = r.pick(['XyZ', '----WebKitFormBoundary7MA4YWxkTrZu0gW', 'a', 'x'.repeat(70)]);
  const form = r.int(4);
  let type: string;
  let payload: string;
  let kind: string;
  if (form === 0) {
    [type, payload, kind] = ['application/x-www-form-urlencoded', urlencoded(r), 'urlencoded'];
  } else if (form === 1 || form === 2) {
    type = r.pick([`multipart/form-data; boundary=${boundary}`, `multipart/form-data; boundary="${boundary}"`, `multipart/form-data; boundary=${boundary}; charset=utf-8`]);
    [payload, kind] = [multipart(r, boundary, broken), 'multipart'];
  } else {
    [type, payload, kind] = [r.pick(['application/json', 'text/plain', '', 'x/y; a=b']), r.bytes(r.int(500)), 'raw'];
  }
  const headers = type ? [`Content-Type: ${type}`] : [];
  if (broken && kind !== 'multipart') {
    const framing = r.int(3);
    if (framing === 0) {
      headers.push(`Content-Length: ${Buffer.byteLength(payload, 'latin1') + 1 + r.int(5000)}`);
      return { headers, body: payload, kind: `${kind}, truncated`, truncated: true };
    }
    if (framing === 1) {
      headers.push('Transfer-Encoding: chunked');
      return { headers, body: r.pick(['zz\r\nab\r\n0\r\n\r\n', 'ffffffffffffffffff\r\nab\r\n0\r\n\r\n', '2\r\nabc\r\n0\r\n\r\n', '-1\r\nab\r\n', '2;' + 'e'.repeat(20000) + '\r\nab\r\n0\r\n\r\n']), kind: `${kind}, bad chunks`, truncated: false };
    }
    headers.push(r.pick(['Content-Length: abc', 'Content-Length: -1', 'Content-Length: 1, 2', 'Content-Length: 3\r\nContent-Length: 4', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked, chunked', 'Content-Length: 5\r\nTransfer-Encoding: chunked', 'Content-Length: 99999999999999999999']));
    return { headers, body: payload, kind: `${kind}, bad framing`, truncated: false };
  }
  if (r.chance(0.25)) {
    headers.push('Transfer-Encoding: chunked');
    return { headers, body: chunked(r, payload), kind: `${kind}, chunked`, truncated: false };
  }
  headers.push(`Content-Length: ${Buffer.byteLength(payload, 'latin1')}`);
  return { headers, body: payload, kind, truncated: false };
}

/** Headers a client may well send, hostile in content but well-formed. */
function extraHeaders(r: Random): string[] {
  return Array.from({ length: r.int(5) }, () =>
    r.pick([
      'Host: second.example', 'X-Dup: 1', 'X-Dup: 2', `X-Long: ${'h'.repeat(r.int(3000))}`, 'Expect: 100-continue', 'Upgrade: websocket',
      'Accept-Encoding: gzip', 'Range: bytes=0-1', 'Range: bytes=junk', 'If-None-Match: *', 'X-Forwarded-For: 1.2.3.4', 'Authorization: Basic %%%',
      'Proxy: evil', `Cookie: ${cookie(r)}`, `X-Latin1: ${r.text(10, 'éüßÿ')}`,
    ]),
  );
}

/** One header that breaks the head: syntax, size, count, bytes. */
function badHeaders(r: Random): string[] {
  const which = r.int(7);
  if (which === 0) return Array.from({ length: 51 + r.int(100) }, (_, i) => `X-Many-${i}: ${i}`);
  return [
    r.pick([
      `X-Huge: ${'h'.repeat(9000 + r.int(20000))}`, `X-Bin: ${r.bytes(1 + r.int(40))}`, 'NoColon', ' Leading: space', 'X-Fold: a\r\n folded',
      'Expect: nonsense', 'Bad Name: 1', `Cookie: big=${'c'.repeat(9000)}`,
    ]),
  ];
}

/** One request: half well-formed (with hostile paths, queries, cookies and bodies), half broken in one place. */
export function fuzzRequest(r: Random): FuzzRequest {
  const defect = r.pick(DEFECTS);
  if (defect === 'garbage') return { kind: 'garbage', bytes: Buffer.from(r.bytes(1 + r.int(3000)) + (r.chance(0.5) ? '\r\n\r\n' : ''), 'latin1'), halfClose: r.chance(0.8) };
  const method = defect === 'method' ? r.pick(BAD_METHODS) : r.pick(METHODS);
  const version = defect === 'version' ? r.pick(BAD_VERSIONS) : r.chance(0.9) ? 'HTTP/1.1' : 'HTTP/1.0';
  const b = body(r, method, defect === 'body');
  const headers = [
    ...(defect === 'host' ? [] : ['Host: fuzz.example']),
    ...(r.chance(0.97) ? ['Connection: close'] : []),
    ...(r.chance(0.4) ? [`Cookie: ${cookie(r)}`] : []),
    ...extraHeaders(r),
    ...(defect === 'header' ? badHeaders(r) : []),
    ...b.headers,
  ];
  const eol = defect === 'line-ends' ? r.pick(['\n', '\r', '\r\r\n']) : '\r\n';
  const text = `${method} ${path(r)} ${version}${eol}${headers.map((h) => h + eol).join('')}${eol}${b.body}`;
  const cut = defect === 'cut' ? r.int(text.length) : text.length;
  return {
    kind: `${defect}: ${method || '(no method)'} ${b.kind}`,
    bytes: Buffer.from(text.slice(0, cut), 'latin1'),
    // most cut requests are followed by the client closing; the rest wait for the server's timeouts
    halfClose: b.truncated || defect === 'cut' ? r.chance(0.75) : false,
  };
}
