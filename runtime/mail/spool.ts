/**
 * The dev mail spool: mail() with transport 'spool' writes each message, byte for byte what PHP
 * would pipe to sendmail, to `<spoolDir>/<timestamp>-<random>.eml`. The dev server lists the
 * folder as an HTML page (renderSpoolPage) and serves each raw message (readSpoolMessage) under
 * that page's path. Only plain `*.eml` basenames are ever opened, so a URL cannot leave the folder.
 * The folder is private to the user running the server (0700, messages 0600): mail holds password-reset
 * links, and the system temp folder is shared; one owned by another user is refused, not used.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { htmlspecialchars } from '../php/html-escape.ts';

/** One spooled message, as the listing shows it. */
export interface SpoolEntry {
  /** The file's basename (`20261125-215800-123-9f86d081884c.eml`). */
  readonly file: string;
  /** When it was spooled: from the file name, or the file's mtime for files dropped in by hand. */
  readonly date: Date;
  /** The To: header, unfolded, encoded words decoded; '' when absent. */
  readonly to: string;
  /** The Subject: header, likewise. */
  readonly subject: string;
  /** Size in bytes. */
  readonly size: number;
}

/** `YYYYMMDD-HHMMSS-mmm-<12 hex>.eml`, UTC: the names sort by time. */
const SPOOL_NAME = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(\d{3})-[0-9a-f]{12}\.eml$/;

/** A file the spool may open: a basename ending in .eml, not hidden, no separators. */
const PLAIN_EML = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.eml$/;

/** Headers are read from at most this many bytes at the start of each file. */
const HEAD_BYTES = 64 * 1024;

let lastStamp = 0;

/**
 * Writes one message to the spool, creating the folder when missing, and returns the file's name.
 * Stamps increase within the process, so names sort in the order messages were sent.
 */
export async function writeSpoolMessage(spoolDir: string, bytes: Buffer): Promise<string> {
  const ms = Math.max(Date.now(), lastStamp + 1);
  lastStamp = ms;
  const iso = new Date(ms).toISOString(); // 2026-11-25T21:58:00.123Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${iso.slice(20, 23)}`;
  const file = `${stamp}-${randomBytes(6).toString('hex')}.eml`;
  await mkdir(spoolDir, { recursive: true, mode: 0o700 });
  await checkPrivate(spoolDir);
  await writeFile(join(spoolDir, file), bytes, { flag: 'wx', mode: 0o600 });
  return file;
}

/**
 * The spool folder must be a real folder of this user's: in a shared temp folder another user could
 * have made it first (to read the mail, or to plant messages). A folder of ours left readable by others
 * (made by an older tsfpm) is made private.
 */
async function checkPrivate(spoolDir: string): Promise<void> {
  const info = await lstat(spoolDir);
  if (!info.isDirectory()) throw new Error(`${spoolDir} is not a folder`);
  if (process.getuid && info.uid !== process.getuid()) throw new Error(`${spoolDir} belongs to another user (uid ${info.uid}); refusing to use it`);
  if ((info.mode & 0o077) !== 0) await chmod(spoolDir, 0o700);
}

/** The spooled messages, newest first. A missing folder is an empty spool. */
export async function listSpool(spoolDir: string): Promise<SpoolEntry[]> {
  let names: string[];
  try {
    await checkPrivate(spoolDir);
    names = (await readdir(spoolDir, { withFileTypes: true })).filter((d) => d.isFile() && PLAIN_EML.test(d.name)).map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const entries = await Promise.all(names.map((name) => readEntry(spoolDir, name)));
  return entries
    .filter((e): e is SpoolEntry => e !== undefined)
    .sort((a, b) => b.date.getTime() - a.date.getTime() || (a.file < b.file ? 1 : a.file > b.file ? -1 : 0));
}

async function readEntry(spoolDir: string, file: string): Promise<SpoolEntry | undefined> {
  let handle;
  try {
    handle = await open(join(spoolDir, file), 'r');
  } catch {
    return undefined; // removed since the listing
  }
  try {
    const info = await handle.stat();
    const head = Buffer.alloc(Math.min(info.size, HEAD_BYTES));
    await handle.read(head, 0, head.length, 0);
    const fields = parseHeaders(head.toString('utf8'));
    return {
      file,
      date: dateFromName(file) ?? info.mtime,
      to: fields.get('to') ?? '',
      subject: fields.get('subject') ?? '',
      size: info.size,
    };
  } finally {
    await handle.close();
  }
}

function dateFromName(file: string): Date | undefined {
  const m = SPOOL_NAME.exec(file);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!));
}

/** The first value of each header field (lower-cased names), unfolded and decoded. */
function parseHeaders(text: string): Map<string, string> {
  const end = text.search(/\r?\n\r?\n/);
  const block = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const fields = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, decodeEncodedWords(line.slice(colon + 1).trim()));
  }
  return fields;
}

/** RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`), as scripts write non-ASCII subjects. */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (word: string, charset: string, encoding: string, text: string) => {
      try {
        const bytes =
          encoding.toUpperCase() === 'B'
            ? Buffer.from(text, 'base64')
            : Buffer.from(
                text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m: string, hex: string) => String.fromCharCode(parseInt(hex, 16))),
                'latin1',
              );
        return new TextDecoder(charset.replace(/\*.*$/, '')).decode(bytes);
      } catch {
        return word; // unknown charset: show it as written
      }
    });
}

/**
 * The raw bytes of one spooled message, or undefined when `file` is not a plain `*.eml` basename
 * (`../x.eml`, `a/b.eml`, `.hidden.eml`), is not a regular file, or does not exist.
 * Serve it as `text/plain; charset=utf-8` so that the browser shows it.
 */
export async function readSpoolMessage(spoolDir: string, file: string): Promise<Buffer | undefined> {
  if (!PLAIN_EML.test(file)) return undefined;
  const path = join(spoolDir, file);
  try {
    await checkPrivate(spoolDir);
    if (!(await lstat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The spool page: a self-contained HTML table of the messages, each subject linking to
 * `<basePath>/<file>` for the raw message. Every text from the messages is escaped.
 */
export function renderSpoolPage(entries: readonly SpoolEntry[], basePath: string): string {
  const base = basePath.replace(/\/+$/, '');
  const rows = entries
    .map((e) => {
      const href = `${base}/${encodeURIComponent(e.file)}`;
      const when = e.date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
      return (
        `<tr><td><time datetime="${htmlspecialchars(e.date.toISOString())}">${htmlspecialchars(when)}</time></td>` +
        `<td>${htmlspecialchars(e.to)}</td>` +
        `<td><a href="${htmlspecialchars(href)}">${e.subject ? htmlspecialchars(e.subject) : '<em>(no subject)</em>'}</a></td>` +
        `<td class="size">${htmlspecialchars(formatSize(e.size))}</td></tr>`
      );
    })
    .join('\n');
  const count = `${entries.length} message${entries.length === 1 ? '' : 's'}, newest first. Each subject opens the raw message.`;
  const body =
    entries.length === 0
      ? '<p class="empty">No messages yet. Mail sent with <code>mail()</code> shows up here.</p>'
      : `<p class="count">${count}</p>\n<table>\n<thead><tr><th>Date</th><th>To</th><th>Subject</th><th>Size</th></tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mail spool · tsfpm</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
p.count, p.empty { color: #666; margin: 0 0 1.5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
th { font-weight: 600; color: #555; border-bottom-width: 2px; }
td { overflow-wrap: anywhere; }
td.size { text-align: right; white-space: nowrap; color: #666; }
time { white-space: nowrap; font-variant-numeric: tabular-nums; }
a { color: #0b57d0; text-decoration: none; }
a:hover { text-decoration: underline; }
@media (prefers-color-scheme: dark) {
  body { background: #161616; color: #ddd; }
  th, td { border-color: #333; }
  a { color: #8ab4f8; }
}
</style>
</head>
<body>
<h1>Mail spool</h1>
${body}
</body>
</html>
`;
}
