/**
 * The message PHP's mail() builds (ext/standard/mail.c, PHP 8.2): the argument checks, the clean-up of `to` and
 * `subject`, additional_headers as a string or in PHP's array form, escapeshellcmd() over additional_params, the
 * X-PHP-Originating-Script header, and the exact bytes PHP hands to the delivery program. Delivering them is
 * delivery.ts's job.
 * @module
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { PhpTypeError, ValueError } from '../php/errors.ts';

/** mail()'s additional_headers: a string as given, or PHP's array form (`['Cc' => ['a', 'b']]`). */
export type MailHeaders = string | Record<string, string | string[]>;

/** One mail() call. */
export interface MailArgs {
  to: string;
  subject: string;
  message: string;
  additionalHeaders?: MailHeaders;
  additionalParams?: string;
  /** The calling script: its basename goes into the x-header, its path into mail.log. */
  scriptPath: string;
  /** The line of the mail() call, for mail.log; 0 when unknown. */
  line?: number;
}

// ---------------------------------------------------------------------------------------------
// Arguments

/** A mail() call's arguments after PHP's checks and clean-up. */
export interface CheckedMail {
  to: string;
  subject: string;
  /** additional_headers as one block, or null when empty. */
  headers: string | null;
  /** additional_params (or mail.force_extra_parameters) through escapeshellcmd(), or null when not given. */
  extraCmd: string | null;
}

/**
 * PHP's checks in argument order (to, subject, message and params are ZPP paths; headers after), then the clean-up
 * of `to` and `subject`. `forcedParams` is mail.force_extra_parameters, which replaces additional_params when set.
 * @throws ValueError or PhpTypeError where PHP 8.2 throws (NUL bytes, invalid array headers)
 */
export function checkMailArguments(args: MailArgs, forcedParams?: string): CheckedMail {
  refuseNul(args.to, 1, 'to');
  refuseNul(args.subject, 2, 'subject');
  refuseNul(args.message, 3, 'message');
  if (args.additionalParams !== undefined) refuseNul(args.additionalParams, 5, 'additional_params');

  let headers: string | null = null;
  if (typeof args.additionalHeaders === 'string') {
    refuseNul(args.additionalHeaders, 4, 'additional_headers');
    headers = trimEnd(args.additionalHeaders, ' \t\n\r\v\0');
  } else if (args.additionalHeaders !== undefined) {
    headers = buildHeaders(args.additionalHeaders);
  }

  const params = forcedParams ? forcedParams : args.additionalParams;
  return {
    to: cleanHeaderLine(args.to),
    subject: cleanHeaderLine(args.subject),
    headers: headers === '' ? null : headers,
    extraCmd: params === undefined ? null : escapeShellCmd(params),
  };
}

/** Right trim by a loop: a `[…]+$` regex is quadratic on long runs of inner whitespace. */
function trimEnd(value: string, chars: string): string {
  let end = value.length;
  while (end > 0 && chars.includes(value[end - 1]!)) end--;
  return value.slice(0, end);
}

function refuseNul(value: string, position: number, name: string): void {
  if (value.includes('\0')) throw new ValueError(`mail(): Argument #${position} ($${name}) must not contain any null bytes`);
}

/**
 * PHP's clean-up of `to` and `subject`: trailing whitespace goes, control characters become spaces,
 * except a CRLF followed by space or tab (a folded header line), which stays with its indentation.
 */
function cleanHeaderLine(value: string): string {
  const s = trimEnd(value, ' \t\n\v\f\r');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c !== 127) {
      out += s[i];
    } else if (c === 13 && s[i + 1] === '\n' && (s[i + 2] === ' ' || s[i + 2] === '\t')) {
      let end = i + 2;
      while (s[end] === ' ' || s[end] === '\t') end++;
      out += s.slice(i, end);
      i = end - 1;
    } else {
      out += ' ';
    }
  }
  return out;
}

/** Headers RFC 2822 allows once: PHP refuses an array of values for them. */
const SINGLE_HEADERS = new Set(['orig-date', 'from', 'sender', 'reply-to', 'cc', 'bcc', 'message-id', 'references', 'in-reply-to']);

/** php_mail_build_headers(): `Name: value` lines joined by CRLF, with PHP 8.2's errors. */
function buildHeaders(headers: unknown): string {
  const lines: string[] = [];
  for (const [key, value] of phpArrayEntries(headers)) {
    if (isNumericKey(key)) throw new PhpTypeError(`Header name cannot be numeric, ${key} given`);
    const lower = key.toLowerCase();
    if (lower === 'to' || lower === 'subject') {
      throw new ValueError(`The additional headers cannot contain the "${lower === 'to' ? 'To' : 'Subject'}" header`);
    }
    if (typeof value === 'string') {
      lines.push(headerLine(key, value));
    } else if (isPhpArray(value)) {
      if (SINGLE_HEADERS.has(lower)) throw new PhpTypeError(`Header "${lower}" must be of type string, array given`);
      for (const [index, item] of phpArrayEntries(value)) {
        if (!isNumericKey(index)) throw new PhpTypeError(`Header "${key}" must only contain numeric keys, "${index}" found`);
        if (typeof item !== 'string') {
          throw new PhpTypeError(`Header "${key}" must only contain values of type string, ${phpTypeName(item)} found`);
        }
        lines.push(headerLine(key, item));
      }
    } else {
      throw new PhpTypeError(`Header "${key}" must be of type array|string, ${phpTypeName(value)} given`);
    }
  }
  return lines.join('\r\n');
}

/** One `Name: value` line after PHP's checks of the name (printable ASCII, no colon) and the value (folding only). */
function headerLine(name: string, value: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126 || c === 58) throw new ValueError(`Header name "${name}" contains invalid characters`);
  }
  const problem = headerValueProblem(value);
  if (problem) throw new ValueError(`Header "${name}" contains ${problem}`);
  return `${name}: ${value}`;
}

function headerValueProblem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\r') {
      if (value[i + 1] !== '\n') return 'CR character that is not allowed in the header';
      if (value[i + 2] === ' ' || value[i + 2] === '\t') {
        i += 2;
        continue;
      }
      return 'CRLF characters that are used as a line separator and are not allowed in the header';
    }
    // PHP accepts LF-only folding too: many setups fold that way
    if (c === '\n') {
      if (value[i + 1] === ' ' || value[i + 1] === '\t') {
        i += 1;
        continue;
      }
      return 'LF character that is not allowed in the header';
    }
    if (c === '\0') return 'NULL character that is not allowed in the header';
  }
  return undefined;
}

/** A JS array or plain object stands for a PHP array; other objects are objects. */
function isPhpArray(value: unknown): value is object {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function phpArrayEntries(value: unknown): [string, unknown][] {
  return isPhpArray(value) ? Object.entries(value) : [];
}

/** A key PHP would store as an integer ("0", "-3", not "01"). */
function isNumericKey(key: string): boolean {
  return /^(?:0|-?[1-9]\d*)$/.test(key) && Number.isSafeInteger(Number(key));
}

/** The type name PHP 8.2 prints in TypeErrors for a value that came from JS. */
function phpTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'Closure';
    default:
      return isPhpArray(value) ? 'array' : ((value as object).constructor?.name ?? 'object');
  }
}

/**
 * PHP's escapeshellcmd() on Unix: backslash before shell metacharacters and before quotes that
 * have no partner; characters that are not valid UTF-8 (lone surrogates here) are dropped.
 */
export function escapeShellCmd(command: string): string {
  let out = '';
  let openQuote: string | null = null;
  let i = 0;
  for (const ch of command) {
    const at = i;
    i += ch.length;
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) continue;
    if (ch === '"' || ch === "'") {
      if (openQuote === null && command.indexOf(ch, at + 1) !== -1) openQuote = ch;
      else if (openQuote === ch) openQuote = null;
      else out += '\\';
      out += ch;
    } else {
      if ('#&;`|*?~<>^()[]{}$\\\n'.includes(ch)) out += '\\';
      out += ch;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The message

/** What goes into the message bytes. */
export interface OutgoingMail {
  to: string;
  subject: string;
  /** The header block after Subject (x-header and additional headers), or null. */
  hdr: string | null;
  message: string;
  /** What PHP writes after each line it adds: CRLF, or LF with mail.mixed_lf_and_crlf. */
  sep: string;
}

/** The bytes PHP writes to sendmail's stdin. The message body goes out as given. */
export function formatMessage({ to, subject, hdr, message, sep }: OutgoingMail): Buffer {
  const head = `To: ${to}${sep}Subject: ${subject}${sep}${hdr === null ? '' : hdr + sep}`;
  return Buffer.from(`${head}${sep}${message}${sep}`, 'utf8');
}

/**
 * php_mail_detect_multiple_crlf(): the block must start with a header name character and may not
 * hold an empty line (CRLF CRLF, LF LF, CR CR …), which would end the headers early.
 */
export function hasMalformedNewlines(hdr: string): boolean {
  if (hdr === '') return false;
  const first = hdr.charCodeAt(0);
  if (first < 33 || first > 126 || first === 58) return true;
  for (let i = 0; i < hdr.length; ) {
    const c = hdr[i];
    const next = hdr[i + 1] ?? '';
    if (c === '\r') {
      if (next === '' || next === '\r' || (next === '\n' && ['', '\n', '\r'].includes(hdr[i + 2] ?? ''))) return true;
      i += 2;
    } else if (c === '\n') {
      if (next === '' || next === '\r' || next === '\n') return true;
      i += 2;
    } else {
      i++;
    }
  }
  return false;
}

/** `X-PHP-Originating-Script: <uid>:<script basename>`, the header mail.add_x_header adds. */
export async function originatingScriptHeader(scriptPath: string): Promise<string> {
  return `X-PHP-Originating-Script: ${await scriptOwner(scriptPath)}:${basename(scriptPath)}`;
}

/** getmyuid(): the owner of the script file, or the process's uid when it cannot be read. */
async function scriptOwner(scriptPath: string): Promise<number> {
  try {
    return (await stat(scriptPath)).uid;
  } catch {
    return process.getuid?.() ?? 0;
  }
}
