/**
 * port-check's inputs: HAR files as browsers save them, and tsfpm's own JSON/YAML case files.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaseFile } from '../../runtime/port-check/case-file.ts';
import { readCases } from '../../runtime/port-check/cases.ts';
import { readHarFile } from '../../runtime/port-check/har.ts';
import { CookieJar } from '../../runtime/port-check/cookie-jar.ts';
import { send } from '../../runtime/port-check/replay.ts';
import { SetupError } from '../../runtime/port-check/setup-error.ts';

describe('port-check inputs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tsfpm-port-check-inputs-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const har = (entries: unknown[]): string => file('site.har', JSON.stringify({ log: { version: '1.2', entries } }));

  describe('HAR files', () => {
    it('replays each entry by path and query with its method, headers and body; the recorded host, cookies and hop-by-hop headers are dropped', () => {
      const seq = readHarFile(
        har([
          {
            request: {
              method: 'post',
              url: 'https://shop.example.com/cart.php?id=3',
              headers: [
                { name: ':authority', value: 'shop.example.com' },
                { name: 'Host', value: 'shop.example.com' },
                { name: 'Cookie', value: 'PHPSESSID=recorded' },
                { name: 'Content-Type', value: 'application/x-www-form-urlencoded' },
                { name: 'Accept-Encoding', value: 'gzip, br' },
                { name: 'X-Requested-With', value: 'XMLHttpRequest' },
                { name: 'Content-Length', value: '9' },
              ],
              postData: { mimeType: 'application/x-www-form-urlencoded', text: 'item=book' },
            },
          },
        ]),
      );
      expect(seq.name).to.equal('site.har');
      expect(seq.turns).to.have.length(1);
      const [step] = seq.turns[0]!;
      expect(step!.method).to.equal('POST');
      expect(step!.target).to.equal('/cart.php?id=3');
      expect(step!.headers).to.deep.equal([
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['X-Requested-With', 'XMLHttpRequest'],
      ]);
      expect(step!.body!.toString()).to.equal('item=book');
    });

    it('builds an urlencoded body from postData.params, decodes base64 text, and skips data: URLs', () => {
      const seq = readHarFile(
        har([
          { request: { method: 'GET', url: 'data:image/png;base64,AAAA', headers: [] } },
          { request: { method: 'POST', url: 'http://x/a.php', headers: [], postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'a b', value: 'c&d' }] } } },
          { request: { method: 'PUT', url: 'http://x/b.php', headers: [], postData: { mimeType: 'application/octet-stream', text: Buffer.from([0, 255]).toString('base64'), encoding: 'base64' } } },
        ]),
      );
      expect(seq.turns).to.have.length(2);
      expect(seq.turns[0]![0]!.body!.toString()).to.equal('a+b=c%26d');
      expect(seq.turns[0]![0]!.headers).to.deep.equal([['Content-Type', 'application/x-www-form-urlencoded']]);
      expect([...seq.turns[1]![0]!.body!]).to.deep.equal([0, 255]);
    });

    it('refuses a file that is not JSON, or has no log.entries, naming the file', () => {
      const broken = file('broken.har', '{"log": {"entries": [');
      expect(() => readHarFile(broken)).to.throw(SetupError, `${broken} is not a HAR file`);
      const empty = file('empty.har', '{"log": {}}');
      expect(() => readHarFile(empty)).to.throw(SetupError, 'it has no log.entries list');
      const noUrl = file('nourl.har', '{"log": {"entries": [{"request": {"method": "GET"}}]}}');
      expect(() => readHarFile(noUrl)).to.throw(SetupError, 'entry 1 has no request.method and request.url');
    });
  });

  describe('case files', () => {
    it('reads YAML sequences: "METHOD /path" steps, forms, JSON, raw bodies, ordered headers and concurrent groups', async () => {
      const path = file(
        'cases.yaml',
        `sequences:
  - name: cart
    steps:
      - GET /cart.php?id=3
      - method: post
        path: /cart.php
        headers: [[X-B, "2"], [X-A, "1"]]
        form: { item: book, "tags[]": [a, b] }
      - { method: POST, path: /api.php, json: { a: 1 } }
      - { method: PUT, path: /raw.php, body: "raw text", headers: { Content-Type: text/plain } }
      - concurrent: [GET /slow.php, GET /fast.php]
`,
      );
      const [seq] = await readCaseFile(path);
      expect(seq!.name).to.equal('cart');
      const steps = seq!.turns;
      expect(steps.map((t) => t.map((s) => `${s.method} ${s.target}`))).to.deep.equal([
        ['GET /cart.php?id=3'],
        ['POST /cart.php'],
        ['POST /api.php'],
        ['PUT /raw.php'],
        ['GET /slow.php', 'GET /fast.php'],
      ]);
      expect(steps[1]![0]!.headers).to.deep.equal([['X-B', '2'], ['X-A', '1'], ['Content-Type', 'application/x-www-form-urlencoded']]);
      expect(steps[1]![0]!.body!.toString()).to.equal('item=book&tags%5B%5D=a&tags%5B%5D=b');
      expect(steps[2]![0]!.body!.toString()).to.equal('{"a":1}');
      expect(steps[2]![0]!.headers).to.deep.equal([['Content-Type', 'application/json']]);
      expect(steps[3]![0]!.body!.toString()).to.equal('raw text');
    });

    it('sends files as multipart/form-data with their names, types and contents (path: beside the case file)', async () => {
      file('clip.bin', 'file bytes');
      const path = file('cases.json', JSON.stringify([{ steps: [{ method: 'POST', path: '/up.php', form: { note: 'hi' }, files: { video: { path: 'clip.bin', type: 'video/mp4' } } }] }]));
      const [seq] = await readCases([path]);
      const step = seq!.turns[0]![0]!;
      const type = step.headers.find(([n]) => n === 'Content-Type')![1];
      expect(type).to.match(/^multipart\/form-data; boundary=/);
      const body = step.body!.toString();
      expect(body).to.contain('name="note"\r\n\r\nhi\r\n');
      expect(body).to.contain('name="video"; filename="clip.bin"\r\nContent-Type: video/mp4\r\n\r\nfile bytes\r\n');
    });

    it('tells a HAR from a case file by its content when both end in .json', async () => {
      const path = file('recorded.json', JSON.stringify({ log: { entries: [{ request: { method: 'GET', url: 'http://h/x.php' } }] } }));
      const [seq] = await readCases([path]);
      expect(seq!.turns[0]![0]!.target).to.equal('/x.php');
    });

    it('names the file and the step for a case it cannot send', async () => {
      const bad = file('bad.yaml', 'sequences:\n  - name: s\n    steps:\n      - FETCH\n');
      await expectSetupError(readCaseFile(bad), `${bad}: "s" step 1: "FETCH" is not "METHOD /path"`);
      const twoBodies = file('two.yaml', '- steps: [{ path: /a, json: 1, body: x }]\n');
      await expectSetupError(readCaseFile(twoBodies), 'give one of form (with files), json or body, not json and body');
      const notYaml = file('not.yaml', 'sequences: [\n');
      await expectSetupError(readCaseFile(notYaml), `${notYaml} is not a JSON or YAML case file`);
    });
  });
});

describe('port-check replay', () => {
  it('refuses a recorded header Node may not send with a setup error naming the request, not a crash', async () => {
    const step = { method: 'GET', target: '/a.php', headers: [['X-Recorded', 'a\u0001b']] as const };
    await expectSetupError(send(new URL('http://127.0.0.1:9/'), step, new CookieJar()), 'cannot send GET /a.php: Invalid character in header content ["X-Recorded"]');
  });
});

async function expectSetupError(promise: Promise<unknown>, message: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(SetupError);
  expect((error as Error).message).to.contain(message);
}
