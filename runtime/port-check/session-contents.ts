/**
 * `$_SESSION` as each side stored it after a step, read from the files session folders of the servers port-check
 * started (PHP's `sess_<id>` files, decoded by the project's own codec), and compared variable by variable.
 * @module
 */
import { FilesStore } from '../../sessions/files/files-store.ts';
import { arrayEntries } from '../../sessions/serialize/php-values.ts';
import { decodeSession, type SessionSerializeHandler } from '../../sessions/serialize/session-codec.ts';
import { ABSENT, type Difference } from './difference.ts';
import { phpValueText } from './php-value-text.ts';

/** A files session folder port-check knows, with the serialize handler its server writes. */
export interface SessionFolder {
  readonly savePath: string;
  readonly handler: SessionSerializeHandler;
}

/** The variables of a stored session, each as var_export text, in order; undefined when there is no session file. */
export type SessionSnapshot = ReadonlyArray<readonly [string, string]> | undefined;

/** Reads session `id` from `folder`. A file that cannot be decoded is shown as one entry saying so. */
export async function readSession(folder: SessionFolder, id: string): Promise<SessionSnapshot> {
  let bytes: Buffer | null;
  try {
    bytes = await new FilesStore({ savePath: folder.savePath }).read(id);
  } catch (error) {
    return [['(unreadable)', (error as Error).message]];
  }
  if (bytes === null) return undefined;
  try {
    return arrayEntries(decodeSession(bytes, folder.handler)).map(([key, value]) => [String(key), phpValueText(value)]);
  } catch (error) {
    return [['(undecodable)', `${(error as Error).message}: ${bytes.toString('latin1').slice(0, 200)}`]];
  }
}

/** Differences between the two sides' session contents, texts already masked. */
export function compareSessions(php: SessionSnapshot, ts: SessionSnapshot): Difference[] {
  if (php === undefined && ts === undefined) return [];
  if (php === undefined || ts === undefined) {
    const show = (s: SessionSnapshot): string => (s === undefined ? '(no session)' : `session with ${s.length} variable(s): ${s.map(([k]) => k).join(', ')}`);
    return [{ field: 'session', php: show(php), ts: show(ts) }];
  }
  const differences: Difference[] = [];
  const names = [...new Set([...php, ...ts].map(([k]) => k))];
  for (const name of names) {
    const a = php.find(([k]) => k === name)?.[1];
    const b = ts.find(([k]) => k === name)?.[1];
    if (a !== b) differences.push({ field: `session ${name}`, php: a ?? ABSENT, ts: b ?? ABSENT });
  }
  if (differences.length === 0 && php.map(([k]) => k).join('\0') !== ts.map(([k]) => k).join('\0')) {
    differences.push({ field: 'session order', php: php.map(([k]) => k).join(', '), ts: ts.map(([k]) => k).join(', ') });
  }
  return differences;
}
