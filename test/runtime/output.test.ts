import { expect } from 'chai';
import { installGates } from '../support/gates.ts';
import { rawGet } from '../support/http.ts';
import { startServer, type TestServer } from '../support/server.ts';

const gates = installGates('outputGate');

const scripts = {
  'level.ts': `export default ({ echo, ob_get_level }) => echo(String(ob_get_level()));`,
  'nested.ts': `
    export default ({ echo, ob_start, ob_get_clean, ob_get_contents, ob_get_length, ob_end_flush }) => {
      ob_start();
      echo('é');
      const len = ob_get_length();
      ob_start();
      echo('inner');
      const inner = ob_get_clean();
      ob_end_flush();
      echo('|', len, '|', inner, '|', ob_get_contents() === false ? 'none' : 'open');
    };`,
  'callback.ts': `
    export default ({ echo, ob_start, ob_flush, ob_end_flush }) => {
      const phases = [];
      ob_start((buffer, phase) => { phases.push(phase); return buffer.toUpperCase(); });
      echo('abc');
      ob_flush();
      echo('def');
      ob_end_flush();
      echo(' phases=' + phases.join(','));
    };`,
  'chunked.ts': `
    export default ({ echo, ob_start, ob_get_contents }) => {
      const seen = [];
      ob_start((b) => { seen.push(b.length); return b; }, 4);
      echo('ab'); echo('cd'); echo('e');
      const rest = ob_get_contents();
      echo('|' + seen.join(',') + '|' + rest);
    };`,
  'notices.ts': `
    export default ({ echo, ob_end_flush, ob_flush, ob_get_flush, ob_get_clean, error_log }) => {
      const results = [ob_end_flush(), ob_flush(), ob_get_flush(), ob_get_clean()];
      error_log('results=' + JSON.stringify(results));
    };`,
  'status.ts': `
    export default ({ echo, ob_get_status, error_log }) => {
      error_log('status=' + JSON.stringify(ob_get_status(true)));
    };`,
  'stream.ts': `
    export default async ({ echo, flush, ob_flush, header, error_log }) => {
      echo('first ');
      ob_flush();
      flush();
      await ${gates.call("'stream'")};
      header('X-Too-Late: 1');
      echo('second');
    };`,
  'values.ts': `export default ({ echo, print }) => { echo(true, '|', false, '|', null, '|', 0.1 + 0.2, '|', 1e20, '|', 7, '|', 0.00001); print('|p'); };`,
};

describe('output buffering', () => {
  let dev: TestServer;
  let off: TestServer;
  before(async () => {
    dev = await startServer(scripts);
    off = await startServer(dev.docroot, { ini: { output_buffering: 0, display_errors: 0 } });
  });
  after(async () => {
    await dev.close();
    await off.close();
  });

  it('opens one level at request start when output_buffering is set (4096 in php.ini-development)', async () => {
    expect(await (await fetch(`${dev.url}/level.ts`)).text()).to.equal('1');
    expect(await (await fetch(`${off.url}/level.ts`)).text()).to.equal('0');
  });

  it('nests buffers; ob_get_length counts bytes; ob_get_clean returns and closes the top level', async () => {
    expect(await (await fetch(`${off.url}/nested.ts`)).text()).to.equal('é|2|inner|none');
  });

  it('calls the handler with START|FLUSH, then FINAL, and sends what it returns', async () => {
    expect(await (await fetch(`${off.url}/callback.ts`)).text()).to.equal('ABCDEF phases=5,8');
  });

  it('passes the buffer on once it holds chunk_size bytes', async () => {
    expect(await (await fetch(`${off.url}/chunked.ts`)).text()).to.equal('abcde|4|e');
  });

  it('refuses ob operations with no buffer with PHP\'s notices and false', async () => {
    await fetch(`${off.url}/notices.ts`);
    expect(await off.waitForLog(/results=/)).to.contain('results=[false,false,false,false]');
    const notices = off.logs.filter((l) => l.startsWith('PHP Notice:'));
    expect(notices.map((l) => l.replace(/ in .*$/, ''))).to.deep.equal([
      'PHP Notice:  ob_end_flush(): Failed to delete and flush buffer. No buffer to delete or flush',
      'PHP Notice:  ob_flush(): Failed to flush buffer. No buffer to flush',
      'PHP Notice:  ob_get_flush(): Failed to delete and flush buffer. No buffer to delete or flush',
    ]);
  });

  it('reports the default output handler in ob_get_status()', async () => {
    await fetch(`${dev.url}/status.ts`);
    const line = await dev.waitForLog(/status=/);
    expect(JSON.parse(line.slice(line.indexOf('=') + 1))).to.deep.equal([
      { name: 'default output handler', type: 0, flags: 112, level: 0, chunk_size: 4096, buffer_size: 8192, buffer_used: 0 },
    ]);
  });

  it('flush() streams to the client at once and sends the headers', async () => {
    const res = await fetch(`${dev.url}/stream.ts`);
    const reader = res.body!.getReader();
    // the script waits at its gate until the flushed part has arrived
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).to.equal('first ');
    gates.open('stream');
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += Buffer.from(value).toString();
    }
    expect(rest).to.match(/^<br \/>\n<b>Warning<\/b>: {2}Cannot modify header information - headers already sent by \(output started at .*stream\.ts:4\)/);
    expect(rest).to.match(/second$/);
    expect(res.headers.get('transfer-encoding')).to.equal('chunked');
    expect(res.headers.get('x-too-late')).to.equal(null);
  });

  it('prints values as PHP\'s echo does', async () => {
    expect(await (await fetch(`${dev.url}/values.ts`)).text()).to.equal('1|||0.3|1.0E+20|7|1.0E-5|p');
  });

  it('keeps the response whole when nothing was flushed (Content-Length, no chunking)', async () => {
    const res = await rawGet(dev.port, '/values.ts');
    expect(res.header('content-length')).to.equal(String(res.body.length));
    expect(res.header('transfer-encoding')).to.equal(undefined);
  });
});
