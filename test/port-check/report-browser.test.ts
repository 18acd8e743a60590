/**
 * `--html FILE`: the side-by-side report as a person sees it, in Debian's chromium driven by playwright-core: the
 * verdict, the request that differs opened with its fields and both values, both answers side by side, the masks.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { portCheckMain } from '../../runtime/port-check/command.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAS_PHP = spawnSync('php', ['-v']).status === 0;
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

describe('the port-check report in a browser (--html)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let work: string;

  before(async function () {
    if (!existsSync(CHROMIUM) || !HAS_PHP) this.skip(); // needs Debian's chromium at /usr/bin/chromium and php on PATH
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
  });
  beforeEach(() => (work = mkdtempSync(join(tmpdir(), 'tsfpm-port-check-html-'))));
  afterEach(() => rmSync(work, { recursive: true, force: true }));
  after(async () => browser?.close());

  it('shows the verdict, opens the request that differs with its field and both values, and the answers side by side', async () => {
    const port = join(work, 'ts');
    cpSync(here('./planted/ts'), port, { recursive: true });
    const page = join(port, 'page.ts');
    writeFileSync(page, readFileSync(page, 'utf8').replace("echo('Hello, ann\\n');", "echo('Hello, <Ann>\\n');"));
    const html = join(work, 'report.html');
    const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
    const code = await portCheckMain(['--php', here('./planted/php'), '--ts', port, '--html', html, here('./planted/page.yaml')], quiet, quiet);
    expect(code).to.equal(1);

    const tab = await browser!.newPage();
    await tab.goto(pathToFileURL(html).href);
    expect(await tab.title()).to.equal('port-check: the port differs');
    expect(await tab.locator('#verdict').innerText()).to.equal('The port differs: 2 requests, 0 same, 2 different.');
    const first = tab.locator('#request-1');
    expect(await first.getAttribute('open')).to.equal('');
    expect(await first.locator('summary').innerText()).to.match(/^DIFFERENT — page twice #1 GET \/page\.php( \(slow\))?$/); // the slow flag depends on the machine
    // the port's body is shown as text, never as markup
    expect(await first.locator('ul.fields li').first().innerText()).to.contain('body line 1: php Hello, ann ≠ ts Hello, <Ann>');
    expect(await first.locator('pre.diff .del').innerText()).to.equal('-Hello, ann');
    expect(await first.locator('pre.diff .add').innerText()).to.equal('+Hello, <Ann>');
    expect(await first.locator('td.php pre.head').innerText()).to.match(/^200 OK\n/);
    expect(await first.locator('td.ts pre.body').innerText()).to.equal('Hello, <Ann>\nvisit 1\n');
    expect(await tab.locator('#masks li').first().innerText()).to.match(/^‹session-id-1›: php [a-v0-9]{26} ↔ ts [a-v0-9]{26} \(\d+ replaced\)$/);
  });
});
