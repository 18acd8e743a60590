import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { sleep, startServer, tempDir } from '../support/server.ts';

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
      expect(s.server.config.live.size).to.equal(0);
      expect(s.logs.some((l) => l.includes('internal error'))).to.equal(false);
    } finally {
      await s.close();
    }
  });
});
