/**
 * The servers port-check starts for a folder: `php -S` (PHP's built-in server, php on PATH) and tsfpm's own dev
 * server, each on a free loopback port, both with the same -c/-d settings and each with its own temporary
 * session.save_path unless one is given. Without -c, php gets tsfpm's defaults for every setting tsfpm reads
 * (tsfpmDefaultDefines), so that both start from the same settings.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../settings/settings-table.ts';
import { SetupError } from './setup-error.ts';

export interface StartOptions {
  /** -c: a php.ini-style file for both servers. */
  readonly iniFile?: string;
  /** The -d arguments as given (`name=value`), in order, for both servers. */
  readonly defines: readonly string[];
  /** The session folder to give this server; undefined when one is given by -c/-d. */
  readonly savePath?: string;
}

export interface StartedServer {
  readonly url: URL;
  /** Everything it printed (for error messages). */
  output(): string;
  stop(): Promise<void>;
}

/** The php command; PORT_CHECK_PHP names another binary (php8.2). */
const phpCommand = (): string => process.env.PORT_CHECK_PHP || 'php';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

/** How long a server may take to print that it listens. */
const START_TIMEOUT_MS = 20_000;

/** tsfpm's own settings and PHP-FPM's pool settings, which PHP itself does not read. */
const NOT_PHP_INI = /^(?:tsfpm\.|pm\b|opcache\.|ping\.|listen\.|security\.|request_terminate_timeout|request_slowlog|slowlog$|process_control_timeout$|sendmail_path$)/;

/**
 * `-d` arguments that give PHP every setting tsfpm reads with tsfpm's default (php.ini-development's, runtime/settings/settings-table.ts),
 * so that both sides start from the same settings whatever the system's php.ini says, while PHP still loads the
 * extensions its ini scan folder names (`-n` would drop them). sendmail_path is left to PHP: tsfpm's default spools.
 */
export function tsfpmDefaultDefines(): string[] {
  return Object.entries(SETTINGS)
    .filter(([name]) => !NOT_PHP_INI.test(name))
    .flatMap(([name, row]) => ['-d', `${name}=${row.dev ?? row.builtin}`]);
}

/** Starts `php -S` on `dir`. @throws SetupError when the folder or php is missing, or php does not start */
export async function startPhp(dir: string, options: StartOptions): Promise<StartedServer> {
  const root = existingFolder(dir, '--php');
  const probe = spawnSync(phpCommand(), ['-v'], { stdio: 'ignore' });
  if (probe.error) {
    throw new SetupError(`cannot run ${phpCommand()} to serve ${dir} with php -S: ${(probe.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'php is not on PATH (install php-cli, or give --php the URL of a running PHP server)' : probe.error.message}`);
  }
  const settings = [...(options.iniFile ? ['-c', resolve(options.iniFile)] : tsfpmDefaultDefines()), ...defineArgs(options)];
  return startWithRetry('php -S', async () => {
    const port = await freePort();
    return [phpCommand(), ['-S', `127.0.0.1:${port}`, '-t', root, ...settings]];
  });
}

/** Starts tsfpm's dev server on `dir`. @throws SetupError when the folder is missing or tsfpm does not start */
export function startTsfpm(dir: string, options: StartOptions): Promise<StartedServer> {
  const root = existingFolder(dir, '--ts');
  const settings = [...(options.iniFile ? ['-c', resolve(options.iniFile)] : []), ...defineArgs(options)];
  return startWithRetry('tsfpm', async () => [process.execPath, [BIN, '-S', '127.0.0.1:0', '-t', root, ...settings]]);
}

/** A temporary session folder for one side; `remove()` deletes it with every session in it. */
export function temporarySessionFolder(side: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `tsfpm-port-check-${side}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

function defineArgs(options: StartOptions): string[] {
  const args = options.defines.flatMap((define) => ['-d', define]);
  if (options.savePath !== undefined) args.push('-d', `session.save_path=${options.savePath}`);
  return args;
}

function existingFolder(dir: string, flag: string): string {
  const root = resolve(dir);
  let isFolder = false;
  try {
    isFolder = statSync(root).isDirectory();
  } catch {
    // reported below
  }
  if (!isFolder) throw new SetupError(`${flag} ${dir}: no such folder (give a folder of scripts or an http:// URL)`);
  return root;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** Another process may take the free port before php binds it: a few attempts. */
async function startWithRetry(what: string, command: () => Promise<[string, string[]]>): Promise<StartedServer> {
  let last: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const [file, args] = await command();
    try {
      return await start(what, file, args);
    } catch (error) {
      last = error as Error;
      if (!/Address already in use|EADDRINUSE/.test(last.message)) break;
    }
  }
  throw last!;
}

function start(what: string, file: string, args: string[]): Promise<StartedServer> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      stopChild(child);
      reject(new SetupError(`${what} did not start (${why}): ${file} ${args.join(' ')}\n${output.trim()}`));
    };
    const timer = setTimeout(() => fail(`no "Development Server … started" within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const onExit = (code: number | null): void => fail(`it exited with ${code}`);
    child.on('error', (error) => fail(error.message));
    child.on('exit', onExit);
    const onData = (data: Buffer): void => {
      output += data;
      const m = /Development Server \((http:\/\/[^)]+)\) started/.exec(output);
      if (!m) return;
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      // keep reading so that a chatty server never blocks on a full pipe, and keep the tail for messages
      const keep = (d: Buffer): void => void (output = (output + d).slice(-20_000));
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      clearTimeout(timer);
      child.off('exit', onExit);
      resolveStart({ url: new URL(`${m[1]}/`), output: () => output, stop: () => stopChild(child) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

/** SIGTERM; tsfpm waits for background tails on the first, so a second one after 2 s cuts them; SIGKILL after 5 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timers = [setTimeout(() => child.kill('SIGTERM'), 2000), setTimeout(() => child.kill('SIGKILL'), 5000)];
    child.once('exit', () => {
      timers.forEach(clearTimeout);
      done();
    });
    child.kill('SIGTERM');
  });
}
