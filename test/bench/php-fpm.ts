/**
 * nginx + PHP-FPM 8.2 for the side-by-side figures, started from config files of the bench's own
 * in a temporary folder (no systemd, nothing in /etc changed) and stopped at the end: pm=static
 * with 5 children, Debian's php.ini for FPM, nginx as Debian configures it for PHP. Two pools:
 * `files` (session.save_handler=files in its own folder) and `redis` (phpredis with its session
 * lock on), each behind its own nginx port, nginx writing its access log as Debian's does. Undefined when
 * php-fpm8.2 or nginx is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/redis-process.ts';
import { tempDir } from '../support/server.ts';

export interface PhpFpm {
  /** nginx port whose pool keeps sessions in files. */
  readonly filesPort: number;
  /** nginx port whose pool keeps sessions in Redis through phpredis, locking enabled. */
  readonly redisPort: number;
  /** The session folder of the files pool. */
  readonly sessionDir: string;
  stop(): Promise<void>;
}

const FPM = ['/usr/sbin/php-fpm8.2', '/usr/sbin/php-fpm'].find((p) => existsSync(p));
const NGINX = ['/usr/sbin/nginx'].find((p) => existsSync(p));
const PHP_INI = '/etc/php/8.2/fpm/php.ini';

/** The same scripts as the TypeScript ones, in PHP. */
export const PHP_SCRIPTS: Record<string, string> = {
  'hello.php': `<?php echo 'Hello, world';`,
  'counter.php': `<?php session_start(); $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1; echo $_SESSION['n'];`,
};


async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/hello.php`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer on port ${port} within 10 s`);
}

export function phpFpmAvailable(): boolean {
  return FPM !== undefined && NGINX !== undefined && existsSync(PHP_INI);
}

/** Starts PHP-FPM with both pools and nginx in front; `redisPort` is the Redis server the redis pool uses. */
export async function startPhpFpm(redisPort: number): Promise<PhpFpm | undefined> {
  if (!phpFpmAvailable()) return undefined;
  const hasPhpRedis = spawnSync(FPM!, ['-c', PHP_INI, '-m'], { encoding: 'utf8' }).stdout.includes('redis');
  const dir = tempDir(PHP_SCRIPTS);
  const sessionDir = join(dir, 'sessions');
  mkdirSync(sessionDir);
  const [filesPort, redisHttpPort] = [await freePort(), await freePort()];
  const pool = (name: string, extra: string) => `[${name}]
user = root
group = root
listen = ${dir}/${name}.sock
listen.mode = 0666
pm = static
pm.max_children = 5
catch_workers_output = yes
${extra}
`;
  writeFileSync(
    join(dir, 'php-fpm.conf'),
    `[global]
pid = ${dir}/php-fpm.pid
error_log = ${dir}/php-fpm.log
daemonize = no
${pool('files', `php_value[session.save_path] = ${sessionDir}`)}
${hasPhpRedis ? pool('redis', `php_value[session.save_handler] = redis\nphp_value[session.save_path] = "tcp://127.0.0.1:${redisPort}?prefix=phpbench:"\nphp_value[redis.session.locking_enabled] = 1`) : ''}`,
  );
  const server = (port: number, sock: string) => `server {
    listen 127.0.0.1:${port};
    root ${dir};
    location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_pass unix:${dir}/${sock}.sock;
    }
  }`;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `user root;
worker_processes auto;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 1024; }
http {
  # a line per request, as Debian's nginx (and tsfpm's CLI) write
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body; fastcgi_temp_path ${dir}/fastcgi; proxy_temp_path ${dir}/proxy;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${server(filesPort, 'files')}
  ${hasPhpRedis ? server(redisHttpPort, 'redis') : ''}
}
`,
  );
  const fpm = spawn(FPM!, ['--allow-to-run-as-root', '--nodaemonize', '-c', PHP_INI, '-y', join(dir, 'php-fpm.conf')], { stdio: 'ignore' });
  const nginx = spawn(NGINX!, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    for (const child of [nginx, fpm]) {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(filesPort, nginx, 'nginx + PHP-FPM');
  } catch (err) {
    await stop();
    throw err;
  }
  return { filesPort, redisPort: hasPhpRedis ? redisHttpPort : 0, sessionDir, stop };
}
