/**
 * PHP's mail(): the message message.ts builds goes to mail.log, then one of three ways:
 *
 *   sendmail  sendmail_path run through /bin/sh with the message on stdin (PHP's only way on Unix)
 *   smtp      the SMTP/smtp_port server, through nodemailer (PHP's Windows way)
 *   spool     an .eml file in a folder, for the dev server (spool.ts)
 *
 * Nothing here knows about HTTP: the runtime passes the settings, the calling script and a warning
 * sink, and maps ValueError/PhpTypeError to the script as PHP 8.2 throws them.
 * @module
 */
import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { errorLogTime } from '../php/log.ts';
import {
  checkMailArguments,
  formatMessage,
  hasMalformedNewlines,
  originatingScriptHeader,
  type MailArgs,
  type OutgoingMail,
} from './message.ts';
import { writeSpoolMessage } from './spool.ts';

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

/** Receives PHP's warning texts, function prefix included (`mail(): …`). */
export type Warn = (message: string) => void;

/**
 * PHP's mail(). Resolves true when the message was handed over (sendmail exited 0, the SMTP server
 * accepted it, the spool file was written), false with a warning otherwise.
 * Rejects with ValueError or PhpTypeError where PHP 8.2 throws (NUL bytes, invalid array headers).
 */
export async function sendMail(settings: MailSettings, args: MailArgs, warn: Warn): Promise<boolean> {
  const { to, subject, headers, extraCmd } = checkMailArguments(args, settings['mail.force_extra_parameters']);

  if (settings['mail.log']) await writeMailLog(settings['mail.log'], args, to, subject, headers, warn);

  const sep = settings['mail.mixed_lf_and_crlf'] ? '\n' : '\r\n';
  let hdr = headers;
  if (settings['mail.add_x_header']) {
    const xHeader = await originatingScriptHeader(args.scriptPath);
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
