/**
 * The layers of the source tree, as README's Layout section draws them: each folder of runtime/ imports only
 * folders below it, and sessions/ imports nothing from runtime/. Cycles of any kind (type imports included) are
 * dpdm's to find, in `npm test`; a layer rule is a rule about folders, which dpdm cannot state.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** runtime/'s folders from the top down; a folder imports only folders after it. Folders of one row are peers that do not import each other. */
const RUNTIME_LAYERS: readonly (readonly string[])[] = [
  ['process'],
  ['http', 'port-check'],
  ['admin'],
  ['pool'],
  ['api'],
  ['request'],
  ['settings', 'mail'],
  ['php'],
];
/** On top of every layer: the package's entry points. */
const TOP = new Set(['index.ts', 'bin.js']);

const rank = new Map(RUNTIME_LAYERS.flatMap((row, i) => row.map((folder) => [folder, i] as const)));

/** Every relative module specifier in a source file: static and dynamic imports, re-exports. */
function specifiers(text: string): string[] {
  const found = text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\1/g);
  return [...found].map((m) => m[2]!);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|js)$/.test(f)).map((f) => join(dir, f));
}

/** `from` → `to` for every relative import, both repo-relative. */
function imports(dir: string): { from: string; to: string }[] {
  return sourceFiles(dir).flatMap((from) =>
    specifiers(readFileSync(join(root, from), 'utf8')).map((spec) => ({ from, to: relative(root, resolve(root, dirname(from), spec)) })),
  );
}

/** The folder right under runtime/ that holds `file` (or the file's own name for runtime/'s top level). */
const runtimePart = (file: string): string => file.split('/')[1]!;

describe('the source tree’s layers', () => {
  it('puts every folder of runtime/ in a layer', () => {
    const parts = new Set(sourceFiles('runtime').map(runtimePart));
    expect([...parts].filter((part) => !TOP.has(part) && !rank.has(part))).to.deep.equal([]);
  });

  it('has runtime/ import only downwards: no folder imports its own layer’s peers or a layer above it', () => {
    const upward = imports('runtime')
      .filter(({ to }) => to.startsWith('runtime/'))
      .filter(({ from, to }) => {
        const [a, b] = [runtimePart(from), runtimePart(to)];
        if (a === b || TOP.has(a)) return false;
        if (TOP.has(b)) return true;
        return rank.get(b)! <= rank.get(a)!;
      })
      .map(({ from, to }) => `${from} → ${to}`);
    expect(upward).to.deep.equal([]);
  });

  it('keeps sessions/ free of runtime/', () => {
    const intoRuntime = imports('sessions').filter(({ to }) => !to.startsWith('sessions/')).map(({ from, to }) => `${from} → ${to}`);
    expect(intoRuntime).to.deep.equal([]);
  });
});
