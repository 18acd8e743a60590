/**
 * PHP's mail(): the argument checks and clean-up of ext/standard/mail.c, the exact bytes PHP
 * writes to the delivery program, mail.log, and three ways to deliver them:
 *
 *   sendmail  sendmail_path run through /bin/sh with the message on stdin (PHP's only way on Unix)
 *   smtp      the SMTP/smtp_port server, through nodemailer (PHP's Windows way)
 *   spool     an .eml file in a folder, for the dev server (mail-spool.ts)
 *
 * Nothing here knows about HTTP: the runtime passes the settings, the calling script and a warning
 * sink, and maps ValueError/PhpTypeError to the script as PHP 8.2 throws them.
 * @module
 */
import { spawn } from 'node:child_process';
import { appendFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { PhpTypeError, ValueError } from './errors.ts';
import { errorLogTime } from './log.ts';
import { writeSpoolMessage } from './mail-spool.ts';

/** The php.ini settings mail() reads, plus how the runtime chose to deliver. */
export interface MailSettings {
  /** php.ini `sendmail_path`; '' = not configured (mail() then returns false, as PHP on Unix without a path). */
  sendmail_path: string;
  /** php.ini `SMTP`: the host for transport 'smtp' ('' = localhost). */
  SMTP: string;
  /** php.ini `smtp_port` (0 = 25). */
  smtp_port: number;
  /** php.ini `sendmail_from`: the SMTP envelope sender; '' = take it from the From: header. */
  sendmail_from: string;
  /** php.ini `mail.add_x_header`: adds `X-PHP-Originating-Script: <uid>:<script basename>`. */
  'mail.add_x_header': boolean;
  /** php.ini `mail.log`: '' or a file to append one line per call to ('syslog' is not supported: warned once). */
  'mail.log': string;
  /** php.ini `mail.mixed_lf_and_crlf` (PHP 8.2.4+): LF instead of CRLF after the lines PHP writes. @default false */
  'mail.mixed_lf_and_crlf'?: boolean;
  /** php.ini `mail.force_extra_parameters`: replaces additional_params when set. @default '' */
  'mail.force_extra_parameters'?: string;
  /** How to deliver, chosen by the runtime from the values above. */
  transport: 'sendmail' | 'smtp' | 'spool';
  /** Where transport 'spool' writes `<timestamp>-<random>.eml`; created when missing. */
  spoolDir: string;
}

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

/** Receives PHP's warning texts, function prefix included (`mail(): …`). */
export type Warn = (message: string) => void;

/**
 * PHP's mail(). Resolves true when the message was handed over (sendmail exited 0, the SMTP server
 * accepted it, the spool file was written), false with a warning otherwise.
 * Rejects with ValueError or PhpTypeError where PHP 8.2 throws (NUL bytes, invalid array headers).
 */
export async function sendMail(settings: MailSettings, args: MailArgs, warn: Warn): Promise<boolean> {
  const { headers, extraCmd } = checkArguments(settings, args);
  const to = cleanHeaderLine(args.to);
  const subject = cleanHeaderLine(args.subject);

  if (settings['mail.log']) await writeMailLog(settings['mail.log'], args, to, subject, headers, warn);

  const sep = settings['mail.mixed_lf_and_crlf'] ? '\n' : '\r\n';
  let hdr = headers;
  if (settings['mail.add_x_header']) {
    const xHeader = `X-PHP-Originating-Script: ${await scriptOwner(args.scriptPath)}:${basename(args.scriptPath)}`;
    hdr = headers === null ? xHeader : xHeader + sep + headers;
  }
  if (hdr !== null && hasMalformedNewlines(hdr)) {
    warn('mail(): Multiple or malformed newlines found in additional_header');
    return false;
  }
  const mail = { to, subject, hdr, message: args.message, sep };

  switch (settings.transport) {
    case 'sendmail':
      if (!settings.sendmail_path) return false;
      return runDeliveryProgram(settings.sendmail_path, extraCmd, formatMessage(mail), warn);
    case 'smtp':
      return sendBySmtp(settings, mail, warn);
    case 'spool':
      try {
        await writeSpoolMessage(settings.spoolDir, formatMessage(mail));
        return true;
      } catch (err) {
        warn(`mail(): Could not write to the mail spool '${settings.spoolDir}': ${(err as Error).message}`);
        return false;
      }
  }
}

// ---------------------------------------------------------------------------------------------
// Arguments

/** PHP's checks in argument order (to, subject, message and params are ZPP paths; headers after). */
function checkArguments(settings: MailSettings, args: MailArgs): { headers: string | null; extraCmd: string | null } {
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

  const forced = settings['mail.force_extra_parameters'];
  const params = forced ? forced : args.additionalParams;
  return { headers: headers === '' ? null : headers, extraCmd: params === undefined ? null : escapeShellCmd(params) };
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

interface OutgoingMail {
  to: string;
  subject: string;
  /** The header block after Subject (x-header and additional headers), or null. */
  hdr: string | null;
  message: string;
  /** What PHP writes after each line it adds: CRLF, or LF with mail.mixed_lf_and_crlf. */
  sep: string;
}

/** The bytes PHP writes to sendmail's stdin. The message body goes out as given. */
function formatMessage({ to, subject, hdr, message, sep }: OutgoingMail): Buffer {
  const head = `To: ${to}${sep}Subject: ${subject}${sep}${hdr === null ? '' : hdr + sep}`;
  return Buffer.from(`${head}${sep}${message}${sep}`, 'utf8');
}

/**
 * php_mail_detect_multiple_crlf(): the block must start with a header name character and may not
 * hold an empty line (CRLF CRLF, LF LF, CR CR …), which would end the headers early.
 */
function hasMalformedNewlines(hdr: string): boolean {
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

/** getmyuid(): the owner of the script file, or the process's uid when it cannot be read. */
async function scriptOwner(scriptPath: string): Promise<number> {
  try {
    return (await stat(scriptPath)).uid;
  } catch {
    return process.getuid?.() ?? 0;
  }
}

// ---------------------------------------------------------------------------------------------
// mail.log

let syslogWarned = false;

/** One line per call, written before delivery: `[date] mail() on [file:line]: To: … -- Headers: … -- Subject: …`. */
async function writeMailLog(
  target: string,
  args: MailArgs,
  to: string,
  subject: string,
  headers: string | null,
  warn: Warn,
): Promise<void> {
  if (target === 'syslog') {
    if (!syslogWarned) warn('mail(): mail.log=syslog is not supported by tsfpm; mail() calls are not logged');
    syslogWarned = true;
    return;
  }
  let line = `mail() on [${args.scriptPath}:${args.line ?? 0}]: To: ${to} -- Headers: ${headers ?? ''} -- Subject: ${subject}`;
  // PHP flattens the line only when there are headers: a folded To or Subject alone keeps its newline
  if (headers !== null) line = line.replace(/[\r\n]/g, ' ');
  try {
    await appendFile(target, `[${errorLogTime()}] ${line}\n`);
  } catch (err) {
    warn(`mail(${target}): Failed to open stream: ${strerror(err as NodeJS.ErrnoException)}`);
  }
}

const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
};

function strerror(err: NodeJS.ErrnoException): string {
  return (err.code && STRERROR[err.code]) || err.message;
}

// ---------------------------------------------------------------------------------------------
// Transport: sendmail_path

/** How long to wait after the program exits for the rest of its stderr (a detached child may hold it open). */
const STDERR_GRACE_MS = 100;

/**
 * popen(sendmail_path + ' ' + params, "w") and pclose(): the message on stdin, true when the
 * program exits 0. A program that exits without reading stdin is judged by its exit status alone.
 */
function runDeliveryProgram(sendmailPath: string, extraCmd: string | null, bytes: Buffer, warn: Warn): Promise<boolean> {
  const command = extraCmd === null ? sendmailPath : `${sendmailPath} ${extraCmd}`;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean, warning?: string): void => {
      if (settled) return;
      settled = true;
      if (warning) warn(warning);
      resolve(ok);
    };

    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'ignore', 'pipe'] });
    child.on('error', (err: NodeJS.ErrnoException) => {
      settle(
        false,
        err.code === 'EACCES'
          ? `mail(): Permission denied: unable to execute shell to run mail delivery binary '${sendmailPath}'`
          : `mail(): Could not execute mail delivery program '${sendmailPath}'`,
      );
    });

    const stderr: Buffer[] = [];
    let stderrBytes = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderrBytes < 4096) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    child.stdin.on('error', () => {}); // EPIPE when the program does not read its stdin
    child.stdin.end(bytes);

    child.on('exit', (code, signal) => {
      const conclude = (): void => {
        child.stderr.destroy();
        if (code === 0) return settle(true);
        const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
        const said = Buffer.concat(stderr).toString('utf8').trim().replace(/\s*\n\s*/g, ' ').slice(0, 500);
        settle(false, `mail(): Mail delivery program '${sendmailPath}' ${how}${said ? `: ${said}` : ''}`);
      };
      if (child.stderr.readableEnded) return conclude();
      const timer = setTimeout(conclude, STDERR_GRACE_MS);
      child.stderr.once('end', () => {
        clearTimeout(timer);
        conclude();
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Transport: SMTP

/**
 * PHP's Windows SMTP client, with nodemailer: plain SMTP to SMTP:smtp_port, no TLS and no login as
 * PHP; envelope sender sendmail_from or the From: header; recipients from To plus the Cc and Bcc
 * headers, as `sendmail -t` and PHP's Windows client do. The message is PHP's bytes without the
 * Bcc header (SMTP itself turns every line ending into CRLF).
 */
async function sendBySmtp(settings: MailSettings, mail: OutgoingMail, warn: Warn): Promise<boolean> {
  const fields = headerFields(mail.hdr ?? '');
  const valuesOf = (name: string): string[] => fields.filter((f) => f.name === name).map((f) => f.value);

  const from = firstAddress(settings.sendmail_from) ?? firstAddress(valuesOf('from')[0] ?? '');
  if (from === undefined) {
    warn('mail(): "sendmail_from" not set in php.ini or custom "From:" header missing');
    return false;
  }
  const recipients = [mail.to, ...valuesOf('cc'), ...valuesOf('bcc')].flatMap(addresses);
  const hdr = fields.some((f) => f.name === 'bcc') ? withoutFields(fields, 'bcc') : mail.hdr;

  const host = settings.SMTP || 'localhost';
  const port = settings.smtp_port || 25;
  const transport = nodemailer.createTransport({ host, port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from, to: recipients }, raw: formatMessage({ ...mail, hdr }) });
    return true;
  } catch (err) {
    const e = err as Error & { command?: string; response?: string };
    if (e.command === 'CONN') {
      warn(
        `mail(): Failed to connect to mailserver at "${host}" port ${port}, verify your "SMTP" and "smtp_port" setting in php.ini or use ini_set()`,
      );
    } else {
      warn(e.response ? `mail(): SMTP server response: ${e.response}` : `mail(): ${e.message}`);
    }
    return false;
  } finally {
    transport.close();
  }
}

interface HeaderField {
  /** Lower-cased name. */
  name: string;
  /** Unfolded value, trimmed. */
  value: string;
  /** The field's text with its folded lines, without the final line break. */
  text: string;
}

/** The fields of a header block, split on any line ending; continuation lines join their field. */
function headerFields(block: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === '') continue;
    const last = fields[fields.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last.text += '\r\n' + line;
      last.value = (last.value + ' ' + line.trim()).trim();
      continue;
    }
    const colon = line.indexOf(':');
    fields.push({
      name: colon < 0 ? '' : line.slice(0, colon).trim().toLowerCase(),
      value: colon < 0 ? '' : line.slice(colon + 1).trim(),
      text: line,
    });
  }
  return fields;
}

function withoutFields(fields: readonly HeaderField[], name: string): string | null {
  const kept = fields.filter((f) => f.name !== name).map((f) => f.text);
  return kept.length === 0 ? null : kept.join('\r\n');
}

function addresses(list: string): string[] {
  return addressparser(list, { flatten: true })
    .map((a) => a.address)
    .filter((a) => a !== '');
}

function firstAddress(list: string): string | undefined {
  return addresses(list)[0];
}
