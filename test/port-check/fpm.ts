/**
 * `npm run port-check:fpm`: the fidelity cases against nginx + PHP-FPM, the server the PHP originals were written
 * for, including what php -S cannot run (fastcgi_finish_request()). Starts php-fpm and nginx from its own config in
 * a temporary folder on free loopback ports, runs port-check against tsfpm for the probes and for the example
 * scripts, and fails on any difference php-compat.md does not name (known-differences.ts).
 * Exit: 0 same or only named differences (or skipped: php-fpm/nginx not installed), 1 otherwise, 2 setup error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portCheckMain } from '../../runtime/port-check/command.ts';
import type { Report } from '../../runtime/port-check/report.ts';
import { tsfpmDefaultDefines } from '../../runtime/port-check/servers.ts';
import { FIDELITY_DEFINES } from './fidelity-settings.ts';
import { unexplained } from './known-differences.ts';
import { freePort } from '../support/redis-process.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));


/** Each PHP folder with its port and the cases they answer. */
const PAIRS = [
  { name: 'probes', php: here('./probes/php'), ts: here('./probes/ts'), cases: [here('./cases/probes.yaml'), here('./cases/finish.yaml')] },
  { name: 'examples', php: here('../../scripts/php'), ts: here('../../scripts'), cases: [here('./cases/examples.yaml'), here('./cases/examples-finish.yaml')] },
];

function which(names: string[]): string | undefined {
  for (const name of names) {
    for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

/** Resolves once `port` accepts connections; at most 10 s. */
async function listening(port: number, what: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (what.exitCode !== null) throw new Error(`exited with ${what.exitCode}:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after 10 s:\n${log()}`);
}

async function main(): Promise<number> {
  const fpm = which(['php-fpm8.2', 'php-fpm']);
  const nginx = which(['nginx']);
  if (!fpm || !nginx) {
    process.stdout.write(`port-check:fpm skipped: ${!fpm ? 'php-fpm (php8.2-fpm)' : 'nginx (nginx-light)'} is not installed\n`);
    return 0;
  }
  const work = mkdtempSync(join(tmpdir(), 'tsfpm-port-check-fpm-'));
  const children: ChildProcess[] = [];
  let output = '';
  try {
    const sessions = join(work, 'sessions');
    mkdirSync(sessions);
    // the video example keeps its uploads and status records here, on both sides (tsfpm inherits it)
    process.env.TSFPM_VIDEO_DIR = join(work, 'video');
    const ports = await Promise.all(PAIRS.map(() => freePort()));
    const fpmPort = await freePort();
    writeFileSync(
      join(work, 'php-fpm.conf'),
      `[global]\npid = ${work}/php-fpm.pid\nerror_log = ${work}/php-fpm.log\ndaemonize = no\n\n[www]\nlisten = 127.0.0.1:${fpmPort}\npm = static\npm.max_children = 4\n` +
        `php_admin_value[session.save_path] = ${sessions}\nenv[TSFPM_VIDEO_DIR] = ${work}/video\ncatch_workers_output = yes\n`,
    );
    const servers = PAIRS.map(
      (pair, i) => `  server {
    listen 127.0.0.1:${ports[i]};
    root ${pair.php};
    index index.php;
    location ~ [^/]\\.php(/|$) {
      fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
      if (!-f $document_root$fastcgi_script_name) { return 404; }
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_param PATH_INFO $fastcgi_path_info;
      fastcgi_pass 127.0.0.1:${fpmPort};
    }
  }`,
    );
    writeFileSync(
      join(work, 'nginx.conf'),
      // as root, nginx's workers would run as nobody, who may not read the script folders
      `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;\npid ${work}/nginx.pid;\nerror_log ${work}/nginx-error.log;\nworker_processes 1;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n` +
        `  client_body_temp_path ${work}/body;\n  fastcgi_temp_path ${work}/fastcgi;\n  proxy_temp_path ${work}/proxy;\n  uwsgi_temp_path ${work}/uwsgi;\n  scgi_temp_path ${work}/scgi;\n` +
        `  client_max_body_size 16m;\n${servers.join('\n')}\n}\n`,
    );
    const defines = [...tsfpmDefaultDefines(), ...FIDELITY_DEFINES.flatMap((d) => ['-d', d])];
    const fpmArgs = ['-F', '-O', '-y', join(work, 'php-fpm.conf'), ...defines, ...(process.getuid?.() === 0 ? ['-R'] : [])];
    const start = (file: string, args: string[]): ChildProcess => {
      const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => (output += d));
      child.stderr!.on('data', (d: Buffer) => (output += d));
      children.push(child);
      return child;
    };
    start(fpm, fpmArgs);
    const web = start(nginx, ['-p', work, '-c', join(work, 'nginx.conf'), '-e', join(work, 'nginx-error.log')]);
    await listening(ports[0]!, web, () => output);
    await listening(fpmPort, children[0]!, () => output);

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
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((resolve) => c.once('exit', resolve)) : undefined)));
    // PORT_CHECK_VERBOSE=1: what php-fpm and nginx said, to find out why a request failed (502)
    if (process.env.PORT_CHECK_VERBOSE) process.stdout.write(`${output}${existsSync(join(work, 'nginx-error.log')) ? readFileSync(join(work, 'nginx-error.log'), 'utf8') : ''}`);
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
