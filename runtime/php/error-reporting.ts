/**
 * PHP's error levels and how a raised error is shown: logged (log_errors, error_log) and, with
 * display_errors, printed into the response as PHP's html_errors format.
 * @module
 */
import type { CallSite } from './call-site.ts';
import { htmlspecialchars } from './html-escape.ts';

export const E_ERROR = 1;
export const E_WARNING = 2;
export const E_PARSE = 4;
export const E_NOTICE = 8;
export const E_USER_ERROR = 256;
export const E_USER_WARNING = 512;
export const E_USER_NOTICE = 1024;
export const E_STRICT = 2048;
export const E_DEPRECATED = 8192;
export const E_USER_DEPRECATED = 16384;
export const E_ALL = 32767;

/** The word PHP prints for a level (main.c php_error_cb). */
function levelName(level: number): string {
  switch (level) {
    case E_ERROR:
    case E_USER_ERROR:
      return 'Fatal error';
    case E_PARSE:
      return 'Parse error';
    case E_WARNING:
    case E_USER_WARNING:
      return 'Warning';
    case E_NOTICE:
    case E_USER_NOTICE:
      return 'Notice';
    case E_DEPRECATED:
    case E_USER_DEPRECATED:
      return 'Deprecated';
    default:
      return 'Unknown error';
  }
}

function where(site: CallSite | undefined): { file: string; line: number } {
  return site ?? { file: 'Unknown', line: 0 };
}

/** `PHP Warning:  message in /path/x.ts on line 3` (two spaces, as PHP). */
export function formatLogLine(level: number, message: string, site: CallSite | undefined): string {
  const { file, line } = where(site);
  return `PHP ${levelName(level)}:  ${message} in ${file} on line ${line}`;
}

/** What display_errors prints into the output. */
export function formatDisplay(level: number, message: string, site: CallSite | undefined, html: boolean): string {
  const { file, line } = where(site);
  if (html) {
    return `<br />\n<b>${levelName(level)}</b>:  ${htmlspecialchars(message)} in <b>${htmlspecialchars(file)}</b> on line <b>${line}</b><br />\n`;
  }
  return `\n${levelName(level)}: ${message} in ${file} on line ${line}\n`;
}
