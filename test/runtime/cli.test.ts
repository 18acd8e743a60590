import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { parseArgs } from '../../runtime/process/cli.ts';
import { bin, startCli } from '../support/cli.ts';
import { tempDir } from '../support/server.ts';

describe('tsfpm CLI', () => {
  describe('argument parsing, as php takes it', () => {
    it('takes -d name=value and -dname=value, with spaces, quotes and expressions as php -d reads them', () => {
      const { options } = parseArgs(['-S', 'localhost:8000', '-d', 'error_reporting=E_ALL & ~E_NOTICE', '-dfoo.bar="a=b c"', '-d', 'x=two words', '-d', 'flag']);
      const value = (name: string) => options.defines?.find((d) => d.name === name)?.value;
      expect(value('foo.bar')).to.equal('a=b c');
      expect(value('x')).to.equal('two words');
      expect(value('flag')).to.equal('1');
      expect(value('error_reporting')).to.equal('32759');
    });
    it('refuses a -d value php cannot parse, naming the error', () => {
      expect(() => parseArgs(['-S', 'x:1', '-d', 'foo=a=b c'])).to.throw(/syntax error, unexpected '='/);
    });
    it('takes -S, -t, -c and a router', () => {
      const dir = tempDir();
      const args = parseArgs(['-S', '127.0.0.1:0', '-t', dir, '-c', 'x.ini', 'router.ts']);
      expect(args.listen).to.deep.equal({ host: '127.0.0.1', port: 0 });
      expect(args.options.docroot).to.equal(dir);
      expect(args.options.iniFile).to.match(/x\.ini$/);
      expect(args.options.router).to.match(/router\.ts$/);
    });
    it('refuses an unknown option and a missing docroot', () => {
      expect(() => parseArgs(['-S', 'x:1', '--nope'])).to.throw(/unknown option --nope/);
      expect(() => parseArgs(['-S', 'x:1', '-t', '/no/such/dir'])).to.throw(/does not exist/);
    });
  });

  describe('the dev server', () => {
    it('prints its URL, serves a script importing tsfpm from a folder without node_modules, logs each request, and stops on Ctrl-C', async () => {
      const dir = tempDir({ 'index.ts': `import { echo, ini_get } from 'tsfpm';\nexport default () => echo('cli ' + ini_get('custom.setting'));` });
      const { url, output, stop } = await startCli(['-S', '127.0.0.1:0', '-t', dir, '-d', 'custom.setting=two words']);
      try {
        const res = await fetch(`${url}/`);
        expect(await res.text()).to.equal('cli two words');
        await new Promise((r) => setTimeout(r, 100));
        expect(output()).to.match(/\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] 127\.0\.0\.1:\d+ \[200\]: GET \//);
      } finally {
        expect(await stop()).to.equal(0);
      }
    });

    it('logs unawaited rejections and errors thrown in timers against their request, and keeps serving', async () => {
      const dir = tempDir({
        'rejection.ts': `import { echo } from 'tsfpm';
export default function () {
  Promise.reject(new Error('nobody awaited me'));
  setTimeout(() => { throw new Error('thrown in a timer'); }, 10);
  echo('ok');
}`,
        'hello.ts': `export default ({ echo }) => echo('hello');`,
      });
      const { url, output, stop } = await startCli(['-S', '127.0.0.1:0', '-t', dir]);
      try {
        expect(await (await fetch(`${url}/rejection.ts?r=1`)).text()).to.equal('ok');
        await new Promise((r) => setTimeout(r, 300));
        expect(await (await fetch(`${url}/hello.ts`)).text()).to.equal('hello');
        expect(output()).to.match(/Unhandled promise rejection in script .*rejection\.ts, GET \/rejection\.ts\?r=1: Error: nobody awaited me/);
        expect(output()).to.match(/Uncaught exception in script .*rejection\.ts, GET \/rejection\.ts\?r=1: Error: thrown in a timer/);
      } finally {
        expect(await stop()).to.equal(0);
      }
    });

    it('says Production Server, not Development Server, in its banner with --production', async () => {
      const dir = tempDir({ 'index.ts': `export default ({ echo }) => echo('prod');` });
      const { output, stop } = await startCli(['-S', '127.0.0.1:0', '-t', dir, '--production']);
      try {
        expect(output()).to.match(/tsfpm \S+ Production Server \(http:\/\/127\.0\.0\.1:\d+\) started/);
        expect(output()).not.to.contain('Development');
      } finally {
        expect(await stop()).to.equal(0);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('prints help', async () => {
      const child = spawn(process.execPath, [bin, '--help']);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const code = await new Promise((r) => child.on('exit', r));
      expect(code).to.equal(0);
      expect(out).to.contain('Usage: tsfpm -S <addr>:<port>');
    });
  });
});
