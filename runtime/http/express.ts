/**
 * tsfpm inside an Express (or any connect-style) app: `app.use('/legacy', tsfpm({ docroot }))`
 * serves a document root under a mount path; `tsfpmScript(fn)` answers every request with one
 * script function. Wiring only: the work is in dispatch.ts.
 * @module
 */
import { createConfig, type TsfpmOptions } from './server-config.ts';
import { createRequestHandler, type RequestHandler } from './dispatch.ts';
import type { ScriptFunction } from '../api/php-api.ts';

/** Middleware serving `options.docroot`; paths with no file there go to the next middleware. */
export function tsfpm(options: TsfpmOptions): RequestHandler {
  return createRequestHandler(createConfig(options));
}

/**
 * One-script handler: `app.post('/mail', tsfpmScript(async ({ $_POST, echo }) => { … }))`.
 * `options.docroot` sets DOCUMENT_ROOT (default: the working directory).
 */
export function tsfpmScript(script: ScriptFunction, options: Partial<TsfpmOptions> & { name?: string } = {}): RequestHandler {
  const config = createConfig({ docroot: process.cwd(), ...options });
  const name = options.name ?? (script.name || 'script');
  return createRequestHandler(config, { target: { file: name, scriptName: '', pathInfo: '' }, script });
}
