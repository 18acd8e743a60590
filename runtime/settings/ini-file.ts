/**
 * php.ini syntax exactly as PHP 8.2 reads it (Zend/zend_ini_scanner.l and
 * zend_ini_parser.y in INI_SCANNER_NORMAL mode, main/php_ini.c for what a
 * parsed entry means), and the `php -d name=value` argument (sapi/cli/php_cli.c).
 *
 * The scanner lives in ini-scanner.ts. The parser here follows the bison
 * grammar, evaluates expressions as it goes, and reports errors with bison's
 * "unexpected X, expecting Y" wording for the parser state PHP is in.
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
import { TsfpmError } from '../php/errors.ts';
import { ERROR_LEVELS, atoi } from './ini-values.ts';
import { END, EOL, Scanner, type Token } from './ini-scanner.ts';

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
export class IniSyntaxError extends TsfpmError {
  readonly file: string;
  readonly line: number;

  constructor(detail: string, file: string, line: number) {
    super('TSFPM_ERR_INI_SYNTAX', `${detail} in ${file} on line ${line}`);
    this.file = file;
    this.line = line;
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
