/**
 * Everything fixed for one tsfpm server or middleware: the document root, the resolved settings,
 * the script loader, the log, and the set of live requests (running, or in their background tail).
 * Built once from the options; requests never re-read it.
 * @module
 */
import { readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseIniFile } from '../settings/ini-file.ts';
import { stderrSink, type LogSink } from '../php/log.ts';
import { IniSettings, type Mode, type SettingSource } from '../settings/settings-table.ts';
import { Pool } from '../pool/pool.ts';
import { Router } from './routing.ts';
import type { AdminEnvironment } from '../admin/snapshot.ts';
import { ScriptLoader } from './script-loader.ts';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Options of the library API (`tsfpm({...})`, `createServer({...})`); the CLI builds the same. */
export interface TsfpmOptions {
  /** The document root: scripts and static files are served from here. */
  docroot: string;
  /** A router script run for every request, as `php -S host:port router.php`. */
  router?: string;
  /** Settings by their php.ini names, applied after `iniFile`. */
  ini?: Record<string, string | number | boolean>;
  /** A php.ini-style file, as `php -c FILE`. */
  iniFile?: string;
  /** `-d name=value` pairs, applied last (the CLI). */
  defines?: readonly { name: string; value: string }[];
  /**
   * Production defaults (php.ini-production) instead of the development ones.
   * @default process.env.NODE_ENV === 'production'
   */
  production?: boolean;
  /** Where log lines go. @default stderr with php -S's date prefix */
  log?: LogSink;
  /** SERVER_NAME for $_SERVER; the CLI passes the -S host. @default the Host header's name */
  serverName?: string;
}

/**
 * One server, fixed when it starts (the object is frozen): its settings (docroot, router, serverName, version,
 * the php.ini settings) and its services (log, pool, script loader, routes). What changes while it serves
 * lives in the services that own it: the live requests and the counters in the pool.
 */
export interface ServerConfig extends AdminEnvironment {
  readonly router: string | undefined;
  readonly serverName: string | undefined;
  readonly loader: ScriptLoader;
  readonly routes: Router;
}

const iniString = (v: string | number | boolean): string => (typeof v === 'boolean' ? (v ? '1' : '') : String(v));

export function createConfig(options: TsfpmOptions): ServerConfig {
  const log = options.log ?? stderrSink;
  const mode: Mode = options.production ?? process.env.NODE_ENV === 'production' ? 'production' : 'development';
  const sources: SettingSource[] = [];
  if (options.iniFile) {
    const file = resolve(options.iniFile);
    for (const entry of parseIniFile(readFileSync(file, 'utf8'), file, { warn: (message) => log(`tsfpm: ${file}: ${message}`) })) {
      sources.push({ name: entry.name, value: entry.value, origin: `${file}:${entry.line}` });
    }
  }
  for (const [name, value] of Object.entries(options.ini ?? {})) sources.push({ name, value: iniString(value), origin: 'options' });
  for (const { name, value } of options.defines ?? []) sources.push({ name, value, origin: '-d' });
  const settings = new IniSettings(mode, sources, log);
  const docroot = realpathSync(resolve(options.docroot));
  const extensions = settings.typed['security.limit_extensions'].split(/[\s,]+/).filter(Boolean).map((e) => e.toLowerCase());
  const validate = settings.typed['opcache.validate_timestamps'];
  const revalidateFreq = settings.typed['opcache.revalidate_freq'];
  return Object.freeze({
    docroot,
    router: options.router ? resolve(options.router) : undefined,
    settings,
    log,
    loader: new ScriptLoader({ validateTimestamps: validate, revalidateFreq }),
    // with validate_timestamps off, opcache never looks again: a day stands in for "never" here
    routes: new Router(docroot, extensions, validate ? revalidateFreq : 86_400),
    version: VERSION,
    serverName: options.serverName,
    pool: new Pool(
      {
        name: 'www',
        processManager: settings.typed.pm,
        maxChildren: settings.typed['pm.max_children'],
        backlog: settings.typed['listen.backlog'],
        maxTails: settings.typed['tsfpm.max_tails'],
        tailOverflow: settings.typed['tsfpm.tail_overflow'] === 'refuse' ? 'refuse' : 'wait',
        tailsHoldChildren: settings.typed['tsfpm.tails_hold_children'],
      },
      log,
    ),
  });
}
