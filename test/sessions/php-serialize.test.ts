// PHP serialize()/unserialize() against bytes written by PHP 8.2 (test/fixtures/serialize/generate.php).

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { formatFloat, serialize } from '../../sessions/serialize/php-serialize.ts';
import { PhpUnserializeError, unserialize } from '../../sessions/serialize/php-unserialize.ts';
import {
  PHP_KEY_ORDER,
  PhpCustomObject,
  PhpEnum,
  PhpFloat,
  PhpObject,
  recordFromEntries,
  samePhpValue,
  type PhpRecord,
  type PhpValue,
} from '../../sessions/serialize/php-values.ts';

interface Bytes {
  base64: string;
  text?: string;
}
const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/serialize/${name}`, import.meta.url), 'utf8')) as T;
const values = fixture<{ values: Array<Bytes & { name: string }>; floats: Array<{ bits: string; serialized: string }> }>('values.json');
const malformed = fixture<{
  unserialize: Array<Bytes & { ok: boolean; warning?: string; reserialized?: string }>;
  depth: Array<{ kind: string; depth: number; ok: boolean }>;
}>('malformed.json');

const bytesOf = (b: Bytes): Buffer => Buffer.from(b.base64, 'base64');
const phpBytes = new Map(values.values.map((v) => [v.name, bytesOf(v)]));
const php = (name: string): Buffer => {
  const bytes = phpBytes.get(name);
  if (!bytes) throw new Error(`no fixture named ${name}`);
  return bytes;
};
const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'));
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** PHP-written data that does not come back byte for byte, and what tsfpm writes instead. */
const ROUND_TRIP_EXCEPTIONS: Record<string, { why: string; written: string }> = {
  'array scalar reference': { why: 'an R: to a scalar is read as a copy', written: 'a:2:{s:1:"y";i:1;s:1:"x";i:1;}' },
  'object referenced': { why: 'an R: to an object is written back as r:', written: 'a:2:{i:0;O:8:"stdClass":1:{s:1:"n";i:1;}s:1:"r";r:2;}' },
};

describe('unserialize() then serialize()', () => {
  for (const { name } of values.values) {
    const exception = ROUND_TRIP_EXCEPTIONS[name];
    if (exception) {
      it(`does not round-trip ${name}: ${exception.why}`, () => {
        expect(serialize(unserialize(php(name))).toString('latin1')).to.equal(exception.written);
      });
    } else {
      it(`gives back PHP's bytes for ${name}`, () => {
        const again = serialize(unserialize(php(name)));
        expect(show(again)).to.equal(show(php(name)));
      });
    }
  }
});

describe('serialize()', () => {
  const shared = [1, 2];
  const selfRef: PhpRecord = { x: 1 };
  selfRef['self'] = selfRef;
  const stdClass = new PhpObject('stdClass', { n: 1 });
  const emptyObject = new PhpObject('stdClass');
  const cyclic = new PhpObject('stdClass');
  cyclic.props.set('self', cyclic);
  const table: Array<[fixtureName: string, value: PhpValue]> = [
    ['null', null],
    ['true', true],
    ['false', false],
    ['int 0', 0],
    ['int 42', 42],
    ['int -7', -7],
    ['int PHP_INT_MAX', 9223372036854775807n],
    ['int PHP_INT_MIN', -9223372036854775808n],
    ['int 2^53', 9007199254740992n],
    ['int 2^53+1', 9007199254740993n],
    ['float 0.1', 0.1],
    ['float 0.1+0.2', 0.1 + 0.2],
    ['float 1.0', new PhpFloat(1)],
    ['float 0.0', new PhpFloat(0)],
    ['float -0.0', -0],
    ['float -1.5', -1.5],
    ['float 1e15', new PhpFloat(1e15)],
    ['float 1e16', 1e16],
    ['float 1e17', 1e17],
    ['float 1e20', 1e20],
    ['float 1.5e-7', 1.5e-7],
    ['float 0.0001', 0.0001],
    ['float 0.00001', 0.00001],
    ['float 2^53 as float', 2 ** 53],
    ['float 123456789.125', 123456789.125],
    ['float 5e-324', 5e-324],
    ['float PHP_FLOAT_MAX', Number.MAX_VALUE],
    ['float INF', Infinity],
    ['float -INF', -Infinity],
    ['float NAN', NaN],
    ['string empty', ''],
    ['string ascii', 'hello'],
    ['string accented and quoted', 'héllo "q"'],
    ['string CJK', '日本語'],
    ['string emoji', '😀'],
    ['string punctuation', 'a|b;c"d\'e}{:'],
    ['string NUL bytes', 'a\0b\0'],
    ['string binary', Buffer.from([0xff, 0xfe, 0x00, 0x80])],
    ['string latin1', latin1('caf\xe9')],
    ['string UTF-8 BOM', '\uFEFFx'],
    ['string encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['string CRLF tab', '\r\n\t'],
    ['string 1000 bytes', '0123456789'.repeat(100)],
    ['array empty', []],
    ['array list', [1, 2, 3]],
    ['array assoc', { a: 1, b: 'two' }],
    ['array mixed', new Map<number | string, PhpValue>([[0, 1], ['k', 'v'], [5, [true]]])],
    ['array nested', { a: { b: { c: { d: [1, [2, [3]]] } } } }],
    ['array hole in int keys', ['a', , 'c'] as PhpValue[]],
    ['array int keys descending', new Map([[1, 'b'], [0, 'a']])],
    ['array cart by product id', new Map([[42, 1], [7, 2], [1001, 5]])],
    ['array negative key', { '-1': 'x', '-2': 'y' }],
    ['array string then int key', new Map<number | string, PhpValue>([['b', 1], [5, 2]])],
    ['array numeric-looking string keys', { '05': 1, '-0': 2, '1.5': 3, ' 5': 4, '-3': 5 }],
    ['array PHP_INT_MAX key', { '9223372036854775807': 'max', '-9223372036854775808': 'min' }],
    ['array key beyond int64', { '9223372036854775808': 'string key' }],
    ['array binary key', new Map([[Buffer.from([0xff]), 1]])],
    ['array mojibake keys', new Map<string | Buffer, PhpValue>([['café', 'utf8'], [latin1('caf\xe9'), 'latin1']])],
    ['array list of lists', [[1, 2], [3, 4], []]],
    ['array empty string key', { '': 'empty' }],
    ['array shared by reference', { a: shared, b: shared, c: [1, 2] }],
    ['array self reference', { x: 1, self: selfRef }],
    ['object stdClass', stdClass],
    ['object twice', [stdClass, stdClass]],
    ['object stdClass empty', new PhpObject('stdClass')],
    ['object numeric property', new PhpObject('stdClass', new Map([['5', 1], ['a', 2]]))],
    ['object visibility', new PhpObject('Point', new Map([['x', 1], ['\0*\0y', 2], ['\0Point\0z', 3]]))],
    ['object cyclic', cyclic],
    ['object ArrayObject', new PhpObject('ArrayObject', new Map<number, PhpValue>([[0, 0], [1, [1, 2]], [2, []], [3, null]]))],
    ['object Serializable', new PhpCustomObject('Legacy', Buffer.from('a:1:{s:1:"k";s:1:"v";}'))],
    [
      'object Serializable then a back-reference',
      [new PhpCustomObject('Legacy', Buffer.from('a:1:{s:1:"k";s:1:"v";}')), emptyObject, emptyObject],
    ],
    ['object Serializable with a JSON payload then a back-reference', [new PhpCustomObject('JsonPayload', Buffer.from('[1,2]')), emptyObject, emptyObject]],
    ['enum backed', new PhpEnum('Suit', 'Hearts')],
    ['enum pure', new PhpEnum('Status', 'Active')],
    ['enum twice', [new PhpEnum('Suit', 'Hearts'), new PhpEnum('Suit', 'Spades'), new PhpEnum('Suit', 'Hearts')]],
  ];
  for (const [name, value] of table) {
    it(`writes the bytes PHP writes for ${name}`, () => {
      expect(show(serialize(value))).to.equal(show(php(name)));
    });
  }

  it('writes a whole JS number as an int, so an integral float needs PhpFloat', () => {
    expect(serialize(1).toString()).to.equal('i:1;');
    expect(serialize(new PhpFloat(1)).toString()).to.equal('d:1;');
  });

  it('writes JS numbers beyond 2^53 as floats and bigints as ints', () => {
    expect(serialize(2 ** 60).toString()).to.equal('d:1.152921504606847E+18;');
    expect(serialize(2n ** 60n).toString()).to.equal('i:1152921504606846976;');
  });

  it('lists a record\'s integer-like keys first, as JS enumerates them', () => {
    expect(serialize({ b: 1, 5: 2 }).toString()).to.equal('a:2:{i:5;i:2;s:1:"b";i:1;}');
    expect(serialize(recordFromEntries([['b', 1], ['5', 2]])).toString()).to.equal('a:2:{s:1:"b";i:1;i:5;i:2;}');
  });

  it('treats undefined values and holes as unset keys', () => {
    expect(serialize({ a: 1, b: undefined } as unknown as PhpRecord).toString()).to.equal('a:1:{s:1:"a";i:1;}');
    expect(serialize([1, undefined, 3] as unknown as PhpValue[]).toString()).to.equal('a:2:{i:0;i:1;i:2;i:3;}');
  });

  it('writes a record shared twice as a PHP reference', () => {
    const cart = { apples: 1 };
    expect(serialize({ a: cart, b: cart }).toString()).to.equal('a:2:{s:1:"a";a:1:{s:6:"apples";i:1;}s:1:"b";R:2;}');
  });

  it('writes a lone surrogate as U+FFFD', () => {
    expect(serialize('\uD800').toString('hex')).to.equal(Buffer.from('s:3:"\uFFFD";').toString('hex'));
  });

  it('refuses JS values that have no PHP equivalent, naming where they are', () => {
    for (const value of [() => 1, Symbol('s'), new Date(0), new (class Foo {})(), new Set([1])]) {
      expect(() => serialize({ user: { field: value } } as unknown as PhpValue)).to.throw(TypeError, /user › field/);
    }
    expect(() => serialize(2n ** 63n)).to.throw(RangeError, /outside PHP's int range/);
    expect(() => serialize(new Map([[1.5, 1]]))).to.throw(TypeError, /not an integer/);
  });

  it('refuses nesting deeper than PHP could read back (4096)', () => {
    const deep = (depth: number): PhpValue => {
      let value: PhpValue = [];
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    expect(() => serialize(deep(4096))).not.to.throw(); // the innermost array is empty and does not count
    expect(() => serialize(deep(4097))).to.throw(RangeError, /deeper than 4096/);
  });
});

describe('unserialize() value model', () => {
  it('reads a PHP list as a JS array and any other array as a prototype-less record', () => {
    expect(unserialize('a:2:{i:0;s:1:"a";i:1;s:1:"b";}')).to.deep.equal(['a', 'b']);
    const record = unserialize('a:2:{s:1:"a";i:1;i:5;i:2;}') as PhpRecord;
    expect(Object.getPrototypeOf(record)).to.equal(null);
    expect({ ...record }).to.deep.equal({ a: 1, 5: 2 });
  });

  it('remembers PHP key order that JS cannot keep, under a hidden symbol', () => {
    const cart = unserialize(php('array cart by product id')) as PhpRecord;
    expect(Object.keys(cart)).to.deep.equal(['7', '42', '1001']);
    expect((cart as { [PHP_KEY_ORDER]?: string[] })[PHP_KEY_ORDER]).to.deep.equal(['42', '7', '1001']);
    expect(Object.getOwnPropertyDescriptor(cart, PHP_KEY_ORDER)?.enumerable).to.equal(false);
    expect((unserialize(php('array assoc')) as { [PHP_KEY_ORDER]?: string[] })[PHP_KEY_ORDER]).to.equal(undefined);
  });

  it('writes keys added after reading after the remembered ones', () => {
    const cart = unserialize(php('array cart by product id')) as PhpRecord;
    delete cart['7'];
    cart['3'] = 9;
    expect(serialize(cart).toString()).to.equal('a:3:{i:42;i:1;i:1001;i:5;i:3;i:9;}');
  });

  it('reads an integral float as PhpFloat and other floats as numbers', () => {
    expect(unserialize('d:1;')).to.deep.equal(new PhpFloat(1));
    expect(unserialize('d:0.5;')).to.equal(0.5);
    expect(Object.is(unserialize('d:-0;'), -0)).to.equal(true);
    expect(unserialize('d:NAN;')).to.be.NaN;
    expect(unserialize('d:1.0E+20;')).to.equal(1e20);
  });

  it('reads ints beyond 2^53 as bigints', () => {
    expect(unserialize(php('int PHP_INT_MAX'))).to.equal(9223372036854775807n);
    expect(unserialize(php('int 2^53+1'))).to.equal(9007199254740993n);
    expect(unserialize('i:9007199254740991;')).to.equal(9007199254740991);
  });

  it('reads strings as UTF-8 when they are valid, else as Buffers', () => {
    expect(unserialize(php('string UTF-8 BOM'))).to.equal('\uFEFFx');
    expect(unserialize(php('string latin1'))).to.deep.equal(latin1('caf\xe9'));
    expect(unserialize(php('string encoded surrogate'))).to.be.instanceOf(Buffer);
  });

  it('copies the bytes it keeps, so later changes to the input do not reach them', () => {
    const input = Buffer.concat([Buffer.from('s:1:"'), Buffer.from([0xff]), Buffer.from('";')]);
    const value = unserialize(input) as Buffer;
    input[4] = 0x41;
    expect(value).to.deep.equal(Buffer.from([0xff]));
  });

  it('reads an array with a non-UTF-8 key as a Map', () => {
    const map = unserialize(php('array mojibake keys')) as Map<unknown, unknown>;
    expect([...map.keys()]).to.deep.equal(['café', latin1('caf\xe9')]);
  });

  it('reads objects with their class name and mangled property names', () => {
    const point = unserialize(php('object visibility')) as PhpObject;
    expect(point.className).to.equal('Point');
    expect([...point.props]).to.deep.equal([['x', 1], ['\0*\0y', 2], ['\0Point\0z', 3]]);
    const arrayObject = unserialize(php('object ArrayObject')) as PhpObject;
    expect([...arrayObject.props.keys()]).to.deep.equal([0, 1, 2, 3]);
  });

  it('reads enums and Serializable payloads', () => {
    expect(unserialize(php('enum backed'))).to.deep.equal(new PhpEnum('Suit', 'Hearts'));
    const legacy = unserialize(php('object Serializable')) as PhpCustomObject;
    expect([legacy.className, legacy.payload.toString()]).to.deep.equal(['Legacy', 'a:1:{s:1:"k";s:1:"v";}']);
  });

  it('makes r: and R: point at the same JS instance', () => {
    const twice = unserialize(php('object twice')) as PhpValue[];
    expect(twice[0]).to.equal(twice[1]);
    const shared = unserialize(php('array shared by reference')) as PhpRecord;
    expect(shared['a']).to.equal(shared['b']);
    expect(shared['c']).not.to.equal(shared['a']);
    const enums = unserialize(php('enum twice')) as PhpValue[];
    expect(enums[2]).to.equal(enums[0]);
  });

  it('copies the value of an R: to a scalar', () => {
    expect({ ...(unserialize(php('array scalar reference')) as PhpRecord) }).to.deep.equal({ y: 1, x: 1 });
  });

  it('rebuilds cycles', () => {
    const outer = unserialize(php('array self reference')) as PhpRecord;
    const inner = outer['self'] as PhpRecord;
    expect(inner['self']).to.equal(inner);
    const object = unserialize(php('object cyclic')) as PhpObject;
    expect(object.props.get('self')).to.equal(object);
    const list = unserialize('a:1:{i:0;R:1;}') as PhpRecord;
    expect(list['0']).to.equal(list);
  });
});

describe('float formatting (serialize_precision=-1)', () => {
  it(`formats ${values.floats.length} pseudo-random floats as PHP does`, () => {
    for (const { bits, serialized } of values.floats) {
      const value = Buffer.from(bits, 'hex').readDoubleLE(0);
      expect(`d:${formatFloat(value)};`, bits).to.equal(serialized);
    }
  });

  it('reads back the exact bits PHP wrote', () => {
    for (const { bits, serialized } of values.floats) {
      const read = unserialize(serialized);
      const value = read instanceof PhpFloat ? read.value : (read as number);
      const expected = Buffer.from(bits, 'hex').readDoubleLE(0);
      expect(Object.is(value, expected) || (Number.isNaN(value) && Number.isNaN(expected)), serialized).to.equal(true);
    }
  });
});

/** Hand-written input that tsfpm reads back differently from PHP. */
const NORMALISATION_EXCEPTIONS: Record<string, string> = {
  'O:8:"stdClass":1:{i:5;i:1;}': 'keeps int property keys, since only PHP knows if the class has __unserialize() (as ArrayObject does)',
  'a:1:{i:0;R:1;}': "keeps an array that contains itself as a cycle, where PHP's copy of it breaks the cycle with N;",
};

describe('unserialize() of malformed and odd input', () => {
  for (const row of malformed.unserialize) {
    const input = bytesOf(row);
    const exception = NORMALISATION_EXCEPTIONS[input.toString('latin1')];
    if (exception) {
      it(`${exception}: ${show(input)}`, () => {
        expect(show(serialize(unserialize(input)))).to.equal(show(input));
      });
    } else if (row.ok) {
      it(`accepts ${show(input)} and normalises it as PHP does`, () => {
        const warnings: string[] = [];
        const value = unserialize(input, { warn: (m) => warnings.push(m) });
        expect(show(serialize(value))).to.equal(show(Buffer.from(row.reserialized!, 'base64')));
        expect(warnings).to.deep.equal(row.warning ? [row.warning.replace(/^unserialize\(\): /, '')] : []);
      });
    } else {
      it(`refuses ${show(input)}`, () => {
        expect(() => unserialize(input)).to.throw(PhpUnserializeError);
      });
    }
  }

  it('reports the byte offset of the failure', () => {
    try {
      unserialize('a:1:{i:0;x:1;}');
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(PhpUnserializeError);
      expect((error as PhpUnserializeError).offset).to.equal(9);
      expect((error as PhpUnserializeError).message).to.match(/^Error at offset 9 of 14 bytes/);
    }
  });

  const nest = (kind: string, depth: number): string => {
    const [open, inner] =
      kind === 'objects' ? ['O:8:"stdClass":1:{s:1:"a";', 'N;'] : ['a:1:{i:0;', kind === 'arrays' ? 'N;' : kind === 'arrays then empty array' ? 'a:0:{}' : 'O:8:"stdClass":0:{}'];
    return open.repeat(depth) + inner + '}'.repeat(depth);
  };
  for (const { kind, depth, ok } of malformed.depth) {
    it(`${ok ? 'accepts' : 'refuses'} ${depth} nested ${kind} (unserialize_max_depth=4096)`, () => {
      if (ok) expect(() => unserialize(nest(kind, depth))).not.to.throw();
      else expect(() => unserialize(nest(kind, depth))).to.throw(PhpUnserializeError, /Maximum depth of 4096 exceeded/);
    });
  }

  it('clamps an out-of-range int to PHP_INT_MAX with a warning, however long it is', () => {
    const warnings: string[] = [];
    expect(unserialize('i:' + '9'.repeat(100_000) + ';', { warn: (m) => warnings.push(m) })).to.equal(9223372036854775807n);
    expect(warnings).to.deep.equal(['Numerical result out of range']);
  });

  it('honours a lower maxDepth, and 0 as no limit', () => {
    expect(() => unserialize(nest('arrays', 3), { maxDepth: 2 })).to.throw(PhpUnserializeError);
    expect(() => unserialize(nest('arrays', 5000), { maxDepth: 0 })).not.to.throw();
  });

  it('either reads or throws PhpUnserializeError for thousands of mutated PHP outputs', () => {
    let seed = 1;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const alphabet = Buffer.from('0123456789:;{}"aisdbNORrCE-+.\\|');
    const seeds = values.values.map(bytesOf);
    for (let i = 0; i < 5000; i++) {
      const input = seeds[random(seeds.length)]!;
      const at = random(input.length);
      const [head, tail] = [input.subarray(0, at), input.subarray(at + 1)];
      const replaced = [Buffer.from([alphabet[random(alphabet.length)]!]), Buffer.alloc(0), seeds[random(seeds.length)]!][i % 3]!;
      const mutated = Buffer.concat([head, replaced, tail]); // a byte replaced, removed, or replaced by a whole value
      try {
        serialize(unserialize(mutated));
      } catch (error) {
        if (!(error instanceof PhpUnserializeError)) throw new Error(`${show(mutated)}: ${String(error)}`);
      }
    }
  });

  it('fails fast on counts and lengths that exceed the data, without allocating for them', () => {
    const started = process.hrtime.bigint();
    for (const input of [
      'a:1073741823:{i:0;i:0;}',
      'a:99999999999999999999999:{}',
      's:99999999999999999999999:"x";',
      'O:8:"stdClass":2147483647:{}',
      'C:6:"Legacy":9223372036854775807:{}',
      'R:99999999999;',
      's:' + '9'.repeat(100_000) + ':"x";',
      'a:1:{i:0;' + 'a:1:{i:0;'.repeat(100_000),
    ]) {
      expect(() => unserialize(input)).to.throw(PhpUnserializeError);
    }
    expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.lessThan(1000);
  });
});

describe("samePhpValue: lazy_write's check that $_SESSION serializes as it was read", () => {
  const record = (entries: Array<[string, PhpValue]>) => recordFromEntries(entries);

  it('finds alike the values that serialize alike, unset entries skipped', () => {
    expect(samePhpValue(record([['n', 1], ['list', [1, 'a', null]]]), record([['n', 1], ['list', [1, 'a', null]]]))).to.equal(true);
    expect(samePhpValue(NaN, NaN)).to.equal(true);
    expect(samePhpValue(10n, 10n)).to.equal(true);
    expect(samePhpValue(new PhpFloat(1), new PhpFloat(1))).to.equal(true);
    const withUnset = record([['n', 1]]) as Record<string, unknown>;
    withUnset['gone'] = undefined;
    expect(samePhpValue(withUnset, record([['n', 1]]))).to.equal(true);
  });

  it('tells apart what PHP writes differently: an int from a float, 0 from -0, the order of keys, an array from a stdClass', () => {
    expect(samePhpValue(1, new PhpFloat(1))).to.equal(false);
    expect(samePhpValue(0, -0)).to.equal(false);
    expect(samePhpValue(record([['a', 1], ['b', 2]]), record([['b', 2], ['a', 1]]))).to.equal(false);
    expect(samePhpValue(record([['5', 1], ['3', 2]]), record([['3', 2], ['5', 1]]))).to.equal(false);
    expect(samePhpValue({ a: 1 }, record([['a', 1]]))).to.equal(false);
  });

  it('counts a Map, a Buffer or an object as changed, even the same one (it may have been changed in place)', () => {
    const map = new Map<string, PhpValue>([['a', 1]]);
    expect(samePhpValue(map, map)).to.equal(false);
    const bytes = Buffer.from([0xff]);
    expect(samePhpValue(bytes, bytes)).to.equal(false);
    const object = new PhpObject('stdClass', { a: 1 });
    expect(samePhpValue(object, object)).to.equal(false);
  });
});
