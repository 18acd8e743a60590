/**
 * php.ini and `php -d` syntax. Each fixture case was read by a real PHP 8.2
 * (test/fixtures/ini/generate.php: get_cfg_var() after `php -n -c <file>` or
 * `php -n -d <arg>`); the replay checks the same values come out, or that the
 * same syntax error is thrown where PHP printed one.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { IniSyntaxError, parseDefineArg, parseIniFile, type IniEntry } from '../../runtime/settings/ini-file.ts';

type CfgValue = string | false | string[] | Record<string, string>;

interface IniFixture {
  env: Record<string, string>;
  files: { description: string; ini: string; values: Record<string, CfgValue>; stderr: string }[];
  defines: { description: string; args: string[]; values: Record<string, CfgValue>; stderr: string }[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/ini/cases.json', import.meta.url), 'utf8')) as IniFixture;

/** PHP prints `PHP:  <message>` on stderr; the error carries the message. */
const phpError = (stderr: string): string => stderr.replace(/^PHP: {2}/, '').trim();

function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  return expect.fail('expected an error');
}

function valuesOf(entries: IniEntry[]): Map<string, string> {
  return new Map(entries.map((e) => [e.name, e.value]));
}

describe('parseIniFile', () => {
  describe('as PHP 8.2 reads php.ini', () => {
    for (const c of fixture.files) {
      const error = phpError(c.stderr);
      it(error ? `${c.description}: ${error}` : c.description, () => {
        const warnings: string[] = [];
        const parse = () => parseIniFile(c.ini, 'php.ini', { env: fixture.env, warn: (w) => warnings.push(w) });
        if (error) {
          const err = thrownBy(parse);
          expect(err).to.be.instanceOf(IniSyntaxError);
          expect(err.message).to.equal(error);
          return;
        }
        const values = valuesOf(parse());
        for (const [name, expected] of Object.entries(c.values)) {
          if (typeof expected === 'string') {
            expect(values.get(name), name).to.equal(expected);
          } else {
            // Arrays (name[] = …) are left out and reported.
            expect(values.has(name), name).to.equal(false);
            if (expected !== false) expect(warnings.join('\n')).to.contain(`${name}[`);
          }
        }
      });
    }
  });

  it('gives one entry per name with the last value and its line, in first-seen order', () => {
    const entries = parseIniFile('a = 1\nb = 2\n\na = 3\n', 'php.ini', { env: {} });
    expect(entries).to.deep.equal([
      { name: 'a', value: '3', line: 4 },
      { name: 'b', value: '2', line: 2 },
    ]);
  });

  it('evaluates the php.ini-production error_reporting line', () => {
    const [entry] = parseIniFile('error_reporting = E_ALL & ~E_DEPRECATED & ~E_STRICT\n', 'php.ini', { env: {} });
    expect(entry?.value).to.equal('22527');
  });

  it('reads ${NAME} from earlier entries, then lookup, then the environment', () => {
    const entries = parseIniFile('a = x\nb = ${a}${c}${HOME}\n', 'php.ini', {
      env: { a: 'env', c: 'env', HOME: '/home/u' },
      lookup: (name) => (name === 'c' ? 'configured' : undefined),
    });
    expect(valuesOf(entries).get('b')).to.equal('xconfigured/home/u');
  });

  it('uses process.env by default', () => {
    process.env.TSFPM_INI_TEST = 'from process.env';
    try {
      expect(valuesOf(parseIniFile('k = ${TSFPM_INI_TEST}', 'php.ini')).get('k')).to.equal('from process.env');
    } finally {
      delete process.env.TSFPM_INI_TEST;
    }
  });

  it('leaves extension lines out and reports them', () => {
    const warnings: string[] = [];
    const entries = parseIniFile('extension=redis\nZend_Extension = opcache\nk = 1\n', '/etc/php.ini', { warn: (w) => warnings.push(w) });
    expect(valuesOf(entries)).to.deep.equal(new Map([['k', '1']]));
    expect(warnings).to.deep.equal([
      'extension=redis is ignored: tsfpm does not load PHP extensions in /etc/php.ini on line 1',
      'Zend_Extension=opcache is ignored: tsfpm does not load PHP extensions in /etc/php.ini on line 2',
    ]);
  });

  it('reports a [PATH=] section once and drops what follows it', () => {
    const warnings: string[] = [];
    const entries = parseIniFile('a = 1\n[PATH=/www]\nb = 2\n[PHP]\nc = 3\n', 'php.ini', { warn: (w) => warnings.push(w) });
    expect([...valuesOf(entries).keys()]).to.deep.equal(['a']);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^\[PATH=\/www\] is ignored .* in php.ini on line 2$/);
  });

  it('names the file and line in syntax errors', () => {
    const err = thrownBy(() => parseIniFile('a = 1\nb = (2\n', '/etc/php/8.2/fpm/php.ini')) as IniSyntaxError;
    expect(err.message).to.equal(
      "syntax error, unexpected END_OF_LINE, expecting '^' or '|' or '&' or ')' in /etc/php/8.2/fpm/php.ini on line 3",
    );
    expect(err.file).to.equal('/etc/php/8.2/fpm/php.ini');
    expect(err.line).to.equal(3);
  });
});

describe('parseDefineArg (php -d)', () => {
  describe('as PHP 8.2 reads -d', () => {
    for (const c of fixture.defines) {
      const error = phpError(c.stderr);
      it(error ? `${c.description}: ${error}` : c.description, () => {
        const defined = new Map<string, string>();
        const apply = () => {
          for (const arg of c.args) {
            const entry = parseDefineArg(arg, { env: fixture.env, lookup: (name) => defined.get(name) });
            defined.set(entry.name, entry.value);
          }
        };
        if (error) {
          const err = thrownBy(apply);
          expect(err).to.be.instanceOf(IniSyntaxError);
          expect(err.message).to.equal(error);
          return;
        }
        const unusable = Object.values(c.values).some((v) => typeof v !== 'string');
        if (unusable) {
          // PHP sets nothing usable (an array, or nothing at all): tsfpm refuses the argument.
          expect(thrownBy(apply)).not.to.be.instanceOf(IniSyntaxError);
          return;
        }
        apply();
        for (const [name, expected] of Object.entries(c.values)) expect(defined.get(name), name).to.equal(expected);
      });
    }
  });

  it('refuses extension=', () => {
    expect(() => parseDefineArg('extension=redis')).to.throw('tsfpm does not load PHP extensions');
  });

  it('refuses an argument that defines two settings', () => {
    expect(() => parseDefineArg('a=1\nb=2')).to.throw('defines more than one setting');
  });
});
