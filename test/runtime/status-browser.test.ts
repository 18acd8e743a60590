/**
 * The status page as a person sees it (`?html`), in Debian's chromium driven by playwright-core:
 * what it renders, and that it redraws itself when the pool changes, without navigating.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { rawGet } from '../support/http.ts';
import { gatedScripts, installGates } from '../support/gates.ts';
import { waitUntil } from '../support/wait.ts';
import { startServer, type TestServer } from '../support/server.ts';

const CHROMIUM = '/usr/bin/chromium';

const gates = installGates('__statusPageGate');

const scripts = gatedScripts(gates);

function get(url: string, headers: Record<string, string> = {}): Promise<{ body: string; cookie: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ body, cookie: String(res.headers['set-cookie'] ?? '').split(';')[0]! }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** The live-request table as rendered: one [state, method, URI, script, elapsed, session lock, pid] per row. */
// browser-side code is given as strings: this project's TypeScript has no DOM types
const rows = (page: Page): Promise<string[][]> =>
  page.evaluate(`[...document.querySelectorAll('#requests tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent))`);
const figure = (page: Page, key: string): Promise<string> => page.locator(`[data-key="${key}"] b`).innerText();

describe('the status page in a browser (?html)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let s: TestServer | undefined;
  const answers: Promise<unknown>[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip(); // needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
    s = await startServer(scripts, { ini: { 'session.save_handler': 'memory' } });
  });

  after(async () => {
    gates.openAll();
    await Promise.allSettled(answers);
    await browser?.close();
    if (s) await waitUntil('every request to end', () => s!.server.config.pool.live.size === 0);
    await s?.close();
  });

  it('shows the figures and one row per live request with its state, then redraws itself as requests start, finish and leave', async () => {
    const server = s!;
    const pool = server.server.config.pool;
    const { cookie } = await get(`${server.url}/session-new.ts`);
    answers.push(get(`${server.url}/hold.ts?id=run`));
    answers.push(get(`${server.url}/session-hold.ts?id=holder`, { Cookie: cookie }));
    await waitUntil('the session lock to be held', () => pool.locksHeld === 1);
    answers.push(get(`${server.url}/session-hold.ts?id=waiter`, { Cookie: cookie }));
    await waitUntil('a request waiting for the lock', () => pool.lockWaiters === 1 && server.server.config.pool.live.size === 3);

    const page = await browser!.newPage();
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    await page.goto(`${server.url}/fpm-status?html`, { timeout: 15_000 });

    expect(await page.title()).to.equal('tsfpm status: pool www');
    expect(await figure(page, 'active processes')).to.equal('3');
    expect(await figure(page, 'background tails')).to.equal('0');
    expect(await figure(page, 'session locks held')).to.equal('1');
    expect(await figure(page, 'session lock waiters')).to.equal('1');
    expect(await figure(page, 'accepted conn')).to.equal('4');
    expect(await figure(page, 'start since')).to.match(/^\d+s$/);
    expect(await page.locator('[data-key="session lock waiters"]').getAttribute('class')).to.include('hot');
    expect(await page.locator('#updated').innerText()).to.match(/^updated /);
    const first = await rows(page);
    expect(first.map((r) => [r[0], r[1], r[2], r[5]])).to.have.deep.members([
      ['Running', 'GET', '/hold.ts?id=run', ''],
      ['Running', 'GET', '/session-hold.ts?id=holder', 'held'],
      ['Waiting for session lock', 'GET', '/session-hold.ts?id=waiter', 'waiting'],
    ]);
    const running = first.find((r) => r[2] === '/hold.ts?id=run')!;
    expect(running[3]).to.equal(`${server.docroot}/hold.ts`);
    expect(running[4]).to.match(/^\d+\.\d s$/);
    expect(running[6]).to.equal(String(process.pid));

    // a request goes into its background tail: a Finishing row appears, drawn apart from the others
    expect((await get(`${server.url}/tail.ts?id=tail`)).body).to.equal('answered');
    await page.waitForSelector('#requests tr[data-state="Finishing"]', { timeout: 10_000 });
    await page.waitForFunction(`document.querySelector('[data-key="background tails"] b').textContent === '1'`, null, { timeout: 10_000 });
    const colours: Record<string, string> = await page.evaluate(
      `Object.fromEntries([...document.querySelectorAll('#requests tbody tr')].map((tr) => [tr.dataset.state, getComputedStyle(tr.querySelector('.state')).backgroundColor]))`,
    );
    expect(new Set(Object.values(colours)).size, JSON.stringify(colours)).to.equal(3);

    // the running request ends, the lock passes to the waiter: its row leaves, the waiter runs and holds the lock
    gates.open('run');
    gates.open('holder');
    await page.waitForFunction(`![...document.querySelectorAll('#requests td')].some((td) => td.textContent === '/hold.ts?id=run')`, null, { timeout: 10_000 });
    await page.waitForFunction(`document.querySelector('#requests tr[data-state="Waiting for session lock"]') === null`, null, { timeout: 10_000 });
    expect((await rows(page)).map((r) => [r[0], r[2], r[5]])).to.have.deep.members([
      ['Finishing', '/tail.ts?id=tail', ''],
      ['Running', '/session-hold.ts?id=waiter', 'held'],
    ]);
    expect(await figure(page, 'session lock waiters')).to.equal('0');
    expect(await page.locator('[data-key="session lock waiters"]').getAttribute('class')).to.not.include('hot');

    // every request ends: the table empties and says so
    gates.open('waiter');
    gates.open('tail');
    await page.waitForSelector('#empty:not([hidden])', { timeout: 10_000 });
    expect(await rows(page)).to.deep.equal([]);
    expect(navigations, 'the page redrew itself without navigating').to.equal(1);
    await page.close();
  });

  it('shows what requests send as text, never as markup', async () => {
    const server = s!;
    const uri = '/hold.ts?id=markup&x=</script><img%20src=x%20onerror=document.title=1>';
    answers.push(rawGet(server.port, uri));
    await waitUntil('the request with markup in its URI', () => [...server.server.config.pool.live].some((ctx) => ctx.req.url === uri));
    const page = await browser!.newPage();
    await page.goto(`${server.url}/fpm-status?html`, { timeout: 15_000 });
    expect((await rows(page)).map((r) => r[2])).to.include(uri);
    expect(await page.locator('#requests img').count()).to.equal(0);
    expect(await page.title()).to.equal('tsfpm status: pool www');
    gates.open('markup');
    await page.close();
  });

  it("without JavaScript shows PHP-FPM's text format and reloads itself", async () => {
    const context = await browser!.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${s!.url}/fpm-status?html`, { timeout: 15_000 });
      expect(await page.locator('pre').innerText()).to.match(/^pool: +www\nprocess manager: +static\n/);
      expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).to.equal('5');
    } finally {
      await context.close();
    }
  });
});
