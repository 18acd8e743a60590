/**
 * `tsfpm init DIR [--force]`: starts a user's own project. It writes, in the current directory (the
 * project, where node_modules/tsfpm is), a tsconfig.json and an ESLint flat config for the scripts in
 * DIR, and an example script DIR/index.ts; then prints the commands to install the checkers and to
 * run the script. The configs stay outside DIR so the dev server never serves them as static files.
 *
 * ESLint and TypeScript are the user's dev dependencies, never tsfpm's: the output says what to install.
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** What `npx tsfpm init` tells the user to install; the install spec runs exactly this command. */
export const CHECKERS_INSTALL = 'npm install --save-dev typescript@5 @types/node@20 eslint@10 typescript-eslint@8';

export interface InitResult {
  /** Absolute paths of the files written. */
  readonly written: string[];
  /** What to print: the next commands. */
  readonly message: string;
}

/** Files that exist already and would be overwritten without `--force`. */
export class InitConflictError extends Error {
  readonly files: string[];
  constructor(files: string[]) {
    super(`${files.join(', ')} already exist${files.length === 1 ? 's' : ''}: nothing written (--force overwrites)`);
    this.files = files;
  }
}

function tsconfig(scripts: string): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      // scripts import their helpers as './lib.ts', as tsfpm loads them
      allowImportingTsExtensions: true,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: [`${scripts}/**/*.ts`],
  };
  return JSON.stringify(config, null, 2) + '\n';
}

function eslintConfig(scripts: string): string {
  return `// ESLint for the tsfpm scripts in ${scripts}/. In PHP session_start(), mail() and fastcgi_finish_request()
// block; in tsfpm they return promises, and one not awaited leaves the request without its session:
// no-floating-promises flags every such call.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig({
  files: [${JSON.stringify(`${scripts}/**/*.ts`)}],
  extends: [tseslint.configs.base],
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  rules: {
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-misused-promises': 'error',
    '@typescript-eslint/await-thenable': 'error',
  },
});
`;
}

const EXAMPLE = `// A tsfpm request script. What the PHP page did at its top level goes inside the default export,
// which runs once per request; the PHP names come from 'tsfpm' and resolve to the current request.
import { $_SESSION, echo, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  await session_start(); // PHP's session_start() blocks; here it is awaited
  const visits = Number($_SESSION['visits'] ?? 0) + 1;
  $_SESSION['visits'] = visits;
  echo(\`<p>Hello from tsfpm: visit \${visits} in this session.</p>\\n\`);
}
`;

/** A path as the user types it in a command: relative to the project, with forward slashes. */
function shown(project: string, path: string): string {
  const rel = relative(project, path) || '.';
  return rel.split(sep).join('/');
}

/** Writes the project files for the scripts folder `dir` (relative to `project`); throws InitConflictError before writing anything. */
export function initProject(dir: string, options: { project?: string; force?: boolean } = {}): InitResult {
  const project = resolve(options.project ?? process.cwd());
  const scriptsDir = resolve(project, dir);
  const scripts = shown(project, scriptsDir);
  const files: [string, string][] = [
    [join(project, 'tsconfig.json'), tsconfig(scripts)],
    [join(project, 'eslint.config.mjs'), eslintConfig(scripts)],
    [join(scriptsDir, 'index.ts'), EXAMPLE],
  ];
  const existing = files.filter(([path]) => existsSync(path)).map(([path]) => shown(project, path));
  if (existing.length > 0 && !options.force) throw new InitConflictError(existing);
  mkdirSync(scriptsDir, { recursive: true });
  for (const [path, contents] of files) writeFileSync(path, contents);
  const message = `Wrote ${files.map(([path]) => shown(project, path)).join(', ')}.

Run the example (http://localhost:8000):
  npx tsfpm -S localhost:8000 -t ${scripts}

Type-check and lint the scripts (install the checkers once):
  ${CHECKERS_INSTALL}
  npx tsc && npx eslint ${scripts}
`;
  return { written: files.map(([path]) => path), message };
}
