// @ts-check
/**
 * Module loader hooks for request scripts (node:module register; they run on Node's loader thread,
 * so this file is plain JavaScript: it is loaded before any TypeScript loader could apply to it).
 *
 * - `tsfpm` and `tsfpm/sessions` resolve to this package, so a script in any folder gets the one
 *   runtime instance the server uses, with or without a node_modules of its own.
 * - A script is imported with `?tsfpm-v=<generation>`; every local file it imports (outside
 *   node_modules and this package) gets the same query, so a new generation loads the edited
 *   graph afresh. Each such file is reported to the main thread, which watches its mtime.
 * - Versioned TypeScript files are compiled as ES modules whatever package.json says, so a script
 *   folder needs no package.json.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const PARAM = 'tsfpm-v';
const TS = /\.(?:[cm]?ts|tsx)$/;

/** @type {{ port: import('node:worker_threads').MessagePort, runtimeUrl: string, sessionsUrl: string, packageUrl: string } | undefined} */
let state;

/** @param {typeof state} data */
export async function initialize(data) {
  state = data;
}

/** @param {string | undefined} url */
function generationOf(url) {
  if (!url || !url.includes(PARAM)) return undefined;
  return new URL(url).searchParams.get(PARAM) ?? undefined;
}

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  // resolved through the rest of the chain, so the TypeScript loader marks it as its own
  if (state && specifier === 'tsfpm') return nextResolve(state.runtimeUrl, context);
  if (state && specifier === 'tsfpm/sessions') return nextResolve(state.sessionsUrl, context);
  const result = await nextResolve(specifier, context);
  const generation = generationOf(context.parentURL);
  if (!state || !generation || !result.url.startsWith('file:') || result.url.includes('/node_modules/') || result.url.startsWith(state.packageUrl)) {
    return result;
  }
  const url = new URL(result.url);
  if (url.searchParams.get(PARAM) !== generation) {
    url.searchParams.set(PARAM, generation);
    state.port.postMessage(fileURLToPath(result.url));
  }
  return { ...result, url: url.href, format: TS.test(url.pathname) ? 'module' : result.format };
}

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  const path = url.startsWith('file:') ? new URL(url).pathname : '';
  if (!generationOf(url) || !TS.test(path)) return nextLoad(url, context);
  const file = fileURLToPath(url.split('?')[0] ?? url);
  const source = await readFile(file, 'utf8');
  const { code } = await transform(source, {
    loader: file.endsWith('x') ? 'tsx' : 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: file,
  });
  // the version query that makes an edited script load anew is no part of its name: Node 24 leaves it in
  // import.meta.filename, so the script's own path is set here (on line 1, so no line number moves)
  const meta = `import.meta.filename=${JSON.stringify(file)};import.meta.dirname=${JSON.stringify(dirname(file))};`;
  const withMeta = code.startsWith('#!') ? code.replace(/^.*\n/, (first) => first + meta) : meta + code;
  return { format: 'module', source: withMeta, shortCircuit: true };
}
