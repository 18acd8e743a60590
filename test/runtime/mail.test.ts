/**
 * mail(): PHP 8.2's message bytes, argument checks and warnings (cases recorded from a real PHP 8.2
 * in test/fixtures/mail), then each transport for real: delivery programs run by /bin/sh, an
 * SMTP server on loopback, and spool files on disk.
 */
import { expect } from 'chai';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { PhpTypeError, ValueError } from '../../runtime/php/errors.ts';
import { sendMail, type MailSettings } from '../../runtime/mail/delivery.ts';
import { escapeShellCmd, type MailArgs } from '../../runtime/mail/message.ts';
import { listSpool, readSpoolMessage, renderSpoolPage } from '../../runtime/mail/spool.ts';

interface FixtureCase {
  name: string;
  args: Pick<MailArgs, 'to' | 'subject' | 'message' | 'additionalHeaders' | 'additionalParams'>;
  settings: { 'mail.add_x_header'?: boolean; 'mail.mixed_lf_and_crlf'?: boolean; 'mail.log'?: 'LOG' };
  exit: number;
  result: boolean | null;
  exception: { class: string; message: string } | null;
  warnings: string[];
  stdin: string | null;
  argv: string[] | null;
  log: string | null;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/mail/mail-cases.json', import.meta.url), 'utf8')) as {
  cases: FixtureCase[];
  escapeshellcmd: [string, string][];
};

let root: string;

let folders = 0;
async function freshDir(): Promise<string> {
  const dir = join(root, String(folders++));
  await mkdir(dir);
  return dir;
}

/** A delivery program that records its argv (NUL-separated) and stdin next to itself, then exits with `exit`. */
async function captureProgram(dir: string, exit = 0): Promise<{ path: string; stdin(): Promise<Buffer>; argv(): Promise<string[]> }> {
  const path = join(dir, 'capture.sh');
  await writeFile(
    path,
    `#!/bin/sh\n: > '${dir}/argv'\nif [ $# -gt 0 ]; then printf '%s\\0' "$@" > '${dir}/argv'; fi\ncat > '${dir}/stdin'\nexit ${exit}\n`,
  );
  await chmod(path, 0o755);
  return {
    path,
    stdin: () => readFile(join(dir, 'stdin')),
    argv: async () => {
      const raw = await readFile(join(dir, 'argv'), 'utf8');
      return raw === '' ? [] : raw.slice(0, -1).split('\0');
    },
  };
}

function settingsFor(overrides: Partial<MailSettings>): MailSettings {
  return {
    sendmail_path: '',
    SMTP: 'localhost',
    smtp_port: 25,
    sendmail_from: '',
    'mail.add_x_header': false,
    'mail.log': '',
    transport: 'sendmail',
    spoolDir: join(root, 'unused-spool'),
    ...overrides,
  };
}

async function mail(settings: MailSettings, args: Partial<MailArgs>): Promise<{ result: boolean; warnings: string[] }> {
  const warnings: string[] = [];
  const result = await sendMail(settings, { to: 'a@example.com', subject: 's', message: 'm', scriptPath: '/srv/app/send.ts', ...args }, (w) =>
    warnings.push(w),
  );
  return { result, warnings };
}

/** The bytes PHP would pipe to sendmail for these arguments, through a capture program. */
async function sendmailBytes(args: Partial<MailArgs>): Promise<Buffer> {
  const capture = await captureProgram(await freshDir());
  const { result } = await mail(settingsFor({ sendmail_path: capture.path }), args);
  expect(result).to.equal(true);
  return capture.stdin();
}

/** The error a promise rejects with; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

const crlf = (bytes: Buffer): string => bytes.toString('utf8').replace(/\r?\n/g, '\r\n');

describe('mail()', () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsfpm-mail-test-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('as PHP 8.2 does it (fixtures recorded from php 8.2)', () => {
    for (const c of fixture.cases) {
      it(c.name, async () => {
        const dir = await freshDir();
        const capture = await captureProgram(dir, c.exit);
        // the fixture's x-header names the generator script: pass a file with that basename
        const scriptPath = join(dir, 'mail-cases.php');
        await writeFile(scriptPath, '');
        const logPath = join(dir, 'mail.log');
        const settings = settingsFor({
          sendmail_path: capture.path,
          'mail.add_x_header': c.settings['mail.add_x_header'] ?? false,
          'mail.mixed_lf_and_crlf': c.settings['mail.mixed_lf_and_crlf'] ?? false,
          'mail.log': c.settings['mail.log'] ? logPath : '',
        });
        const warnings: string[] = [];
        let result: boolean | null = null;
        let thrown: unknown;
        try {
          result = await sendMail(settings, { ...c.args, scriptPath, line: 7 }, (w) => warnings.push(w));
        } catch (err) {
          thrown = err;
        }

        if (c.exception) {
          expect(thrown, 'exception').to.be.instanceOf(c.exception.class === 'ValueError' ? ValueError : PhpTypeError);
          expect((thrown as Error).name).to.equal(c.exception.class);
          expect((thrown as Error).message).to.equal(c.exception.message);
        } else {
          expect(thrown, 'exception').to.equal(undefined);
          expect(result).to.equal(c.result);
        }
        if (c.exit === 0) {
          expect(warnings).to.deep.equal(c.warnings);
        } else {
          // PHP 8.2 fails silently here; tsfpm says why
          expect(warnings.slice(0, c.warnings.length)).to.deep.equal(c.warnings);
          expect(warnings.slice(c.warnings.length)).to.deep.equal([
            `mail(): Mail delivery program '${capture.path}' exited with status ${c.exit}`,
          ]);
        }
        if (c.stdin === null) {
          expect((await rejection(capture.stdin())).code, 'the program ran').to.equal('ENOENT');
        } else {
          const uid = (await stat(scriptPath)).uid;
          expect((await capture.stdin()).toString('utf8')).to.equal(c.stdin.replaceAll('{uid}', String(uid)));
          expect(await capture.argv()).to.deep.equal(c.argv);
        }
        if (c.log === null) {
          expect(await readFile(logPath, 'utf8').catch(() => null)).to.equal(null);
        } else {
          const log = await readFile(logPath, 'utf8');
          expect(log).to.match(/^\[\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2} UTC\] /);
          const placeheld = log.replace(/^\[[^\]]+\]/, '[{date}]').replace(`[${scriptPath}:7]`, '[{script}:{line}]');
          expect(placeheld).to.equal(c.log);
        }
      });
    }
  });

  describe('additional_params escaping (escapeshellcmd)', () => {
    for (const [input, output] of fixture.escapeshellcmd) {
      it(`escapes ${JSON.stringify(input)} as PHP does`, () => {
        expect(escapeShellCmd(input)).to.equal(output);
      });
    }
    it('drops what is not valid UTF-8, as PHP drops invalid multibyte sequences', () => {
      expect(escapeShellCmd('a\ud800b')).to.equal('ab');
    });
  });

  describe('array headers from JS values', () => {
    it('names a class instance by its class, as PHP names objects', async () => {
      class Address {}
      const headers = { From: new Address() } as unknown as Record<string, string>;
      const err = await rejection(mail(settingsFor({}), { additionalHeaders: headers }));
      expect(err).to.be.instanceOf(PhpTypeError);
      expect(err.message).to.equal('Header "From" must be of type array|string, Address given');
    });
  });

  describe('transport sendmail (sendmail_path through /bin/sh)', () => {
    it('returns false with a warning when the program exits non-zero, quoting its stderr', async () => {
      const { result, warnings } = await mail(settingsFor({ sendmail_path: 'cat > /dev/null; echo "no such user" >&2; exit 1' }), {});
      expect(result).to.equal(false);
      expect(warnings).to.deep.equal([
        `mail(): Mail delivery program 'cat > /dev/null; echo "no such user" >&2; exit 1' exited with status 1: no such user`,
      ]);
    });

    it('returns false with a warning when the program does not exist', async () => {
      const { result, warnings } = await mail(settingsFor({ sendmail_path: '/nonexistent/sendmail -t -i' }), {});
      expect(result).to.equal(false);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(/^mail\(\): Mail delivery program '\/nonexistent\/sendmail -t -i' exited with status 127: .*not found/);
    });

    it('returns false with a warning when the program is killed by a signal', async () => {
      const { result, warnings } = await mail(settingsFor({ sendmail_path: 'kill -9 $$' }), {});
      expect(result).to.equal(false);
      expect(warnings).to.deep.equal([`mail(): Mail delivery program 'kill -9 $$' was killed by SIGKILL`]);
    });

    it('survives a program that exits without reading its stdin (broken pipe)', async () => {
      const big = 'x'.repeat(4 * 1024 * 1024);
      expect(await mail(settingsFor({ sendmail_path: 'exit 0' }), { message: big })).to.deep.equal({ result: true, warnings: [] });
      const failed = await mail(settingsFor({ sendmail_path: 'exit 3' }), { message: big });
      expect(failed.result).to.equal(false);
      expect(failed.warnings).to.deep.equal([`mail(): Mail delivery program 'exit 3' exited with status 3`]);
    });

    it('resolves only once a slow program has finished', async () => {
      const out = join(await freshDir(), 'out.eml');
      const started = Date.now();
      const { result } = await mail(settingsFor({ sendmail_path: `sleep 1; cat > '${out}'` }), { message: 'slow' });
      expect(result).to.equal(true);
      expect(Date.now() - started).to.be.at.least(900);
      expect(await readFile(out, 'utf8')).to.equal('To: a@example.com\r\nSubject: s\r\n\r\nslow\r\n');
    });

    it('appends the escaped additional_params to sendmail_path', async () => {
      const capture = await captureProgram(await freshDir());
      const { result } = await mail(settingsFor({ sendmail_path: `${capture.path} -t -i` }), { additionalParams: '-f me@example.com; rm -rf /' });
      expect(result).to.equal(true);
      expect(await capture.argv()).to.deep.equal(['-t', '-i', '-f', 'me@example.com;', 'rm', '-rf', '/']);
    });

    it('uses mail.force_extra_parameters instead of additional_params', async () => {
      const capture = await captureProgram(await freshDir());
      const settings = settingsFor({ sendmail_path: capture.path, 'mail.force_extra_parameters': '-f forced@example.com' });
      await mail(settings, { additionalParams: '-f script@example.com' });
      expect(await capture.argv()).to.deep.equal(['-f', 'forced@example.com']);
    });

    it('returns false without a warning when sendmail_path is not configured, as PHP on Unix', async () => {
      expect(await mail(settingsFor({ sendmail_path: '' }), {})).to.deep.equal({ result: false, warnings: [] });
    });
  });

  describe('mail.log', () => {
    it('warns once that syslog is not supported, and still sends', async () => {
      const capture = await captureProgram(await freshDir());
      const settings = settingsFor({ sendmail_path: capture.path, 'mail.log': 'syslog' });
      expect(await mail(settings, {})).to.deep.equal({
        result: true,
        warnings: ['mail(): mail.log=syslog is not supported by tsfpm; mail() calls are not logged'],
      });
      expect(await mail(settings, {})).to.deep.equal({ result: true, warnings: [] });
    });

    it("gives PHP's stream warning when the log cannot be opened, and still sends", async () => {
      const capture = await captureProgram(await freshDir());
      const logPath = join(root, 'no-such-dir', 'mail.log');
      const { result, warnings } = await mail(settingsFor({ sendmail_path: capture.path, 'mail.log': logPath }), {});
      expect(result).to.equal(true);
      expect(warnings).to.deep.equal([`mail(${logPath}): Failed to open stream: No such file or directory`]);
    });

    it('logs line 0 when the line of the call is unknown', async () => {
      const dir = await freshDir();
      const capture = await captureProgram(dir);
      const logPath = join(dir, 'mail.log');
      await mail(settingsFor({ sendmail_path: capture.path, 'mail.log': logPath }), { scriptPath: '/srv/app/send.ts' });
      expect(await readFile(logPath, 'utf8')).to.match(/\] mail\(\) on \[\/srv\/app\/send\.ts:0\]: To: a@example\.com -- Headers:  -- Subject: s\n$/);
    });
  });

  describe('transport smtp', () => {
    interface Received {
      from: string | false;
      to: string[];
      data: string;
    }
    let server: SMTPServer;
    let port: number;
    let received: Received[];
    let rejectRecipient: string | undefined;

    before(async () => {
      server = new SMTPServer({
        disabledCommands: ['AUTH', 'STARTTLS'],
        logger: false,
        onRcptTo(address, _session, callback) {
          if (address.address === rejectRecipient) {
            return callback(Object.assign(new Error('5.1.1 No such mailbox here'), { responseCode: 550 }));
          }
          callback();
        },
        onData(stream, session: SMTPServerSession, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            received.push({
              from: session.envelope.mailFrom === false ? false : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
              data: Buffer.concat(chunks).toString('utf8'),
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.server.address() as AddressInfo).port;
    });
    after(async () => {
      await new Promise<void>((resolve) => server.close(resolve));
    });
    beforeEach(() => {
      received = [];
      rejectRecipient = undefined;
    });

    const smtp = (overrides: Partial<MailSettings> = {}): MailSettings =>
      settingsFor({ transport: 'smtp', SMTP: '127.0.0.1', smtp_port: port, ...overrides });

    it("delivers PHP's bytes (line endings as SMTP requires) with the envelope from From: and To", async () => {
      const args: Partial<MailArgs> = {
        to: 'Ann <ann@example.com>, bob@example.com',
        subject: 'Report',
        message: 'Hello\n.leading dot\nbye',
        additionalHeaders: { From: 'Site <site@example.com>', 'X-Mailer': 'tsfpm' },
      };
      expect(await mail(smtp(), args)).to.deep.equal({ result: true, warnings: [] });
      expect(received).to.deep.equal([
        { from: 'site@example.com', to: ['ann@example.com', 'bob@example.com'], data: crlf(await sendmailBytes(args)) },
      ]);
    });

    it('takes the envelope sender from sendmail_from first', async () => {
      await mail(smtp({ sendmail_from: 'bounces@example.com' }), { additionalHeaders: 'From: site@example.com' });
      expect(received[0]!.from).to.equal('bounces@example.com');
    });

    it('sends to Cc and Bcc too, and leaves the Bcc header out of the message', async () => {
      const args: Partial<MailArgs> = { additionalHeaders: 'From: site@example.com\r\nCc: c@example.com\r\nBcc: hidden@example.com,\r\n other@example.com\r\nX-A: 1' };
      expect(await mail(smtp(), args)).to.deep.equal({ result: true, warnings: [] });
      expect(received[0]!.to).to.deep.equal(['a@example.com', 'c@example.com', 'hidden@example.com', 'other@example.com']);
      expect(received[0]!.data).to.equal('To: a@example.com\r\nSubject: s\r\nFrom: site@example.com\r\nCc: c@example.com\r\nX-A: 1\r\n\r\nm\r\n');
    });

    it('returns false with the server response when the server refuses', async () => {
      rejectRecipient = 'a@example.com';
      const { result, warnings } = await mail(smtp(), { additionalHeaders: 'From: site@example.com' });
      expect(result).to.equal(false);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(/^mail\(\): SMTP server response: 550 5\.1\.1 No such mailbox here/);
    });

    it('returns false with a warning when there is no sender to give', async () => {
      expect(await mail(smtp(), {})).to.deep.equal({
        result: false,
        warnings: ['mail(): "sendmail_from" not set in php.ini or custom "From:" header missing'],
      });
      expect(received).to.deep.equal([]);
    });

    it("returns false with PHP's connect warning when nothing listens on the port", async () => {
      const closedPort = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const p = (probe.address() as AddressInfo).port;
          probe.close(() => resolve(p));
        });
      });
      const { result, warnings } = await mail(smtp({ smtp_port: closedPort, sendmail_from: 'site@example.com' }), {});
      expect(result).to.equal(false);
      expect(warnings).to.deep.equal([
        `mail(): Failed to connect to mailserver at "127.0.0.1" port ${closedPort}, verify your "SMTP" and "smtp_port" setting in php.ini or use ini_set()`,
      ]);
    });
  });

  describe('transport spool', () => {
    it('writes the sendmail bytes to <spoolDir>/<timestamp>-<random>.eml, creating the folder', async () => {
      const spoolDir = join(await freshDir(), 'spool', 'nested');
      const args: Partial<MailArgs> = { subject: 'Spooled', message: 'one\ntwo', additionalHeaders: { From: 'site@example.com' } };
      expect(await mail(settingsFor({ transport: 'spool', spoolDir }), args)).to.deep.equal({ result: true, warnings: [] });
      const files = await readdir(spoolDir);
      expect(files).to.have.length(1);
      expect(files[0]).to.match(/^\d{8}-\d{6}-\d{3}-[0-9a-f]{12}\.eml$/);
      expect((await readFile(join(spoolDir, files[0]!))).equals(await sendmailBytes(args))).to.equal(true);
    });

    it('returns false with a warning when the spool cannot be written', async () => {
      const blocker = join(await freshDir(), 'file');
      await writeFile(blocker, '');
      const { result, warnings } = await mail(settingsFor({ transport: 'spool', spoolDir: join(blocker, 'spool') }), {});
      expect(result).to.equal(false);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(/^mail\(\): Could not write to the mail spool '.*\/file\/spool': /);
    });
  });

  describe('the dev spool listing (mail/spool.ts)', () => {
    it('lists messages newest first with date, To, Subject and size', async () => {
      const spoolDir = await freshDir();
      const settings = settingsFor({ transport: 'spool', spoolDir });
      await mail(settings, { to: 'first@example.com', subject: 'First' });
      await mail(settings, { to: 'second@example.com', subject: 'Second\r\n folded', additionalHeaders: 'From: x@example.com' });
      const entries = await listSpool(spoolDir);
      expect(entries.map((e) => [e.to, e.subject])).to.deep.equal([
        ['second@example.com', 'Second folded'],
        ['first@example.com', 'First'],
      ]);
      expect(entries[0]!.date.getTime()).to.be.greaterThan(entries[1]!.date.getTime());
      expect(Math.abs(entries[0]!.date.getTime() - Date.now())).to.be.below(60_000);
      expect(entries[0]!.size).to.equal((await stat(join(spoolDir, entries[0]!.file))).size);
    });

    it('decodes encoded-word subjects for display', async () => {
      const spoolDir = await freshDir();
      await mail(settingsFor({ transport: 'spool', spoolDir }), { subject: '=?UTF-8?B?Q2Fmw6k=?= =?ISO-8859-1?Q?_cr=E8me?=' });
      expect((await listSpool(spoolDir))[0]!.subject).to.equal('Café crème');
    });

    it('treats a missing spool folder as empty', async () => {
      expect(await listSpool(join(root, 'never-created'))).to.deep.equal([]);
    });

    it('renders a page that escapes message text and links each raw message', async () => {
      const spoolDir = await freshDir();
      await mail(settingsFor({ transport: 'spool', spoolDir }), { to: '"Ann & Co" <ann@example.com>', subject: '<script>alert("x")</script>' });
      const entries = await listSpool(spoolDir);
      const html = renderSpoolPage(entries, '/_tsfpm/mail/');
      expect(html).to.match(/^<!DOCTYPE html>/);
      expect(html).not.to.include('<script>');
      expect(html).to.include('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(html).to.include('&quot;Ann &amp; Co&quot; &lt;ann@example.com&gt;');
      expect(html).to.include(`<a href="/_tsfpm/mail/${entries[0]!.file}">`);
      expect(renderSpoolPage([], '/_tsfpm/mail')).to.include('No messages yet');
    });

    describe('readSpoolMessage()', () => {
      it('returns the raw bytes of a spooled message', async () => {
        const spoolDir = await freshDir();
        await mail(settingsFor({ transport: 'spool', spoolDir }), { subject: 'Raw' });
        const [entry] = await listSpool(spoolDir);
        expect((await readSpoolMessage(spoolDir, entry!.file))!.toString('utf8')).to.equal('To: a@example.com\r\nSubject: Raw\r\n\r\nm\r\n');
      });

      it('refuses names that are not a plain *.eml basename, even when such files exist', async () => {
        const parent = await freshDir();
        const spoolDir = join(parent, 'spool');
        await mkdir(join(spoolDir, 'a'), { recursive: true });
        await writeFile(join(parent, 'x.eml'), 'outside');
        await writeFile(join(spoolDir, 'a', 'b.eml'), 'nested');
        await writeFile(join(spoolDir, '.hidden.eml'), 'hidden');
        await writeFile(join(spoolDir, 'notes.txt'), 'not a message');
        for (const name of ['../x.eml', 'a/b.eml', '.hidden.eml', 'notes.txt', '', '..', 'a\\b.eml', `${parent}/x.eml`]) {
          expect(await readSpoolMessage(spoolDir, name), name).to.equal(undefined);
        }
        expect((await listSpool(spoolDir)).map((e) => e.file)).to.deep.equal([]);
      });

      it('returns undefined for a message that does not exist', async () => {
        expect(await readSpoolMessage(await freshDir(), '20260101-000000-000-000000000000.eml')).to.equal(undefined);
      });
    });
  });
});
