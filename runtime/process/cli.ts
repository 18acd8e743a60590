/**
 * `tsfpm -S host:port [-t docroot] [-c php.ini] [-n] [-d name=value ...] [--workers N] [--production] [router.ts]`:
 * the shape of `php -S`. argv → options → server; prints where it listens and one access-log
 * line per request. One process by default; with `--workers N` (tsfpm.workers, PHP_CLI_SERVER_WORKERS)
 * this process is the primary of N workers (cluster-primary.ts) and each worker runs this same
 * command (cluster-worker.ts). SIGTERM, SIGINT (Ctrl-C) and SIGQUIT stop it gracefully
 * (graceful-stop.ts); SIGUSR2 replaces the workers one at a time.
 *
 * Exit codes: 0 after a stop (requests cut at the deadline are logged, not failures), 1 when it
 * cannot listen, 64 for a usage or setting error.
 * @module
 */
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ClusterPrimary } from './cluster-primary.ts';
import { runWorker } from './cluster-worker.ts';
import { createConfig, VERSION, type ServerConfig, type TsfpmOptions } from '../http/server-config.ts';
import { gracefulStop, STOP_SIGNALS } from './graceful-stop.ts';
import { parseDefineArg } from '../settings/ini-file.ts';
import { InitConflictError, initProject } from './init.ts';
import { asctime } from '../php/log.ts';
import { serverFor } from '../http/server.ts';

const USAGE = `Usage: tsfpm -S <addr>:<port> [-t docroot] [-c php.ini] [-n] [-d name=value ...] [--workers N] [--production] [router.ts]
       tsfpm init <dir> [--force]
       tsfpm port-check --php DIR|URL --ts DIR|URL [options] CASES...   (tsfpm port-check --help)

  -S <addr>:<port>  Run the development server on <addr>:<port> (as php -S)
  -t <docroot>      Document root (default: the current directory)
  -c <path>         Read settings from this php.ini-style file
  -n                No php.ini file is read (the default unless -c is given)
  -d name=value     Set a php.ini setting; repeat as needed. Unknown names are kept for ini_get()
  --workers <N>     N processes serving the port (tsfpm.workers; PHP_CLI_SERVER_WORKERS as php -S)
  --production      php.ini-production defaults (also when NODE_ENV=production)
  -h, --help        This help
  -v, --version     Version
  router.ts         A script run for every request; returning false serves the request normally

  init <dir>        Start a project here: tsconfig.json and eslint.config.mjs for the scripts in <dir>,
                    and an example script <dir>/index.ts; --force overwrites existing files

Signals: SIGTERM, SIGINT (Ctrl-C) and SIGQUIT stop gracefully: no new connections, responses in
flight finished, background tails given process_control_timeout seconds; a second SIGTERM or SIGINT
cuts them at once. SIGUSR2 (with --workers) replaces the workers one at a time.
`;

export interface CliArgs {
  listen?: { host: string; port: number };
  options: TsfpmOptions;
  help?: boolean;
  version?: boolean;
}

/** Parses argv as `php` does for these flags: `-d x=y` and `-dx=y`, `-t dir` and `-tdir`. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const options: TsfpmOptions = { docroot: process.cwd(), defines: [] };
  const defines: { name: string; value: string }[] = [];
  const result: CliArgs = { options };
  const takeValue = (flag: string, i: number): [string, number] => {
    const arg = argv[i]!;
    if (arg.length > 2) return [arg.slice(2), i];
    const next = argv[i + 1];
    if (next === undefined) throw new Error(`option ${flag} requires an argument`);
    return [next, i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') result.help = true;
    else if (arg === '-v' || arg === '--version') result.version = true;
    else if (arg === '--production') options.production = true;
    else if (arg === '-n') options.iniFile = undefined;
    else if (arg.startsWith('-S')) {
      const [value, j] = takeValue('-S', i);
      i = j;
      const m = /^(.*):(\d+)$/.exec(value);
      if (!m || !m[1]) throw new Error(`invalid address "${value}": use <addr>:<port>, e.g. localhost:8000`);
      result.listen = { host: m[1].replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
    } else if (arg.startsWith('-t')) {
      const [value, j] = takeValue('-t', i);
      i = j;
      options.docroot = resolve(value);
      if (!existsSync(options.docroot)) throw new Error(`Directory ${value} does not exist.`);
    } else if (arg.startsWith('-c')) {
      const [value, j] = takeValue('-c', i);
      i = j;
      options.iniFile = resolve(value);
    } else if (arg === '--workers' || arg.startsWith('--workers=')) {
      let value: string;
      if (arg === '--workers') {
        value = argv[++i] ?? '';
        if (value === '') throw new Error('option --workers requires an argument');
      } else value = arg.slice('--workers='.length);
      defines.push({ name: 'tsfpm.workers', value: positiveCount(value, '--workers') });
    } else if (arg.startsWith('-d')) {
      const [value, j] = takeValue('-d', i);
      i = j;
      defines.push(parseDefineArg(value));
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new Error(`unknown option ${arg}`);
    } else {
      options.router = resolve(arg);
    }
  }
  options.defines = defines;
  return result;
}

function positiveCount(value: string, what: string): string {
  if (!/^[1-9]\d*$/.test(value.trim())) throw new Error(`${what} must be a positive integer, not "${value}"`);
  return value.trim();
}

/** PHP_CLI_SERVER_WORKERS, as php -S reads it: below --workers and -d, above the php.ini file. */
function withEnvironment(options: TsfpmOptions, env: NodeJS.ProcessEnv): TsfpmOptions {
  const workers = env.PHP_CLI_SERVER_WORKERS;
  if (workers === undefined || workers === '') return options;
  return { ...options, ini: { ...options.ini, 'tsfpm.workers': positiveCount(workers, 'PHP_CLI_SERVER_WORKERS') } };
}

/** Runs the CLI; resolves with the process exit code once the server has stopped. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv[0] === 'init') return runInit(argv.slice(1));
  if (argv[0] === 'port-check') return (await import('../port-check/command.ts')).portCheckMain(argv.slice(1));
  let args: CliArgs;
  let options: TsfpmOptions;
  try {
    args = parseArgs(argv);
    options = withEnvironment(args.options, env);
  } catch (err) {
    process.stderr.write(`tsfpm: ${(err as Error).message}\n\n${USAGE}`);
    return 64;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`tsfpm ${VERSION} (Node.js ${process.version})\n`);
    return 0;
  }
  if (!args.listen) {
    process.stderr.write(`tsfpm: -S <addr>:<port> is required\n\n${USAGE}`);
    return 64;
  }
  const { host, port } = args.listen;
  let config: ServerConfig;
  try {
    config = createConfig({ ...options, serverName: host });
  } catch (err) {
    process.stderr.write(`tsfpm: ${(err as Error).message}\n`);
    return 64;
  }
  if (cluster.isWorker) return runWorker(config, host, port);
  const workers = config.settings.typed['tsfpm.workers'];
  return workers > 1 ? runPrimary(config, host, workers) : runSingle(config, host, port);
}

/** `tsfpm init <dir> [--force]`: 0 when written, 1 when a file exists, 64 for a usage error. */
function runInit(argv: readonly string[]): number {
  const force = argv.includes('--force');
  const dirs = argv.filter((a) => a !== '--force');
  if (dirs.length !== 1 || dirs[0]!.startsWith('-')) {
    process.stderr.write(`tsfpm: init takes one folder for the scripts, e.g. tsfpm init public\n\n${USAGE}`);
    return 64;
  }
  try {
    process.stdout.write(initProject(dirs[0]!, { force }).message);
    return 0;
  } catch (err) {
    if (!(err instanceof InitConflictError)) throw err;
    process.stderr.write(`tsfpm init: ${err.message}\n`);
    return 1;
  }
}

/** One process: the server runs here. */
async function runSingle(config: ServerConfig, host: string, port: number): Promise<number> {
  const server = serverFor(config);
  let bound: number;
  try {
    bound = (await server.listen(port, host)).port;
  } catch (err) {
    process.stderr.write(`[${asctime()}] Failed to listen on ${host}:${port} (reason: ${(err as Error).message})\n`);
    return 1;
  }
  const stopper = gracefulStop(server);
  for (const signal of STOP_SIGNALS) process.on(signal, () => stopper.signal(signal));
  process.on('SIGUSR2', () => config.log('tsfpm: SIGUSR2: replacing workers needs --workers 2 or more; ignored'));
  // after the handlers: a Ctrl-C sent as soon as the banner is read stops the server gracefully
  printBanner(config, host, bound);
  if (config.settings.typed['pm.max_requests'] > 0) config.log('tsfpm: pm.max_requests replaces worker processes: it needs --workers 2 or more; ignored');
  await stopper.done;
  return 0;
}

/** `--workers N`: this process forks and watches the workers, which listen on the -S address. */
async function runPrimary(config: ServerConfig, host: string, workers: number): Promise<number> {
  const primary = new ClusterPrimary(config, workers);
  const bound = await primary.start();
  if (!bound) {
    await primary.exited;
    return 1;
  }
  const maxRequests = config.settings.typed['pm.max_requests'];
  printBanner(config, host, bound.port, `${workers} workers (pm.max_requests = ${maxRequests}); SIGUSR2 replaces them one at a time`);
  return primary.exited;
}

function printBanner(config: ServerConfig, host: string, port: number, processes?: string): void {
  const shown = host.includes(':') ? `[${host}]` : host;
  const kind = config.settings.mode === 'production' ? 'Production' : 'Development';
  process.stderr.write(`[${asctime()}] tsfpm ${VERSION} ${kind} Server (http://${shown}:${port}) started\n`);
  if (processes) process.stderr.write(`[${asctime()}] ${processes}\n`);
  process.stderr.write(`[${asctime()}] Document root is ${config.docroot}\n[${asctime()}] Press Ctrl-C to quit.\n`);
}
