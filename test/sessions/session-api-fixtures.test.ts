/**
 * session_start()'s options and $_SESSION's key order, against what a real PHP 8.2 did
 * (test/fixtures/session-api/generate.php → session-api.json), over real HTTP with the files handler.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '../support/wait.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';

interface StartOptionCase {
  label: string;
  result: boolean | null;
  error: string | null;
  warnings: string[];
  status: number;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/session-api/session-api.json', import.meta.url), 'utf8')) as {
  startOptions: StartOptionCase[];
  keyOrder: { stored: string; encoded: string; reread: (string | number)[]; php: string; phpWarnings: string[] };
};

/** The same cases as generate.php, as a script passes them. */
const OPTIONS_SCRIPT = `
import { $_GET, PhpTypeError, echo, session_destroy, session_start, session_status } from 'tsfpm';
const cases = {
  'read_and_close true': { read_and_close: true },
  'read_and_close false': { read_and_close: false },
  'read_and_close 1': { read_and_close: 1 },
  'read_and_close 0': { read_and_close: 0 },
  'read_and_close -1': { read_and_close: -1 },
  'read_and_close 777': { read_and_close: 777 },
  'read_and_close "1"': { read_and_close: '1' },
  'read_and_close "777"': { read_and_close: '777' },
  'read_and_close "0"': { read_and_close: '0' },
  'read_and_close "00000"': { read_and_close: '00000' },
  'read_and_close ""': { read_and_close: '' },
  'read_and_close "true"': { read_and_close: 'true' },
  'read_and_close "yes"': { read_and_close: 'yes' },
  'read_and_close "1abc"': { read_and_close: '1abc' },
  'read_and_close 1.5': { read_and_close: 1.5 },
  'read_and_close null': { read_and_close: null },
  'read_and_close []': { read_and_close: [] },
  'name 1.5': { name: 1.5 },
  'name null': { name: null },
  'name []': { name: [] },
  'name {}': { name: {} },
  'unknown option': { no_such_option: 1 },
  'int key': { 0: 'x' },
  'unknown then bad type': { no_such_option: 1, name: 1.5 },
  'cookie_lifetime -1': { cookie_lifetime: -1 },
  'sid_length 10': { sid_length: 10 },
  'serialize_handler "nope"': { serialize_handler: 'nope' },
  'save_handler "user"': { save_handler: 'user' },
  'lazy_write false': { lazy_write: false },
};
export default async function () {
  let result = null;
  let error = null;
  try {
    result = await session_start(cases[String($_GET.label)]);
  } catch (e) {
    if (!(e instanceof PhpTypeError)) throw e;
    error = 'TypeError: ' + e.message;
  }
  const status = session_status();
  if (status === 2) await session_destroy();
  echo('\\n' + JSON.stringify({ result, error, status }));
}`;

const KEY_ORDER_SCRIPT = `
import { $_GET, $_SESSION, echo, ini_set, session_encode, session_id, session_start, session_write_close } from 'tsfpm';
export default async function () {
  if ($_GET.handler) ini_set('session.serialize_handler', String($_GET.handler));
  if ($_GET.id) session_id(String($_GET.id));
  await session_start();
  if ($_GET.step === 'write') {
    $_SESSION['a'] = 1;
    $_SESSION[-3] = 'm';
    $_SESSION[3] = 't';
    $_SESSION['b'] = 2;
  }
  const encoded = session_encode();
  echo('\\n' + JSON.stringify({ id: session_id(), keys: Object.keys($_SESSION), encoded }));
  if ($_GET.step !== 'write') await session_write_close();
}`;

/** The warnings in a response (display_errors=1, html_errors=0), and its last line parsed as JSON. */
function parse(body: string): { warnings: string[]; data: Record<string, unknown> } {
  const warnings = [...body.matchAll(/^Warning: (.*) in \S+ on line \d+$/gm)].map((m) => m[1]!);
  const lines = body.trimEnd().split('\n');
  return { warnings, data: JSON.parse(lines[lines.length - 1]!) as Record<string, unknown> };
}

describe('session API against PHP 8.2 fixtures', () => {
  let s: TestServer;
  let savePath: string;

  before(async () => {
    savePath = tempDir();
    s = await startServer(
      { 'options.ts': OPTIONS_SCRIPT, 'order.ts': KEY_ORDER_SCRIPT },
      { ini: { 'session.save_path': savePath, 'session.use_cookies': '0', 'session.cache_limiter': '', display_errors: '1', html_errors: '0' } },
    );
  });
  after(async () => {
    await s.close();
    rmSync(s.docroot, { recursive: true, force: true });
    rmSync(savePath, { recursive: true, force: true });
  });

  describe('session_start($options)', () => {
    for (const expected of fixture.startOptions) {
      it(`${expected.label}: ${expected.error ?? `${JSON.stringify(expected.result)}, session ${expected.status === 2 ? 'open' : 'closed'}`}${expected.warnings.length ? `, ${expected.warnings.length} warning(s)` : ''}`, async () => {
        const body = await fetch(`${s.url}/options.ts?label=${encodeURIComponent(expected.label)}`).then((r) => r.text());
        const { warnings, data } = parse(body);
        expect({ ...data, warnings }).to.deep.equal({ result: expected.result, error: expected.error, status: expected.status, warnings: expected.warnings });
      });
    }
  });

  describe("$_SESSION's key order", () => {
    it('is the order of assignment, integer-like keys included: php_serialize stores it, and the next request reads it back in it', async () => {
      const first = parse(await fetch(`${s.url}/order.ts?step=write&handler=php_serialize`).then((r) => r.text())).data;
      expect(first['encoded']).to.equal(fixture.keyOrder.encoded);
      const file = join(savePath, `sess_${String(first['id'])}`);
      await waitUntil('the session file to be written', () => existsSync(file) && readFileSync(file, 'utf8') !== '');
      expect(readFileSync(file, 'utf8')).to.equal(fixture.keyOrder.stored);
      const second = parse(await fetch(`${s.url}/order.ts?handler=php_serialize&id=${String(first['id'])}`).then((r) => r.text())).data;
      expect(second['keys']).to.deep.equal(fixture.keyOrder.reread.map(String));
      expect(second['encoded']).to.equal(fixture.keyOrder.encoded);
    });

    it('the php handler skips integer keys with PHP\'s warnings', async () => {
      const { warnings, data } = parse(await fetch(`${s.url}/order.ts?step=write&handler=php`).then((r) => r.text()));
      expect(data['encoded']).to.equal(fixture.keyOrder.php);
      expect(warnings).to.deep.equal(fixture.keyOrder.phpWarnings);
    });
  });
});
