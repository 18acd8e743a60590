import { expect } from 'chai';
import { request } from 'node:http';
import { parseAccessList } from '../../runtime/admin/access-allow.ts';
import { createServer } from '../../runtime/index.ts';
import { joinPeers, localSnapshot } from '../../runtime/admin/snapshot.ts';
import { gatedScripts, installGates } from '../support/gates.ts';
import { waitUntil } from '../support/wait.ts';
import { startServer, tempDir, type TestServer } from '../support/server.ts';

const gates = installGates('__statusGate');

const scripts = gatedScripts(gates);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** PHP-FPM's pool fields, in fpm_status.c's order. */
const PHP_FPM_KEYS = [
  'pool', 'process manager', 'start time', 'start since', 'accepted conn', 'listen queue', 'max listen queue', 'listen queue len',
  'idle processes', 'active processes', 'total processes', 'max active processes', 'max children reached', 'slow requests',
];
const TSFPM_KEYS = [
  'workers', 'background tails', 'tail queue', 'max tails', 'tails refused', 'listen queue refused',
  'session locks held', 'session lock waiters', 'session lock waits', 'lock wait seconds', 'lock waits timed out',
];
/** PHP-FPM's per-process fields of `&full`, then tsfpm's. */
const PHP_FPM_PROCESS_KEYS = [
  'pid', 'state', 'start time', 'start since', 'requests', 'request duration', 'request method', 'request uri', 'content length',
  'user', 'script', 'last request cpu', 'last request memory',
];

/** strftime("%d/%b/%Y:%H:%M:%S %z"). */
const CLF_DATE = /^\d\d\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}$/;

interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

/** A strict reader for the status XML: the prolog, one root, matched tags, only XML's entities; throws otherwise. */
function parseXml(xml: string): XmlElement {
  const prolog = '<?xml version="1.0" ?>\n';
  if (!xml.startsWith(prolog)) throw new Error('no XML declaration');
  const stack: XmlElement[] = [{ name: '#document', children: [], text: '' }];
  const token = /<(\/?)([A-Za-z_][\w.-]*)>|([^<]+)/gy;
  const body = xml.slice(prolog.length);
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < body.length && (m = token.exec(body))) {
    at = token.lastIndex;
    const top = stack[stack.length - 1]!;
    if (m[3] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(m[3])) throw new Error(`bare & in ${JSON.stringify(m[3])}`);
      if (stack.length === 1 && m[3].trim()) throw new Error(`text outside the root: ${JSON.stringify(m[3])}`);
      top.text += m[3].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#0*39;/g, "'").replace(/&amp;/g, '&');
    } else if (m[1]) {
      if (top.name !== m[2]) throw new Error(`</${m[2]}> closes <${top.name}>`);
      stack.pop();
    } else {
      if (stack.length === 1 && stack[0]!.children.length) throw new Error('a second root element');
      const element = { name: m[2]!, children: [], text: '' };
      top.children.push(element);
      stack.push(element);
    }
  }
  if (at !== body.length) throw new Error(`not XML at ${JSON.stringify(body.slice(at, at + 20))}`);
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is not closed`);
  return stack[0]!.children[0]!;
}

describe('pm.status_path', function () {
  this.timeout(30_000);

  describe('while one request runs, one is in its background tail and one waits for a session lock', () => {
    let s: TestServer;
    let status: (query?: string) => Promise<Answer>;
    const answers: Promise<Answer>[] = [];

    before(async () => {
      s = await startServer(scripts, { ini: { 'session.save_handler': 'memory' } });
      status = (query = '') => http(`${s.url}/fpm-status${query}`);
      const pool = s.server.config.pool;
      const cookie = String((await http(`${s.url}/session-new.ts`)).headers['set-cookie']).split(';')[0]!;
      answers.push(http(`${s.url}/hold.ts?id=run`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=22' }));
      await waitUntil('the running script', () => s.server.config.pool.live.size === 1);
      expect((await http(`${s.url}/tail.ts?id=tail`)).body).to.equal('answered');
      answers.push(http(`${s.url}/session-hold.ts?id=holder`, { headers: { Cookie: cookie } }));
      await waitUntil('the session lock to be held', () => pool.locksHeld === 1);
      answers.push(http(`${s.url}/session-hold.ts?id=waiter`, { headers: { Cookie: cookie } }));
      await waitUntil('a request waiting for the lock', () => pool.lockWaiters === 1);
    });

    after(async () => {
      for (const name of ['run', 'tail', 'holder', 'waiter']) gates.open(name);
      await Promise.all(answers);
      await waitUntil('every request to end', () => s.server.config.pool.live.size === 0);
      await s.close();
    });

    it("answers in PHP-FPM's text format: its fields in its order, values at column 23, then tsfpm's", async () => {
      const res = await status();
      expect(res.status).to.equal(200);
      const lines = res.body.trimEnd().split('\n');
      expect(lines.map((l) => l.slice(0, l.indexOf(':')))).to.deep.equal([...PHP_FPM_KEYS, ...TSFPM_KEYS]);
      for (const line of lines) expect(line, line).to.match(/^[a-z ]+: +\S/).and.to.satisfy((l: string) => l[22] !== ' ' && l[21] === ' ');
      const start = lines.find((l) => l.startsWith('start time:'))!.slice(22);
      expect(start).to.match(CLF_DATE);
      expect(lines).to.include('pool:                 www').and.include('process manager:      static');
    });

    it('counts what is going on: accepted conn, active processes, background tails, session locks held and waiters', async () => {
      const s1 = JSON.parse((await status('?json')).body);
      expect(s1['accepted conn']).to.equal(5); // session-new, hold, tail, holder, waiter
      expect(s1['active processes']).to.equal(3); // hold, holder, waiter: the tail gave its child back
      expect(s1['idle processes'] + s1['active processes']).to.equal(s1['total processes']);
      expect(s1['background tails']).to.equal(1);
      expect(s1['session locks held']).to.equal(1);
      expect(s1['session lock waiters']).to.equal(1);
      expect(s1['max active processes']).to.equal(3);
      expect(s1['listen queue']).to.equal(0);
      expect(s1['listen queue len']).to.equal(511);
      expect(s1.workers).to.equal(1);
    });

    it('never counts its own requests: they do not reach the pool', async () => {
      const before = JSON.parse((await status('?json&full')).body);
      for (let i = 0; i < 3; i++) await status('?full');
      const after = JSON.parse((await status('?json&full')).body);
      expect(after['accepted conn']).to.equal(before['accepted conn']);
      expect(after.processes.map((p: { 'request uri': string }) => p['request uri'])).to.not.include.members(['/fpm-status?full']);
    });

    it("?json has PHP-FPM's keys in its order, unix times, then tsfpm's keys", async () => {
      const res = await status('?json');
      expect(res.headers['content-type']).to.equal('application/json');
      const body = JSON.parse(res.body);
      expect(Object.keys(body)).to.deep.equal([...PHP_FPM_KEYS, ...TSFPM_KEYS]);
      expect(body['start time']).to.be.a('number').within(Date.now() / 1000 - 60, Date.now() / 1000);
      expect(body['start since']).to.equal(Math.floor(Date.now() / 1000) - body['start time']);
    });

    it('?json&full lists every live request with its state: Running, Finishing, Waiting for session lock', async () => {
      const body = JSON.parse((await status('?json&full')).body);
      expect(Object.keys(body)).to.deep.equal([...PHP_FPM_KEYS, ...TSFPM_KEYS, 'processes']);
      const byUri = new Map<string, Record<string, unknown>>(body.processes.map((p: Record<string, unknown>) => [p['request uri'], p]));
      expect([...byUri.keys()]).to.have.members(['/hold.ts?id=run', '/tail.ts?id=tail', '/session-hold.ts?id=holder', '/session-hold.ts?id=waiter']);
      for (const p of byUri.values()) {
        expect(Object.keys(p)).to.deep.equal([...PHP_FPM_PROCESS_KEYS, 'session lock']);
        expect(p).to.include({ pid: process.pid, requests: 1, user: '-', 'last request cpu': 0, 'last request memory': 0 });
        expect(p['request duration']).to.be.a('number').above(0);
        expect(p['start since']).to.equal(Math.floor(Date.now() / 1000) - (p['start time'] as number));
      }
      expect(byUri.get('/hold.ts?id=run')).to.include({ state: 'Running', 'request method': 'POST', 'content length': 8, 'session lock': '-' });
      expect(byUri.get('/hold.ts?id=run')!.script).to.equal(`${s.docroot}/hold.ts`);
      expect(byUri.get('/tail.ts?id=tail')).to.include({ state: 'Finishing', 'request method': 'GET', 'content length': 0 });
      expect(byUri.get('/session-hold.ts?id=holder')).to.include({ state: 'Running', 'session lock': 'held' });
      expect(byUri.get('/session-hold.ts?id=waiter')).to.include({ state: 'Waiting for session lock', 'session lock': 'waiting' });
    });

    it('?full alone (or &full) adds the entries to the text format, each after a line of stars', async () => {
      for (const query of ['?full', '?full&text']) {
        const body = (await status(query)).body;
        const [pool, ...entries] = body.split('\n************************\n');
        expect(pool!.split('\n')[0]).to.equal('pool:                 www');
        expect(entries).to.have.length(4);
        for (const entry of entries) {
          const lines = entry.trimEnd().split('\n');
          expect(lines.map((l) => l.slice(0, l.indexOf(':')))).to.deep.equal([...PHP_FPM_PROCESS_KEYS.map((k) => (k === 'request uri' ? 'request URI' : k)), 'session lock']);
          for (const line of lines) expect(line[21], line).to.equal(' ');
          expect(lines[2]!.slice(22)).to.match(CLF_DATE);
          expect(lines).to.include('last request cpu:     0.00');
        }
        expect(entries.map((e) => /^state: +(.*)$/m.exec(e)![1])).to.have.members(['Running', 'Running', 'Finishing', 'Waiting for session lock']);
      }
    });

    it('?xml is well-formed, with the same fields as elements and <processes> with &full', async () => {
      const res = await status('?xml&full');
      expect(res.headers['content-type']).to.equal('text/xml;charset=UTF-8');
      const root = parseXml(res.body);
      expect(root.name).to.equal('status');
      const keys = [...PHP_FPM_KEYS, ...TSFPM_KEYS].map((k) => k.replace(/ /g, '-'));
      expect(root.children.map((c) => c.name)).to.deep.equal([...keys, 'processes']);
      expect(root.children.find((c) => c.name === 'background-tails')!.text).to.equal('1');
      expect(root.children.find((c) => c.name === 'start-time')!.text).to.match(/^\d+$/);
      const processes = root.children.find((c) => c.name === 'processes')!.children;
      expect(processes).to.have.length(4);
      for (const p of processes) expect(p.children.map((c) => c.name)).to.deep.equal([...PHP_FPM_PROCESS_KEYS, 'session lock'].map((k) => k.replace(/ /g, '-')));
      const uris = processes.map((p) => p.children.find((c) => c.name === 'request-uri')!.text);
      expect(uris).to.include('/hold.ts?id=run'); // escaped as it must be, read back the same
      expect(parseXml((await status('?xml')).body).children.map((c) => c.name)).to.deep.equal(keys);
    });

    it('?openmetrics has the phpfpm_* metrics of fpm_status.c, tsfpm_* after them, and ends with # EOF', async () => {
      const res = await status('?openmetrics');
      expect(res.headers['content-type']).to.equal('application/openmetrics-text; version=1.0.0; charset=utf-8');
      expect(res.body.endsWith('\n# EOF\n')).to.equal(true);
      const samples = new Map(res.body.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ') as [string, string]));
      expect([...samples.keys()].filter((n) => n.startsWith('phpfpm_'))).to.deep.equal([
        'phpfpm_up', 'phpfpm_start_since', 'phpfpm_accepted_connections', 'phpfpm_listen_queue', 'phpfpm_max_listen_queue',
        'phpfpm_listen_queue_length', 'phpfpm_idle_processes', 'phpfpm_active_processes', 'phpfpm_total_processes',
        'phpfpm_max_active_processes', 'phpfpm_max_children_reached', 'phpfpm_slow_requests',
      ]);
      expect(samples.get('phpfpm_up')).to.equal('1');
      expect(samples.get('phpfpm_active_processes')).to.equal('3');
      expect(samples.get('tsfpm_background_tails')).to.equal('1');
      expect(samples.get('tsfpm_session_locks_held')).to.equal('1');
      expect(samples.get('tsfpm_session_lock_waiters')).to.equal('1');
      expect(res.body).to.include('# HELP phpfpm_up Could pool www using a static PM on PHP-FPM be reached?\n# TYPE phpfpm_up gauge\n');
      for (const name of samples.keys()) expect(res.body, name).to.match(new RegExp(`# TYPE ${name.replace(/_total$/, '')} (gauge|counter)\\n${name} `));
      const withoutClock = (text: string): string => text.replace(/^phpfpm_start_since \d+$/m, '');
      expect(withoutClock((await status('?openmetrics&full')).body), '&full adds nothing').to.equal(withoutClock(res.body));
    });

    it('?html is a text/html page', async () => {
      const res = await status('?html');
      expect(res.headers['content-type']).to.equal('text/html;charset=UTF-8');
      expect(res.body).to.match(/^<!DOCTYPE html>/).and.include('Waiting for session lock');
    });

    it("sends PHP-FPM's headers with every format: Content-Type, Expires in 1970, Cache-Control no-cache", async () => {
      const types: Record<string, string> = {
        '': 'text/plain;charset=UTF-8',
        '?full': 'text/plain;charset=UTF-8',
        '?json': 'application/json',
        '?xml': 'text/xml;charset=UTF-8',
        '?html': 'text/html;charset=UTF-8',
        '?openmetrics': 'application/openmetrics-text; version=1.0.0; charset=utf-8',
        '?html&json': 'text/html;charset=UTF-8', // PHP-FPM's precedence: html, xml, json, openmetrics
        '?json&xml': 'text/xml;charset=UTF-8',
      };
      for (const [query, type] of Object.entries(types)) {
        const res = await status(query);
        expect(res.headers, query).to.include({
          'content-type': type,
          expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
          'cache-control': 'no-cache, no-store, must-revalidate, max-age=0',
        });
        expect(Number(res.headers['content-length'])).to.equal(Buffer.byteLength(res.body));
      }
    });

    it('answers HEAD with the headers and no body', async () => {
      const res = await http(`${s.url}/fpm-status?json`, { method: 'HEAD' });
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/json');
      expect(res.body).to.equal('');
    });
  });

  describe('with several worker processes (joinPeers)', () => {
    let a: TestServer;
    let b: TestServer;
    beforeEach(async () => {
      [a, b] = await Promise.all([startServer(scripts), startServer(scripts)]);
    });
    afterEach(async () => {
      gates.open('peer-a');
      gates.open('peer-b');
      await waitUntil('every request to end', () => a.server.config.pool.live.size + b.server.config.pool.live.size === 0);
      await Promise.all([a.close(), b.close()]);
    });

    it("shows one pool: the workers' figures added up and every worker's requests listed", async () => {
      joinPeers(b.server.config, {
        snapshots: async () => [localSnapshot(a.server.config), localSnapshot(b.server.config)],
        metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', text: 'tsfpm_from_the_primary 1\n' }),
      });
      const held = [http(`${a.url}/hold.ts?id=peer-a`), http(`${b.url}/hold.ts?id=peer-b`)];
      await http(`${a.url}/hello.ts`);
      // a request takes its child before its script starts (and joins config.pool.live): wait for both
      await waitUntil('one script running in each', () => a.server.config.pool.live.size === 1 && b.server.config.pool.live.size === 1);
      const body = JSON.parse((await http(`${b.url}/fpm-status?json&full`)).body);
      expect(body).to.include({ workers: 2, 'accepted conn': 3, 'active processes': 2, 'total processes': 1024 });
      expect(body.processes.map((p: { 'request uri': string }) => p['request uri'])).to.have.members(['/hold.ts?id=peer-a', '/hold.ts?id=peer-b']);
      expect((await http(`${b.url}/fpm-metrics`)).body).to.equal('tsfpm_from_the_primary 1\n');
      gates.open('peer-a');
      gates.open('peer-b');
      await Promise.all(held);
    });

    it("answers 500 with PHP-FPM's message and logs why when the workers' figures cannot be gathered", async () => {
      joinPeers(b.server.config, {
        snapshots: () => Promise.reject(new Error('worker 2 did not answer within 2000 ms')),
        metrics: () => Promise.reject(new Error('worker 2 did not answer within 2000 ms')),
      });
      for (const path of ['/fpm-status', '/fpm-metrics']) {
        const res = await http(`${b.url}${path}`);
        expect(res.status, path).to.equal(500);
        expect(res.body).to.equal('Internal error. Please review log file for errors.');
        expect(res.headers['cache-control']).to.equal('no-cache, no-store, must-revalidate, max-age=0');
      }
      await b.waitForLog(/^tsfpm: status page: cannot gather the workers' figures: worker 2 did not answer within 2000 ms$/);
      await b.waitForLog(/^tsfpm: metrics page: cannot gather the workers' figures: worker 2 did not answer/);
    });
  });

  it('is off when set to empty: the path goes to normal routing (404, or a script of that name)', async () => {
    const s = await startServer({ ...scripts, 'fpm-status.ts': `export default ({ echo }) => echo('my own page')` }, { ini: { 'pm.status_path': '' } });
    try {
      expect((await http(`${s.url}/fpm-status`)).body).to.equal('my own page');
      expect((await http(`${s.url}/fpm-status?json`)).body).to.equal('my own page');
      expect((await http(`${s.url}/other-status`)).status).to.equal(404);
    } finally {
      await s.close();
    }
  });

  it('answers on the path it is set to, and only there', async () => {
    const s = await startServer(scripts, { ini: { 'pm.status_path': '/status' } });
    try {
      expect((await http(`${s.url}/status`)).body).to.match(/^pool: +www\n/);
      expect((await http(`${s.url}/fpm-status`)).status).to.equal(404);
      expect((await http(`${s.url}/status/`)).status).to.equal(404);
    } finally {
      await s.close();
    }
  });

  it('is off by default in production (php.ini-production has no status page), as tsfpm.metrics_path', async () => {
    const s = await startServer(scripts, { production: true });
    try {
      expect((await http(`${s.url}/fpm-status`)).status).to.equal(404);
      expect((await http(`${s.url}/fpm-metrics`)).status).to.equal(404);
    } finally {
      await s.close();
    }
  });
});

describe('ping.path', () => {
  it('answers ping.response with 200, text/plain and the no-cache headers of the status page', async () => {
    const s = await startServer(scripts, { ini: { 'ping.path': '/ping' } });
    try {
      const res = await http(`${s.url}/ping`);
      expect(res.status).to.equal(200);
      expect(res.body).to.equal('pong');
      expect(res.headers).to.include({
        'content-type': 'text/plain;charset=UTF-8',
        expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
        'cache-control': 'no-cache, no-store, must-revalidate, max-age=0',
      });
      expect((await http(`${s.url}/ping`, { method: 'HEAD' })).body).to.equal('');
      expect(JSON.parse((await http(`${s.url}/fpm-status?json`)).body)['accepted conn']).to.equal(0);
    } finally {
      await s.close();
    }
  });

  it('answers what ping.response says', async () => {
    const s = await startServer(scripts, { ini: { 'ping.path': '/health', 'ping.response': 'ok' } });
    try {
      expect((await http(`${s.url}/health`)).body).to.equal('ok');
    } finally {
      await s.close();
    }
  });

  it('is off by default: the path goes to normal routing', async () => {
    const s = await startServer(scripts);
    try {
      expect((await http(`${s.url}/ping`)).status).to.equal(404);
    } finally {
      await s.close();
    }
  });
});

describe('tsfpm.metrics_path', () => {
  it('answers with Prometheus text that counts the script requests, and is not counted itself', async () => {
    const s = await startServer(scripts);
    try {
      await http(`${s.url}/hello.ts`);
      const res = await http(`${s.url}/fpm-metrics`);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
      expect(res.headers['cache-control']).to.equal('no-cache, no-store, must-revalidate, max-age=0');
      expect(res.body).to.match(/^tsfpm_accepted_connections_total 1$/m);
      expect((await http(`${s.url}/fpm-metrics`)).body).to.match(/^tsfpm_accepted_connections_total 1$/m);
    } finally {
      await s.close();
    }
  });
});

describe('tsfpm.status_allow', function () {
  this.timeout(30_000);

  describe('the list', () => {
    const cases: [setting: string, address: string | undefined, allowed: boolean][] = [
      ['127.0.0.1 ::1', '127.0.0.1', true],
      ['127.0.0.1 ::1', '::1', true],
      ['127.0.0.1 ::1', '::ffff:127.0.0.1', true],
      ['127.0.0.1 ::1', '127.0.0.2', false],
      ['127.0.0.1 ::1', '10.0.0.1', false],
      ['127.0.0.1 ::1', undefined, false],
      ['127.0.0.1,::1', '::1', true],
      ['10.0.0.0/8', '10.200.3.4', true],
      ['10.0.0.0/8', '11.0.0.1', false],
      ['10.0.0.0/8', '::ffff:10.1.2.3', true],
      ['::ffff:10.0.0.0/104', '10.9.9.9', true],
      ['::ffff:192.0.2.7', '192.0.2.7', true],
      ['fd00::/8', 'fd12:3456::1', true],
      ['fd00::/8', 'fe80::1', false],
      ['fe80::/10', 'fe80::1%eth0', true],
      ['any', '203.0.113.9', true],
      ['ANY', '2001:db8::1', true],
      ['', '127.0.0.1', false],
    ];
    for (const [setting, address, allowed] of cases) {
      it(`"${setting}" ${allowed ? 'allows' : 'refuses'} ${address}`, () => {
        expect(parseAccessList(setting, (m) => expect.fail(m)).allows(address)).to.equal(allowed);
      });
    }

    it('reports entries that are neither an address nor a range, and keeps the others', () => {
      const warnings: string[] = [];
      const list = parseAccessList('127.0.0.1 localhost 10.0.0.0/33 fd00::/129 10.0.0.0/x', (m) => warnings.push(m));
      expect(warnings).to.have.length(4);
      expect(warnings[0]).to.equal('tsfpm.status_allow: "localhost" is not an IP address or CIDR range (as 127.0.0.1, ::1, 10.0.0.0/8, fd00::/8 or any); ignored');
      expect(list.allows('127.0.0.1')).to.equal(true);
    });
  });

  describe('over HTTP', () => {
    let s: TestServer | undefined;
    afterEach(async () => {
      await s?.close();
      s = undefined;
    });

    it('allows a loopback client by default', async () => {
      s = await startServer(scripts);
      expect((await http(`${s.url}/fpm-status`)).status).to.equal(200);
    });

    it('refuses a client it does not list with 403 and a log line naming the address and the setting, on status, ping and metrics', async () => {
      s = await startServer(scripts, { ini: { 'tsfpm.status_allow': '10.0.0.0/8 192.0.2.1', 'ping.path': '/ping' } });
      for (const path of ['/fpm-status?json', '/ping', '/fpm-metrics']) {
        const res = await http(`${s.url}${path}`);
        expect(res.status, path).to.equal(403);
        expect(res.body).to.not.include('pool').and.not.include('pong');
      }
      const line = await s.waitForLog(/\[403\]: GET \/fpm-status\?json - /);
      expect(line).to.match(/^127\.0\.0\.1:\d+ \[403\]: GET \/fpm-status\?json - client 127\.0\.0\.1 is not allowed by tsfpm\.status_allow \(10\.0\.0\.0\/8 192\.0\.2\.1\)$/);
      await s.waitForLog(/\[403\]: GET \/ping - client 127\.0\.0\.1 is not allowed/);
      await s.waitForLog(/\[403\]: GET \/fpm-metrics - client 127\.0\.0\.1 is not allowed/);
    });

    it('"any" allows every client', async () => {
      s = await startServer(scripts, { ini: { 'tsfpm.status_allow': 'any' } });
      expect((await http(`${s.url}/fpm-status`)).status).to.equal(200);
    });

    it('allows a client inside a CIDR range', async () => {
      s = await startServer(scripts, { ini: { 'tsfpm.status_allow': '192.0.2.0/24, 127.0.0.0/8' } });
      expect((await http(`${s.url}/fpm-status`)).status).to.equal(200);
    });

    it('logs the entries it cannot read, naming the setting', async () => {
      s = await startServer(scripts, { ini: { 'tsfpm.status_allow': '127.0.0.1 my-laptop' } });
      expect((await http(`${s.url}/fpm-status`)).status).to.equal(200);
      await s.waitForLog(/^tsfpm: tsfpm\.status_allow: "my-laptop" is not an IP address or CIDR range/);
    });

    for (const [host, url, address] of [
      ['::1', (port: number) => `http://[::1]:${port}`, '::1'],
      ['::', (port: number) => `http://127.0.0.1:${port}`, '::ffff:127.0.0.1'], // an IPv4 client of a dual-stack socket
    ] as const) {
      it(`checks a client that connects as ${address} against the list`, async function () {
        for (const [setting, expected] of [['127.0.0.1 ::1', 200], ['192.0.2.1', 403]] as const) {
          const logs: string[] = [];
          const server = createServer({ docroot: tempDir(scripts), ini: { 'tsfpm.status_allow': setting }, log: (l) => logs.push(l) });
          let port: number;
          try {
            ({ port } = await server.listen(0, host));
          } catch {
            this.skip(); // no IPv6 on this machine
            return;
          }
          try {
            expect((await http(`${url(port)}/fpm-status`)).status, setting).to.equal(expected);
            if (expected === 403) expect(logs.join('\n')).to.include(`client ${address} is not allowed by tsfpm.status_allow (192.0.2.1)`);
          } finally {
            await server.close(1000);
          }
        }
      });
    }
  });
});
