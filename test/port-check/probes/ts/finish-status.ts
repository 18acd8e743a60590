// What the background work of finish.ts left behind: waits for it (at most 3 s), shows it, cleans it up.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $_GET, echo, header, http_response_code } from 'tsfpm';

const dir = dirname(fileURLToPath(import.meta.url));

export default async function (): Promise<void> {
  const id = String($_GET['id'] ?? 'x').replace(/[^a-z0-9]/g, '');
  const marker = `${tmpdir()}/tsfpm-probe-finish-${createHash('md5').update(dir).digest('hex')}-${id}`;
  for (let i = 0; i < 30 && !existsSync(marker); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  header('Content-Type: text/plain');
  if (existsSync(marker)) {
    echo(readFileSync(marker, 'utf8'));
    unlinkSync(marker);
  } else {
    http_response_code(404);
    echo('no background work\n');
  }
}
