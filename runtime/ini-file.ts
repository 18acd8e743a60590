/**
 * php.ini syntax exactly as PHP 8.2 reads it (Zend/zend_ini_scanner.l and
 * zend_ini_parser.y in INI_SCANNER_NORMAL mode, main/php_ini.c for what a
 * parsed entry means), and the `php -d name=value` argument (sapi/cli/php_cli.c).
 *
 * The scanner is a rule-by-rule port of the re2c scanner: in each state every
 * rule is tried and the longest match wins, the earlier rule on a tie. That is
 * what makes `on = 1` a syntax error while `online = 1` is a setting, and it
 * keeps line numbers in error messages identical to PHP's. The parser follows
 * the bison grammar and reports errors with bison's "unexpected X, expecting
 * Y" wording for the parser state PHP is in.
 *
 * Differences from PHP, on purpose: a syntax error throws (PHP keeps the
 * entries before it and starts anyway); constructs tsfpm cannot honour
 * ([PATH=]/[HOST=] sections, `name[]` arrays, extension=) are left out of a
 * file's result and reported through `warn`, and make a `-d` argument throw;
 * only the E_* and PHP_EOL/PHP_INT_* constants are known (PHP also has
 * PHP_VERSION, PHP_OS, …; an unknown name stays as text, as in PHP).
 *
 * @module
 */
import { ERROR_LEVELS, atoi } from './ini-values.ts';

/** One setting from php.ini or `-d`: the value is the string PHP's configuration hash would hold. */
export interface IniEntry {
  name: string;
  value: string;
  /** 1-based line of the setting's name (for a setting given twice: of the one that counts). */
  line: number;
}

/** Inputs PHP takes from its surroundings while parsing. */
export interface IniParseOptions {
  /** Environment for `${NAME}`; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Values already configured before this text (PHP's configuration hash: SAPI
   * defaults, php.ini for a `-d`). `${name}` looks here after the entries of
   * this text and before the environment.
   */
  lookup?: (name: string) => string | undefined;
  /** parseIniFile reports here what tsfpm ignores: PATH/HOST sections, array entries, extension lines. */
  warn?: (message: string) => void;
}

/** A php.ini syntax error; `message` is PHP's text without the `PHP:  ` prefix it prints on stderr. */
export class IniSyntaxError extends Error {
  override readonly name = 'IniSyntaxError';
  readonly code = 'TSFPM_ERR_INI_SYNTAX';
  readonly file: string;
  readonly line: number;

  constructor(detail: string, file: string, line: number) {
    super(`${detail} in ${file} on line ${line}`);
    this.file = file;
    this.line = line;
  }
}

// ---------------------------------------------------------------------------
// Scanner

type State = 'INITIAL' | 'ST_OFFSET' | 'ST_SECTION_VALUE' | 'ST_VALUE' | 'ST_DOUBLE_QUOTES' | 'ST_VARNAME';

/** Token kinds carry bison's display names, so error messages can print them as they are. */
const END = 'end of file';
const EOL = 'END_OF_LINE';

interface Token {
  kind: string;
  text: string;
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isConstStart = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const isConstChar = (c: string | undefined): boolean => isConstStart(c) || isDigit(c);

// LABEL_CHAR. PHP 8.2 lets ']' into names (`] = 1` sets "]"), only '[' starts an offset.
const NOT_LABEL = new Set('=\n\r\t;&|^$~(){}!"[\0');
// VALUE_CHARS without the `$` alternatives.
const NOT_VALUE = new Set('$= \t\n\r;&|^~()!"\'\0');
// SECTION_VALUE_CHARS without the `\x` and `$` alternatives.
const NOT_SECTION_VALUE = new Set('$\n\r;"\'\\]');
const TOKENS = new Set(':,.[]"\'()&|^+-/*=%$!~<>?@{}');
const OPERATORS = new Set('&|^~()!');

const TRUE_WORDS = ['true', 'on', 'yes'];
const FALSE_WORDS = ['false', 'off', 'no', 'none'];
const NULL_WORDS = ['null'];

function blanks(t: string, i: number): number {
  let n = 0;
  while (isBlank(t[i + n])) n++;
  return n;
}

function newline(t: string, i: number): number {
  if (t[i] === '\r') return t[i + 1] === '\n' ? 2 : 1;
  return t[i] === '\n' ? 1 : 0;
}

function labelRun(t: string, i: number): number {
  let n = 0;
  while (i + n < t.length && !NOT_LABEL.has(t[i + n]!)) n++;
  return n;
}

/** A case-insensitive keyword from `words` plus trailing blanks (the On/Off/null rules). */
function keyword(t: string, i: number, words: readonly string[]): number {
  let best = -1;
  for (const w of words) {
    if (t.slice(i, i + w.length).toLowerCase() === w) best = Math.max(best, w.length + blanks(t, i + w.length));
  }
  return best;
}

/** `"$"([^{\000]|("\\"{ANY_CHAR}))`: the lengths a literal dollar can take at i. */
function literalDollar(t: string, i: number): number[] {
  if (t[i] !== '$' || i + 1 >= t.length) return [];
  const lengths: number[] = [];
  if (t[i + 1] !== '{' && t[i + 1] !== '\0') lengths.push(2);
  if (t[i + 1] === '\\' && i + 2 < t.length) lengths.push(3);
  return lengths;
}

/** Longest match of (single | multi-char alternative)+ starting at i, as a regex engine finds it. */
function longestRun(t: string, i: number, single: (c: string) => boolean, multi: (j: number) => number[]): number {
  const reachable = new Set([i]);
  let best = -1;
  let furthest = i;
  for (let j = i; j <= furthest; j++) {
    if (!reachable.delete(j)) continue;
    if (j > i) best = j - i;
    if (j >= t.length) continue;
    const steps = single(t[j]!) ? [1, ...multi(j)] : multi(j);
    for (const n of steps) {
      reachable.add(j + n);
      furthest = Math.max(furthest, j + n);
    }
  }
  return best;
}

function valueRun(t: string, i: number): number {
  return longestRun(t, i, (c) => !NOT_VALUE.has(c), (j) => literalDollar(t, j));
}

function sectionValueRun(t: string, i: number): number {
  return longestRun(t, i, (c) => !NOT_SECTION_VALUE.has(c), (j) => {
    const lengths = literalDollar(t, j);
    if (t[j] === '\\' && j + 1 < t.length) lengths.push(2);
    return lengths;
  });
}

function numberRun(t: string, i: number): number {
  // NUMBER: [-]?[0-9]+ | [0-9]*[.][0-9]+ | [0-9]+[.][0-9]*
  let best = -1;
  let j = i + (t[i] === '-' ? 1 : 0);
  let k = j;
  while (isDigit(t[k])) k++;
  if (k > j) best = k - i;
  j = i;
  while (isDigit(t[j])) j++;
  if (t[j] === '.') {
    let m = j + 1;
    while (isDigit(t[m])) m++;
    if (m > j + 1 || j > i) best = Math.max(best, m - i);
  }
  return best;
}

function constantRun(t: string, i: number): number {
  if (!isConstStart(t[i])) return -1;
  let n = 1;
  while (isConstChar(t[i + n])) n++;
  return n;
}

function trimName(s: string, extra = ''): string {
  let start = 0;
  let end = s.length;
  while (start < end && isBlank(s[start])) start++;
  while (end > start && (' \t\n\r' + extra).includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

/** zend_ini_escape_string for double quotes: only \" \\ and \$ are escapes. */
function unescapeQuoted(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
    } else if (i + 1 >= raw.length) {
      out += '\\';
    } else {
      const next = raw[++i]!;
      out += next === '"' || next === '\\' || next === '$' ? next : '\\' + next;
    }
  }
  return out;
}

function countLines(raw: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\n' || (raw[i] === '\r' && raw[i + 1] !== '\n')) n++;
  }
  return n;
}

type Action = (s: Scanner, text: string) => Token | null;

/** One re2c rule: the states it is active in, the length it matches at i (-1: none), what it returns. */
interface Rule {
  states: readonly State[];
  match: (t: string, i: number) => number;
  action: Action;
}

const char = (_s: Scanner, text: string): Token => ({ kind: `'${text[0]}'`, text: text[0]! });
const token = (kind: string) => (_s: Scanner, text: string): Token => ({ kind, text });
const endOfValue = (s: Scanner): Token => s.begin('INITIAL', { kind: EOL, text: '' });

/** `{TABS_AND_SPACES}*{NEWLINE}` */
function blankLine(t: string, i: number): number {
  const b = blanks(t, i);
  const n = newline(t, i + b);
  return n > 0 ? b + n : -1;
}

const VALUE_STATES: readonly State[] = ['ST_SECTION_VALUE', 'ST_VALUE', 'ST_OFFSET'];
const ALL_STATES: readonly State[] = ['INITIAL', 'ST_OFFSET', 'ST_SECTION_VALUE', 'ST_VALUE', 'ST_DOUBLE_QUOTES', 'ST_VARNAME'];

/** The rules of zend_ini_scanner.l (8.2) that apply in normal mode, in file order; each names its pattern. */
const RULES: readonly Rule[] = [
  // <INITIAL>"["
  {
    states: ['INITIAL'],
    match: (t, i) => (t[i] === '[' ? 1 : -1),
    action: (s) => s.begin('ST_SECTION_VALUE', { kind: 'TC_SECTION', text: '[' }),
  },
  // <ST_VALUE,ST_SECTION_VALUE,ST_OFFSET>"'"{SINGLE_QUOTED_CHARS}+"'"
  {
    states: VALUE_STATES,
    match: (t, i) => {
      if (t[i] !== "'") return -1;
      const j = t.indexOf("'", i + 1);
      return j > i + 1 ? j - i + 1 : -1;
    },
    action: (_s, text) => ({ kind: 'TC_RAW', text: text.slice(1, -1) }),
  },
  // <ST_SECTION_VALUE>"]"{TABS_AND_SPACES}*{NEWLINE}?  (counts a line even without the newline)
  {
    states: ['ST_SECTION_VALUE'],
    match: (t, i) => (t[i] === ']' ? 1 + blanks(t, i + 1) + newline(t, i + 1 + blanks(t, i + 1)) : -1),
    action: (s) => s.newline(s.begin('INITIAL', { kind: "']'", text: ']' })),
  },
  // <INITIAL>{LABEL}"["{TABS_AND_SPACES}*
  {
    states: ['INITIAL'],
    match: (t, i) => {
      const n = labelRun(t, i);
      return n > 0 && t[i + n] === '[' ? n + 1 + blanks(t, i + n + 1) : -1;
    },
    action: (s, text) => s.begin('ST_OFFSET', { kind: 'TC_OFFSET', text: trimName(text, '[') }),
  },
  // <ST_OFFSET>{TABS_AND_SPACES}*"]"
  {
    states: ['ST_OFFSET'],
    match: (t, i) => (t[i + blanks(t, i)] === ']' ? blanks(t, i) + 1 : -1),
    action: (s) => s.begin('INITIAL', { kind: "']'", text: ']' }),
  },
  // <ST_DOUBLE_QUOTES,ST_SECTION_VALUE,ST_VALUE,ST_OFFSET>"${"
  {
    states: ['ST_DOUBLE_QUOTES', ...VALUE_STATES],
    match: (t, i) => (t[i] === '$' && t[i + 1] === '{' ? 2 : -1),
    action: (s) => s.push('ST_VARNAME', { kind: 'TC_DOLLAR_CURLY', text: '${' }),
  },
  // <ST_VARNAME>{LABEL}  (8.2 has no ${NAME:-fallback}: ":-fallback" is part of the name)
  {
    states: ['ST_VARNAME'],
    match: (t, i) => labelRun(t, i) || -1,
    action: (_s, text) => ({ kind: 'TC_VARNAME', text: trimName(text) }),
  },
  // <ST_VARNAME>"}"
  { states: ['ST_VARNAME'], match: (t, i) => (t[i] === '}' ? 1 : -1), action: (s) => s.pop({ kind: "'}'", text: '}' }) },
  // <INITIAL,ST_VALUE>("true"|"on"|"yes"){TABS_AND_SPACES}*  (re2c runs with --case-inverted: any case)
  { states: ['INITIAL', 'ST_VALUE'], match: (t, i) => keyword(t, i, TRUE_WORDS), action: () => ({ kind: 'BOOL_TRUE', text: '1' }) },
  // <INITIAL,ST_VALUE>("false"|"off"|"no"|"none"){TABS_AND_SPACES}*
  { states: ['INITIAL', 'ST_VALUE'], match: (t, i) => keyword(t, i, FALSE_WORDS), action: () => ({ kind: 'BOOL_FALSE', text: '' }) },
  // <INITIAL,ST_VALUE>("null"){TABS_AND_SPACES}*
  { states: ['INITIAL', 'ST_VALUE'], match: (t, i) => keyword(t, i, NULL_WORDS), action: () => ({ kind: 'NULL_NULL', text: '' }) },
  // <INITIAL>{LABEL}
  {
    states: ['INITIAL'],
    match: (t, i) => labelRun(t, i) || -1,
    action: (_s, text) => ({ kind: 'TC_LABEL', text: trimName(text) }),
  },
  // <INITIAL>{TABS_AND_SPACES}*[=]{TABS_AND_SPACES}*
  {
    states: ['INITIAL'],
    match: (t, i) => {
      const b = blanks(t, i);
      return t[i + b] === '=' ? b + 1 + blanks(t, i + b + 1) : -1;
    },
    action: (s) => s.begin('ST_VALUE', { kind: "'='", text: '=' }),
  },
  // <ST_VALUE>{TABS_AND_SPACES}*{NEWLINE}
  { states: ['ST_VALUE'], match: blankLine, action: (s) => s.newline(endOfValue(s)) },
  // <ST_SECTION_VALUE,ST_VALUE,ST_OFFSET>{CONSTANT}
  { states: VALUE_STATES, match: constantRun, action: token('TC_CONSTANT') },
  // <ST_SECTION_VALUE,ST_VALUE,ST_OFFSET>{NUMBER}
  { states: VALUE_STATES, match: numberRun, action: token('TC_NUMBER') },
  // <INITIAL>{TOKENS}
  { states: ['INITIAL'], match: (t, i) => (TOKENS.has(t[i]!) ? 1 : -1), action: char },
  // <ST_VALUE>{OPERATORS}{TABS_AND_SPACES}*
  { states: ['ST_VALUE'], match: (t, i) => (OPERATORS.has(t[i]!) ? 1 + blanks(t, i + 1) : -1), action: char },
  // <ST_VALUE>[=]  (`a = b=c`: the value ends before '=', which is then read again as a statement)
  { states: ['ST_VALUE'], match: (t, i) => (t[i] === '=' ? 1 : -1), action: (s) => s.unread(endOfValue(s)) },
  // <ST_VALUE>{VALUE_CHARS}+
  { states: ['ST_VALUE'], match: valueRun, action: token('TC_STRING') },
  // <ST_SECTION_VALUE,ST_OFFSET>{SECTION_VALUE_CHARS}+
  { states: ['ST_SECTION_VALUE', 'ST_OFFSET'], match: sectionValueRun, action: token('TC_STRING') },
  // <ST_SECTION_VALUE,ST_VALUE,ST_OFFSET>{TABS_AND_SPACES}*["]
  {
    states: VALUE_STATES,
    match: (t, i) => (t[i + blanks(t, i)] === '"' ? blanks(t, i) + 1 : -1),
    action: (s) => s.push('ST_DOUBLE_QUOTES', { kind: "'\"'", text: '"' }),
  },
  // <ST_DOUBLE_QUOTES>["]{TABS_AND_SPACES}*
  {
    states: ['ST_DOUBLE_QUOTES'],
    match: (t, i) => (t[i] === '"' ? 1 + blanks(t, i + 1) : -1),
    action: (s) => s.pop({ kind: "'\"'", text: '"' }),
  },
  // <ST_DOUBLE_QUOTES>[^]
  { states: ['ST_DOUBLE_QUOTES'], match: () => 1, action: (s) => s.quotedString() },
  // <ST_SECTION_VALUE,ST_VALUE,ST_OFFSET>{WHITESPACE}
  { states: VALUE_STATES, match: (t, i) => blanks(t, i) || -1, action: token('TC_WHITESPACE') },
  // <INITIAL>{TABS_AND_SPACES}+
  { states: ['INITIAL'], match: (t, i) => blanks(t, i) || -1, action: () => null },
  // <INITIAL>{TABS_AND_SPACES}*{NEWLINE}
  { states: ['INITIAL'], match: blankLine, action: (s) => s.newline({ kind: EOL, text: '' }) },
  // <INITIAL,ST_VALUE>{TABS_AND_SPACES}*[;][^\r\n]*{NEWLINE}
  // At the end of a file PHP's scanner runs on into its zero padding and memory
  // beyond until it meets a newline, so a last comment without one still counts.
  {
    states: ['INITIAL', 'ST_VALUE'],
    match: (t, i) => {
      const b = blanks(t, i);
      if (t[i + b] !== ';') return -1;
      let j = i + b + 1;
      while (j < t.length && t[j] !== '\r' && t[j] !== '\n') j++;
      return j - i + newline(t, j);
    },
    action: (s) => s.newline(endOfValue(s)),
  },
  // <ST_VALUE>[^]
  { states: ['ST_VALUE'], match: () => 1, action: endOfValue },
  // <*>[^]  (anything else ends the input)
  { states: ALL_STATES, match: () => 1, action: () => ({ kind: END, text: '' }) },
];

class Scanner {
  readonly #text: string;
  #pos = 0;
  #state: State = 'INITIAL';
  readonly #stack: State[] = [];
  /** Length of the last match, for yyless(0). */
  #consumed = 0;
  /** Line number as PHP counts it (SCNG(lineno)); error messages use it as is. */
  lineno: number;
  /** Line on which the last token started. */
  tokenLine: number;

  constructor(text: string, firstLine: number) {
    // zend_ini_scanner skips a UTF-8 BOM only when more follows it.
    this.#text = text.startsWith('\uFEFF') && text.length > 1 ? text.slice(1) : text;
    this.lineno = firstLine;
    this.tokenLine = firstLine;
  }

  begin(state: State, tok: Token): Token {
    this.#state = state;
    return tok;
  }

  push(state: State, tok: Token): Token {
    this.#stack.push(this.#state);
    return this.begin(state, tok);
  }

  pop(tok: Token): Token {
    this.#state = this.#stack.pop() ?? 'INITIAL';
    return tok;
  }

  newline(tok: Token): Token {
    this.lineno++;
    return tok;
  }

  unread(tok: Token): Token {
    this.#pos -= this.#consumed;
    return tok;
  }

  /** The `<ST_DOUBLE_QUOTES>[^]` rule: everything up to a quote, `${` or a `\"` before a line end. */
  quotedString(): Token {
    const t = this.#text;
    const start = this.#pos - this.#consumed;
    let s = start;
    while (s < t.length) {
      const c = t[s++];
      if (c === '"' || (c === '$' && t[s] === '{')) {
        s--;
        break;
      }
      if (c === '\\' && s < t.length) {
        const escaped = t[s++];
        // A Windows path such as "C:\path\" ends at the quote.
        if (escaped === '"' && (s >= t.length || t[s] === '\n' || t[s] === '\r')) {
          s--;
          break;
        }
      }
    }
    const raw = t.slice(start, s);
    this.#pos = s;
    this.lineno += countLines(raw);
    return { kind: 'TC_QUOTED_STRING', text: unescapeQuoted(raw) };
  }

  next(): Token {
    const t = this.#text;
    for (;;) {
      this.tokenLine = this.lineno;
      if (this.#pos >= t.length) {
        if (this.#state === 'ST_VALUE') return this.begin('INITIAL', { kind: EOL, text: '' });
        return { kind: END, text: '' };
      }
      let best: Rule | undefined;
      let bestLength = 0;
      for (const rule of RULES) {
        if (!rule.states.includes(this.#state)) continue;
        const n = rule.match(t, this.#pos);
        if (n > bestLength) {
          best = rule;
          bestLength = n;
        }
      }
      // Every state ends with a catch-all rule, so `best` is always set.
      const text = t.slice(this.#pos, this.#pos + bestLength);
      this.#pos += bestLength;
      this.#consumed = bestLength;
      const tok = best!.action(this, text);
      if (tok) return tok;
    }
  }
}

// ---------------------------------------------------------------------------
// Parser

/** What the grammar hands to php_ini_parser_cb. */
interface ParseEvents {
  entry(name: string, value: string, line: number): void;
  offset(name: string, offset: string, value: string, line: number): void;
  section(name: string, line: number): void;
  variable(name: string): string;
}

const EXPECT_CLOSE_PAREN = ["'^'", "'|'", "'&'", "')'"];
const EXPECT_IN_QUOTES = ['TC_DOLLAR_CURLY', 'TC_QUOTED_STRING', "'\"'"];
const LITERALS = new Set(['TC_CONSTANT', 'TC_RAW', 'TC_NUMBER', 'TC_STRING', 'TC_WHITESPACE']);

/** Constants known while php.ini is read (before extensions start, so only core ones). */
const CONSTANTS: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(Object.entries(ERROR_LEVELS).map(([k, v]) => [k, String(v)])),
  PHP_EOL: '\n',
  PHP_INT_MAX: '9223372036854775807',
  PHP_INT_MIN: '-9223372036854775808',
  PHP_INT_SIZE: '8',
});

function constant(name: string): string {
  const special = name.toLowerCase();
  if (special === 'true') return '1';
  if (special === 'false' || special === 'null') return '';
  return CONSTANTS[name] ?? name;
}

/** zend_ini_do_op: operands through atoi, arithmetic in C int, printed with %d. */
function operate(op: string, a: string, b = ''): string {
  const x = atoi(a);
  const y = atoi(b);
  switch (op) {
    case "'|'": return String(x | y);
    case "'&'": return String(x & y);
    case "'^'": return String(x ^ y);
    case "'~'": return String(~x);
    default: return x === 0 ? '1' : '0';
  }
}

class Parser {
  readonly #scanner: Scanner;
  readonly #file: string;
  readonly #events: ParseEvents;

  constructor(scanner: Scanner, file: string, events: ParseEvents) {
    this.#scanner = scanner;
    this.#file = file;
    this.#events = events;
  }

  #fail(tok: Token, expected: readonly string[] = []): never {
    const expecting = expected.length > 0 ? `, expecting ${expected.join(' or ')}` : '';
    throw new IniSyntaxError(`syntax error, unexpected ${tok.kind}${expecting}`, this.#file, this.#scanner.lineno);
  }

  #next(): Token {
    return this.#scanner.next();
  }

  parse(): void {
    let tok = this.#next();
    for (;;) {
      switch (tok.kind) {
        case END:
          return;
        case EOL:
          tok = this.#next();
          break;
        case 'TC_SECTION':
          tok = this.#section();
          break;
        case 'TC_LABEL': {
          const line = this.#scanner.tokenLine;
          const after = this.#next();
          // A name without '=' is accepted and ignored.
          tok = after.kind === "'='" ? this.#value((v) => this.#events.entry(tok.text, v, line)) : after;
          break;
        }
        case 'TC_OFFSET':
          tok = this.#offset(tok.text, this.#scanner.tokenLine);
          break;
        default:
          // More than four tokens fit here, so bison names none of them.
          this.#fail(tok);
      }
    }
  }

  #section(): Token {
    const line = this.#scanner.tokenLine;
    const { value, next } = this.#strings(this.#next(), false);
    if (next.kind !== "']'") this.#fail(next, ["']'"]);
    this.#events.section(value, line);
    return this.#next();
  }

  #offset(name: string, line: number): Token {
    const { value: offset, next } = this.#strings(this.#next(), true);
    if (next.kind !== "']'") this.#fail(next, ["']'"]);
    const eq = this.#next();
    if (eq.kind !== "'='") this.#fail(eq, ["'='"]);
    return this.#value((v) => this.#events.offset(name, offset, v, line));
  }

  /** string_or_value; returns the token after it. */
  #value(apply: (value: string) => void): Token {
    const tok = this.#next();
    if (tok.kind === 'BOOL_TRUE' || tok.kind === 'BOOL_FALSE' || tok.kind === 'NULL_NULL' || tok.kind === EOL) {
      apply(tok.text);
      return this.#next();
    }
    const { value, next } = this.#expr(tok);
    apply(value);
    return next;
  }

  /** expr: '|', '&' and '^' share one precedence and group to the left; '~' and '!' bind tighter. */
  #expr(first: Token): { value: string; next: Token } {
    let { value, next } = this.#unary(first);
    while (next.kind === "'|'" || next.kind === "'&'" || next.kind === "'^'") {
      const right = this.#unary(this.#next());
      value = operate(next.kind, value, right.value);
      next = right.next;
    }
    return { value, next };
  }

  #unary(tok: Token): { value: string; next: Token } {
    if (tok.kind === "'~'" || tok.kind === "'!'") {
      const operand = this.#unary(this.#next());
      return { value: operate(tok.kind, operand.value), next: operand.next };
    }
    if (tok.kind === "'('") {
      const inner = this.#expr(this.#next());
      if (inner.next.kind !== "')'") this.#fail(inner.next, EXPECT_CLOSE_PAREN);
      return { value: inner.value, next: this.#next() };
    }
    const strings = this.#strings(tok, true);
    if (strings.next === tok) this.#fail(tok);
    return strings;
  }

  /** var_string_list (constants looked up) or var_string_list_section (taken literally); may be empty. */
  #strings(tok: Token, lookUpConstants: boolean): { value: string; next: Token } {
    let value = '';
    for (;;) {
      if (tok.kind === 'TC_DOLLAR_CURLY') {
        value += this.#variable();
      } else if (LITERALS.has(tok.kind)) {
        value += tok.kind === 'TC_CONSTANT' && lookUpConstants ? constant(tok.text) : tok.text;
      } else if (tok.kind === "'\"'") {
        value += this.#quoted();
      } else {
        return { value, next: tok };
      }
      tok = this.#next();
    }
  }

  #variable(): string {
    const name = this.#next();
    if (name.kind !== 'TC_VARNAME') this.#fail(name, ['TC_VARNAME']);
    const close = this.#next();
    if (close.kind !== "'}'") this.#fail(close, ["'}'"]);
    return this.#events.variable(name.text);
  }

  #quoted(): string {
    let value = '';
    for (;;) {
      const tok = this.#next();
      if (tok.kind === "'\"'") return value;
      if (tok.kind === 'TC_DOLLAR_CURLY') value += this.#variable();
      else if (tok.kind === 'TC_QUOTED_STRING') value += tok.text;
      else this.#fail(tok, EXPECT_IN_QUOTES);
    }
  }
}

// ---------------------------------------------------------------------------
// php.ini semantics (main/php_ini.c php_ini_parser_cb)

function isExtensionLine(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'extension' || lower === 'zend_extension';
}

function variableLookup(
  own: ReadonlyMap<string, IniEntry>,
  options: IniParseOptions,
): (name: string) => string {
  const env = options.env ?? process.env;
  return (name) => own.get(name)?.value ?? options.lookup?.(name) ?? env[name] ?? '';
}

/**
 * Reads php.ini text as PHP does at startup. Returns one entry per setting, in
 * the order names first appear, each holding the value of its last assignment.
 *
 * Sections are ignored except `[PATH=…]` / `[HOST=…]` (any section whose name
 * starts with PATH or HOST, as in PHP): their settings apply per directory or
 * host in PHP, which tsfpm does not do, so they are left out and reported. As
 * in PHP, a later ordinary section does not end them. `name[] = v` and
 * `name[key] = v` arrays and extension=/zend_extension= lines are reported and
 * left out (an array also drops an earlier plain value, as in PHP).
 *
 * @throws IniSyntaxError with PHP's message, e.g.
 *   `syntax error, unexpected '=' in /etc/php.ini on line 3`.
 */
export function parseIniFile(text: string, fileName: string, options: IniParseOptions = {}): IniEntry[] {
  const entries = new Map<string, IniEntry>();
  const warn = options.warn ?? (() => {});
  const where = (line: number): string => ` in ${fileName} on line ${line}`;
  let special = false;
  let elsewhere = false;
  const events: ParseEvents = {
    entry(name, value, line) {
      if (!special && isExtensionLine(name)) {
        warn(`${name}=${value} is ignored: tsfpm does not load PHP extensions${where(line)}`);
      } else if (!elsewhere) {
        entries.set(name, { name, value, line });
      }
    },
    offset(name, offset, _value, line) {
      if (elsewhere) return;
      warn(`${name}[${offset}] is ignored: array settings are not supported by tsfpm${where(line)}`);
      entries.delete(name);
    },
    section(name, line) {
      const prefix = name.slice(0, 4).toUpperCase();
      special = prefix === 'PATH' || prefix === 'HOST';
      if (special && name.length > 4) {
        elsewhere = true;
        warn(`[${name}] is ignored with every setting after it: per-${prefix === 'PATH' ? 'directory' : 'host'} sections are not supported by tsfpm${where(line)}`);
      }
    },
    variable: variableLookup(entries, options),
  };
  new Parser(new Scanner(text, 1), fileName, events).parse();
  return [...entries.values()];
}

/**
 * The ini text php-cli builds from one `-d` argument: `name` alone means
 * `name=1`, and a value that does not start with a letter, digit or quote is
 * wrapped in double quotes (so `-d x=/a;b` keeps the `;b`, but `-d x=a;b` does not).
 */
function defineArgToIni(arg: string): string {
  const eq = arg.indexOf('=');
  if (eq < 0) return `${arg}=1\n`;
  const first = arg[eq + 1];
  if (first !== undefined && !/^[A-Za-z0-9"']$/.test(first)) {
    return `${arg.slice(0, eq + 1)}"${arg.slice(eq + 1)}"\n`;
  }
  return `${arg}\n`;
}

/**
 * What `php -d <arg>` sets. The argument goes through the same scanner as
 * php.ini after php-cli's rewriting (see defineArgToIni), so expressions,
 * constants, On/Off and `${VAR}` work, `-d 'x=E_ALL & ~E_NOTICE'` gives
 * "32759", and `-d x=a=b` is a syntax error.
 *
 * @throws IniSyntaxError as PHP reports it: file "Unknown", and line 7 for a
 *   one-line argument (php-cli puts six built-in lines before the first `-d`).
 * @throws Error where PHP would set nothing tsfpm can use: an argument that
 *   sets nothing (`-d ';x'`, silently ignored by PHP), `extension=…`, an array
 *   entry (`-d 'x[]=1'`), or several settings (a newline in the value).
 */
export function parseDefineArg(arg: string, options: IniParseOptions = {}): IniEntry {
  const found: IniEntry[] = [];
  const problem = (why: string): Error => new Error(`-d ${JSON.stringify(arg)}: ${why}`);
  const events: ParseEvents = {
    entry(name, value, line) {
      if (isExtensionLine(name)) throw problem('tsfpm does not load PHP extensions');
      found.push({ name, value, line: line - 6 });
    },
    offset(name, offset) {
      throw problem(`${name}[${offset}]: array settings are not supported by tsfpm`);
    },
    section() {},
    variable: variableLookup(new Map(), options),
  };
  new Parser(new Scanner(defineArgToIni(arg), 7), 'Unknown', events).parse();
  if (found.length > 1) throw problem('defines more than one setting');
  if (found.length === 0) throw problem('defines no setting');
  return found[0]!;
}
