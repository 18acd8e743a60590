// fastcgi_finish_request(): the answer goes out whole, output after it is dropped, the script goes on.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $_GET, echo, fastcgi_finish_request, header } from 'tsfpm';

const dir = dirname(fileURLToPath(import.meta.url));

export default async function (): Promise<void> {
  const id = String($_GET['id'] ?? 'x').replace(/[^a-z0-9]/g, '');
  const marker = `${tmpdir()}/tsfpm-probe-finish-${createHash('md5').update(dir).digest('hex')}-${id}`;
  header('X-Before-Finish: yes');
  echo('answered\n');
  await fastcgi_finish_request();
  echo('dropped: the client has its answer\n');
  header('X-After-Finish: ignored');
  await new Promise((resolve) => setTimeout(resolve, 100));
  writeFileSync(marker, 'background work done\n');
}
