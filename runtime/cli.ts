/**
 * `tsfpm -S host:port [-t docroot] [-c php.ini] [-n] [-d name=value ...] [--production] [router.ts]`:
 * the shape of `php -S`. argv → options → server; prints where it listens and one access-log
 * line per request; Ctrl-C (or SIGTERM) stops it after in-flight requests and tails finish.
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { VERSION, type TsfpmOptions } from './config.ts';
import { parseDefineArg } from './ini-file.ts';
import { asctime } from './log.ts';
import { createServer } from './server.ts';

export const USAGE = `Usage: tsfpm -S <addr>:<port> [-t docroot] [-c php.ini] [-n] [-d name=value ...] [--production] [router.ts]

  -S <addr>:<port>  Run the development server on <addr>:<port> (as php -S)
  -t <docroot>      Document root (default: the current directory)
  -c <path>         Read settings from this php.ini-style file
  -n                No php.ini file is read (the default unless -c is given)
  -d name=value     Set a php.ini setting; repeat as needed. Unknown names are kept for ini_get()
  --production      php.ini-production defaults (also when NODE_ENV=production)
  -h, --help        This help
  -v, --version     Version
  router.ts         A script run for every request; returning false serves the request normally
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

/** Runs the CLI; resolves with the process exit code once the server has stopped. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
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
  const server = createServer({ ...args.options, serverName: host });
  let address;
  try {
    address = await server.listen(port, host);
  } catch (err) {
    process.stderr.write(`[${asctime()}] Failed to listen on ${host}:${port} (reason: ${(err as Error).message})\n`);
    return 1;
  }
  const shown = host.includes(':') ? `[${host}]` : host;
  process.stderr.write(`[${asctime()}] tsfpm ${VERSION} Development Server (http://${shown}:${address.port}) started\n`);
  process.stderr.write(`[${asctime()}] Document root is ${server.config.docroot}\n[${asctime()}] Press Ctrl-C to quit.\n`);
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      process.stderr.write(`[${asctime()}] ${signal}: stopping; waiting for requests and background tails\n`);
      resolveStop();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  const cut = await server.close(Number(server.config.settings.get('tsfpm.tail_timeout') ?? 300) * 1000);
  return cut === 0 ? 0 : 1;
}
