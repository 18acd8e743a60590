/**
 * mail(): delivered as PHP delivers it (the message piped to sendmail_path), over SMTP when
 * tsfpm.mail_transport is smtp, or into the dev spool when no sendmail_path is set.
 * @module
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureStack, scriptCallSite } from '../php/call-site.ts';
import { E_WARNING } from '../php/error-reporting.ts';
import { sendMail, type MailSettings } from '../mail/delivery.ts';
import type { RequestIni } from '../settings/settings-table.ts';
import type { RequestContext } from '../request/request-context.ts';

/**
 * The spool folder: tsfpm.mail_spool, or `tsfpm-mail-<hash of the document root's real path>` in the
 * system temp folder, so that each server's page lists its own mail only.
 */
export function spoolDir(ini: RequestIni, docroot: string): string {
  return ini.get('tsfpm.mail_spool') || join(tmpdir(), `tsfpm-mail-${createHash('sha256').update(docroot).digest('hex').slice(0, 16)}`);
}

export function mailSettings(ini: RequestIni, docroot: string): MailSettings {
  const sendmailPath = ini.get('sendmail_path') ?? '';
  const chosen = ini.get('tsfpm.mail_transport') ?? '';
  return {
    sendmail_path: sendmailPath,
    SMTP: ini.get('SMTP') ?? 'localhost',
    smtp_port: ini.int('smtp_port'),
    sendmail_from: ini.get('sendmail_from') ?? '',
    'mail.add_x_header': ini.bool('mail.add_x_header'),
    'mail.log': ini.get('mail.log') ?? '',
    'mail.mixed_lf_and_crlf': ini.bool('mail.mixed_lf_and_crlf'),
    'mail.force_extra_parameters': ini.get('mail.force_extra_parameters') ?? '',
    transport: chosen === 'sendmail' || chosen === 'smtp' || chosen === 'spool' ? chosen : sendmailPath ? 'sendmail' : 'spool',
    spoolDir: spoolDir(ini, docroot),
  };
}

export const mailFunctions = {
  /** mail($to, $subject, $message, $additional_headers = [], $additional_params = ""): resolves when delivery ends. */
  mail(ctx: RequestContext, to: string, subject: string, message: string, additional_headers?: string | Record<string, string | string[]>, additional_params?: string): Promise<boolean> {
    // one capture of the call, two frames (the binding and the script's line), for mail.log's line and the time limit's report
    const call = captureStack(mailFunctions.mail, 2);
    return ctx.awaiting('mail', sendMail(
      mailSettings(ctx.ini, ctx.env.docroot),
      { to, subject, message, additionalHeaders: additional_headers, additionalParams: additional_params, scriptPath: ctx.target.file, line: scriptCallSite(call.stack)?.line ?? 0 },
      (warning) => ctx.raise(E_WARNING, warning),
    ), call);
  },
};
