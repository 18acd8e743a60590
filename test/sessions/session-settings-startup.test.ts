/**
 * A session setting PHP cannot use, given at start-up: PHP warns (or, for `user`, reports a start-up error) and goes
 * on with its default, or starts and fails at session_start() for an unknown save or serialize handler. tsfpm starts
 * too and does the same, compared with a real PHP 8.2 (test/fixtures/session-settings/generate.php → startup.json).
 */
import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import { SETTINGS } from '../../runtime/settings/settings-table.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';

interface StartupCase {
  name: string;
  value: string;
  startup: string;
  ini_get: string;
  result: boolean;
  warnings: string[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/session-settings/startup.json', import.meta.url), 'utf8')) as { cases: StartupCase[] };

const SCRIPT = `
import { $_GET, echo, ini_get, session_start } from 'tsfpm';
export default async function () {
  const setting = ini_get(String($_GET.name));
  const result = await session_start();
  echo('\\n' + JSON.stringify({ ini_get: setting, result }));
}`;

describe('session settings PHP cannot use, at start-up', () => {
  for (const expected of fixture.cases) {
    describe(`${expected.name}=${JSON.stringify(expected.value)}`, () => {
      let s: TestServer;
      let savePath: string;
      before(async () => {
        savePath = tempDir();
        s = await startServer({ 'start.ts': SCRIPT }, {
          ini: { 'session.save_path': savePath, display_errors: '1', html_errors: '0', 'session.use_cookies': '0' },
          defines: [{ name: expected.name, value: expected.value }],
        });
      });
      after(async () => {
        await s.close();
        rmSync(s.docroot, { recursive: true, force: true });
        rmSync(savePath, { recursive: true, force: true });
      });

      const said = expected.startup.replace(/^(?:Warning|Fatal error): PHP Startup: /, '').replace(/ in Unknown on line 0$/, '');
      it(expected.startup ? `starts, logging PHP's start-up message: ${said}` : 'starts without a word, as PHP', () => {
        const startup = s.logs.filter((line) => line.includes('PHP Startup'));
        if (expected.startup) expect(startup.some((line) => line.includes(said)), s.logs.join('\n')).to.equal(true);
        else expect(startup).to.deep.equal([]);
      });

      it(expected.result ? 'keeps the default: ini_get() answers it and sessions work' : `session_start() fails with PHP's warning: ${expected.warnings.join('; ')}`, async () => {
        const body = await fetch(`${s.url}/start.ts?name=${encodeURIComponent(expected.name)}`).then((r) => r.text());
        const warnings = [...body.matchAll(/^Warning: (.*) in \S+ on line \d+$/gm)].map((m) => m[1]!);
        const lines = body.trimEnd().split('\n');
        const data = JSON.parse(lines[lines.length - 1]!) as { ini_get: string; result: boolean };
        // php -n's defaults for sid_length and sid_bits_per_character are PHP's built-in ones; tsfpm's dev server
        // defaults are php.ini-development's
        const row = SETTINGS[expected.name]!;
        const iniGet = expected.ini_get === row.builtin ? (row.dev ?? row.builtin) : expected.ini_get;
        expect({ ...data, warnings }).to.deep.equal({ ini_get: iniGet, result: expected.result, warnings: expected.warnings });
      });
    });
  }
});
