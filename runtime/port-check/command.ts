/**
 * `tsfpm port-check --php DIR|URL --ts DIR|URL [-c php.ini] [-d name=value ...] [--mask REGEX ...] [--json]
 * [--html FILE] [--html-whitespace] CASES...`: replays the cases against the PHP original and the port and reports
 * where the port answers differently. Exit 0 when every request answers the same, 1 when any differs, 2 for a
 * usage or setup error, with a message naming the cause.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDefineArg, parseIniFile } from '../settings/ini-file.ts';
import { parseSerializeHandler } from '../../sessions/serialize/session-codec.ts';
import { readCases } from './cases.ts';
import { htmlReport } from './report-html.ts';
import { TextReport } from './report-text.ts';
import { runPortCheck, type RunOptions } from './run.ts';
import { startPhp, startTsfpm, temporarySessionFolder, type StartedServer } from './servers.ts';
import { SetupError, UsageError } from './setup-error.ts';
import type { Side } from './side.ts';

const PORT_CHECK_USAGE = `Usage: tsfpm port-check --php DIR|URL --ts DIR|URL [-c php.ini] [-d name=value ...] [--mask REGEX ...] [--json] [--html FILE] [--html-whitespace] CASES...

Replays CASES against a PHP original and its TypeScript port and reports every request the port answers differently.

  --php DIR|URL       The PHP original: a running server's URL, or a folder served with php -S (php on PATH)
  --ts DIR|URL        The port: a running tsfpm's URL, or a folder served with tsfpm
  -c <path>           php.ini-style file for both servers port-check starts
  -d name=value       A setting for both servers port-check starts; repeat as needed
  --mask REGEX        Values that must differ (CSRF tokens, times): replaced on both sides; repeat as needed
  --html-whitespace   In HTML bodies, runs of whitespace count as one space
  --json              The report as JSON on stdout (for CI)
  --html FILE         Also write the report as a side-by-side HTML page
  CASES               HAR files saved from the browser's devtools, or tsfpm case files (.json, .yaml)

Exit status: 0 every request answered the same, 1 some differ, 2 usage or setup error.
`;

interface PortCheckArgs {
  php: string;
  ts: string;
  iniFile?: string;
  defines: string[];
  masks: RegExp[];
  json: boolean;
  html?: string;
  htmlWhitespace: boolean;
  cases: string[];
  help: boolean;
}

function parsePortCheckArgs(argv: readonly string[]): PortCheckArgs {
  const args: Partial<PortCheckArgs> & { defines: string[]; masks: RegExp[]; cases: string[] } = { defines: [], masks: [], cases: [], json: false, htmlWhitespace: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`option ${arg} requires an argument`);
      return next;
    };
    if (arg === '-h' || arg === '--help') args.help = true;
    else if (arg === '--php') args.php = value();
    else if (arg === '--ts') args.ts = value();
    else if (arg === '--json') args.json = true;
    else if (arg === '--html') args.html = value();
    else if (arg === '--html-whitespace') args.htmlWhitespace = true;
    else if (arg === '--mask') {
      const source = value();
      try {
        args.masks.push(new RegExp(source, 'g'));
      } catch (error) {
        throw new UsageError(`--mask ${source}: ${(error as Error).message}`);
      }
    } else if (arg.startsWith('-c')) args.iniFile = arg.length > 2 ? arg.slice(2) : value();
    else if (arg.startsWith('-d')) args.defines.push(arg.length > 2 ? arg.slice(2) : value());
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else args.cases.push(arg);
  }
  if (args.help) return args as PortCheckArgs;
  if (!args.php) throw new UsageError('--php DIR|URL is required: the PHP original');
  if (!args.ts) throw new UsageError('--ts DIR|URL is required: the TypeScript port');
  if (args.cases.length === 0) throw new UsageError('no CASES given: name HAR files or case files to replay');
  return args as PortCheckArgs;
}

/** What the -c file and the -d arguments set, later winning, for the settings port-check itself needs to know. */
function givenSettings(args: PortCheckArgs): Map<string, string> {
  const settings = new Map<string, string>();
  if (args.iniFile) {
    let text: string;
    try {
      text = readFileSync(args.iniFile, 'utf8');
    } catch (error) {
      throw new SetupError(`-c ${args.iniFile}: ${(error as Error).message}`);
    }
    try {
      for (const { name, value } of parseIniFile(text, args.iniFile)) settings.set(name, value);
    } catch (error) {
      throw new SetupError(`-c ${args.iniFile}: ${(error as Error).message}`);
    }
  }
  for (const define of args.defines) {
    try {
      const { name, value } = parseDefineArg(define);
      settings.set(name, value);
    } catch (error) {
      throw new SetupError((error as Error).message);
    }
  }
  return settings;
}

/** Session contents are compared when port-check started both servers with files sessions it can decode. */
function sessionComparison(folders: Partial<Record<Side, string>>, settings: Map<string, string>): Pick<RunOptions, 'sessions' | 'sessionsNote'> {
  const handlerName = settings.get('session.serialize_handler') ?? 'php';
  const handler = parseSerializeHandler(handlerName);
  const saveHandler = settings.get('session.save_handler') ?? 'files';
  if (folders.php === undefined || folders.ts === undefined) return { sessionsNote: 'not compared: port-check only knows the session folders of servers it starts (give folders, not URLs)' };
  if (saveHandler !== 'files') return { sessionsNote: `not compared: session.save_handler is ${saveHandler}, not files` };
  if (!handler) return { sessionsNote: `not compared: unknown session.serialize_handler ${handlerName}` };
  return { sessions: { php: { savePath: folders.php, handler }, ts: { savePath: folders.ts, handler } } };
}

const isUrl = (spec: string): boolean => /^https?:\/\//i.test(spec);

/** Runs port-check; resolves with the exit code. */
export async function portCheckMain(argv: readonly string[], out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  const cleanup: Array<() => Promise<void> | void> = [];
  try {
    const args = parsePortCheckArgs(argv);
    if (args.help) {
      out.write(PORT_CHECK_USAGE);
      return 0;
    }
    const settings = givenSettings(args);
    const sequences = await readCases(args.cases);
    const savePathGiven = settings.get('session.save_path');
    const urls: Partial<Record<Side, URL>> = {};
    const folders: Partial<Record<Side, string>> = {};
    for (const side of ['php', 'ts'] as const) {
      const spec = args[side];
      if (isUrl(spec)) {
        urls[side] = new URL(spec);
        continue;
      }
      let savePath = savePathGiven;
      if (savePath === undefined) {
        const folder = temporarySessionFolder(side);
        cleanup.push(() => folder.remove());
        savePath = folder.path;
      }
      const server: StartedServer = await (side === 'php' ? startPhp : startTsfpm)(spec, {
        ...(args.iniFile ? { iniFile: args.iniFile } : {}),
        defines: args.defines,
        ...(savePathGiven === undefined ? { savePath } : {}),
      });
      cleanup.unshift(() => server.stop());
      urls[side] = server.url;
      folders[side] = savePath;
    }
    const sessions = sessionComparison(folders, settings);
    const text = TextReport.forStream(args.json ? err : out);
    text.header(urls.php!.href, urls.ts!.href);
    const report = await runPortCheck(sequences, {
      php: urls.php!,
      ts: urls.ts!,
      ...sessions,
      sessionName: settings.get('session.name') ?? 'PHPSESSID',
      masks: args.masks,
      htmlWhitespace: args.htmlWhitespace,
      onResult: (result, done, total) => text.result(result, done, total),
    });
    if (args.json) out.write(`${JSON.stringify(report, null, 2)}\n`);
    else text.summary(report);
    if (args.html) {
      try {
        writeFileSync(resolve(args.html), htmlReport(report));
      } catch (error) {
        throw new SetupError(`--html ${args.html}: ${(error as Error).message}`);
      }
      (args.json ? err : out).write(`The side-by-side report is in ${resolve(args.html)}\n`);
    }
    return report.same ? 0 : 1;
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    err.write(`tsfpm port-check: ${error.message}\n`);
    if (error instanceof UsageError) err.write(`\n${PORT_CHECK_USAGE}`);
    return 2;
  } finally {
    for (const step of cleanup) await step();
  }
}
