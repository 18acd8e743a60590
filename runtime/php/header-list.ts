/**
 * PHP's response header list (main/SAPI.c sapi_header_op, ext/standard/head.c): header() lines
 * kept as given, the status code, and the rules PHP applies when a line is added
 * (replace by name, Location → 302, WWW-Authenticate → 401, `HTTP/` status lines, the default
 * charset on text/* types, `Content-Type:` with no value suppressing the default).
 * @module
 */

/** Result of header(): undefined when applied, or the warning PHP gives. */
export type HeaderProblem = string | undefined;

/** One header line as header() kept it, with its name and value split once for the socket. */
export interface HeaderLine {
  readonly lower: string;
  readonly text: string;
  readonly name: string;
  readonly value: string;
  /**
   * node:http takes it as it is: a name that is an RFC 9110 token, a value with no control character
   * but tab. Known when the line is made, so that the lines every response starts with are checked once.
   */
  readonly sendable: boolean;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function line(lower: string, text: string, name: string, value: string): HeaderLine {
  return { lower, text, name, value, sendable: HEADER_NAME.test(name) && !BAD_HEADER_VALUE.test(value) };
}

/** A line as sent: a line with no colon goes out with an empty value. */
export function headerLine(lower: string, text: string): HeaderLine {
  const colon = text.indexOf(':');
  return colon === -1 ? line(lower, text, text.trim(), '') : line(lower, text, text.slice(0, colon).trim(), text.slice(colon + 1).trim());
}

/** Applies PHP's default charset to a text/* Content-Type that names none (`text/plain;charset=UTF-8`, no space). */
export function withDefaultCharset(value: string, charset: string): string {
  if (!charset || !/^\s*text\//i.test(value) || /;\s*charset\s*=/i.test(value)) return value;
  return `${value};charset=${charset}`;
}

/** What sapi_header_op refuses in any header line, cookies included: undefined when the line is fine. */
export function headerLineProblem(text: string): HeaderProblem {
  if (!/[\0\r\n]/.test(text)) return undefined;
  if (text.includes('\0')) return 'Header may not contain NUL bytes';
  if (/[\r\n]/.test(text)) return 'Header may not contain more than a single header, new line detected';
  return undefined;
}

/** A copy of `lines` with `added` at the end, sized once (concat() looks up Symbol.isConcatSpreadable on the line, slower than copying). */
function withLine(lines: readonly HeaderLine[], added: HeaderLine): HeaderLine[] {
  const copy = new Array<HeaderLine>(lines.length + 1);
  for (let i = 0; i < lines.length; i++) copy[i] = lines[i]!;
  copy[lines.length] = added;
  return copy;
}

/** One request's headers and status, before they are sent. */
export class HeaderList {
  #lines: readonly HeaderLine[];
  #status = 200;
  /** A status line set by `header('HTTP/1.1 418 I am a teapot')`: its reason phrase. */
  #reason: string | undefined;
  /** `Content-Type:` with an empty value: send no Content-Type at all. */
  #noContentType = false;

  /**
   * @param seed lines every response starts with (made once per server). Its array is shared, not
   * copied: no list changes its array in place, every change makes a new one (a list has a few lines).
   */
  constructor(seed?: HeaderList) {
    this.#lines = seed ? seed.#lines : [];
  }

  get status(): number {
    return this.#status;
  }

  get reason(): string | undefined {
    return this.#reason;
  }

  get suppressContentType(): boolean {
    return this.#noContentType;
  }

  setStatus(code: number): void {
    this.#status = code;
    this.#reason = undefined;
  }

  /** header($line, $replace, $response_code) on unsent headers. */
  header(raw: string, replace: boolean, responseCode: number, defaultCharset: string): HeaderProblem {
    // PHP trims trailing whitespace; trimEnd() strips what /\s+$/ would, without a regex scan of the line
    let text = raw.trimEnd();
    if (text === '') return undefined;
    const problem = headerLineProblem(text);
    if (problem) return problem;
    if (/^HTTP\//i.test(text)) {
      const m = /^HTTP\/\S*\s+(\d{3})\s*(.*)$/i.exec(text);
      if (m) {
        this.#status = Number(m[1]);
        this.#reason = m[2] || undefined;
      }
      if (responseCode > 0) this.setStatus(responseCode);
      return undefined;
    }
    // the name and value split once, for the rules below and for the socket
    const colon = text.indexOf(':');
    const name = (colon === -1 ? text : text.slice(0, colon)).trim();
    const lower = name.toLowerCase();
    let value = colon === -1 ? '' : text.slice(colon + 1).trim();
    if (lower === 'content-type') {
      if (value === '') {
        this.#noContentType = true;
        this.remove('content-type');
        return undefined;
      }
      this.#noContentType = false;
      const typed = withDefaultCharset(value, defaultCharset);
      text = `${text.slice(0, colon)}: ${typed}`;
      value = typed.trim();
    } else if (lower === 'location' && responseCode === 0) {
      // FPM reports HTTP/1.0 to PHP, so PHP's 303-for-POST branch never runs: always 302
      if (this.#status < 300 || this.#status > 399) {
        if (this.#status !== 201) this.setStatus(302);
      }
    } else if (lower === 'www-authenticate') {
      this.setStatus(401);
    }
    if (replace) this.remove(lower);
    this.#lines = withLine(this.#lines, line(lower, text, name, value));
    if (responseCode > 0) this.setStatus(responseCode);
    return undefined;
  }

  /** Adds a line made by headerLine(), replacing none: the default Content-type, made once per type. */
  append(line: HeaderLine): void {
    this.#lines = withLine(this.#lines, line);
  }

  /** Adds a Set-Cookie line (setcookie(): never replaces). */
  addCookie(setCookieValue: string): void {
    this.#lines = withLine(this.#lines, line('set-cookie', `Set-Cookie: ${setCookieValue}`, 'Set-Cookie', setCookieValue.trim()));
  }

  /** header_remove($name), or every header when `name` is undefined. */
  remove(name?: string): void {
    if (name === undefined) {
      this.#lines = [];
      return;
    }
    const lower = name.trim().toLowerCase();
    if (this.#lines.some((l) => l.lower === lower)) this.#lines = this.#lines.filter((l) => l.lower !== lower);
  }

  /** Removes the Set-Cookie lines of one cookie name (the session module re-sending its cookie). */
  removeCookie(cookieName: string): void {
    const prefix = `${cookieName}=`;
    this.#lines = this.#lines.filter((l) => !(l.lower === 'set-cookie' && l.text.slice(l.text.indexOf(':') + 1).trimStart().startsWith(prefix)));
  }

  has(name: string): boolean {
    const lower = name.toLowerCase();
    for (const line of this.#lines) if (line.lower === lower) return true;
    return false;
  }

  /** headers_list() */
  list(): string[] {
    return this.#lines.map((l) => l.text);
  }

  /** The lines in order, for writing to the socket. */
  get lines(): readonly HeaderLine[] {
    return this.#lines;
  }
}
