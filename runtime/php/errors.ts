/**
 * tsfpm's error catalog. Each class carries a stable `code`; php-compat.md lists every code,
 * and a test checks that the two agree.
 *
 * PHP's own exceptions thrown to scripts (ValueError, TypeError) keep PHP's class names and
 * message texts so that ported `catch` blocks and log greps keep working.
 * @module
 */
import { TsfpmError } from '../../sessions/tsfpm-error.ts';
import type { CallSite } from './call-site.ts';

export { TsfpmError };

/** A PHP API function was called where no request is current (outside a script's async context). */
export class NoRequestError extends TsfpmError {
  /** The PHP function called. */
  readonly fn: string;
  constructor(name: string) {
    super('TSFPM_ERR_NO_REQUEST', `${name}() was called outside of a request: request code goes inside the script's \`export default function () { … }\`, or in work it starts`);
    this.fn = name;
  }
}

/** A setting was given a value its validator refuses (php.ini, -d, or the options object). */
export class SettingError extends TsfpmError {
  constructor(name: string, message: string) {
    super('TSFPM_ERR_SETTING', `${name}: ${message}`);
  }
}

/** The request body could not be read: the HTTP status says why (400 malformed, 413 too large, 408 too slow). */
export class RequestBodyError extends TsfpmError {
  readonly status: number;
  constructor(status: number, message: string) {
    super('TSFPM_ERR_BODY', message);
    this.status = status;
  }
}

/**
 * A script module could not be loaded or has no default-exported function: reported as PHP reports a
 * script that does not compile, at `level` (E_PARSE for a syntax error) in the script's file and line.
 */
export class ScriptLoadError extends TsfpmError {
  readonly level: number;
  readonly site: CallSite;
  /** The lines around the error, for the log. */
  readonly frame: string | undefined;
  constructor(level: number, message: string, site: CallSite, frame?: string) {
    super('TSFPM_ERR_SCRIPT_LOAD', message);
    this.level = level;
    this.site = site;
    this.frame = frame;
  }
}

/** The script ran past max_execution_time before it finished its response. */
export class TimeLimitError extends TsfpmError {
  constructor(seconds: number) {
    super('TSFPM_ERR_TIME_LIMIT', `Maximum execution time of ${seconds} second${seconds === 1 ? '' : 's'} exceeded`);
  }
}

/** A finished request's background tail ran past tsfpm.tail_timeout. */
export class TailTimeoutError extends TsfpmError {
  constructor(seconds: number) {
    super('TSFPM_ERR_TAIL_TIMEOUT', `background work after fastcgi_finish_request() exceeded tsfpm.tail_timeout (${seconds} s)`);
  }
}

/**
 * Thrown by exit()/die() to unwind the script, as PHP's unwind_exit does. The runtime treats it as a
 * normal end. A script that catches every error will swallow it: rethrow `ExitSignal` from broad catches.
 */
export class ExitSignal extends TsfpmError {
  readonly status: number | string;
  constructor(status: number | string) {
    super('TSFPM_EXIT', 'exit()');
    this.status = status;
  }
}

/** PHP's ValueError, with PHP's message text. */
export class ValueError extends Error {
  override name = 'ValueError';
}

/**
 * PHP's TypeError, or its subclass ArgumentCountError (named by `phpClass`), with PHP's message text.
 * Distinct from JS's TypeError so `instanceof` tells them apart.
 */
export class PhpTypeError extends Error {
  override readonly name: string;
  readonly phpClass: 'TypeError' | 'ArgumentCountError';

  constructor(message: string, phpClass: 'TypeError' | 'ArgumentCountError' = 'TypeError') {
    super(message);
    this.phpClass = phpClass;
    this.name = phpClass;
  }
}

/** A thrown value in one line for a log: `Name: message` for an Error, else its string. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
