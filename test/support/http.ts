/**
 * Raw HTTP for tests that need what fetch() hides: the exact bytes of the response head, when
 * the response ended, unnormalised paths (`/..%2f`), and duplicate headers.
 */
import { exchange } from './raw-socket.ts';

export interface RawResponse {
  status: number;
  headers: [string, string][];
  head: string;
  body: Buffer;
  /** Milliseconds from sending the request to the end of the response. */
  ms: number;
  header(name: string): string | undefined;
  all(name: string): string[];
}

/**
 * Sends `request` (a full HTTP/1.1 request text or buffer) and reads until the server closes or the response is
 * complete. Rejects when the connection is reset or no complete response came within `timeoutMs`.
 */
export async function rawRequest(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const answer = await exchange(port, request, { timeoutMs, complete: isComplete });
  const data = answer.data;
  if (answer.end === 'timeout') throw new Error(`no complete response within ${timeoutMs} ms: ${data.toString().slice(0, 500)}`);
  if (answer.end === 'reset') throw new Error(`connection reset after ${data.length} bytes: ${data.toString().slice(0, 500)}`);
  const split = data.indexOf('\r\n\r\n');
  const head = data.subarray(0, split).toString('latin1');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = lines.map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]);
  let body: Buffer = data.subarray(split + 4);
  if (headers.some(([n, v]) => n.toLowerCase() === 'transfer-encoding' && v === 'chunked')) body = dechunk(body);
  return {
    status: Number(statusLine!.split(' ')[1]),
    headers,
    head,
    body,
    ms: answer.ms,
    header: (name) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1],
    all: (name) => headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v),
  };
}

/** GET with Connection: close, for paths fetch() would normalise. */
export function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extra}\r\n`);
}

function isComplete(data: Buffer): boolean {
  const split = data.indexOf('\r\n\r\n');
  if (split === -1) return false;
  const head = data.subarray(0, split).toString('latin1').toLowerCase();
  const body = data.subarray(split + 4);
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (length) return body.length >= Number(length[1]);
  if (head.includes('transfer-encoding: chunked')) return body.includes('\r\n0\r\n\r\n') || body.subarray(0, 5).toString() === '0\r\n\r\n';
  return /^http\/1\.1 (1\d\d|204|304)/.test(head);
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i < body.length) {
    const eol = body.indexOf('\r\n', i);
    if (eol === -1) break;
    const size = parseInt(body.subarray(i, eol).toString(), 16);
    if (!size) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
