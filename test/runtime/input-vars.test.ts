/**
 * PHP's request-variable rules: parse_str(), $_GET, urlencoded $_POST and $_COOKIE against
 * fixtures produced by PHP 8.2 (test/fixtures/input-vars/generate.php), plus the pieces
 * the multipart parser reuses (parseVarName, InputVarsBuilder).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import {
  InputVarsBuilder,
  parseCookieHeader,
  parseQueryString,
  parseVarName,
  type InputLimits,
  type InputValue,
  type InputVars,
} from '../../runtime/php/input-vars.ts';

type PhpString = string | { bytes: string };
type PhpKey = number | { int: string } | PhpString;
type PhpFixtureValue = PhpString | { array: [PhpKey, PhpFixtureValue][] };

interface Fixture {
  description: string;
  source: 'get' | 'post' | 'parse_str' | 'cookie';
  input: PhpString;
  limits: InputLimits;
  expected: PhpFixtureValue;
  warnings: string[];
}

const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/input-vars/fixtures.json', import.meta.url), 'utf8'),
) as { php: string; cases: Fixture[] };

const defaults: InputLimits = { maxInputVars: 1000, maxNestingLevel: 64 };

/** PHP bytes as the JS string tsfpm gives scripts: invalid UTF-8 becomes U+FFFD. */
function phpBytes(s: PhpString): Buffer {
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s.bytes, 'hex');
}

function phpKey(key: PhpKey): string {
  if (typeof key === 'number') return String(key);
  if (typeof key === 'object' && 'int' in key) return key.int;
  return phpBytes(key).toString('utf8');
}

/** The JS shape of a PHP value: list when keys are 0..n-1 in order, else a null-prototype object. */
function toJs(value: PhpFixtureValue, topLevel = false): InputValue {
  if (typeof value === 'string' || 'bytes' in value) return phpBytes(value).toString('utf8');
  const pairs = value.array;
  if (!topLevel && pairs.every(([key], i) => key === i)) return pairs.map(([, v]) => toJs(v));
  const out: { [key: string]: InputValue } = Object.create(null);
  for (const [key, v] of pairs) out[phpKey(key)] = toJs(v);
  return out;
}

/** An order-preserving view, so that deep equality also compares key order. */
function ordered(value: InputValue): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return { list: value.map(ordered) };
  return { map: Object.keys(value).map((k) => [k, ordered(value[k]!)]) };
}

function prototypes(value: InputValue, seen: unknown[] = []): unknown[] {
  if (typeof value === 'string') return seen;
  if (!Array.isArray(value)) seen.push(Object.getPrototypeOf(value));
  for (const child of Object.values(value)) prototypes(child, seen);
  return seen;
}

function run(fixture: Fixture): { vars: InputVars; warnings: string[] } {
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
  };
  const bytes = phpBytes(fixture.input);
  let vars: InputVars;
  switch (fixture.source) {
    case 'cookie':
      // Node hands header values over one character per byte.
      vars = parseCookieHeader(bytes.toString('latin1'), fixture.limits, warn);
      break;
    case 'post':
      vars = parseQueryString(bytes, fixture.limits, warn, 'post');
      break;
    default:
      vars = parseQueryString(bytes.toString('utf8'), fixture.limits, warn, fixture.source);
  }
  return { vars, warnings };
}

describe('request variables (php_register_variable_ex), against PHP ' + fixtures.php, () => {
  for (const source of ['parse_str', 'get', 'post', 'cookie'] as const) {
    describe(source === 'cookie' ? '$_COOKIE' : source === 'parse_str' ? 'parse_str()' : source === 'get' ? '$_GET' : 'urlencoded $_POST', () => {
      for (const fixture of fixtures.cases.filter((c) => c.source === source)) {
        it(fixture.description.replace(/^cookie: /, ''), () => {
          const { vars, warnings } = run(fixture);
          const expected = toJs(fixture.expected, true) as InputVars;
          expect(ordered(vars)).to.deep.equal(ordered(expected));
          expect(warnings).to.deep.equal(fixture.warnings);
          expect(prototypes(vars).every((p) => p === null), 'every object is null-prototype').to.equal(true);
        });
      }
    });
  }

  describe('documented differences from PHP', () => {
    it('puts integer-like keys first in objects, as JS objects always do', () => {
      const vars = parseQueryString('a[b]=1&a[1]=x&a[0]=y', defaults, () => {}, 'parse_str');
      // PHP keeps ['b', 1, 0]; a JS object cannot.
      expect(Object.keys(vars.a!)).to.deep.equal(['0', '1', 'b']);
    });

    it('turns bytes that are not UTF-8 into U+FFFD', () => {
      expect(parseQueryString('x=%FF', defaults, () => {}, 'get').x).to.equal('\uFFFD');
    });
  });

  describe('prototype pollution', () => {
    it('keeps __proto__ and constructor as ordinary keys of null-prototype objects', () => {
      const vars = parseQueryString('__proto__[polluted]=1&a[__proto__][polluted]=2&constructor[prototype][polluted]=3', defaults, () => {}, 'get');
      expect(({} as { polluted?: unknown }).polluted).to.equal(undefined);
      expect(Object.getPrototypeOf(vars)).to.equal(null);
      expect(Object.keys(vars)).to.deep.equal(['__proto__', 'a', 'constructor']);
      expect((vars.a as InputVars)['__proto__']).to.deep.equal(Object.assign(Object.create(null), { polluted: '2' }));
    });
  });
});

describe('parseVarName', () => {
  const table: [string, ReturnType<typeof parseVarName>][] = [
    ['a', { name: 'a', path: [], tooDeep: false }],
    ['a.b c', { name: 'a_b_c', path: [], tooDeep: false }],
    ['  a', { name: 'a', path: [], tooDeep: false }],
    ['a[b.c][]', { name: 'a', path: ['b.c', null], tooDeep: false }],
    ['a[ ]', { name: 'a', path: [null], tooDeep: false }],
    ['a[b.c', { name: 'a_b_c', path: [], tooDeep: false }],
    ['a[b][c', { name: 'a', path: ['b'], tooDeep: false }],
    ['h[a]b[c]', { name: 'h', path: ['a'], tooDeep: false }],
    ['x\0y[z]', { name: 'x', path: [], tooDeep: false }],
    ['', null],
    ['[a]', null],
    ['   ', null],
  ];
  for (const [name, expected] of table) {
    it(`reads ${JSON.stringify(name)}`, () => {
      expect(parseVarName(name)).to.deep.equal(expected);
    });
  }

  it('reports a name deeper than max_input_nesting_level, with the levels PHP walks first', () => {
    expect(parseVarName('a[1][2][3]', 2)).to.deep.equal({ name: 'a', path: ['1', '2'], tooDeep: true });
    expect(parseVarName('a[1][2]', 2)).to.deep.equal({ name: 'a', path: ['1', '2'], tooDeep: false });
  });
});

describe('InputVarsBuilder', () => {
  it('keeps exactly max_input_vars by default and reports the overflow once', () => {
    let calls = 0;
    const builder = new InputVarsBuilder({ maxInputVars: 2, maxNestingLevel: 64 }, { onLimitExceeded: () => calls++ });
    for (const name of ['a', 'b', 'c', 'd']) builder.add(name, '1');
    expect(Object.keys(builder.result())).to.deep.equal(['a', 'b']);
    expect(builder.count).to.equal(2);
    expect(builder.limitExceeded).to.equal(true);
    expect(calls).to.equal(1);
  });

  it('keeps one more with countAfterInsert (the urlencoded POST reader)', () => {
    const builder = new InputVarsBuilder({ maxInputVars: 2, maxNestingLevel: 64 }, { countAfterInsert: true });
    for (const name of ['a', 'b', 'c', 'd']) builder.add(name, '1');
    expect(Object.keys(builder.result())).to.deep.equal(['a', 'b', 'c']);
  });

  it('lets the first top-level value win with firstWins (cookies)', () => {
    const builder = new InputVarsBuilder(defaults, { firstWins: true });
    builder.add('a', '1');
    builder.add('a', '2');
    builder.add('b[x]', '1');
    builder.add('b[x]', '2');
    expect(builder.result()).to.deep.equal(Object.assign(Object.create(null), { a: '1', b: Object.assign(Object.create(null), { x: '2' }) }));
  });

  it('holds other leaf types, as $_FILES needs numbers', () => {
    const builder = new InputVarsBuilder<string | number>({ maxInputVars: Infinity, maxNestingLevel: 64 });
    builder.add('f[error][]', 0);
    builder.add('f[error][]', 4);
    expect(builder.result().f).to.deep.equal(Object.assign(Object.create(null), { error: [0, 4] }));
  });
});
