/**
 * Uploaded files' life after parsing: is_uploaded_file(), move_uploaded_file(), and removal of
 * the temp files a script did not move, when its request ends.
 * @module
 */
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/** Deletes the temp files left in `uploads`; a failure is logged, never thrown. */
export async function removeUploads(uploads: Set<string>, log: (line: string) => void): Promise<void> {
  if (uploads.size === 0) return;
  await Promise.all(
    [...uploads].map(async (file) => {
      try {
        await rm(file, { force: true });
      } catch (err) {
        log(`tsfpm: could not remove upload temp file ${file}: ${(err as Error).message}`);
      }
    }),
  );
  uploads.clear();
}

/**
 * move_uploaded_file(): false (no warning) for a path that is not this request's upload, as PHP.
 * Across file systems the file is copied and the temp file removed.
 */
export function moveUpload(uploads: Set<string>, from: string, to: string): { ok: boolean; warning?: string } {
  if (!uploads.has(from)) return { ok: false };
  try {
    try {
      renameSync(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      copyFileSync(from, to);
      rmSync(from, { force: true });
    }
  } catch (err) {
    return { ok: false, warning: `Unable to move "${from}" to "${to}": ${(err as Error).message}` };
  }
  uploads.delete(from);
  return { ok: true };
}
