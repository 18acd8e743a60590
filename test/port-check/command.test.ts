/**
 * `tsfpm port-check` end to end: real php -S and tsfpm servers started from folders, a real HAR and case file.
 * A faithful port answers the same; each planted defect in a copy of the port is reported with its field and both
 * values; usage and setup errors exit 2 naming the cause.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portCheckMain } from '../../runtime/port-check/command.ts';
import type { Report } from '../../runtime/port-check/report.ts';

const HAS_PHP = spawnSync('php', ['-v']).status === 0;
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const PHP_DIR = here('./planted/php');
const TS_DIR = here('./planted/ts');
const CASES = [here('./planted/page.har'), here('./planted/page.yaml')];
const BIN = here('../../runtime/bin.js');

/** A stream that keeps what is written to it. */
function capture(): NodeJS.WriteStream & { text(): string } {
  let text = '';
  return { write: (chunk: string) => ((text += chunk), true), isTTY: false, text: () => text } as unknown as NodeJS.WriteStream & { text(): string };
}

async function portCheck(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await portCheckMain(args, out, err);
  return { code, out: out.text(), err: err.text() };
}

/** The tsfpm command in a child process, for what only a process shows: exit codes and PATH. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'port-check', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('tsfpm port-check', function () {
  this.timeout(60_000);
  let work: string;
  beforeEach(() => (work = mkdtempSync(join(tmpdir(), 'tsfpm-port-check-spec-'))));
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  describe('a faithful port', () => {
    before(function () {
      if (!HAS_PHP) this.skip(); // needs php (php8.2-cli) on PATH
    });

    it('answers the same on every request of a HAR and a case file: exit 0, session IDs paired and listed', async () => {
      const { code, out } = await portCheck(['--php', PHP_DIR, '--ts', TS_DIR, ...CASES]);
      expect(code, out).to.equal(0);
      expect(out).to.match(/\[1\/4\] same +page\.har #1 GET \/page\.php/);
      expect(out).to.match(/‹session-id-1›: php [a-v0-9]{26} ↔ ts [a-v0-9]{26} \(\d+ replaced\)/);
      expect(out).to.contain('Sessions: compared after each step');
      expect(out).to.contain('The port answers the same. 4 requests: 4 same, 0 different');
    });

    it('exits 0 from the command line, and writes --json for CI', async () => {
      const { code, out } = await cli(['--php', PHP_DIR, '--ts', TS_DIR, '--json', CASES[1]!]);
      expect(code, out).to.equal(0);
      const report = JSON.parse(out.slice(out.indexOf('{\n'), out.lastIndexOf('}') + 1)) as Report;
      expect(report.same).to.equal(true);
      expect(report.requests.map((r) => [r.method, r.target, r.php.status, r.ts.status])).to.deep.equal([
        ['GET', '/page.php', 200, 200],
        ['GET', '/page.php', 200, 200],
      ]);
    });
  });

  describe('planted defects', () => {
    before(function () {
      if (!HAS_PHP) this.skip(); // needs php (php8.2-cli) on PATH
    });

    /** Runs port-check against a copy of the port with `from` replaced by `to` in page.ts. */
    async function planted(from: string, to: string): Promise<{ code: number; report: Report; text: string }> {
      const port = join(work, 'ts');
      cpSync(TS_DIR, port, { recursive: true });
      const source = readFileSync(join(port, 'page.ts'), 'utf8');
      expect(source, 'the defect must change the port').to.contain(from);
      writeFileSync(join(port, 'page.ts'), source.replace(from, to));
      const json = await portCheck(['--php', PHP_DIR, '--ts', port, '--json', CASES[1]!]);
      const text = await portCheck(['--php', PHP_DIR, '--ts', port, CASES[1]!]);
      return { code: json.code, report: JSON.parse(json.out) as Report, text: text.out };
    }

    const cases: Array<{ defect: string; from: string; to: string; field: string; php: string; ts: string }> = [
      { defect: 'a wrong status', from: "header('X-Page: 1');", to: "header('X-Page: 1', true, 404);", field: 'status', php: '200 OK', ts: '404 Not Found' },
      { defect: 'an extra header', from: "header('X-Page: 1');", to: "header('X-Page: 1'); header('X-Debug: on');", field: 'header X-Debug', php: '(absent)', ts: 'on' },
      { defect: 'a body one character off', from: "echo('Hello, ann\\n');", to: "echo('Hello, Ann\\n');", field: 'body line 1', php: 'Hello, ann', ts: 'Hello, Ann' },
      { defect: 'a missing session key', from: "$_SESSION['user'] = 'ann';", to: '', field: 'session user', php: "'ann'", ts: '(absent)' },
      { defect: 'a cookie attribute changed', from: 'httponly: true', to: 'httponly: false', field: 'Set-Cookie theme: HttpOnly', php: 'HttpOnly', ts: '(absent)' },
    ];
    for (const c of cases) {
      it(`reports ${c.defect} with the field and both values: exit 1`, async () => {
        const { code, report, text } = await planted(c.from, c.to);
        expect(code).to.equal(1);
        expect(report.same).to.equal(false);
        const first = report.requests[0]!;
        const found = first.differences.find((d) => d.field === c.field);
        expect(found, JSON.stringify(first.differences)).to.include({ php: c.php, ts: c.ts });
        expect(text).to.contain(`  ${c.field}\n    php: ${JSON.stringify(c.php)}\n    ts:  ${JSON.stringify(c.ts)}\n`);
        expect(text).to.contain('The port differs.');
      });
    }

    it('shows the body difference as a unified diff', async () => {
      const { text } = await planted("echo('Hello, ann\\n');", "echo('Hello, Ann\\n');");
      expect(text).to.contain('    --- php\n    +++ ts\n    @@ -1,3 +1,3 @@\n    -Hello, ann\n    +Hello, Ann\n     visit 1');
    });
  });

  describe('usage and setup errors: exit 2 with a message naming the cause', () => {
    it('a malformed HAR', async () => {
      const har = join(work, 'broken.har');
      writeFileSync(har, '{"log": {"entries": [ {"request": ');
      const { code, err } = await portCheck(['--php', PHP_DIR, '--ts', TS_DIR, har]);
      expect(code).to.equal(2);
      expect(err).to.contain(`tsfpm port-check: ${har} is not a HAR file:`);
    });

    it('an unreachable URL', async () => {
      const closed = await closedPort();
      const { code, err } = await portCheck(['--php', `http://127.0.0.1:${closed}/`, '--ts', `http://127.0.0.1:${closed}/`, CASES[1]!]);
      expect(code).to.equal(2);
      expect(err).to.contain(`tsfpm port-check: cannot reach http://127.0.0.1:${closed} for GET /page.php: connect ECONNREFUSED`);
    });

    it('a missing php (not on PATH)', async () => {
      const { code, out } = await cli(['--php', PHP_DIR, '--ts', TS_DIR, CASES[1]!], { PATH: work });
      expect(code).to.equal(2);
      expect(out).to.contain('tsfpm port-check: cannot run php to serve');
      expect(out).to.contain('php is not on PATH (install php-cli, or give --php the URL of a running PHP server)');
    });

    it('a PHP folder that does not exist, a missing --ts, an unknown option', async () => {
      const missing = join(work, 'nowhere');
      expect(await portCheck(['--php', missing, '--ts', TS_DIR, CASES[1]!])).to.include({ code: 2, err: `tsfpm port-check: --php ${missing}: no such folder (give a folder of scripts or an http:// URL)\n` });
      const noTs = await portCheck(['--php', PHP_DIR, CASES[1]!]);
      expect(noTs.code).to.equal(2);
      expect(noTs.err).to.match(/^tsfpm port-check: --ts DIR\|URL is required: the TypeScript port\n\nUsage: tsfpm port-check/);
      expect((await portCheck(['--frobnicate'])).err).to.match(/^tsfpm port-check: unknown option --frobnicate/);
    });

    it('a server that does not start', async function () {
      if (!HAS_PHP) this.skip(); // php starts first: without it, that is the error
      // tsfpm refuses a value of its own setting that php -S ignores: the port's server exits at once
      // (PHP's session settings no longer do: tsfpm warns and starts, as PHP 8.2)
      const { code, err } = await portCheck(['--php', PHP_DIR, '--ts', TS_DIR, '-d', 'tsfpm.tail_overflow=bogus', CASES[1]!]);
      expect(code).to.equal(2);
      expect(err).to.match(/^tsfpm port-check: tsfpm did not start \(it exited with 64\): /);
      expect(err).to.contain('tsfpm.tail_overflow');
    });

    it('leaves no session folder behind', async () => {
      const before = listPortCheckTemp();
      if (HAS_PHP) await portCheck(['--php', PHP_DIR, '--ts', TS_DIR, CASES[1]!]);
      await portCheck(['--php', join(work, 'nowhere'), '--ts', TS_DIR, CASES[1]!]);
      expect(listPortCheckTemp()).to.deep.equal(before);
    });
  });
});

function listPortCheckTemp(): string[] {
  return existsSync(tmpdir()) ? spawnSync('ls', [tmpdir()]).stdout.toString().split('\n').filter((n) => /^tsfpm-port-check-(php|ts)-/.test(n)) : [];
}

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
