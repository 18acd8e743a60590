import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../runtime/settings/settings-table.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const compat = readFileSync(`${root}/php-compat.md`, 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(`${root}/${dir}`, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|js)$/.test(f))
    .map((f) => readFileSync(`${root}/${dir}/${f}`, 'utf8'));
}

describe('php-compat.md', () => {
  const codesInCode = new Set(sourceFiles('runtime').concat(sourceFiles('sessions')).flatMap((text) => [...text.matchAll(/'(TSFPM_[A-Z_]+)'/g)].map((m) => m[1]!)));
  const codesInDoc = new Set([...compat.matchAll(/`(TSFPM_[A-Z_]+)`/g)].map((m) => m[1]!));

  it('lists every error code the code throws', () => {
    expect([...codesInCode].filter((c) => !codesInDoc.has(c))).to.deep.equal([]);
  });
  it('lists no error code that does not exist', () => {
    expect([...codesInDoc].filter((c) => !codesInCode.has(c))).to.deep.equal([]);
  });
  it('has a row for every setting tsfpm reads', () => {
    expect(Object.keys(SETTINGS).filter((name) => !compat.includes(`\`${name}\``))).to.deep.equal([]);
  });
  it('lists no setting in its settings table that tsfpm does not read (but for the not-supported row)', () => {
    const section = compat.slice(compat.indexOf('## Settings'), compat.indexOf('\n## ', compat.indexOf('## Settings') + 5));
    const rows = section.split('\n').filter((line) => line.startsWith('| `') && !line.includes('| not supported |'));
    const named = rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    expect(named.filter((name) => !(name in SETTINGS))).to.deep.equal([]);
  });
  it('documents every function the PHP API exports', async () => {
    const api = await import('../runtime/index.ts');
    const functions = Object.entries(api)
      .filter(([name, value]) => typeof value === 'function' && /^[a-z_]+$/.test(name) && !['tsfpm', 'tsfpmScript', 'createServer'].includes(name))
      .map(([name]) => name);
    expect(functions.filter((name) => !compat.includes(`\`${name}`))).to.deep.equal([]);
  });
});

describe('README.md', () => {
  const readme = readFileSync(`${root}/README.md`, 'utf8').replace(/\s+/g, ' ');

  it('says what a body over post_max_size does: the script runs with an empty $_POST and PHP\'s warning (hardening.test.ts checks it)', () => {
    expect(readme).to.not.match(/`post_max_size`[^.]{0,20}\b413\b/);
    expect(readme).to.match(/a body over `post_max_size` runs the script with an empty `\$_POST`/);
  });
});
