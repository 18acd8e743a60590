/**
 * php-src's own session tests (ext/session/tests/*.phpt), ported: each file in test/phpt/session/ keeps the
 * original's INI, request and expected output as PHP's maintainers wrote them; only --FILE-- is a TypeScript
 * script. One tsfpm server per distinct INI set runs them over real HTTP, and the response body is compared with
 * the expectation by run-tests.php's rules. Tests left out, and why: test/phpt/session/EXCLUDED.md.
 */
import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDefineArg } from '../../runtime/settings/ini-file.ts';
import { closeBackends } from '../../sessions/open-backend.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { expectfToRegex, outputMatches } from './expectf.ts';
import { readPortedTest, type PortedTest } from './phpt-file.ts';

const here = dirname(fileURLToPath(import.meta.url));
const folder = join(here, 'session');

/** run-tests.php's own settings (PHP 8.2) and php -n's session defaults, under every test's --INI--. */
const RUN_TESTS_INI: Readonly<Record<string, string>> = {
  display_errors: '1',
  display_startup_errors: '1',
  html_errors: '0',
  log_errors: '0',
  error_reporting: '32767',
  output_buffering: '0',
  'session.auto_start': '0',
  'session.sid_length': '32',
  'session.sid_bits_per_character': '4',
  'session.gc_divisor': '100',
  'session.cookie_httponly': '0',
};

const tests = readdirSync(folder)
  .filter((f) => f.endsWith('.phpt'))
  .sort()
  .map((f) => readPortedTest(join(folder, f)));

/** Tests grouped by their --INI--, so that each distinct set gets one server. */
const groups = new Map<string, PortedTest[]>();
for (const test of tests) {
  const key = JSON.stringify([...test.ini].sort(([a], [b]) => a.localeCompare(b)));
  groups.set(key, [...(groups.get(key) ?? []), test]);
}

async function run(server: TestServer, test: PortedTest): Promise<{ body: string; headers: string[] }> {
  const headers: Record<string, string> = {};
  if (test.cookie !== undefined) headers['cookie'] = test.cookie;
  if (test.post !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const query = test.get ? `?${test.get}` : '';
  const response = await fetch(`${server.url}/${test.name}.ts${query}`, {
    method: test.post === undefined ? 'GET' : 'POST',
    headers,
    ...(test.post !== undefined && { body: test.post }),
  });
  const lines = [...response.headers].filter(([name]) => name !== 'set-cookie').map(([name, value]) => `${name}: ${value}`);
  for (const cookie of response.headers.getSetCookie()) lines.push(`set-cookie: ${cookie}`);
  return { body: await response.text(), headers: lines };
}

/** run-tests' --EXPECTHEADERS--: each expected line is a header of the response (names case-insensitive). */
function missingHeaders(expected: readonly string[], actual: readonly string[]): string[] {
  const have = new Set(actual.map((line) => line.replace(/^[^:]+/, (name) => name.toLowerCase())));
  return expected.filter((line) => !have.has(line.replace(/^[^:]+/, (name) => name.toLowerCase())));
}

/** The tests EXCLUDED.md leaves out: the names before the reason on each list line. */
function excludedTests(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('- ') || line.startsWith('  '))
    .flatMap((line) => line.slice(2).split(':')[0]!.split(','))
    .map((token) => token.trim())
    .filter((token) => /^[a-z0-9_-]+$/.test(token));
}

describe("php-src's session tests: what is ported and what is left out", () => {
  const listing = readFileSync(join(folder, 'EXCLUDED.md'), 'utf8');
  const excluded = excludedTests(listing);
  const total = Number(/has (\d+) tests/.exec(listing)?.[1]);

  it('names each of PHP 8.2\'s tests once, ported or left out with its reason', () => {
    expect(new Set(excluded).size).to.equal(excluded.length);
    expect(excluded.filter((name) => tests.some((test) => test.name === name))).to.deep.equal([]);
    expect(tests.length + excluded.length).to.equal(total);
  });
});

describe("php-src's session tests (ext/session/tests), ported", () => {
  let savePath: string;
  let previousTmpdir: string | undefined;

  // session.save_path is empty, as PHP's default: the temp folder, $TMPDIR, which is the runner's own folder while
  // these tests run, so that /tmp stays clean. Backends are cached per process by save_path, so the folder is one
  // for every server here, and the cache is emptied at the end.
  before(() => {
    savePath = mkdtempSync(join(tmpdir(), 'tsfpm-phpt-sessions-'));
    previousTmpdir = process.env['TMPDIR'];
    process.env['TMPDIR'] = savePath;
  });

  after(async () => {
    await closeBackends();
    if (previousTmpdir === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previousTmpdir;
    rmSync(savePath, { recursive: true, force: true });
  });

  for (const group of groups.values()) {
    const ini = group[0]!.ini;
    describe(`with ${ini.size ? [...ini].map(([k, v]) => `${k}=${v}`).join(' ') : 'no --INI--'}`, () => {
      let server: TestServer;
      let base: string;
      let docroot: string;

      before(async () => {
        // php-src's tests run in a folder named tests, which some expectations name (`%stests`)
        base = mkdtempSync(join(tmpdir(), 'tsfpm-phpt-'));
        docroot = join(base, 'tests');
        mkdirSync(docroot);
        copyFileSync(join(here, 'php-helpers.ts'), join(docroot, '_php.ts'));
        copyFileSync(join(here, 'save-handler.ts'), join(docroot, '_save_handler.ts'));
        for (const test of group) writeFileSync(join(docroot, `${test.name}.ts`), test.file);
        // run-tests passes each --INI-- line as -d, which PHP's ini scanner reads (TRUE is "1", quotes go)
        const defines = [...ini].map(([name, value]) => parseDefineArg(`${name}=${value.replaceAll('{TMP}', savePath).replaceAll('{PWD}', docroot)}`));
        server = await startServer(docroot, { ini: RUN_TESTS_INI, defines });
      });

      after(async () => {
        await server?.close();
        rmSync(base, { recursive: true, force: true });
      });

      for (const test of group) {
        it(`${test.name}: ${test.title}`, async () => {
          const { body: output, headers } = await run(server, test);
          const missing = missingHeaders(test.headers, headers);
          if (missing.length > 0) expect.fail(`${test.name}: the response lacks --EXPECTHEADERS-- ${missing.join(' | ')}; it has:\n${headers.join('\n')}`);
          if (!outputMatches(test.expect.kind, test.expect.text, output)) {
            const wanted = test.expect.kind === 'EXPECTF' ? `${test.expect.text}\n(as ${expectfToRegex(test.expect.text.trim()).source})` : test.expect.text;
            expect.fail(`output of ${test.name} (${test.original}) does not match --${test.expect.kind}--\n--- output ---\n${output}\n--- expected ---\n${wanted}`);
          }
        });
      }
    });
  }
});
