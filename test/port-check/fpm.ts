/**
 * `npm run port-check:fpm`: the fidelity cases against nginx + PHP-FPM, the server the PHP originals were written
 * for, including what php -S cannot run (fastcgi_finish_request()). Starts php-fpm and nginx from its own config in
 * a temporary folder on free loopback ports, runs port-check against tsfpm for the probes and for the example
 * scripts, and fails on any difference php-compat.md does not name (known-differences.ts).
 * Exit: 0 same or only named differences (or skipped: php-fpm/nginx not installed), 1 otherwise, 2 setup error.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portCheckMain } from '../../runtime/port-check/command.ts';
import type { Report } from '../../runtime/port-check/report.ts';
import { tsfpmDefaultDefines } from '../../runtime/port-check/servers.ts';
import { FIDELITY_DEFINES } from './fidelity-settings.ts';
import { unexplained } from './known-differences.ts';
import { phpFpmMissing, startPhpFpm, type PhpFpm } from '../support/php-fpm.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** Each PHP folder with its port and the cases they answer. */
const PAIRS = [
  { name: 'probes', php: here('./probes/php'), ts: here('./probes/ts'), cases: [here('./cases/probes.yaml'), here('./cases/finish.yaml')] },
  { name: 'examples', php: here('../../scripts/php'), ts: here('../../scripts'), cases: [here('./cases/examples.yaml'), here('./cases/examples-finish.yaml')] },
];

async function main(): Promise<number> {
  const missing = phpFpmMissing();
  if (missing) {
    process.stdout.write(`port-check:fpm skipped: ${missing}\n`);
    return 0;
  }
  let fpm: PhpFpm | undefined;
  try {
    fpm = await startPhpFpm((dir) => {
      mkdirSync(join(dir, 'sessions'));
      // the video example keeps its uploads and status records here, on both sides (tsfpm inherits it)
      process.env.TSFPM_VIDEO_DIR = join(dir, 'video');
      return {
        pools: [{ name: 'www', lines: [`php_admin_value[session.save_path] = ${dir}/sessions`, `env[TSFPM_VIDEO_DIR] = ${dir}/video`] }],
        sites: PAIRS.map((pair) => ({ pool: 'www', root: pair.php, directives: 'client_max_body_size 16m;' })),
        iniArgs: [...tsfpmDefaultDefines(), ...FIDELITY_DEFINES.flatMap((d) => ['-d', d])],
      };
    });
    const ports = fpm.ports;

    let failed = false;
    for (const [i, pair] of PAIRS.entries()) {
      process.stdout.write(`\n== ${pair.name}: nginx + PHP-FPM (${pair.php}) ↔ tsfpm (${pair.ts})\n`);
      const json: string[] = [];
      const out = { write: (s: string) => (json.push(s), true), isTTY: false } as unknown as NodeJS.WriteStream;
      const args = ['--php', `http://127.0.0.1:${ports[i]}/`, '--ts', pair.ts, ...FIDELITY_DEFINES.flatMap((d) => ['-d', d]), '--mask', '[0-9a-f]{16}', '--json', ...pair.cases];
      const code = await portCheckMain(args, out, process.stdout);
      if (code === 2) return 2;
      const report = JSON.parse(json.join('')) as Report;
      for (const request of report.requests) {
        for (const d of unexplained('PHP-FPM', request.differences)) {
          failed = true;
          process.stdout.write(`\nNOT NAMED BY php-compat.md: ${request.sequence} #${request.turn} ${request.method} ${request.target}\n  ${d.field}\n    php: ${JSON.stringify(d.php)}\n    ts:  ${JSON.stringify(d.ts)}\n${d.diff ? d.diff.replace(/^/gm, '    ') + '\n' : ''}`);
        }
      }
    }
    process.stdout.write(failed ? '\nport-check:fpm: the port differs from PHP-FPM where php-compat.md says nothing\n' : '\nport-check:fpm: every difference is one php-compat.md names\n');
    return failed ? 1 : 0;
  } finally {
    // PORT_CHECK_VERBOSE=1: what php-fpm and nginx said, to find out why a request failed (502)
    if (process.env.PORT_CHECK_VERBOSE && fpm) process.stdout.write(fpm.output());
    await fpm?.stop();
  }
}

process.exitCode = await main();
