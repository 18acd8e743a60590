/**
 * The php.ini scanner of PHP 8.2 (Zend/zend_ini_scanner.l in INI_SCANNER_NORMAL mode), for ini-file.ts's parser.
 *
 * A rule-by-rule port of the re2c scanner: in each state every rule is tried and the longest match wins, the
 * earlier rule on a tie. That is what makes `on = 1` a syntax error while `online = 1` is a setting, and it
 * keeps line numbers in error messages identical to PHP's.
 *
 * @module
 */

export type State = 'INITIAL' | 'ST_OFFSET' | 'ST_SECTION_VALUE' | 'ST_VALUE' | 'ST_DOUBLE_QUOTES' | 'ST_VARNAME';

/** Token kinds carry bison's display names, so error messages can print them as they are. */
export const END = 'end of file';
export const EOL = 'END_OF_LINE';

export interface Token {
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

/**
 * Tokens of one text in PHP's scanner states; the parser pulls them one at a time with {@link Scanner.next}.
 * begin, push, pop, newline and unread are the scanner actions (BEGIN, yy_push_state, yy_pop_state, lineno++,
 * yyless(0)) that the rules call.
 */
export class Scanner {
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

  /** The next token: the longest match among the rules of the current state, the earlier rule on a tie. */
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
