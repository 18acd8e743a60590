/**
 * nginx + PHP-FPM 8.2 as Debian runs them, started from config files in a temporary folder of their own (no
 * systemd, nothing in /etc changed or written) and stopped by `stop()`, which removes the folder: the bench's
 * side-by-side column, `npm run port-check:fpm` and the recorded responses of test/fixtures/fpm share it, so
 * all three compare tsfpm with the same PHP-FPM.
 *
 * What they share: Debian's php.ini for FPM (php.ini-production) plus the caller's `-d` values; each pool
 * pm=static with 5 children on a unix socket in the folder; nginx with a worker per core, an access log as
 * Debian's writes, and each site's PHP location as Debian's snippets/fastcgi-php.conf sets it up (PATH_INFO,
 * 404 for a script that does not exist), with fastcgi_params rather than the snippet's fastcgi.conf: Debian's
 * fastcgi_params passes HTTP_HOST without the port, which the recorded responses show.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-process.ts';

const PHP_INI = '/etc/php/8.2/fpm/php.ini';
const CHILDREN = 5;
const asRoot = process.getuid?.() === 0;

export interface FpmPool {
  /** Its section name, and the name of its socket. */
  readonly name: string;
  /** More lines of the pool's section (`php_value[…]`, `php_admin_value[…]`, `env[…]`). */
  readonly lines?: readonly string[];
}

export interface FpmSite {
  /** The pool that runs its PHP scripts. */
  readonly pool: string;
  /** Its document root. */
  readonly root: string;
  /** More directives of its `server {}` block (`client_max_body_size 1k;`). */
  readonly directives?: string;
}

export interface PhpFpmSetup {
  readonly pools: readonly FpmPool[];
  /** One nginx server each, on a free loopback port. */
  readonly sites: readonly FpmSite[];
  /** php-fpm arguments that set php.ini values on top of Debian's, for every pool: `-d`, `name=value`, … */
  readonly iniArgs?: readonly string[];
}

export interface PhpFpm {
  /** The temporary folder: config files, sockets, logs, and whatever the setup put there. */
  readonly dir: string;
  /** The nginx port of each site, in the order of `sites`. */
  readonly ports: readonly number[];
  /** What php-fpm and nginx printed and logged, to find out why a request failed (502). */
  output(): string;
  /** Stops both and removes the folder; idempotent. */
  stop(): Promise<void>;
}

function which(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const FPM = which('php-fpm8.2');
const NGINX = which('nginx');

/** Why nginx + PHP-FPM cannot start here, or undefined when they can. */
export function phpFpmMissing(): string | undefined {
  if (!FPM) return 'php-fpm8.2 (php8.2-fpm) is not installed';
  if (!NGINX) return 'nginx (nginx-light) is not installed';
  if (!existsSync(PHP_INI)) return `${PHP_INI} is missing`;
  return undefined;
}

/** Whether PHP-FPM with Debian's php.ini loads the extension `name` (`redis`: phpredis). */
export function phpFpmHasModule(name: string): boolean {
  return FPM !== undefined && spawnSync(FPM, ['-c', PHP_INI, '-m'], { encoding: 'utf8' }).stdout.split('\n').includes(name);
}

/** Resolves once something accepts connections at `where` (a port, or a unix socket path); at most 10 s. */
async function accepting(where: number | string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited with ${child.exitCode}:\n${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = typeof where === 'number' ? connect(where, '127.0.0.1') : connect(where);
      socket.once('connect', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing accepts connections at ${where} after 10 s:\n${output()}`);
}

/** What is running now, for the exit hook below. */
const running = new Set<{ readonly children: readonly ChildProcess[]; readonly dir: string }>();

// A caller that exits without stop() (a bench that threw, mocha's process.exit after a failed hook) would leave
// nginx and five PHP-FPM children running and their folder behind; a signal that kills this process outright
// still can, as Node has no parent-death signal for its children.
process.once('exit', () => {
  for (const { children, dir } of running) {
    // SIGTERM, not SIGKILL: the masters stop their own workers on it
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Stops `child` (SIGTERM, then SIGKILL after 3 s) and resolves once it exited. */
async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts PHP-FPM and nginx in a new temporary folder; `setup(dir)` names pools and sites and may first write
 * scripts or folders into `dir`. Rejects, with what they printed, when they do not start (or are missing:
 * check `phpFpmMissing()` first).
 */
export async function startPhpFpm(setup: (dir: string) => PhpFpmSetup): Promise<PhpFpm> {
  const missing = phpFpmMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'tsfpm-php-fpm-'));
  const children: ChildProcess[] = [];
  let printed = '';
  const logged = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '');
  const output = () => printed + logged('php-fpm.log') + logged('nginx-error.log');
  const launch = { children, dir };
  running.add(launch);
  const stop = async (): Promise<void> => {
    await Promise.all(children.splice(0).map(stopped));
    rmSync(dir, { recursive: true, force: true });
    running.delete(launch);
  };
  try {
    const { pools, sites, iniArgs = [] } = setup(dir);
    const socket = (pool: string) => join(dir, `${pool}.sock`);
    const ports = await Promise.all(sites.map(() => freePort()));
    const pool = ({ name, lines = [] }: FpmPool) =>
      [`[${name}]`, `listen = ${socket(name)}`, 'listen.mode = 0666', 'pm = static', `pm.max_children = ${CHILDREN}`, 'catch_workers_output = yes', ...lines, ''].join('\n');
    writeFileSync(join(dir, 'php-fpm.conf'), [`[global]\npid = ${dir}/php-fpm.pid\nerror_log = ${dir}/php-fpm.log\ndaemonize = no\n`, ...pools.map(pool)].join('\n'));
    const server = (site: FpmSite, i: number) => `  server {
    listen 127.0.0.1:${ports[i]};
    root ${site.root};
    index index.php;
    ${site.directives ?? ''}
    location ~ [^/]\\.php(/|$) {
      fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
      try_files $fastcgi_script_name =404;
      set $path_info $fastcgi_path_info;
      fastcgi_param PATH_INFO $path_info;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_pass unix:${socket(site.pool)};
    }
  }`;
    writeFileSync(
      join(dir, 'nginx.conf'),
      // as root, nginx's workers would run as nobody, who may not read the script folders
      `${asRoot ? 'user root;\n' : ''}daemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/nginx-error.log;\nworker_processes auto;\nevents { worker_connections 1024; }\nhttp {\n` +
        `  access_log ${dir}/access.log;\n  client_body_temp_path ${dir}/body;\n  fastcgi_temp_path ${dir}/fastcgi;\n  proxy_temp_path ${dir}/proxy;\n` +
        `  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n${sites.map(server).join('\n')}\n}\n`,
    );
    const start = (file: string, args: string[]): ChildProcess => {
      const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => (printed += d));
      child.stderr!.on('data', (d: Buffer) => (printed += d));
      children.push(child);
      return child;
    };
    const fpm = start(FPM!, ['-F', '-O', '-c', PHP_INI, '-y', join(dir, 'php-fpm.conf'), ...iniArgs, ...(asRoot ? ['-R'] : [])]);
    // -e: nginx would open /var/log/nginx/error.log before it reads the config
    const nginx = start(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'nginx-error.log')]);
    for (const { name } of pools) await accepting(socket(name), fpm, output);
    for (const port of ports) await accepting(port, nginx, output);
    return { dir, ports, output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
