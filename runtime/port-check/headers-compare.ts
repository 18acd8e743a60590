/**
 * Response headers compared by name, value and PHP's order, and Set-Cookie attribute by attribute. Transport
 * headers, which differ between any two servers whatever the script does, are left out and listed in the report.
 * HTTP dates (Expires, a cookie's expires) are compared as offsets from the response's Date, so that two answers
 * a second apart still match.
 * @module
 */
import { ABSENT, type Difference } from './difference.ts';

/** Not compared: set by the server or the connection, not by the script. */
const TRANSPORT_HEADERS: readonly string[] = ['Date', 'Server', 'Connection', 'Keep-Alive', 'Content-Length', 'Transfer-Encoding', 'X-Powered-By', 'Host'];
/** Why each is left out, for the report. */
export const TRANSPORT_REASON =
  'set by the server, not the script: Date, Server, Connection, Keep-Alive, Content-Length vs chunked Transfer-Encoding, X-Powered-By, and the Host that php -S echoes; ' +
  "and the place of Content-Type in the header order (nginx sends it first, whatever PHP's order)";

const TRANSPORT = new Set(TRANSPORT_HEADERS.map((h) => h.toLowerCase()));

type Headers = readonly (readonly [string, string])[];

/** Both sides' headers, values already masked. Differences come in the order a reader checks them: values, then order, then cookies. */
export function compareHeaders(php: Headers, ts: Headers): Difference[] {
  const phpDate = dateOf(php);
  const tsDate = dateOf(ts);
  const sameValue = (a: string, b: string): boolean => a === b || sameHttpDate(a, phpDate, b, tsDate);
  const differences: Difference[] = [];
  const phpPlain = php.filter(([n]) => !TRANSPORT.has(n.toLowerCase()) && n.toLowerCase() !== 'set-cookie');
  const tsPlain = ts.filter(([n]) => !TRANSPORT.has(n.toLowerCase()) && n.toLowerCase() !== 'set-cookie');
  const names = [...new Set([...phpPlain, ...tsPlain].map(([n]) => n.toLowerCase()))];
  for (const name of names) {
    const a = phpPlain.filter(([n]) => n.toLowerCase() === name);
    const b = tsPlain.filter(([n]) => n.toLowerCase() === name);
    const shown = (a[0] ?? b[0])![0];
    if (a.length !== b.length || a.some(([, v], i) => !sameValue(v, b[i]![1]))) {
      differences.push({ field: `header ${shown}`, php: a.length ? a.map(([, v]) => v).join(' | ') : ABSENT, ts: b.length ? b.map(([, v]) => v).join(' | ') : ABSENT });
    }
  }
  if (differences.length === 0) {
    // nginx sends Content-Type before every other header, whatever PHP's order was: its place is not compared
    const ordered = (list: Headers): Headers => list.filter(([n]) => n.toLowerCase() !== 'content-type');
    const order = (list: Headers): string => ordered(list).map(([n]) => n).join(', ');
    if (order(phpPlain).toLowerCase() !== order(tsPlain).toLowerCase()) {
      differences.push({ field: 'header order', php: order(phpPlain), ts: order(tsPlain) });
    }
  }
  differences.push(...compareSetCookies(setCookies(php), phpDate, setCookies(ts), tsDate));
  return differences;
}

interface ParsedCookie {
  readonly raw: string;
  readonly name: string;
  readonly value: string;
  /** [name as sent, value] in order; a flag (Secure, HttpOnly) has value ''. */
  readonly attributes: ReadonlyArray<readonly [string, string]>;
}

function setCookies(headers: Headers): ParsedCookie[] {
  return headers
    .filter(([n]) => n.toLowerCase() === 'set-cookie')
    .map(([, raw]) => {
      const [pair, ...rest] = raw.split(';');
      const eq = pair!.indexOf('=');
      const attributes = rest.map((part): [string, string] => {
        const at = part.indexOf('=');
        return at < 0 ? [part.trim(), ''] : [part.slice(0, at).trim(), part.slice(at + 1).trim()];
      });
      return { raw, name: eq < 0 ? '' : pair!.slice(0, eq).trim(), value: eq < 0 ? pair!.trim() : pair!.slice(eq + 1).trim(), attributes };
    });
}

function compareSetCookies(php: ParsedCookie[], phpDate: number | undefined, ts: ParsedCookie[], tsDate: number | undefined): Difference[] {
  const differences: Difference[] = [];
  const names = [...new Set([...php, ...ts].map((c) => c.name))];
  for (const name of names) {
    const a = php.filter((c) => c.name === name);
    const b = ts.filter((c) => c.name === name);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const label = `Set-Cookie ${name}${Math.max(a.length, b.length) > 1 ? ` #${i + 1}` : ''}`;
      const x = a[i];
      const y = b[i];
      if (!x || !y) {
        differences.push({ field: label, php: x?.raw ?? ABSENT, ts: y?.raw ?? ABSENT });
        continue;
      }
      if (x.value !== y.value) differences.push({ field: `${label}: value`, php: x.value, ts: y.value });
      const attrs = [...new Set([...x.attributes, ...y.attributes].map(([n]) => n.toLowerCase()))];
      for (const attr of attrs) {
        const u = x.attributes.find(([n]) => n.toLowerCase() === attr);
        const v = y.attributes.find(([n]) => n.toLowerCase() === attr);
        const shown = (u ?? v)![0];
        if (!u || !v) differences.push({ field: `${label}: ${shown}`, php: u ? attributeText(u) : ABSENT, ts: v ? attributeText(v) : ABSENT });
        else if (u[1] !== v[1] && !(attr === 'expires' && sameHttpDate(u[1], phpDate, v[1], tsDate))) {
          differences.push({ field: `${label}: ${shown}`, php: u[1], ts: v[1] });
        }
      }
      const order = (c: ParsedCookie): string => c.attributes.map(([n]) => n.toLowerCase()).join('; ');
      if (!differences.some((d) => d.field.startsWith(`${label}:`)) && order(x) !== order(y)) {
        differences.push({ field: `${label}: attribute order`, php: x.attributes.map(([n]) => n).join('; '), ts: y.attributes.map(([n]) => n).join('; ') });
      }
    }
  }
  return differences;
}

function attributeText([name, value]: readonly [string, string]): string {
  return value === '' ? name : `${name}=${value}`;
}

function dateOf(headers: Headers): number | undefined {
  const date = headers.find(([n]) => n.toLowerCase() === 'date')?.[1];
  const time = date === undefined ? NaN : Date.parse(date);
  return Number.isNaN(time) ? undefined : time;
}

const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2}[ -][A-Z][a-z]{2}[ -]\d{2,4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Two HTTP dates that are the same offset (±1 s) from their responses' Date headers: each side computes
 * `time() + 60` at its own moment. Dates in the past (Thu, 19 Nov 1981) must be equal.
 */
function sameHttpDate(a: string, aNow: number | undefined, b: string, bNow: number | undefined): boolean {
  if (!HTTP_DATE.test(a) || !HTTP_DATE.test(b) || aNow === undefined || bNow === undefined) return false;
  const x = Date.parse(a);
  const y = Date.parse(b);
  if (x < aNow - 60_000 || y < bNow - 60_000) return false;
  return Math.abs(x - aNow - (y - bNow)) <= 1000;
}
