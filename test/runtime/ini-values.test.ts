/**
 * PHP 8.2's ini value conversions. The quantity, boolean and setting-warning
 * tables were recorded from a real PHP by test/fixtures/ini/generate-values.php.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ERROR_LEVELS, atoi, iniBool, iniInt, iniQuantity, parseQuantity } from '../../runtime/settings/ini-values.ts';

interface ValuesFixture {
  quantities: { value: string; result: string; warning: string | null }[];
  booleans: { value: string; result: boolean }[];
  settings: { name: string; value: string; iniGet: string; output: string }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/ini/values.json', import.meta.url), 'utf8'),
) as ValuesFixture;

describe('ini values', () => {
  describe('zend_ini_parse_quantity (ini_parse_quantity)', () => {
    for (const c of fixture.quantities) {
      const what = c.warning ? `warns for ${JSON.stringify(c.value)}` : `reads ${JSON.stringify(c.value)}`;
      it(`${what} and gives ${c.result}`, () => {
        const parsed = parseQuantity(c.value);
        expect(String(parsed.value)).to.equal(c.result);
        expect(parsed.error).to.equal(c.warning);
      });
    }
  });

  describe('iniQuantity(value, name, warn)', () => {
    it('multiplies by 1024 per k, M, G step', () => {
      const warn = (): never => expect.fail('no warning expected');
      expect(iniQuantity('8M', 'post_max_size', warn)).to.equal(8 * 1024 * 1024);
      expect(iniQuantity('2G', 'memory_limit', warn)).to.equal(2 * 1024 ** 3);
      expect(iniQuantity('-1', 'memory_limit', warn)).to.equal(-1);
    });

    for (const c of fixture.settings) {
      it(`warns for ${c.name}=${c.value} as PHP does at startup`, () => {
        const warnings: string[] = [];
        iniQuantity(c.value, c.name, (w) => warnings.push(w));
        expect(warnings).to.have.length(1);
        expect(c.output).to.equal(`Warning: ${warnings[0]} in Unknown on line 0\n`);
      });
    }
  });

  describe('zend_ini_parse_bool (OnUpdateBool)', () => {
    for (const c of fixture.booleans) {
      it(`reads ${JSON.stringify(c.value)} as ${c.result}`, () => {
        expect(iniBool(c.value)).to.equal(c.result);
      });
    }
  });

  describe('iniInt (ZEND_STRTOL base 10)', () => {
    const table: [string, number][] = [
      ['12', 12],
      [' \t-3', -3],
      ['+7', 7],
      ['12abc', 12],
      ['abc', 0],
      ['', 0],
      ['0x10', 0],
      ['010', 10],
      ['1.9', 1],
      ['99999999999999999999', 9223372036854775807],
      ['-99999999999999999999', -9223372036854775808],
    ];
    for (const [input, expected] of table) {
      it(`reads ${JSON.stringify(input)} as ${expected}`, () => {
        expect(iniInt(input)).to.equal(expected);
      });
    }
  });

  describe('atoi', () => {
    it('keeps the low 32 bits of the saturated long, as glibc does', () => {
      expect(atoi('4294967297')).to.equal(1);
      expect(atoi('2147483648')).to.equal(-2147483648);
      expect(atoi('99999999999999999999')).to.equal(-1);
      expect(atoi(' 8M')).to.equal(8);
    });
  });

  describe('E_* constants', () => {
    it('has the PHP 8.2 values', () => {
      expect(ERROR_LEVELS.E_ALL).to.equal(32767);
      expect(ERROR_LEVELS.E_STRICT).to.equal(2048);
      expect(ERROR_LEVELS.E_DEPRECATED).to.equal(8192);
      const bits = Object.entries(ERROR_LEVELS).filter(([k]) => k !== 'E_ALL').map(([, v]) => v);
      expect(bits.reduce((a, b) => a | b, 0)).to.equal(ERROR_LEVELS.E_ALL);
    });
  });
});
