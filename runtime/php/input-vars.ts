/**
 * PHP's request-variable registration (main/php_variables.c `php_register_variable_ex`):
 * how `a.b`, `a[x][]`, `e[` and friends become $_GET / $_POST / $_COOKIE / $_FILES entries,
 * plus the query-string and Cookie-header splitters that feed it.
 *
 * Values are built in a model of PHP's ordered hash (int keys vs string keys, "next free
 * index" for `a[]`) and only converted to JS values at the end, so ordering, numeric-string
 * keys and `a[]` numbering follow PHP 8.2 exactly.
 *
 * @module
 */

/** A PHP value built from request input: a leaf, or a PHP array of them. */
export type VarValue<Leaf> = Leaf | VarArray<Leaf>;
/** A PHP array: a JS array when its keys are exactly 0..n-1 in insertion order, else a null-prototype object. */
export type VarArray<Leaf> = VarValue<Leaf>[] | { [key: string]: VarValue<Leaf> };
/** A top-level variables table ($_GET, $_FILES...): always a null-prototype object. */
export type VarTable<Leaf> = { [key: string]: VarValue<Leaf> };

/** A request variable: a string, or a PHP array of them. */
export type InputValue = VarValue<string>;
/** $_GET, $_POST or $_COOKIE: always a null-prototype object. */
export type InputVars = VarTable<string>;

/** The two php.ini limits that apply while registering variables. */
export interface InputLimits {
  /** max_input_vars: how many variables one source may register (PHP default 1000). */
  maxInputVars: number;
  /** max_input_nesting_level: deepest `[...]` nesting kept (PHP default 64). */
  maxNestingLevel: number;
}

/** Where a query string comes from: the limit check and the warning text differ. */
export type QuerySource = 'get' | 'post' | 'parse_str';

/** A variable name split the way PHP reads it. */
export interface VarName {
  /** Top-level name, mangled: leading spaces dropped, ` ` and `.` (and an unmatched `[`) turned into `_`. */
  name: string;
  /** Bracket keys in order; `null` stands for `[]` (append the next integer key). Never mangled. */
  path: Array<string | null>;
  /**
   * The name nests deeper than max_input_nesting_level: PHP deletes the whole top-level
   * variable instead of assigning. `path` then holds the levels PHP walked before giving up.
   */
  tooDeep: boolean;
}

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

/** C isspace(): space, \t, \n, \v, \f, \r. */
function isCSpace(ch: string | undefined): boolean {
  return ch === ' ' || (ch !== undefined && ch >= '\t' && ch <= '\r');
}

/** The name as php_register_variable_ex sees it: a C string (ends at NUL) without leading spaces. */
function cName(raw: string): string {
  const nul = raw.indexOf('\0');
  return (nul < 0 ? raw : raw.slice(0, nul)).replace(/^ +/, '');
}

/**
 * Splits a request-variable name the way PHP 8.2 does (`php_register_variable_ex`).
 *
 * Returns null when PHP drops the variable (empty name, `[]=1`, a leading NUL).
 * - Before the first `[`, spaces and dots become `_`; bracket keys are kept verbatim.
 * - A single whitespace character alone in brackets (`a[ ]`) counts as `[]`.
 * - Anything after a `]` that is not `[` is ignored (`h[a]b` → `h[a]`).
 * - An unmatched `[` at the first level becomes `_`, and the rest of the name is mangled too
 *   (`a[b.c` → `a_b_c`); at a deeper level the unmatched part is ignored (`a[b][c` → `a[b]`).
 */
export function parseVarName(rawName: string, maxNestingLevel = Infinity): VarName | null {
  const s = cName(rawName);
  const bracket = s.indexOf('[');
  const i = bracket < 0 ? s.length : bracket;
  const top = s.slice(0, i).replace(/[ .]+/g, (run) => '_'.repeat(run.length));
  if (top === '') return null;
  const path: Array<string | null> = [];
  if (i === s.length) return { name: top, path, tooDeep: false };

  let open = i;
  for (let level = 1; ; level++) {
    // PHP checks the depth before looking at the next bracket, so the walk so far still happens.
    if (level > maxNestingLevel) return { name: top, path, tooDeep: true };
    const start = open + 1;
    const probe = isCSpace(s[start]) ? start + 1 : start;
    let close: number;
    if (s[probe] === ']') {
      close = probe;
      path.push(null);
    } else {
      close = s.indexOf(']', probe);
      if (close < 0) {
        if (path.length > 0) return { name: top, path, tooDeep: false };
        // runs, not characters: one replacement per character takes seconds on a megabyte of `[`
        return { name: `${top}_${s.slice(start).replace(/[ .[]+/g, (run) => '_'.repeat(run.length))}`, path, tooDeep: false };
      }
      path.push(s.slice(start, close));
    }
    if (s[close + 1] !== '[') return { name: top, path, tooDeep: false };
    open = close + 1;
  }
}

type ArrayKey = bigint | string;

/** ZEND_HANDLE_NUMERIC_STR: "5" and "-5" are integer keys; "05", "-0", " 5" and out-of-range numbers stay strings. */
function arrayKey(key: string): ArrayKey {
  if (!/^(?:0|-?[1-9][0-9]*)$/.test(key)) return key;
  const n = BigInt(key);
  return n > LONG_MAX || n < LONG_MIN ? key : n;
}

/**
 * Since 8.2.24 (CVE-2024-8926 fix) a key that only starts with `__Host-` / `__Secure-` because of
 * mangling, or a sub-key with that prefix under a name without it, is refused.
 */
function isForbiddenKey(key: string, original: string): boolean {
  return (key.startsWith('__Host-') && !original.startsWith('__Host-'))
    || (key.startsWith('__Secure-') && !original.startsWith('__Secure-'));
}

/** The part of a PHP HashTable that request parsing touches: ordered keys and the next free index. */
class PhpArray<Leaf> {
  readonly entries = new Map<ArrayKey, Leaf | PhpArray<Leaf>>();
  // nNextFreeElement starts "unset" (LONG_MIN) so `a[-5]&a[]` appends -4, as 8.2 does.
  #next = LONG_MIN;

  get(key: ArrayKey): Leaf | PhpArray<Leaf> | undefined {
    return this.entries.get(key);
  }

  has(key: ArrayKey): boolean {
    return this.entries.has(key);
  }

  delete(key: ArrayKey): void {
    this.entries.delete(key);
  }

  set(key: ArrayKey, value: Leaf | PhpArray<Leaf>): void {
    this.entries.set(key, value);
    if (typeof key === 'bigint' && key >= this.#next) this.#next = key < LONG_MAX ? key + 1n : LONG_MAX;
  }

  /** `$a[] = $value`; false when the next index is taken (after a key of PHP_INT_MAX). */
  append(value: Leaf | PhpArray<Leaf>): boolean {
    const key = this.#next === LONG_MIN ? 0n : this.#next;
    if (this.entries.has(key)) return false;
    this.set(key, value);
    return true;
  }

  toValue(): VarArray<Leaf> {
    let index = 0n;
    let isList = true;
    for (const key of this.entries.keys()) {
      if (key !== index++) {
        isList = false;
        break;
      }
    }
    if (isList) return Array.from(this.entries.values(), valueOf);
    return this.toObject();
  }

  toObject(): VarTable<Leaf> {
    const out: VarTable<Leaf> = Object.create(null);
    for (const [key, value] of this.entries) out[String(key)] = valueOf(value);
    return out;
  }
}

function valueOf<Leaf>(value: Leaf | PhpArray<Leaf>): VarValue<Leaf> {
  return value instanceof PhpArray ? value.toValue() : value;
}

/** How an {@link InputVarsBuilder} applies max_input_vars and duplicates. */
export interface InputVarsBuilderOptions {
  /** Cookies: a top-level name already set is not overwritten (the more specific path comes first). */
  firstWins?: boolean;
  /**
   * Urlencoded POST checks the limit after registering, so it keeps max_input_vars + 1 variables;
   * GET, cookies, parse_str and multipart fields check first and keep exactly max_input_vars.
   */
  countAfterInsert?: boolean;
  /** Called once, when the limit is first exceeded (the caller words the PHP warning). */
  onLimitExceeded?: () => void;
}

/**
 * Registers name/value pairs into one variables table with PHP's rules, counting them
 * against max_input_vars. Once the limit is exceeded, later pairs are ignored.
 */
export class InputVarsBuilder<Leaf = string> {
  readonly #limits: InputLimits;
  readonly #options: InputVarsBuilderOptions;
  readonly #root = new PhpArray<Leaf>();
  #count = 0;
  #exceeded = false;

  constructor(limits: InputLimits, options: InputVarsBuilderOptions = {}) {
    this.#limits = limits;
    this.#options = options;
  }

  /** Pairs counted so far (including those whose name PHP drops). */
  get count(): number {
    return this.#count;
  }

  /** Whether max_input_vars was exceeded: no further pair is registered. */
  get limitExceeded(): boolean {
    return this.#exceeded;
  }

  /** Registers one pair, unless the limit has been reached. */
  add(name: string, value: Leaf): void {
    if (this.#exceeded) return;
    const afterInsert = this.#options.countAfterInsert === true;
    if (!afterInsert && this.#count + 1 > this.#limits.maxInputVars) {
      this.#exceed();
      return;
    }
    this.#count++;
    this.#register(name, value);
    if (afterInsert && this.#count > this.#limits.maxInputVars) this.#exceed();
  }

  /** The table built so far, as JS values. */
  result(): VarTable<Leaf> {
    return this.#root.toObject();
  }

  #exceed(): void {
    this.#exceeded = true;
    this.#options.onLimitExceeded?.();
  }

  #register(rawName: string, value: Leaf): void {
    const parsed = parseVarName(rawName, this.#limits.maxNestingLevel);
    if (parsed === null) return;
    const original = cName(rawName);
    let table = this.#root;
    let index: string | null = parsed.name;
    for (const segment of parsed.path) {
      let child: PhpArray<Leaf>;
      if (index === null) {
        child = new PhpArray<Leaf>();
        if (!table.append(child)) return;
      } else {
        if (isForbiddenKey(index, original)) return;
        const key = arrayKey(index);
        const existing = table.get(key);
        if (existing instanceof PhpArray) {
          child = existing;
        } else {
          child = new PhpArray<Leaf>();
          table.set(key, child);
        }
      }
      table = child;
      index = segment;
    }
    if (parsed.tooDeep) {
      // PHP also logs a warning here, but only with display_errors off ("information disclosure").
      this.#root.delete(arrayKey(parsed.name));
      return;
    }
    if (index === null) {
      table.append(value);
      return;
    }
    if (isForbiddenKey(index, original)) return;
    const key = arrayKey(index);
    if (this.#options.firstWins && table === this.#root && table.has(key)) return;
    table.set(key, value);
  }
}

/** The E_WARNING text for max_input_vars; `context` is what PHP prefixes (`PHP Request Startup`, `parse_str()`). */
export function inputVarsExceededMessage(maxInputVars: number, context = 'PHP Request Startup'): string {
  return `${context}: Input variables exceeded ${maxInputVars}. To increase the limit change max_input_vars in php.ini.`;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** php_url_decode / php_raw_url_decode: `%XX` becomes a byte, an invalid `%zz` stays literal. */
function urlDecode(bytes: Uint8Array, plusIsSpace: boolean): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x2b && plusIsSpace) {
      out[n++] = 0x20;
    } else if (byte === 0x25 && i + 2 < bytes.length && hexValue(bytes[i + 1]!) >= 0 && hexValue(bytes[i + 2]!) >= 0) {
      out[n++] = hexValue(bytes[i + 1]!) * 16 + hexValue(bytes[i + 2]!);
      i += 2;
    } else {
      out[n++] = byte;
    }
  }
  return out.subarray(0, n);
}

/** PHP strings are bytes; ported scripts get JS strings, so invalid UTF-8 becomes U+FFFD. */
function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * The pieces of `bytes` between `separator`s. strtok() drops empty pieces; `keepEmpty` (the POST
 * reader) keeps all but a trailing one. Lazy, so that a caller past max_input_vars stops reading:
 * an 8 MB body of `&` must not become four million pieces first.
 */
function* splitBytes(bytes: Buffer, separator: number, keepEmpty: boolean): Generator<Buffer> {
  for (let start = 0; start < bytes.length; ) {
    const found = bytes.indexOf(separator, start);
    const end = found < 0 ? bytes.length : found;
    if (end > start || (keepEmpty && found >= 0)) yield bytes.subarray(start, end);
    start = end + 1;
  }
}

/**
 * Parses a query string or an urlencoded body into variables, as PHP fills $_GET ('get'),
 * $_POST ('post') or parse_str() ('parse_str').
 *
 * Pairs are split on `&` and url-decoded (`+` is a space, an invalid `%zz` stays literal); a
 * pair without `=` gets the value "". A string is taken as UTF-8 text; pass the body's
 * Buffer to keep the client's bytes. Exceeding max_input_vars reports one warning through
 * `warn`; 'post' keeps one variable more than the others, as PHP does.
 */
export function parseQueryString(
  query: string | Uint8Array,
  limits: InputLimits,
  warn: (message: string) => void,
  source: QuerySource,
): InputVars {
  const bytes = typeof query === 'string' ? Buffer.from(query, 'utf8') : Buffer.from(query.buffer, query.byteOffset, query.byteLength);
  const context = source === 'parse_str' ? 'parse_str()' : 'PHP Request Startup';
  const builder = new InputVarsBuilder(limits, {
    countAfterInsert: source === 'post',
    onLimitExceeded: () => warn(inputVarsExceededMessage(limits.maxInputVars, context)),
  });
  // The POST reader counts empty pairs (`a=1&&b=2`) but not a trailing `&`; strtok() skips both.
  for (const pair of splitBytes(bytes, 0x26, source === 'post')) {
    if (builder.limitExceeded) break;
    const eq = pair.indexOf(0x3d);
    const name = eq < 0 ? pair : pair.subarray(0, eq);
    const value = eq < 0 ? pair.subarray(pair.length) : pair.subarray(eq + 1);
    builder.add(text(urlDecode(name, true)), text(urlDecode(value, true)));
  }
  return builder.result();
}

/**
 * Parses a Cookie header into $_COOKIE as PHP does.
 *
 * Pairs are split on `;` with leading whitespace trimmed. Names are not url-decoded (since
 * PHP 7.4.11) but are mangled like any variable name; values are %-decoded with `+` kept
 * literally; quotes are kept. The first occurrence of a top-level name wins. `header` is taken
 * as Node delivers header values (one character per byte, so UTF-8 is recovered); a string with
 * characters above U+00FF is taken as text.
 */
export function parseCookieHeader(header: string, limits: InputLimits, warn: (message: string) => void): InputVars {
  const bytes = Buffer.from(header, /[^\0-\xff]/.test(header) ? 'utf8' : 'latin1');
  const builder = new InputVarsBuilder(limits, {
    firstWins: true,
    onLimitExceeded: () => warn(inputVarsExceededMessage(limits.maxInputVars)),
  });
  for (const piece of splitBytes(bytes, 0x3b, false)) {
    let start = 0;
    while (start < piece.length && isCSpace(String.fromCharCode(piece[start]!))) start++;
    const pair = piece.subarray(start);
    // An empty name is skipped before counting, unlike in query strings.
    if (pair.length === 0 || pair[0] === 0x3d) continue;
    const eq = pair.indexOf(0x3d);
    const name = eq < 0 ? pair : pair.subarray(0, eq);
    const value = eq < 0 ? pair.subarray(pair.length) : pair.subarray(eq + 1);
    builder.add(text(name), text(urlDecode(value, false)));
    if (builder.limitExceeded) break;
  }
  return builder.result();
}
