/**
 * A ported php-src test: the sections of a `.phpt` file (PHP's run-tests format) with its `--FILE--` translated to
 * a TypeScript request script. `--ORIGINAL--` names the php-src test it comes from; `--INI--`, `--GET--`,
 * `--POST--`, `--COOKIE--` and the expectation (`--EXPECT--`, `--EXPECTF--`, `--EXPECTREGEX--`, `--EXPECTHEADERS--`)
 * are PHP's own.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface PortedTest {
  /** The file name without `.phpt`. */
  readonly name: string;
  readonly title: string;
  readonly original: string;
  /** `--INI--` lines as name → value as written (run-tests passes each as `-d`), in order. */
  readonly ini: ReadonlyMap<string, string>;
  readonly get: string | undefined;
  readonly post: string | undefined;
  readonly cookie: string | undefined;
  /** The TypeScript request script. */
  readonly file: string;
  readonly expect: { readonly kind: 'EXPECT' | 'EXPECTF' | 'EXPECTREGEX'; readonly text: string };
  /** `--EXPECTHEADERS--`: header lines the response must have. */
  readonly headers: readonly string[];
}

const SECTION = /^--([A-Z_]+)--$/;

/** The sections of a phpt file, by name, each without its trailing newline. */
export function sections(text: string): Map<string, string> {
  const found = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  const close = () => {
    if (name !== undefined) found.set(name, lines.join('\n'));
  };
  for (const line of text.split('\n')) {
    const header = SECTION.exec(line.trimEnd());
    if (header) {
      close();
      name = header[1]!;
      lines = [];
    } else if (name !== undefined) {
      lines.push(line);
    }
  }
  close();
  return found;
}

export function readPortedTest(path: string): PortedTest {
  const parts = sections(readFileSync(path, 'utf8'));
  const need = (section: string): string => {
    const value = parts.get(section);
    if (value === undefined) throw new Error(`${path}: no --${section}-- section`);
    return value;
  };
  const ini = new Map<string, string>();
  for (const line of (parts.get('INI') ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (line.trim() === '' || eq < 0) continue;
    ini.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const kind = (['EXPECT', 'EXPECTF', 'EXPECTREGEX'] as const).find((k) => parts.has(k));
  if (!kind) throw new Error(`${path}: no --EXPECT--, --EXPECTF-- or --EXPECTREGEX-- section`);
  return {
    name: basename(path, '.phpt'),
    title: need('TEST').trim(),
    original: need('ORIGINAL').trim(),
    ini,
    get: parts.get('GET')?.trim(),
    post: parts.get('POST')?.trim(),
    cookie: parts.get('COOKIE')?.trim(),
    file: need('FILE'),
    expect: { kind, text: parts.get(kind)! },
    headers: (parts.get('EXPECTHEADERS') ?? '').split('\n').map((l) => l.trim()).filter(Boolean),
  };
}
