/**
 * URL → what answers it, as `php -S` maps a path under its document root, with tsfpm's rules:
 * `/` → index.ts; `/a/b.ts`, `/a/b` and `/a/b.php` → a/b.ts; `/dir/` → dir/index.ts (then
 * index.html); `/a/b.ts/more` → a/b.ts with PATH_INFO `/more`; other files are static. Sources
 * (.ts, .php …), dotfiles and anything outside the document root never leave the server, whatever
 * the encoding of the path.
 * @module
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import { extname, join, sep } from 'node:path';
import type { ScriptTarget } from '../request/superglobals.ts';

export type Route =
  | { readonly kind: 'script'; readonly target: ScriptTarget }
  | { readonly kind: 'static'; readonly file: string; readonly urlPath: string }
  | { readonly kind: 'refused'; readonly status: 400 | 403 | 404; readonly reason: string };

/** Files that are code, never sent as they are. */
const SOURCE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx', '.php', '.phtml', '.phar', '.inc']);

/** undefined for a path that is not there, including one that runs through a file (ENOTDIR) or is too long. */
function stat(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

const isFile = (path: string): boolean => stat(path)?.isFile() ?? false;

/** Paths remembered at most; past that the memory starts afresh (random URLs must not grow it without bound). */
const CACHE_LIMIT = 10_000;

export class Router {
  readonly #root: string;
  readonly #realRoot: string;
  readonly #scriptExtensions: readonly string[];
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { route: Route; until: number }>();

  /**
   * @param scriptExtensions security.limit_extensions: the extensions that run as scripts.
   * @param cacheSeconds how long a mapping is trusted without looking at the file system again
   *   (opcache.revalidate_freq: 0 in development, so a new file is found at once).
   */
  constructor(docroot: string, scriptExtensions: readonly string[], cacheSeconds = 0) {
    this.#root = docroot;
    this.#realRoot = realpathSync.native(docroot);
    this.#scriptExtensions = scriptExtensions;
    this.#cacheMs = cacheSeconds * 1000;
  }

  /** Maps the path part of a request URL (still percent-encoded). */
  resolve(rawPath: string): Route {
    if (this.#cacheMs <= 0) return this.#resolve(rawPath);
    const now = Date.now();
    const cached = this.#cache.get(rawPath);
    if (cached && cached.until > now) return cached.route;
    const route = this.#resolve(rawPath);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(rawPath, { route, until: now + this.#cacheMs });
    return route;
  }

  #resolve(rawPath: string): Route {
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return { kind: 'refused', status: 400, reason: 'malformed percent-encoding in the path' };
    }
    if (path.includes('\0')) return { kind: 'refused', status: 400, reason: 'NUL byte in the path' };
    if (path.includes('\\')) return { kind: 'refused', status: 400, reason: 'backslash in the path' };
    const segments = path.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.includes('..')) return { kind: 'refused', status: 400, reason: 'path traversal (..) in the path' };
    if (segments.some((s) => s.startsWith('.'))) return { kind: 'refused', status: 404, reason: 'dotfiles are never served' };
    const trailingSlash = path.endsWith('/');

    for (let i = segments.length; i >= 0; i--) {
      const prefix = segments.slice(0, i);
      const urlPrefix = '/' + prefix.join('/');
      const pathInfo = i < segments.length ? '/' + segments.slice(i).join('/') + (trailingSlash ? '/' : '') : '';
      const fsPath = join(this.#root, ...prefix);
      const found = this.#match(fsPath, urlPrefix, pathInfo, i === segments.length, trailingSlash, path);
      if (found) return this.#contain(found);
    }
    return { kind: 'refused', status: 404, reason: 'no such file' };
  }

  #match(fsPath: string, urlPrefix: string, pathInfo: string, whole: boolean, trailingSlash: boolean, path: string): Route | undefined {
    const script = (file: string, scriptName = urlPrefix): Route => ({ kind: 'script', target: { file, scriptName, pathInfo } });
    const ext = extname(fsPath).toLowerCase();
    // a PHP original kept beside its port (a.php next to a.ts) never hides the port: the original's links work
    if (ext === '.php') {
      const base = fsPath.slice(0, -ext.length);
      for (const e of this.#scriptExtensions) if (isFile(base + e)) return script(base + e);
    }
    const info = stat(fsPath);
    if (info?.isFile()) {
      if (this.#scriptExtensions.includes(ext)) return script(fsPath);
      if (SOURCE_EXTENSIONS.has(ext)) return { kind: 'refused', status: 404, reason: `${ext} sources are never served` };
      if (!whole) return undefined;
      return { kind: 'static', file: fsPath, urlPath: urlPrefix };
    }
    if (!info && urlPrefix !== '/' && !trailingSlash) {
      for (const e of this.#scriptExtensions) if (isFile(fsPath + e)) return script(fsPath + e);
    }
    if (info?.isDirectory()) {
      // php -S 8.2 falls back to a directory's index for a longer path only when the path has no dot
      if (!whole && path.includes('.')) return undefined;
      const slash = urlPrefix.endsWith('/') ? '' : '/';
      for (const e of this.#scriptExtensions) {
        const index = join(fsPath, 'index' + e);
        if (isFile(index)) return script(index, urlPrefix + slash + 'index' + e);
      }
      if (whole && isFile(join(fsPath, 'index.html'))) return { kind: 'static', file: join(fsPath, 'index.html'), urlPath: urlPrefix + slash + 'index.html' };
      if (whole) return { kind: 'refused', status: 404, reason: 'directory has no index' };
    }
    return undefined;
  }

  /**
   * Refuses a match whose real path (after symlinks) lies outside the document root, and a static
   * file whose real path is a script, a source or a dotfile: a link's own name must not decide.
   */
  #contain(route: Route): Route {
    if (route.kind === 'refused') return route;
    const file = route.kind === 'script' ? route.target.file : route.file;
    const real = realpathSync.native(file);
    if (real !== this.#realRoot && !real.startsWith(this.#realRoot + sep)) {
      return { kind: 'refused', status: 404, reason: 'the file resolves outside the document root' };
    }
    if (route.kind === 'static' && real !== file) {
      const ext = extname(real).toLowerCase();
      if (this.#scriptExtensions.includes(ext) || SOURCE_EXTENSIONS.has(ext)) return { kind: 'refused', status: 404, reason: `a link to a ${ext} source is never served` };
      if (real.slice(this.#realRoot.length + 1).split(sep).some((s) => s.startsWith('.'))) return { kind: 'refused', status: 404, reason: 'a link to a dotfile is never served' };
    }
    return route;
  }
}
