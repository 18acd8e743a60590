import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { fakeSendmail, type FakeSendmail } from '../support/fake-sendmail.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

const scriptsDir = fileURLToPath(new URL('../../scripts/', import.meta.url));
const DELAY = 1.5;

async function post(s: TestServer, path: string, email?: string) {
  const started = performance.now();
  const res = await fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: email === undefined ? '' : `email=${encodeURIComponent(email)}`,
  });
  const text = await res.text();
  return { res, text, ms: performance.now() - started };
}

describe('the article\'s mail scripts (scripts/mail-*.ts)', () => {
  let s: TestServer;
  let mail: FakeSendmail;
  beforeEach(async () => {
    mail = fakeSendmail(DELAY);
    s = await startServer(scriptsDir, { ini: { sendmail_path: mail.command } });
  });
  afterEach(() => s.close());

  it('fast: the response completes while sendmail is still running, and the mail arrives afterwards', async () => {
    const { text, ms } = await post(s, '/mail-fast.php', 'user@example.com');
    expect(text).to.equal('Подтверждение было отправлено на почту');
    expect(ms).to.be.below(DELAY * 1000 / 2);
    expect(mail.messages()).to.have.length(0);
    await waitUntil('the mail to be delivered', () => mail.messages().length >= 1, DELAY * 1000 + 3000);
    const [message] = mail.messages();
    expect(message).to.contain('To: user@example.com');
    expect(message).to.contain('Subject: Подтверждение');
    expect(message).to.contain('Это Ваш ящик?');
  });

  it('slow: the visitor waits until the mail is sent', async () => {
    const { text, ms } = await post(s, '/mail-slow.php', 'user@example.com');
    expect(text).to.equal('Подтверждение было отправлено на почту');
    expect(ms).to.be.at.least(DELAY * 1000);
    expect(mail.messages()).to.have.length(1);
  });

  it('both answer at once without an address, and send nothing', async () => {
    for (const path of ['/mail-fast.php', '/mail-slow.php']) {
      const { text, ms } = await post(s, path);
      expect(text).to.equal('Вы не ввели все необходимые данные');
      expect(ms).to.be.below(DELAY * 1000 / 2);
    }
    expect(mail.messages()).to.have.length(0);
  });

  it('logs the fast script\'s total time next to its response time', async () => {
    await post(s, '/mail-fast.php', 'user@example.com');
    const line = await s.waitForLog(/POST \/mail-fast\.php - response in/, DELAY * 1000 + 3000);
    const [, response, total] = /response in ([\d.]+) ms, script ran ([\d.]+) ms/.exec(line)!;
    expect(Number(response)).to.be.below(DELAY * 1000 / 2);
    expect(Number(total)).to.be.at.least(DELAY * 1000);
  });
});
