/**
 * port-check's replay over real loopback servers: steps of a concurrent turn reach a side at the same time (what
 * session lock cases need), each sequence starts with empty cookie jars, and each side keeps its own cookies.
 */
import { expect } from 'chai';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runPortCheck } from '../../runtime/port-check/run.ts';
import type { Sequence } from '../../runtime/port-check/steps.ts';

/** A server that answers /together once two requests are in flight (or "alone" after 2 s), and echoes its cookies. */
async function sideServer(name: string): Promise<{ server: Server; url: URL }> {
  const waiting: Array<() => void> = [];
  const counting: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/count') {
      // two at once, numbered by arrival; the port's side numbers them the other way round, as when the other
      // request wins the session lock there
      counting.push(res);
      if (counting.length === 2) counting.splice(0).forEach((r, n) => r.end(`count ${name === 'php' ? n + 1 : 2 - n}`));
      return;
    }
    if (req.url === '/cookie') {
      res.setHeader('Set-Cookie', `side=${name}; path=/`);
      res.end(`cookie sent: ${req.headers.cookie ?? 'none'}`);
      return;
    }
    let answered = false;
    const answer = (how: string): void => {
      if (answered) return;
      answered = true;
      res.end(how);
    };
    const timer = setTimeout(() => answer('alone'), 2000);
    waiting.push(() => {
      clearTimeout(timer);
      answer('together');
    });
    if (waiting.length >= 2) waiting.splice(0).forEach((release) => release());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`) };
}

describe('port-check replay', function () {
  this.timeout(20_000);
  let php: Awaited<ReturnType<typeof sideServer>>;
  let ts: Awaited<ReturnType<typeof sideServer>>;
  before(async () => {
    php = await sideServer('php');
    ts = await sideServer('ts');
  });
  after(async () => {
    await Promise.all([php, ts].map((s) => new Promise((resolve) => s.server.close(resolve))));
  });

  const step = (target: string) => ({ method: 'GET', target, headers: [] });
  const options = () => ({ php: php.url, ts: ts.url, sessionName: 'PHPSESSID', masks: [], htmlWhitespace: false });

  it('pairs the answers to identical requests sent at once by content: the order each side served them in is no difference', async () => {
    const sequences: Sequence[] = [{ name: 'lock order', turns: [[step('/count'), step('/count')]] }];
    const report = await runPortCheck(sequences, options());
    expect(report.requests.map((r) => [r.php.body, r.ts.body, r.differences.length])).to.deep.equal([
      ['count 1', 'count 1', 0],
      ['count 2', 'count 2', 0],
    ]);
  });

  it('sends the steps of a concurrent turn to a side at the same time', async () => {
    const sequences: Sequence[] = [{ name: 'locks', turns: [[step('/together'), step('/together')]] }];
    const report = await runPortCheck(sequences, options());
    expect(report.requests.map((r) => [r.turn, r.php.body, r.ts.body])).to.deep.equal([
      [1, 'together', 'together'],
      [1, 'together', 'together'],
    ]);
  });

  it("keeps one cookie jar per side, emptied for each sequence, and compares each side's own cookie", async () => {
    const sequences: Sequence[] = [
      { name: 'first', turns: [[step('/cookie')], [step('/cookie')]] },
      { name: 'second', turns: [[step('/cookie')]] },
    ];
    const report = await runPortCheck(sequences, options());
    expect(report.requests.map((r) => [r.sequence, r.php.body, r.ts.body])).to.deep.equal([
      ['first', 'cookie sent: none', 'cookie sent: none'],
      ['first', 'cookie sent: side=php', 'cookie sent: side=ts'],
      ['second', 'cookie sent: none', 'cookie sent: none'],
    ]);
    expect(report.requests[0]!.differences).to.deep.equal([{ field: 'Set-Cookie side: value', php: 'php', ts: 'ts' }]);
  });
});
