import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { fakeSendmail, type FakeSendmail } from '../support/fake-sendmail.ts';
import { pendingAfter } from '../support/gates.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

const scriptsDir = fileURLToPath(new URL('../../scripts/', import.meta.url));

async function post(s: TestServer, path: string, email?: string) {
  const res = await fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: email === undefined ? '' : `email=${encodeURIComponent(email)}`,
  });
  return { res, text: await res.text() };
}

// sendmail waits until the test releases it, so an answer that arrives before that did not wait for it
describe('the article\'s mail scripts (scripts/mail-*.ts)', () => {
  let s: TestServer;
  let mail: FakeSendmail;
  beforeEach(async () => {
    mail = fakeSendmail();
    s = await startServer(scriptsDir, { ini: { sendmail_path: mail.command } });
  });
  afterEach(async () => {
    mail.release();
    await s.close();
  });

  it('fast: the response completes while sendmail is still running, and the mail arrives afterwards', async () => {
    const { text } = await post(s, '/mail-fast.php', 'user@example.com');
    expect(text).to.equal('Подтверждение было отправлено на почту');
    expect(mail.messages()).to.have.length(0);
    mail.release();
    await waitUntil('the mail to be delivered', () => mail.messages().length >= 1);
    const [message] = mail.messages();
    expect(message).to.contain('To: user@example.com');
    expect(message).to.contain('Subject: Подтверждение');
    expect(message).to.contain('Это Ваш ящик?');
  });

  it('slow: the visitor waits until the mail is sent', async () => {
    const answer = post(s, '/mail-slow.php', 'user@example.com');
    expect(await pendingAfter(answer, 300), 'answered before sendmail was released').to.equal(true);
    mail.release();
    expect((await answer).text).to.equal('Подтверждение было отправлено на почту');
    expect(mail.messages()).to.have.length(1);
  });

  it('both answer without an address, without waiting for sendmail, and send nothing', async () => {
    for (const path of ['/mail-fast.php', '/mail-slow.php']) {
      const { text } = await post(s, path);
      expect(text).to.equal('Вы не ввели все необходимые данные');
    }
    expect(mail.messages()).to.have.length(0);
  });

  it('logs the fast script\'s total time next to its response time', async () => {
    await post(s, '/mail-fast.php', 'user@example.com');
    expect(s.logs.some((l) => l.includes('POST /mail-fast.php - response in')), 'logged before sendmail ended').to.equal(false);
    mail.release();
    const line = await s.waitForLog(/POST \/mail-fast\.php - response in/);
    const [, response, total] = /response in ([\d.]+) ms, script ran ([\d.]+) ms/.exec(line)!;
    expect(Number(response)).to.be.below(Number(total));
  });
});
