/**
 * php-src's ext/session/tests/save_handler.inc for the ported tests: the same user save handler functions, printing
 * the same lines, storing each session in `<save_path>/session_test_<id>`. The runner copies this file next to the
 * scripts as `_save_handler.ts`. PHP's file functions become node:fs calls; `unlink()` warns as PHP's does.
 */
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync, closeSync, openSync } from 'node:fs';
import { echo, E_USER_WARNING, trigger_error } from 'tsfpm';

export const SESSION_FILE_PREFIX = 'session_test_';

// the .inc file's globals
let session_save_path = '';
let name = '';

const time = (): number => Math.floor(Date.now() / 1000);

/** touch(): creates the file or updates its times. */
function touch(file: string): boolean {
  closeSync(openSync(file, 'a'));
  utimesSync(file, new Date(), new Date());
  return true;
}

/** unlink() with PHP's warning for a missing file. */
export function unlink(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch (error) {
    trigger_error(`unlink(${file}): No such file or directory`, E_USER_WARNING);
    return false;
  }
}

export function open(save_path: string, session_name: string): boolean {
  session_save_path = save_path;
  name = session_name;
  echo(`Open [${session_save_path},${session_name}]\n`);
  return true;
}

export function close(): boolean {
  echo(`Close [${session_save_path},${name}]\n`);
  return true;
}

export function read(id: string): string {
  echo(`Read [${session_save_path},${id}]\n`);
  const session_file = `${session_save_path}/${SESSION_FILE_PREFIX}${id}`;
  // read MUST create file. Otherwise, strict mode will not work
  touch(session_file);
  return readFileSync(session_file, 'utf8');
}

export function write(id: string, session_data: string): boolean {
  echo(`Write [${session_save_path},${id},${session_data}]\n`);
  writeFileSync(`${session_save_path}/${SESSION_FILE_PREFIX}${id}`, session_data);
  return true;
}

export function destroy(id: string): boolean {
  echo(`Destroy [${session_save_path},${id}]\n`);
  unlink(`${session_save_path}/${SESSION_FILE_PREFIX}${id}`);
  return true;
}

export function gc(maxlifetime: number): number {
  let gc_cnt = 0;
  for (const file of readdirSync(`${session_save_path}/`)) {
    const qualified = `${session_save_path}/${file}`;
    const stats = statSync(qualified, { throwIfNoEntry: false });
    if (stats?.isFile() && file.startsWith(SESSION_FILE_PREFIX) && Math.floor(stats.mtimeMs / 1000) + maxlifetime <= time()) {
      unlinkSync(qualified);
      gc_cnt++;
    }
  }
  return gc_cnt;
}

export function create_sid(): string {
  const id = `PHPT-${time()}`;
  echo(`CreateID [${id}]\n`);
  return id;
}

export function validate_sid(id: string): boolean {
  echo(`ValidateID [${session_save_path},${id}]\n`);
  return existsSync(`${session_save_path}/${SESSION_FILE_PREFIX}${id}`);
}

export function update(id: string, _session_data: string): boolean {
  echo(`Update [${session_save_path},${id}]\n`);
  return touch(`${session_save_path}/${SESSION_FILE_PREFIX}${id}`);
}
