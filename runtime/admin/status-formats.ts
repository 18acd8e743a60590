/**
 * PHP-FPM's status page (sapi/fpm/fpm/fpm_status.c) rendered from a PoolSnapshot: plain text,
 * JSON, XML and OpenMetrics, with PHP-FPM's fields in its order and names, then tsfpm's own
 * (background tails, session locks, workers) after them. `&full` adds one entry per live request
 * where PHP-FPM lists one per child process: tsfpm has no idle processes to list.
 *
 * Fields are described once (label, kind, OpenMetrics name) and every format walks the same lists,
 * so a field added here shows up everywhere in the same place.
 * @module
 */
import type { PoolSnapshot, RequestSnapshot } from './snapshot.ts';
import { htmlspecialchars } from '../php/html-escape.ts';
import { withDefaultCharset } from '../php/header-list.ts';

export type StatusFormat = 'text' | 'json' | 'xml' | 'html' | 'openmetrics';

/** `time`: unix seconds (CLF date in text); `cpu`: PHP's `%.2f`; `seconds`: a float of seconds. */
type Kind = 'string' | 'int' | 'time' | 'cpu' | 'seconds';

interface Metric {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
}

interface Field<T> {
  /** The key in text and JSON; XML uses it with dashes. */
  readonly label: string;
  /** PHP-FPM's text label where it differs from the JSON key ("request URI"). */
  readonly textLabel?: string;
  readonly kind: Kind;
  readonly value: (from: T, now: number) => string | number;
  readonly metric?: Metric;
}

const pool = (
  label: string,
  kind: Kind,
  value: (s: PoolSnapshot, now: number) => string | number,
  metric?: Metric,
): Field<PoolSnapshot> => ({ label, kind, value, ...(metric && { metric }) });

const gauge = (name: string, help: string): Metric => ({ name, type: 'gauge', help });
const counter = (name: string, help: string): Metric => ({ name, type: 'counter', help });

/** PHP-FPM's pool fields, in fpm_status.c's order, with its OpenMetrics names and help texts. */
const PHP_FPM_FIELDS: readonly Field<PoolSnapshot>[] = [
  pool('pool', 'string', (s) => s.pool),
  pool('process manager', 'string', (s) => s.processManager),
  pool('start time', 'time', (s) => s.startTime),
  pool('start since', 'int', (s, now) => Math.max(0, now - s.startTime), counter('phpfpm_start_since', 'The number of seconds since FPM has started.')),
  pool('accepted conn', 'int', (s) => s.acceptedConn, counter('phpfpm_accepted_connections', 'The number of requests accepted by the pool.')),
  pool('listen queue', 'int', (s) => s.listenQueue, gauge('phpfpm_listen_queue', 'The number of requests in the queue of pending connections.')),
  pool('max listen queue', 'int', (s) => s.maxListenQueue, counter('phpfpm_max_listen_queue', 'The maximum number of requests in the queue of pending connections since FPM has started.')),
  pool('listen queue len', 'int', (s) => s.listenQueueLen, gauge('phpfpm_listen_queue_length', 'The size of the socket queue of pending connections.')),
  pool('idle processes', 'int', (s) => s.idleProcesses, gauge('phpfpm_idle_processes', 'The number of idle processes.')),
  pool('active processes', 'int', (s) => s.activeProcesses, gauge('phpfpm_active_processes', 'The number of active processes.')),
  pool('total processes', 'int', (s) => s.totalProcesses, gauge('phpfpm_total_processes', 'The number of idle + active processes.')),
  pool('max active processes', 'int', (s) => s.maxActiveProcesses, counter('phpfpm_max_active_processes', 'The maximum number of active processes since FPM has started.')),
  pool('max children reached', 'int', (s) => s.maxChildrenReached, counter('phpfpm_max_children_reached', "The number of times, the process limit has been reached, when pm tries to start more children (works only for pm 'dynamic' and 'ondemand').")),
  pool('slow requests', 'int', (s) => s.slowRequests, counter('phpfpm_slow_requests', "The number of requests that exceeded your 'request_slowlog_timeout' value.")),
];

/**
 * tsfpm's own pool fields. Labels stay within 20 characters so that, as PHP-FPM's, their values
 * start at column 23 of the text format.
 */
const TSFPM_FIELDS: readonly Field<PoolSnapshot>[] = [
  pool('workers', 'int', (s) => s.workers, gauge('tsfpm_workers', 'The number of worker processes serving the pool (tsfpm.workers).')),
  pool('background tails', 'int', (s) => s.tails, gauge('tsfpm_background_tails', 'Requests running their background tail after fastcgi_finish_request().')),
  pool('tail queue', 'int', (s) => s.tailQueue, gauge('tsfpm_tail_queue', 'Finished requests waiting for a tail slot (tsfpm.tail_overflow = wait).')),
  pool('max tails', 'int', (s) => s.maxTails, gauge('tsfpm_max_tails', 'The tail budget (tsfpm.max_tails).')),
  pool('tails refused', 'int', (s) => s.tailsRefused, counter('tsfpm_tails_refused', 'Background tails not started because tsfpm.max_tails were running (tsfpm.tail_overflow = refuse).')),
  pool('listen queue refused', 'int', (s) => s.listenQueueRefused, counter('tsfpm_listen_queue_refused', 'Requests answered 503 because the listen queue (listen.backlog) was full.')),
  pool('session locks held', 'int', (s) => s.locksHeld, gauge('tsfpm_session_locks_held', 'Session locks held by requests now.')),
  pool('session lock waiters', 'int', (s) => s.lockWaiters, gauge('tsfpm_session_lock_waiters', 'Requests waiting for a session lock now.')),
  pool('session lock waits', 'int', (s) => s.lockWaits, counter('tsfpm_session_lock_waits', 'Session lock waits that ended (acquired or timed out).')),
  pool('lock wait seconds', 'seconds', (s) => s.lockWaitSeconds, counter('tsfpm_session_lock_waited_seconds', 'Seconds requests spent waiting for session locks.')),
  pool('lock waits timed out', 'int', (s) => s.lockTimeouts, counter('tsfpm_session_lock_timeouts', 'Session lock waits that gave up without the lock.')),
];

/** The pool fields of every format: PHP-FPM's, then tsfpm's. */
const POOL_FIELDS: readonly Field<PoolSnapshot>[] = [...PHP_FPM_FIELDS, ...TSFPM_FIELDS];

const request = (label: string, kind: Kind, value: (r: RequestSnapshot, now: number) => string | number, textLabel?: string): Field<RequestSnapshot> => ({
  label,
  kind,
  value,
  ...(textLabel && { textLabel }),
});

/**
 * One live request, as PHP-FPM's `&full` describes a child. "requests" (1), "user" (-), "last
 * request cpu" and "last request memory" (0) are placeholders: a request is not a process.
 * "session lock" is tsfpm's own.
 */
const REQUEST_FIELDS: readonly Field<RequestSnapshot>[] = [
  request('pid', 'int', (r) => r.pid),
  request('state', 'string', (r) => r.state),
  request('start time', 'time', (r) => r.startTime),
  request('start since', 'int', (r, now) => Math.max(0, now - r.startTime)),
  request('requests', 'int', () => 1),
  request('request duration', 'int', (r) => r.requestDuration),
  request('request method', 'string', (r) => r.requestMethod || '-'),
  request('request uri', 'string', (r) => r.requestUri || '-', 'request URI'),
  request('content length', 'int', (r) => r.contentLength),
  request('user', 'string', () => '-'),
  request('script', 'string', (r) => r.script || '-'),
  request('last request cpu', 'cpu', () => 0),
  request('last request memory', 'int', () => 0),
  request('session lock', 'string', (r) => (r.sessionLocked ? 'held' : r.state === 'Waiting for session lock' ? 'waiting' : '-')),
];

/** Which format a status query asks for, with PHP-FPM's precedence (html, xml, json, openmetrics, text) and `full`. */
export function statusQuery(search: string): { format: StatusFormat; full: boolean } {
  const q = new URLSearchParams(search);
  const format = (['html', 'xml', 'json', 'openmetrics'] as const).find((f) => q.has(f)) ?? 'text';
  return { format, full: q.has('full') };
}

/** The Content-Type of each format: PHP-FPM's, with PHP's default_charset added to text/* types as PHP's SAPI does. */
export function statusContentType(format: StatusFormat, charset: string): string {
  if (format === 'json') return 'application/json';
  if (format === 'openmetrics') return 'application/openmetrics-text; version=1.0.0; charset=utf-8';
  return withDefaultCharset(format === 'html' ? 'text/html' : format === 'xml' ? 'text/xml' : 'text/plain', charset);
}

/** Unix seconds of `ms`. */
export const unixNow = (ms = Date.now()): number => Math.floor(ms / 1000);

/** strftime("%d/%b/%Y:%H:%M:%S %z") in local time, as PHP-FPM's text format: `25/Nov/2026:20:16:49 +0000`. */
function clfTime(unix: number): string {
  // Date#toString's layout is fixed by ECMAScript: "Wed Nov 25 2026 20:16:49 GMT+0000 (…)"
  const [, month, day, year, time, zone] = new Date(unix * 1000).toString().split(' ');
  return `${day}/${month}/${year}:${time} ${zone!.slice(3)}`;
}

const seconds = (value: number): number => Math.round(value * 1e6) / 1e6;

function plain(kind: Kind, value: string | number): string {
  if (kind === 'cpu') return Number(value).toFixed(2);
  if (kind === 'seconds') return String(seconds(Number(value)));
  return String(value);
}

/** PHP-FPM's text format: labels padded so values start at column 23, `&full` entries after a line of stars. */
export function renderText(s: PoolSnapshot, full: boolean, now = unixNow()): string {
  const line = <T>(f: Field<T>, from: T): string => {
    const raw = f.value(from, now);
    return `${`${f.textLabel ?? f.label}:`.padEnd(21)} ${f.kind === 'time' ? clfTime(Number(raw)) : plain(f.kind, raw)}\n`;
  };
  let out = POOL_FIELDS.map((f) => line(f, s)).join('');
  if (full) for (const r of s.requests) out += '\n************************\n' + REQUEST_FIELDS.map((f) => line(f, r)).join('');
  return out;
}

function jsonObject<T>(fields: readonly Field<T>[], from: T, now: number): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const f of fields) {
    const raw = f.value(from, now);
    out[f.label] = f.kind === 'seconds' ? seconds(Number(raw)) : raw;
  }
  return out;
}

/** PHP-FPM's JSON: the text format's keys, unix-second times, `"processes":[…]` with `&full`. */
export function renderJson(s: PoolSnapshot, full: boolean, now = unixNow()): string {
  const body: Record<string, unknown> = jsonObject(POOL_FIELDS, s, now);
  if (full) body['processes'] = s.requests.map((r) => jsonObject(REQUEST_FIELDS, r, now));
  return JSON.stringify(body);
}

/** PHP-FPM's XML: one element per field, names with dashes, unix-second times, `<processes>` with `&full`. */
export function renderXml(s: PoolSnapshot, full: boolean, now = unixNow()): string {
  const element = <T>(f: Field<T>, from: T): string => {
    const name = f.label.replace(/ /g, '-');
    return `<${name}>${htmlspecialchars(plain(f.kind, f.value(from, now)))}</${name}>`;
  };
  let out = '<?xml version="1.0" ?>\n<status>\n' + POOL_FIELDS.map((f) => element(f, s) + '\n').join('');
  if (full) out += '<processes>\n' + s.requests.map((r) => `<process>${REQUEST_FIELDS.map((f) => element(f, r)).join('')}</process>\n`).join('') + '</processes>\n';
  return out + '</status>';
}

const helpText = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/**
 * PHP-FPM's OpenMetrics: phpfpm_up and its phpfpm_* families as fpm_status.c names them (its
 * counters without the `_total` suffix, as PHP-FPM emits them), then tsfpm_* (counters with
 * `_total`), then `# EOF`. `&full` adds nothing, as in PHP-FPM.
 */
export function renderOpenMetrics(s: PoolSnapshot, now = unixNow()): string {
  let out =
    `# HELP phpfpm_up Could pool ${helpText(s.pool)} using a ${helpText(s.processManager)} PM on PHP-FPM be reached?\n` +
    '# TYPE phpfpm_up gauge\nphpfpm_up 1\n';
  for (const f of POOL_FIELDS) {
    if (!f.metric) continue;
    const { name, type, help } = f.metric;
    const sample = type === 'counter' && name.startsWith('tsfpm_') ? `${name}_total` : name;
    out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${sample} ${plain(f.kind, f.value(s, now))}\n`;
  }
  return out + '# EOF\n';
}
