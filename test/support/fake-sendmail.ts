/**
 * A sendmail_path for tests: a shell script that waits, then writes the message it reads on stdin
 * (and its arguments) into a folder, one file per message.
 */
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './server.ts';

export interface FakeSendmail {
  /** The value for sendmail_path. */
  readonly command: string;
  readonly dir: string;
  /** The messages delivered so far, oldest first. */
  messages(): string[];
}

export function fakeSendmail(delaySeconds: number): FakeSendmail {
  const dir = tempDir({}, 'tsfpm-sendmail-');
  const script = join(dir, 'sendmail.sh');
  writeFileSync(script, `#!/bin/sh\nsleep ${delaySeconds}\nout="${dir}/$(date +%s%N)-$$.eml"\ncat > "$out.part"\nmv "$out.part" "$out"\n`);
  chmodSync(script, 0o755);
  return {
    command: `${script} -t -i`,
    dir,
    messages: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .sort()
        .map((f) => readFileSync(join(dir, f), 'utf8')),
  };
}
