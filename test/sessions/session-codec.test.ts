// The php / php_serialize / php_binary session encodings against session files written by PHP 8.2
// (test/fixtures/serialize/generate.php).

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { serialize } from '../../sessions/serialize/php-serialize.ts';
import { PhpFloat, PhpObject, PHP_KEY_ORDER, recordFromEntries, type PhpRecord, type PhpValue } from '../../sessions/serialize/php-values.ts';
import {
  decodeSession,
  DECODE_FAILED_MESSAGE,
  encodeSession,
  parseSerializeHandler,
  SessionDecodeError,
  type SessionSerializeHandler,
} from '../../sessions/serialize/session-codec.ts';

interface Bytes {
  base64: string;
  text?: string;
}
const fixturePath = (name: string): URL => new URL(`../fixtures/serialize/${name}`, import.meta.url);
const sessions = JSON.parse(readFileSync(fixturePath('sessions.json'), 'utf8')) as {
  files: Array<Bytes & { set: string; handler: SessionSerializeHandler; warnings: string[] }>;
  decode: Array<Bytes & { handler: SessionSerializeHandler; ok: boolean; session?: string }>;
};
const HANDLERS: SessionSerializeHandler[] = ['php', 'php_serialize', 'php_binary'];

const bytesOf = (b: Bytes): Buffer => Buffer.from(b.base64, 'base64');
const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'));
/** PHP prefixes the function that was running; tsfpm's warn callback gets the message alone. */
const bare = (warnings: string[]): string[] => warnings.map((w) => w.replace(/^session_write_close\(\): /, ''));
const stored = (set: string, handler: SessionSerializeHandler): { bytes: Buffer; warnings: string[] } => {
  const row = sessions.files.find((r) => r.set === set && r.handler === handler);
  if (!row) throw new Error(`no fixture for ${set} / ${handler}`);
  return { bytes: bytesOf(row), warnings: bare(row.warnings) };
};
const encode = (vars: PhpRecord, handler: SessionSerializeHandler): { bytes: Buffer; warnings: string[] } => {
  const warnings: string[] = [];
  return { bytes: encodeSession(vars, handler, (m) => warnings.push(m)), warnings };
};

describe('decodeSession() then encodeSession()', () => {
  for (const row of sessions.files) {
    const bytes = bytesOf(row);
    if (row.set === 'scalar reference across variables') {
      it(`${row.handler}: writes an R: to a scalar back as a copied value`, () => {
        const again = encode(decodeSession(bytes, row.handler), row.handler).bytes;
        expect(again.toString('latin1')).to.equal(bytes.toString('latin1').replace('R:1;', 'i:1;').replace('R:2;', 'i:1;'));
      });
      continue;
    }
    it(`${row.handler}: gives back the stored bytes of "${row.set}"`, () => {
      const again = encode(decodeSession(bytes, row.handler), row.handler);
      expect(show(again.bytes)).to.equal(show(bytes));
      // Bytes PHP wrote never contain what made PHP warn while writing them.
      expect(again.warnings).to.deep.equal([]);
    });
  }

  for (const handler of HANDLERS) {
    const file = readFileSync(fixturePath(`session-${handler}.bin`));
    it(`${handler}: reads a session file written by session_start() and writes it back byte for byte`, () => {
      const vars = decodeSession(file, handler);
      const user = vars['user'] as PhpObject;
      expect(user).to.be.instanceOf(PhpObject);
      expect(user.props.get('email')).to.equal('ann@example.com');
      expect(vars['owner']).to.equal(user);
      expect(vars['csrf']).to.deep.equal(Buffer.from('8f00a37c3b22ff746f6b656e', 'hex'));
      const cart = vars['cart'] as PhpRecord;
      expect((cart as { [PHP_KEY_ORDER]?: string[] })[PHP_KEY_ORDER]).to.deep.equal(['42', '7']);
      expect((cart['7'] as PhpRecord)['price']).to.deep.equal(new PhpFloat(20));
      expect(vars['last_seen']).to.equal(1700000000.25);
      expect(vars['locale']).to.equal(null);
      expect(show(encode(vars, handler).bytes)).to.equal(show(file));
    });
  }
});

describe('encodeSession()', () => {
  for (const handler of HANDLERS) {
    describe(`${handler} handler`, () => {
      it('writes the bytes and warnings PHP writes for the spec example', () => {
        const vars = recordFromEntries([
          ['int', 42],
          ['str', 'héllo "q"'],
          ['arr', new Map<number | string, PhpValue>([[0, 1], ['k', 'v'], [5, [true]]])],
        ]);
        expect(encode(vars, handler)).to.deep.equal(stored('spec example', handler));
      });

      it('writes an empty session', () => {
        expect(encode({}, handler)).to.deep.equal(stored('empty', handler));
      });

      it(handler === 'php_serialize' ? 'keeps int keys' : 'skips int keys with "Skipping numeric key"', () => {
        const vars = recordFromEntries([['a', 1], ['5', 'x'], ['b', 2]]);
        expect(encode(vars, handler)).to.deep.equal(stored('numeric keys', handler));
      });

      it('keeps multibyte names', () => {
        expect(encode({ héllo: 1, 日本: 2 }, handler)).to.deep.equal(stored('unicode names', handler));
      });

      it('shares a variable\'s array with a PHP reference when two variables hold the same one', () => {
        const pair = [1, 2];
        expect(encode({ a: pair, b: pair }, handler)).to.deep.equal(stored('shared array across variables', handler));
      });

      it('writes an object held by two variables once, then as r:', () => {
        const user = new PhpObject('stdClass', { name: 'ann' });
        expect(encode({ user, auth: { who: user } }, handler)).to.deep.equal(stored('shared object across variables', handler));
      });
    });
  }

  it('php: a "|" in a name stores an empty session, which PHP 8.2 does silently; tsfpm warns', () => {
    const vars = recordFromEntries([['ok', 1], ['7', 'seven'], ['a|b', 2], ['later', 3]]);
    const php = stored('pipe in a name', 'php');
    expect(php.bytes.length).to.equal(0);
    expect(encode(vars, 'php')).to.deep.equal({
      bytes: php.bytes,
      warnings: [...php.warnings, 'Failed to write session data. Data contains invalid key "a|b"'],
    });
  });

  it('php_serialize and php_binary: a "|" in a name is fine', () => {
    const vars = recordFromEntries([['ok', 1], ['7', 'seven'], ['a|b', 2], ['later', 3]]);
    expect(encode(vars, 'php_serialize')).to.deep.equal(stored('pipe in a name', 'php_serialize'));
    expect(encode(vars, 'php_binary')).to.deep.equal(stored('pipe in a name', 'php_binary'));
  });

  it('php_binary: drops names longer than 127 bytes, which PHP does silently; tsfpm warns', () => {
    const vars = recordFromEntries([['k'.repeat(127), 1], ['x'.repeat(128), 2], ['z', 3]]);
    const { bytes, warnings } = encode(vars, 'php_binary');
    expect(show(bytes)).to.equal(show(stored('long names', 'php_binary').bytes));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/limited to 127 bytes/);
  });

  it('php and php_binary: a record\'s integer-like names are skipped like PHP\'s int keys', () => {
    expect(encode({ b: 1, 5: 2, a: 3 }, 'php')).to.deep.equal(stored('int key before string keys', 'php'));
  });

  it('php_serialize: keeps the PHP order of a decoded session', () => {
    const { bytes } = stored('int key before string keys', 'php_serialize');
    const vars = decodeSession(bytes, 'php_serialize');
    expect(Object.keys(vars)).to.deep.equal(['5', 'b', 'a']);
    vars['c'] = 4;
    expect(encode(vars, 'php_serialize').bytes.toString()).to.equal('a:4:{s:1:"b";i:1;i:5;i:2;s:1:"a";i:3;s:1:"c";i:4;}');
  });
});

/** session_decode() inputs that tsfpm reads differently from PHP. */
const DECODE_EXCEPTIONS: Record<string, string> = {
  '5|i:1;': 'a numeric name becomes an int-like key, which the next encode skips (PHP keeps it a string key)',
  '\xff|i:1;': 'a name that is not UTF-8 is refused, since a JS object cannot hold it',
  'i:5;': 'a php_serialize value that is not an array is refused (PHP makes $_SESSION that scalar)',
};

describe('decodeSession()', () => {
  for (const row of sessions.decode) {
    const input = bytesOf(row);
    const exception = DECODE_EXCEPTIONS[input.toString('latin1')];
    if (exception) {
      it(`${row.handler}: ${exception}: ${show(input)}`, () => {
        if (input.toString('latin1') === '5|i:1;') {
          expect(serialize(decodeSession(input, row.handler)).toString()).to.equal('a:1:{i:5;i:1;}');
        } else {
          expect(() => decodeSession(input, row.handler)).to.throw(SessionDecodeError);
        }
      });
    } else if (row.ok) {
      it(`${row.handler}: decodes ${show(input)} as PHP does`, () => {
        expect(show(serialize(decodeSession(input, row.handler)))).to.equal(show(Buffer.from(row.session!, 'base64')));
      });
    } else {
      it(`${row.handler}: refuses ${show(input)}`, () => {
        expect(() => decodeSession(input, row.handler)).to.throw(SessionDecodeError, DECODE_FAILED_MESSAGE);
      });
    }
  }

  it('returns a prototype-less record', () => {
    const vars = decodeSession('a|a:1:{i:0;i:1;}', 'php');
    expect(Object.getPrototypeOf(vars)).to.equal(null);
    expect(vars['a']).to.deep.equal([1]);
  });

  it('makes references across variables point at the same JS instance', () => {
    const vars = decodeSession('a|a:1:{i:0;i:1;}b|R:1;', 'php');
    expect(vars['b']).to.equal(vars['a']);
  });

  it('tells which handler failed and why, keeping the unserialize error as the cause', () => {
    try {
      decodeSession('a|i:1;b', 'php');
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(SessionDecodeError);
      const decodeError = error as SessionDecodeError;
      expect([decodeError.code, decodeError.handler, decodeError.message]).to.deep.equal(['TSFPM_ERR_SESSION_DECODE', 'php', DECODE_FAILED_MESSAGE]);
      expect(decodeError.detail).to.match(/no "\|" after a session variable name/);
    }
  });

  it('applies the unserialize depth limit and reports out-of-range ints through warn', () => {
    const deep = 'a|' + 'a:1:{i:0;'.repeat(10) + 'N;' + '}'.repeat(10);
    expect(() => decodeSession(deep, 'php', { maxDepth: 5 })).to.throw(SessionDecodeError);
    const warnings: string[] = [];
    expect(decodeSession('a|i:99999999999999999999;', 'php', { warn: (m) => warnings.push(m) })['a']).to.equal(9223372036854775807n);
    expect(warnings).to.deep.equal(['Numerical result out of range']);
  });
});

describe('parseSerializeHandler()', () => {
  it('accepts the built-in handler names case-insensitively, like PHP', () => {
    expect(['php', 'PHP_Serialize', 'php_binary', 'igbinary', ''].map(parseSerializeHandler)).to.deep.equal([
      'php',
      'php_serialize',
      'php_binary',
      undefined,
      undefined,
    ]);
  });
});
