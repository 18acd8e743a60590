/**
 * What a new user does, end to end: `npm pack` this package, install the tarball into a fresh project,
 * `npx tsfpm init`, serve the scripts with `npx tsfpm`, type-check and lint them with the configs init
 * wrote. Real npm (the registry, with the local cache first), real processes, real HTTP.
 */
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKERS_INSTALL } from '../../runtime/process/init.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** The environment without `npm test`'s npm_* variables, which would point npm at this repository. */
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

interface Run {
  readonly code: number;
  readonly output: string;
}

/** Runs a command in `cwd`; resolves with its exit code and everything it printed. */
function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 16 << 20, timeout: 150_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

async function ok(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  expect(result.code, `${command} ${args.join(' ')} failed:\n${result.output}`).to.equal(0);
  return result.output;
}

const prefer = ['--prefer-offline', '--no-audit', '--no-fund'];

describe('installing tsfpm into a new project (npm pack, npm install <tarball>)', function () {
  this.timeout(180_000);
  let root: string;
  let app: string;
  let initOutput: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tsfpm-install-'));
    app = join(root, 'app');
    await ok('npm', ['pack', '--pack-destination', root], repo);
    const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    const tarball = join(root, `tsfpm-${version}.tgz`);
    await ok('mkdir', [app], root);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }) + '\n');
    await ok('npm', ['install', ...prefer, tarball], app);
    initOutput = await ok('npx', ['tsfpm', 'init', 'site'], app);
    const [npm, ...install] = CHECKERS_INSTALL.split(' ');
    await ok(npm!, [...install, ...prefer], app);
  });

  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('npx tsfpm init writes the project files and prints how to run and check them', () => {
    expect(initOutput).to.contain('npx tsfpm -S localhost:8000 -t site');
    expect(initOutput).to.contain(CHECKERS_INSTALL);
    expect(initOutput).to.contain('npx tsc && npx eslint site');
    expect(readFileSync(join(app, 'site/index.ts'), 'utf8')).to.contain("from 'tsfpm'");
  });

  it('npx tsfpm serves the script folder over HTTP, sessions included', async () => {
    const sessions = join(root, 'sessions');
    await ok('mkdir', [sessions], root);
    const child = spawn('npx', ['tsfpm', '-S', '127.0.0.1:0', '-t', 'site', '-d', `session.save_path=${sessions}`], {
      cwd: app,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${output}`)), 30_000);
        const onData = (d: Buffer): void => {
          output += d;
          const m = /Server \((http:\/\/[^)]+)\) started/.exec(output);
          if (m) (clearTimeout(timer), resolve(m[1]!));
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        void exited.then((code) => (clearTimeout(timer), reject(new Error(`exited ${code}:\n${output}`))));
      });
      const first = await fetch(`${url}/`);
      expect(first.status).to.equal(200);
      expect(await first.text()).to.contain('visit 1 in this session');
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const second = await fetch(`${url}/index.php`, { headers: { cookie } });
      expect(await second.text()).to.contain('visit 2 in this session');
    } finally {
      // npx and the server it started share the process group this spec created
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
  });

  it("tsc type-checks the script folder with init's tsconfig: 'tsfpm' resolves with its types", async () => {
    await ok('npx', ['tsc'], app);
    writeFileSync(join(app, 'site/typo.ts'), `import { echo } from 'tsfpm';\nexport default function () {\n  const n: number = echo('x');\n  return n;\n}\n`);
    try {
      const result = await run('npx', ['tsc'], app);
      expect(result.code).to.not.equal(0);
      expect(result.output).to.contain("site/typo.ts(3,9): error TS2322: Type 'void' is not assignable to type 'number'");
      expect(result.output).to.not.contain('TS2307');
    } finally {
      rmSync(join(app, 'site/typo.ts'));
    }
  });

  it("eslint with init's config flags a forgotten await session_start()", async () => {
    await ok('npx', ['eslint', 'site'], app);
    writeFileSync(join(app, 'site/forgot.ts'), `import { $_SESSION, session_start } from 'tsfpm';\nexport default function () {\n  session_start();\n  $_SESSION['x'] = 1;\n}\n`);
    try {
      const result = await run('npx', ['eslint', 'site'], app);
      expect(result.code).to.equal(1);
      expect(result.output).to.match(/forgot\.ts\s+3:3\s+error\s+Promises must be awaited.*@typescript-eslint\/no-floating-promises/s);
    } finally {
      rmSync(join(app, 'site/forgot.ts'));
    }
  });
});
