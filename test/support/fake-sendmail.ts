/**
 * A sendmail_path for tests: a shell script that waits `delaySeconds`, or without it until release(),
 * then writes the message it reads on stdin into a folder, one file per message.
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
  /** Lets every waiting and later delivery go on (a delivery without delaySeconds waits for it). */
  release(): void;
}

export function fakeSendmail(delaySeconds?: number): FakeSendmail {
  const dir = tempDir({}, 'tsfpm-sendmail-');
  const script = join(dir, 'sendmail.sh');
  const released = join(dir, 'released');
  const wait = delaySeconds === undefined ? `while [ ! -e "${released}" ]; do sleep 0.02; done` : `sleep ${delaySeconds}`;
  writeFileSync(script, `#!/bin/sh\n${wait}\nout="${dir}/$(date +%s%N)-$$.eml"\ncat > "$out.part"\nmv "$out.part" "$out"\n`);
  chmodSync(script, 0o755);
  return {
    command: `${script} -t -i`,
    dir,
    messages: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .sort()
        .map((f) => readFileSync(join(dir, f), 'utf8')),
    release: () => writeFileSync(released, ''),
  };
}
