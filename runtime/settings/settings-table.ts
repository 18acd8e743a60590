/**
 * The settings table: every php.ini name tsfpm knows, with its built-in default, the value of
 * php.ini-development (the dev server) and of php.ini-production (production mode), where it may
 * be changed, and how its value is read. Settings are resolved once at start-up, validated, and
 * frozen; a request sees them through `RequestIni`, which adds PHP's per-request ini_set().
 *
 * Names tsfpm does not know are kept as given so that ini_get() returns them, as PHP does for
 * extensions' settings.
 * @module
 */
import { SettingError } from '../php/errors.ts';
import { iniBool, iniQuantity } from './ini-values.ts';
import { responseHeadersProblem } from './header-lines.ts';
import { sessionSettingProblem } from '../../sessions/session-settings.ts';

/** Where a setting may be changed, as PHP's PHP_INI_* modes. */
export const INI_USER = 1;
const INI_PERDIR = 2;
const INI_SYSTEM = 4;
const INI_ALL = 7;

type Kind = 'bool' | 'int' | 'quantity' | 'string';

interface Row {
  readonly kind: Kind;
  /** PHP's built-in default (`php -n`). */
  readonly builtin: string;
  /** php.ini-development; defaults to builtin. */
  readonly dev?: string;
  /** php.ini-production; defaults to dev. */
  readonly prod?: string;
  readonly mode: number;
  /** Extra check after the kind's own parsing; returns an error message or undefined. */
  readonly check?: (value: string) => string | undefined;
  /**
   * What an unusable value does at start-up. `default`: as PHP, a `PHP Startup:` warning and the value is ignored
   * (the default, or an earlier source's value, stays). `refuse`: tsfpm does not start, as PHP-FPM refuses a bad
   * pool configuration. Unset: `refuse` for PHP-FPM's pool settings and tsfpm's own, `default` for PHP's.
   */
  readonly invalid?: 'refuse' | 'default';
}

/** PHP-FPM's pool settings and tsfpm's own: running with a value they cannot use is not safe. */
const POOL_SETTING = /^(?:tsfpm\.|pm$|pm\.|listen\.|ping\.|request_terminate_timeout|request_slowlog_|slowlog$|process_control_timeout$|security\.)/;

function refusesInvalid(name: string, row: Row): boolean {
  return (row.invalid ?? (POOL_SETTING.test(name) ? 'refuse' : 'default')) === 'refuse';
}

const positive = (v: string): string | undefined => (Number(v) > 0 ? undefined : 'must be greater than 0');

/** Every setting tsfpm reads. php-compat.md has a row for each name. */
const TABLE = {
  // Output and headers
  output_buffering: { kind: 'quantity', builtin: '0', dev: '4096', mode: INI_PERDIR | INI_SYSTEM },
  implicit_flush: { kind: 'bool', builtin: '0', mode: INI_ALL },
  default_charset: { kind: 'string', builtin: 'UTF-8', mode: INI_ALL },
  default_mimetype: { kind: 'string', builtin: 'text/html', mode: INI_ALL },
  expose_php: { kind: 'bool', builtin: '1', dev: '1', prod: '0', mode: INI_SYSTEM },
  // Errors
  display_errors: { kind: 'bool', builtin: '1', dev: '1', prod: '0', mode: INI_ALL },
  display_startup_errors: { kind: 'bool', builtin: '1', dev: '1', prod: '0', mode: INI_ALL },
  html_errors: { kind: 'bool', builtin: '1', mode: INI_ALL },
  log_errors: { kind: 'bool', builtin: '1', mode: INI_ALL },
  error_log: { kind: 'string', builtin: '', mode: INI_ALL },
  error_reporting: { kind: 'int', builtin: '32767', dev: '32767', prod: '22527', mode: INI_ALL },
  // Limits and time
  max_execution_time: { kind: 'int', builtin: '30', mode: INI_ALL },
  ignore_user_abort: { kind: 'bool', builtin: '0', mode: INI_ALL },
  // Request input
  variables_order: { kind: 'string', builtin: 'EGPCS', dev: 'GPCS', mode: INI_PERDIR | INI_SYSTEM },
  request_order: { kind: 'string', builtin: '', dev: 'GP', mode: INI_PERDIR | INI_SYSTEM },
  post_max_size: { kind: 'quantity', builtin: '8M', mode: INI_PERDIR | INI_SYSTEM },
  upload_max_filesize: { kind: 'quantity', builtin: '2M', mode: INI_PERDIR | INI_SYSTEM },
  max_file_uploads: { kind: 'int', builtin: '20', mode: INI_PERDIR | INI_SYSTEM },
  file_uploads: { kind: 'bool', builtin: '1', mode: INI_SYSTEM },
  upload_tmp_dir: { kind: 'string', builtin: '', mode: INI_SYSTEM },
  max_input_vars: { kind: 'int', builtin: '1000', mode: INI_PERDIR | INI_SYSTEM, check: positive },
  max_input_nesting_level: { kind: 'int', builtin: '64', mode: INI_PERDIR | INI_SYSTEM },
  max_multipart_body_parts: { kind: 'int', builtin: '-1', mode: INI_PERDIR | INI_SYSTEM },
  enable_post_data_reading: { kind: 'bool', builtin: '1', mode: INI_PERDIR | INI_SYSTEM },
  // Mail
  sendmail_path: { kind: 'string', builtin: '/usr/sbin/sendmail -t -i', dev: '', prod: '/usr/sbin/sendmail -t -i', mode: INI_SYSTEM },
  SMTP: { kind: 'string', builtin: 'localhost', mode: INI_ALL },
  smtp_port: { kind: 'int', builtin: '25', mode: INI_ALL },
  sendmail_from: { kind: 'string', builtin: '', mode: INI_ALL },
  'mail.add_x_header': { kind: 'bool', builtin: '0', mode: INI_PERDIR | INI_SYSTEM },
  'mail.log': { kind: 'string', builtin: '', mode: INI_PERDIR | INI_SYSTEM },
  'mail.mixed_lf_and_crlf': { kind: 'bool', builtin: '0', mode: INI_SYSTEM | INI_PERDIR },
  'mail.force_extra_parameters': { kind: 'string', builtin: '', mode: INI_SYSTEM | INI_PERDIR },
  // Sessions (ext/session; php.ini-development and -production change sid_length, sid_bits_per_character, gc_divisor)
  // A session setting PHP cannot use makes PHP warn at start-up and keep its default (ext/session's OnUpdate
  // handlers), or, for an unknown save or serialize handler, fail at session_start(): tsfpm does the same.
  'session.save_handler': { kind: 'string', builtin: 'files', mode: INI_ALL, invalid: 'default', check: (v) => sessionSettingProblem('session.save_handler', v, 'startup') },
  'session.save_path': { kind: 'string', builtin: '', mode: INI_ALL },
  'session.name': { kind: 'string', builtin: 'PHPSESSID', mode: INI_ALL, invalid: 'default', check: (v) => sessionSettingProblem('session.name', v, 'startup') },
  'session.auto_start': { kind: 'bool', builtin: '0', mode: INI_PERDIR | INI_SYSTEM },
  'session.gc_probability': { kind: 'int', builtin: '1', mode: INI_ALL, invalid: 'default' },
  'session.gc_divisor': { kind: 'int', builtin: '100', dev: '1000', mode: INI_ALL, invalid: 'default' },
  'session.gc_maxlifetime': { kind: 'int', builtin: '1440', mode: INI_ALL, invalid: 'default' },
  'session.serialize_handler': { kind: 'string', builtin: 'php', mode: INI_ALL },
  'session.cookie_lifetime': { kind: 'int', builtin: '0', mode: INI_ALL, invalid: 'default', check: (v) => sessionSettingProblem('session.cookie_lifetime', v, 'startup') },
  'session.cookie_path': { kind: 'string', builtin: '/', mode: INI_ALL },
  'session.cookie_domain': { kind: 'string', builtin: '', mode: INI_ALL },
  'session.cookie_secure': { kind: 'bool', builtin: '0', mode: INI_ALL },
  'session.cookie_httponly': { kind: 'bool', builtin: '0', dev: '', mode: INI_ALL },
  'session.cookie_samesite': { kind: 'string', builtin: '', mode: INI_ALL },
  'session.use_strict_mode': { kind: 'bool', builtin: '0', mode: INI_ALL },
  'session.use_cookies': { kind: 'bool', builtin: '1', mode: INI_ALL },
  'session.use_only_cookies': { kind: 'bool', builtin: '1', mode: INI_ALL },
  'session.lazy_write': { kind: 'bool', builtin: '1', mode: INI_ALL },
  'session.sid_length': { kind: 'int', builtin: '32', dev: '26', mode: INI_ALL, invalid: 'default', check: (v) => sessionSettingProblem('session.sid_length', v, 'startup') },
  'session.sid_bits_per_character': { kind: 'int', builtin: '4', dev: '5', mode: INI_ALL, invalid: 'default', check: (v) => sessionSettingProblem('session.sid_bits_per_character', v, 'startup') },
  'session.cache_limiter': { kind: 'string', builtin: 'nocache', mode: INI_ALL },
  'session.referer_check': { kind: 'string', builtin: '', mode: INI_ALL },
  // URLs are not rewritten to carry session IDs (php-compat.md): on in the configuration is reported and left off
  'session.use_trans_sid': { kind: 'bool', builtin: '0', mode: INI_ALL, invalid: 'default', check: (v) => (iniBool(v) ? 'tsfpm does not rewrite URLs to carry session IDs; sessions travel in cookies' : undefined) },
  'session.cache_expire': { kind: 'int', builtin: '180', mode: INI_ALL, invalid: 'default' },
  // phpredis' session settings (6.x defaults); tsfpm locks by default where phpredis does not
  'redis.session.locking_enabled': { kind: 'bool', builtin: '1', mode: INI_ALL },
  'redis.session.lock_expire': { kind: 'int', builtin: '0', mode: INI_ALL, invalid: 'default' },
  'redis.session.lock_wait_time': { kind: 'int', builtin: '20000', mode: INI_ALL, invalid: 'default' },
  'redis.session.lock_retries': { kind: 'int', builtin: '100', mode: INI_ALL, invalid: 'default' },
  // tsfpm's session settings
  'tsfpm.session_lock_timeout': { kind: 'int', builtin: '30', mode: INI_ALL },
  'tsfpm.session_lock_readonly': { kind: 'bool', builtin: '0', mode: INI_ALL },
  'tsfpm.session_lock_slow_log': { kind: 'int', builtin: '10', mode: INI_ALL },
  'tsfpm.session_redis_format': { kind: 'string', builtin: 'express', mode: INI_ALL, check: (v) => (['express', 'phpredis'].includes(v) ? undefined : 'must be express or phpredis') },
  'tsfpm.session_secret': { kind: 'string', builtin: '', mode: INI_SYSTEM },
  'tsfpm.session_user_handler_lock': { kind: 'bool', builtin: '0', mode: INI_ALL },
  // Script cache: the dev server rechecks every request, as php -S without opcache does
  'opcache.validate_timestamps': { kind: 'bool', builtin: '1', mode: INI_ALL },
  'opcache.revalidate_freq': { kind: 'int', builtin: '2', dev: '0', prod: '2', mode: INI_ALL },
  // PHP-FPM pool settings (php-fpm.conf); a "child" here is a slot for a script that has not finished its response
  'security.limit_extensions': { kind: 'string', builtin: '.ts', mode: INI_SYSTEM },
  pm: { kind: 'string', builtin: 'static', mode: INI_SYSTEM, check: (v) => (['static', 'dynamic', 'ondemand'].includes(v) ? undefined : 'must be static, dynamic or ondemand') },
  'pm.max_children': { kind: 'int', builtin: '512', mode: INI_SYSTEM, check: positive },
  'pm.max_requests': { kind: 'int', builtin: '0', mode: INI_SYSTEM },
  'pm.status_path': { kind: 'string', builtin: '', dev: '/fpm-status', prod: '', mode: INI_SYSTEM },
  'ping.path': { kind: 'string', builtin: '', mode: INI_SYSTEM },
  'ping.response': { kind: 'string', builtin: 'pong', mode: INI_SYSTEM },
  'listen.backlog': { kind: 'int', builtin: '511', mode: INI_SYSTEM },
  request_terminate_timeout: { kind: 'int', builtin: '0', mode: INI_SYSTEM },
  request_terminate_timeout_track_finished: { kind: 'bool', builtin: '0', mode: INI_SYSTEM },
  request_slowlog_timeout: { kind: 'int', builtin: '0', mode: INI_SYSTEM },
  request_slowlog_trace_depth: { kind: 'int', builtin: '20', mode: INI_SYSTEM },
  slowlog: { kind: 'string', builtin: '', mode: INI_SYSTEM },
  process_control_timeout: { kind: 'int', builtin: '300', mode: INI_SYSTEM },
  // tsfpm's own
  'tsfpm.tail_timeout': { kind: 'int', builtin: '300', mode: INI_SYSTEM, check: positive },
  'tsfpm.max_tails': { kind: 'int', builtin: '10000', mode: INI_SYSTEM, check: positive },
  'tsfpm.tail_overflow': { kind: 'string', builtin: 'wait', mode: INI_SYSTEM, check: (v) => (['wait', 'refuse'].includes(v) ? undefined : 'must be wait or refuse') },
  'tsfpm.tails_hold_children': { kind: 'bool', builtin: '0', mode: INI_SYSTEM },
  'tsfpm.workers': { kind: 'int', builtin: '1', mode: INI_SYSTEM, check: positive },
  'tsfpm.metrics_path': { kind: 'string', builtin: '', dev: '/fpm-metrics', prod: '', mode: INI_SYSTEM },
  'tsfpm.status_allow': { kind: 'string', builtin: '127.0.0.1 ::1', mode: INI_SYSTEM },
  'tsfpm.response_headers': { kind: 'string', builtin: '', prod: 'X-Content-Type-Options: nosniff|X-Frame-Options: SAMEORIGIN|Referrer-Policy: strict-origin-when-cross-origin', mode: INI_SYSTEM, check: responseHeadersProblem },
  'tsfpm.max_header_size': { kind: 'quantity', builtin: '16K', mode: INI_SYSTEM, check: (v) => (iniQuantity(v, 'tsfpm.max_header_size', () => {}) > 0 ? undefined : 'must be greater than 0') },
  'tsfpm.max_headers_count': { kind: 'int', builtin: '100', mode: INI_SYSTEM, check: positive },
  'tsfpm.header_timeout': { kind: 'int', builtin: '20', mode: INI_SYSTEM, check: positive },
  'tsfpm.request_timeout': { kind: 'int', builtin: '300', mode: INI_SYSTEM },
  'tsfpm.keepalive_timeout': { kind: 'int', builtin: '5', mode: INI_SYSTEM },
  'tsfpm.keepalive_requests': { kind: 'int', builtin: '1000', mode: INI_SYSTEM },
  'tsfpm.finish_closes_session': { kind: 'bool', builtin: '1', mode: INI_SYSTEM },
  'tsfpm.mail_transport': { kind: 'string', builtin: '', mode: INI_SYSTEM, check: (v) => (['', 'sendmail', 'smtp', 'spool'].includes(v) ? undefined : 'must be sendmail, smtp, spool or empty') },
  'tsfpm.mail_spool': { kind: 'string', builtin: '', mode: INI_SYSTEM },
  'tsfpm.mail_page': { kind: 'string', builtin: '', dev: '/_tsfpm/mail', prod: '', mode: INI_SYSTEM },
} as const satisfies Record<string, Row>;

export const SETTINGS: Readonly<Record<string, Row>> = Object.freeze(TABLE);

/** A setting of the table. */
export type SettingName = keyof typeof TABLE;

/** The JS type a setting's value has once parsed: booleans, numbers (quantities in bytes) and strings. */
export type SettingValue<N extends SettingName> = (typeof TABLE)[N]['kind'] extends 'bool' ? boolean : (typeof TABLE)[N]['kind'] extends 'string' ? string : number;

/** Every setting of the table, parsed by its kind once per server. */
export type TypedSettings = { readonly [N in SettingName]: SettingValue<N> };

/** A value parsed as its kind reads it (zend_ini_parse_bool, atol, zend_ini_parse_quantity). */
function parseAs(kind: Kind, value: string): string | number | boolean {
  switch (kind) {
    case 'bool':
      return iniBool(value);
    case 'int':
      return Number.parseInt(value, 10) || 0;
    case 'quantity':
      return iniQuantity(value, '', () => {});
    case 'string':
      return value;
  }
}

export type Mode = 'development' | 'production';

/** Where one value came from, in the order they are applied (later wins). */
export interface SettingSource {
  readonly name: string;
  readonly value: string;
  /** For messages: `php.ini:12`, `-d`, `options`. */
  readonly origin: string;
}

/** Resolved, validated, frozen settings for a server. */
export class IniSettings {
  readonly mode: Mode;
  /** The table's settings as typed values; what requests read when no ini_set() changed them. */
  readonly typed: TypedSettings;
  readonly #values: ReadonlyMap<string, string>;
  /** The typed values again, one map per kind: what a request reads several times each, by name. */
  readonly #byKind: { readonly [K in Kind]: ReadonlyMap<string, string | number | boolean> };

  constructor(mode: Mode, sources: readonly SettingSource[], warn: (message: string) => void = () => {}) {
    this.mode = mode;
    const values = new Map<string, string>();
    for (const [name, row] of Object.entries(SETTINGS)) {
      values.set(name, defaultFor(row, mode));
    }
    for (const { name, value, origin } of sources) {
      const row = SETTINGS[name];
      if (row && !validate(name, row, value, origin, warn)) continue;
      values.set(name, value);
    }
    this.#values = values;
    const typed: Record<string, string | number | boolean> = Object.create(null);
    const byKind = { bool: new Map(), int: new Map(), quantity: new Map(), string: new Map() };
    for (const [name, row] of Object.entries(SETTINGS)) {
      typed[name] = parseAs(row.kind, values.get(name)!);
      byKind[row.kind].set(name, typed[name]);
    }
    this.typed = Object.freeze(typed) as TypedSettings;
    this.#byKind = byKind;
    Object.freeze(this);
  }

  /** The parsed value of `name` when the table reads it as `kind`, else undefined. */
  typedAs(name: string, kind: Kind): string | number | boolean | undefined {
    return this.#byKind[kind].get(name);
  }

  /** The raw string, as ini_get() returns it; undefined for a name never set. */
  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  names(): IterableIterator<string> {
    return this.#values.keys();
  }
}

function defaultFor(row: Row, mode: Mode): string {
  const dev = row.dev ?? row.builtin;
  return mode === 'production' ? (row.prod ?? dev) : dev;
}

/** Whether `value` is used: false when PHP would warn and keep the default (`invalid: 'default'`). */
function validate(name: string, row: Row, value: string, origin: string, warn: (message: string) => void): boolean {
  const fail = (why: string): false => {
    if (refusesInvalid(name, row)) throw new SettingError(name, `${why} (value "${value}" from ${origin})`);
    warn(`PHP Warning:  PHP Startup: ${name}: ${why} (value "${value}" from ${origin}); the value is ignored`);
    return false;
  };
  if (row.kind === 'int' && !/^\s*[-+]?\d+\s*$/.test(value)) return fail('must be an integer');
  if (row.kind === 'quantity') iniQuantity(value, name, warn);
  const problem = row.check?.(value);
  return problem ? fail(problem) : true;
}

/** Reads typed values through the per-request overlay that ini_set() writes. */
export class RequestIni {
  readonly #base: IniSettings;
  #overlay: Map<string, string> | undefined;

  constructor(base: IniSettings) {
    this.#base = base;
  }

  get(name: string): string | undefined {
    return this.#overlay?.get(name) ?? this.#base.get(name);
  }

  /** The server's parsed value while no ini_set() changed `name` and the table reads it as `kind`. */
  #typed(name: string, kind: Kind): string | number | boolean | undefined {
    return this.#overlay?.has(name) ? undefined : this.#base.typedAs(name, kind);
  }

  bool(name: string): boolean {
    return (this.#typed(name, 'bool') as boolean | undefined) ?? iniBool(this.get(name) ?? '');
  }

  int(name: string): number {
    return (this.#typed(name, 'int') as number | undefined) ?? (Number.parseInt(this.get(name) ?? '0', 10) || 0);
  }

  quantity(name: string): number {
    return (this.#typed(name, 'quantity') as number | undefined) ?? iniQuantity(this.get(name) ?? '0', name, () => {});
  }

  /**
   * ini_set(): returns the old value, or false where PHP refuses: a name no extension registered
   * (even one given with -d), or one not changeable at runtime.
   */
  set(name: string, value: string): string | false {
    const row = SETTINGS[name];
    const old = this.get(name);
    if (row === undefined || (row.mode & INI_USER) === 0) return false;
    if (row?.kind === 'int' && !/^\s*[-+]?\d+\s*$/.test(value)) return false;
    (this.#overlay ??= new Map()).set(name, value);
    return old ?? false;
  }

  /** ini_restore() */
  restore(name: string): void {
    this.#overlay?.delete(name);
  }
}
