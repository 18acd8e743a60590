import { expect } from 'chai';
import { chmodSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spoolDir } from '../../runtime/api/mail.ts';
import { RequestIni } from '../../runtime/settings/settings-table.ts';
import { join } from 'node:path';
import { connect } from 'node:net';
import { startServer, tempDir } from '../support/server.ts';
import { sleep } from '../support/wait.ts';

describe('settings from a php.ini file (-c)', () => {
  it('reads php.ini syntax: sections, comments, quoted values and E_* expressions', async () => {
    const dir = tempDir({ 'show.ts': `export default ({ ini_get, echo }) => echo(JSON.stringify(['error_reporting', 'display_errors', 'custom.greeting', 'output_buffering'].map(ini_get)));` });
    const iniFile = join(tempDir({}, 'tsfpm-ini-'), 'php.ini'); // outside the document root, as php.ini is
    writeFileSync(iniFile, `[PHP]\n; a comment\nerror_reporting = E_ALL & ~E_NOTICE\ndisplay_errors = Off\noutput_buffering = 0 ; trailing comment\n\n[custom]\ncustom.greeting = "hello; world"\n`);
    const s = await startServer(dir, { iniFile, defines: [{ name: 'display_errors', value: '1' }] });
    try {
      expect(JSON.parse(await (await fetch(`${s.url}/show.ts`)).text())).to.deep.equal(['32759', '1', 'hello; world', '0']);
    } finally {
      await s.close();
    }
  });
});

describe('the dev spool page (tsfpm.mail_page)', () => {
  it('lists mail() messages newest first and shows each raw message', async () => {
    const spool = tempDir({}, 'tsfpm-spool-');
    const s = await startServer(
      { 'send.ts': `export default async ({ mail, echo }) => echo(await mail('a@example.com', 'Subject <b>one</b>', 'Body text'));` },
      { ini: { 'tsfpm.mail_spool': spool } },
    );
    try {
      expect(await (await fetch(`${s.url}/send.ts`)).text()).to.equal('1');
      const page = await (await fetch(`${s.url}/_tsfpm/mail`)).text();
      expect(page).to.contain('Subject &lt;b&gt;one&lt;/b&gt;');
      expect(page).to.contain('a@example.com');
      const link = /href="(\/_tsfpm\/mail\/[^"]+\.eml)"/.exec(page)![1]!;
      const raw = await (await fetch(`${s.url}${link}`)).text();
      expect(raw).to.match(/^To: a@example\.com\r?\nSubject: Subject <b>one<\/b>\r?\n/);
      expect(raw).to.contain('Body text');
      expect((await fetch(`${s.url}/_tsfpm/mail/..%2f..%2fetc%2fpasswd`)).status).to.equal(404);
    } finally {
      await s.close();
    }
  });
});

describe('the dev spool page: private to its server', () => {
  const send = { 'send.ts': `export default async ({ $_GET, mail, echo }) => echo(await mail('a@example.com', String($_GET.subject), 'Body text'));` };

  it('answers only the clients tsfpm.status_allow lets in: 403 and a log line for others', async () => {
    const s = await startServer(send, { ini: { 'tsfpm.status_allow': '10.9.9.9' } });
    try {
      const res = await fetch(`${s.url}/_tsfpm/mail`);
      expect(res.status).to.equal(403);
      expect(await res.text()).to.not.contain('No messages');
      expect(await s.waitForLog(/\[403\]: GET \/_tsfpm\/mail - client 127\.0\.0\.1 is not allowed by tsfpm\.status_allow \(10\.9\.9\.9\)/)).to.be.a('string');
      expect((await fetch(`${s.url}/_tsfpm/mail/x.eml`)).status).to.equal(403);
    } finally {
      await s.close();
    }
  });

  it('keeps each document root\'s mail in its own folder, 0700 with 0600 messages; one page never lists another\'s mail', async () => {
    const a = await startServer(send);
    const b = await startServer(send);
    const spools = [a, b].map((s) => spoolDir(new RequestIni(s.server.config.settings), realpathSync(s.docroot)));
    try {
      expect(spools[0]).to.not.equal(spools[1]);
      expect(await (await fetch(`${a.url}/send.ts?subject=for-a`)).text()).to.equal('1');
      expect(await (await fetch(`${b.url}/send.ts?subject=for-b`)).text()).to.equal('1');
      const pageA = await (await fetch(`${a.url}/_tsfpm/mail`)).text();
      const pageB = await (await fetch(`${b.url}/_tsfpm/mail`)).text();
      expect(pageA).to.contain('for-a').and.not.contain('for-b');
      expect(pageB).to.contain('for-b').and.not.contain('for-a');
      expect(statSync(spools[0]!).mode & 0o777).to.equal(0o700);
      const [message] = readdirSync(spools[0]!);
      expect(statSync(join(spools[0]!, message!)).mode & 0o777).to.equal(0o600);
    } finally {
      await a.close();
      await b.close();
      for (const dir of [...spools, a.docroot, b.docroot]) rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the dev spool folder', () => {
  it('makes a folder of ours that others can read private (0700), and refuses a symlink in its place', async () => {
    const parent = tempDir({}, 'tsfpm-spool-perm-');
    const open = join(parent, 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    symlinkSync(open, join(parent, 'link'));
    const s = await startServer(
      { 'send.ts': `export default async ({ mail, echo }) => echo(String(await mail('a@example.com', 'subject', 'body')));` },
      { ini: { 'tsfpm.mail_spool': open, display_errors: 0 } },
    );
    const linked = await startServer(
      { 'send.ts': `export default async ({ mail, echo }) => echo(String(await mail('a@example.com', 'subject', 'body')));` },
      { ini: { 'tsfpm.mail_spool': join(parent, 'link'), display_errors: 0 } },
    );
    try {
      expect(await (await fetch(`${s.url}/send.ts`)).text()).to.equal('true');
      expect(statSync(open).mode & 0o777).to.equal(0o700);
      expect(await (await fetch(`${linked.url}/send.ts`)).text()).to.equal('false');
      await linked.waitForLog(/mail\(\): Could not write to the mail spool .* is not a folder/);
      expect((await fetch(`${linked.url}/_tsfpm/mail`)).status).to.equal(500);
      await linked.waitForLog(/\[500\]: GET \/_tsfpm\/mail - the mail spool cannot be read: .* is not a folder/);
    } finally {
      await s.close();
      await linked.close();
      for (const dir of [parent, s.docroot, linked.docroot]) rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a client that goes away before the response is finished', () => {
  it('marks the connection aborted and ends the script at its next output, as PHP without ignore_user_abort', async () => {
    const s = await startServer({
      'slow.ts': `export default async ({ echo, flush, error_log, connection_aborted, register_shutdown_function }) => {
        register_shutdown_function(() => error_log('shutdown ran, aborted=' + connection_aborted()));
        echo('start'); flush();
        await new Promise((r) => setTimeout(r, 400));
        echo('more'); flush();
        error_log('never reached');
      };`,
      'patient.ts': `export default async ({ echo, flush, error_log, connection_aborted, ignore_user_abort }) => {
        ignore_user_abort(true);
        echo('start'); flush();
        await new Promise((r) => setTimeout(r, 400));
        echo('more'); flush();
        error_log('went on, aborted=' + connection_aborted());
      };`,
    });
    try {
      for (const path of ['/slow.ts', '/patient.ts']) {
        const socket = connect(s.port, '127.0.0.1');
        socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
        await new Promise((r) => socket.once('data', r));
        socket.destroy();
      }
      await s.waitForLog(/shutdown ran, aborted=1/);
      await s.waitForLog(/went on, aborted=1/);
      await sleep(100);
      expect(s.logs.some((l) => l.includes('never reached'))).to.equal(false);
      expect(s.server.config.pool.live.size).to.equal(0);
      expect(s.logs.some((l) => l.includes('internal error'))).to.equal(false);
    } finally {
      await s.close();
    }
  });
});

describe('a setting value PHP cannot use, at start-up', () => {
  it('is PHP\'s own setting: a PHP Startup warning names it, and the server starts with the value it had', async () => {
    const s = await startServer({ 'limit.ts': `export default ({ echo, ini_get }) => echo(ini_get('max_execution_time') + ' ' + ini_get('max_input_vars'));` }, {
      defines: [
        { name: 'max_execution_time', value: 'abc' },
        { name: 'max_input_vars', value: '0' },
      ],
    });
    try {
      expect(await (await fetch(`${s.url}/limit.ts`)).text()).to.equal('30 1000');
      await s.waitForLog(/PHP Startup: max_execution_time: must be an integer \(value "abc" from -d\); the value is ignored/);
      await s.waitForLog(/PHP Startup: max_input_vars: must be greater than 0 \(value "0" from -d\); the value is ignored/);
    } finally {
      await s.close();
    }
  });

  it('is a PHP-FPM pool setting or tsfpm\'s own: the server does not start, and says why', async () => {
    let error: unknown;
    try {
      await (await startServer({}, { defines: [{ name: 'pm.max_children', value: 'abc' }] })).close();
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/pm\.max_children.*must be/);
  });
});
