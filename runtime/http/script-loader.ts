/**
 * Loads request scripts and reloads them when they change, as PHP recompiles an edited file:
 * every tracked file's mtime is checked (at most every opcache.revalidate_freq seconds, never
 * when opcache.validate_timestamps is off); a change starts a new generation, and the next request
 * imports the script graph afresh through the loader hooks in script-hooks.js.
 *
 * ES modules cannot be unloaded, so each generation stays in memory: fine for a dev server,
 * and production mode revalidates rarely or never.
 * @module
 */
import { statSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { loadFailure, noDefaultExport } from './load-failure.ts';
import type { ScriptFunction } from '../api/php-api.ts';

// this file is runtime/http/script-loader.ts
const packageRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const tracked = new Map<string, number>();
let generation = 1;
let hooksInstalled = false;

function mtime(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
}

function track(file: string): void {
  if (!tracked.has(file)) tracked.set(file, mtime(file));
}

/** Installs the loader hooks once per process. */
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (file: string) => track(file));
  port1.unref();
  register(new URL('./script-hooks.js', import.meta.url), {
    data: {
      port: port2,
      runtimeUrl: pathToFileURL(join(packageRoot, 'runtime', 'index.ts')).href,
      sessionsUrl: pathToFileURL(join(packageRoot, 'sessions', 'index.ts')).href,
      packageUrl: pathToFileURL(packageRoot).href + '/',
    },
    transferList: [port2],
  });
}

export interface LoaderOptions {
  /** opcache.validate_timestamps */
  readonly validateTimestamps: boolean;
  /** opcache.revalidate_freq, in seconds */
  readonly revalidateFreq: number;
}

export class ScriptLoader {
  readonly #options: LoaderOptions;
  readonly #cache = new Map<string, { generation: number; fn: ScriptFunction }>();
  #lastCheck = 0;
  /** A failed import leaves a broken module record behind: the next request must start a new generation. */
  #failed = false;

  constructor(options: LoaderOptions) {
    this.#options = options;
    installHooks();
  }

  /** The script's default export: at once when it is loaded and still fresh, else once imported. */
  load(file: string): ScriptFunction | Promise<ScriptFunction> {
    this.#revalidate();
    const cached = this.#cache.get(file);
    if (cached?.generation === generation) return cached.fn;
    return this.#import(file);
  }

  async #import(file: string): Promise<ScriptFunction> {
    let mod: { default?: unknown };
    try {
      mod = await import(`${pathToFileURL(file).href}?tsfpm-v=${generation}`);
    } catch (err) {
      this.#failed = true;
      throw loadFailure(file, err);
    }
    track(file);
    if (typeof mod.default !== 'function') {
      this.#failed = true;
      throw noDefaultExport(file);
    }
    const fn = mod.default as ScriptFunction;
    this.#cache.set(file, { generation, fn });
    return fn;
  }

  #revalidate(): void {
    if (this.#failed) {
      this.#failed = false;
      this.#newGeneration();
      return;
    }
    if (!this.#options.validateTimestamps) return;
    const now = Date.now();
    if (now - this.#lastCheck < this.#options.revalidateFreq * 1000) return;
    this.#lastCheck = now;
    for (const [file, seen] of tracked) {
      if (mtime(file) !== seen) {
        this.#newGeneration();
        return;
      }
    }
  }

  #newGeneration(): void {
    generation++;
    tracked.clear();
  }
}
