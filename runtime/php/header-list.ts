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
}

/** A line as sent: a line with no colon goes out with an empty value. */
export function headerLine(lower: string, text: string): HeaderLine {
  const colon = text.indexOf(':');
  return colon === -1 ? { lower, text, name: text.trim(), value: '' } : { lower, text, name: text.slice(0, colon).trim(), value: text.slice(colon + 1).trim() };
}

function nameOf(text: string): string {
  const colon = text.indexOf(':');
  return (colon === -1 ? text : text.slice(0, colon)).trim().toLowerCase();
}

/** Applies PHP's default charset to a text/* Content-Type that names none (`text/plain;charset=UTF-8`, no space). */
export function withDefaultCharset(value: string, charset: string): string {
  if (!charset || !/^\s*text\//i.test(value) || /;\s*charset\s*=/i.test(value)) return value;
  return `${value};charset=${charset}`;
}

/** What sapi_header_op refuses in any header line, cookies included: undefined when the line is fine. */
export function headerLineProblem(text: string): HeaderProblem {
  if (text.includes('\0')) return 'Header may not contain NUL bytes';
  if (/[\r\n]/.test(text)) return 'Header may not contain more than a single header, new line detected';
  return undefined;
}

/** One request's headers and status, before they are sent. */
export class HeaderList {
  #lines: HeaderLine[];
  #status = 200;
  /** A status line set by `header('HTTP/1.1 418 I am a teapot')`: its reason phrase. */
  #reason: string | undefined;
  /** `Content-Type:` with an empty value: send no Content-Type at all. */
  #noContentType = false;

  /** @param seed lines every response starts with (made once per server), copied: this list's header() calls do not change it. */
  constructor(seed?: HeaderList) {
    this.#lines = seed ? seed.#lines.slice() : [];
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
  header(line: string, replace: boolean, responseCode: number, defaultCharset: string): HeaderProblem {
    let text = line.replace(/\s+$/, '');
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
    const lower = nameOf(text);
    const colon = text.indexOf(':');
    const value = colon === -1 ? '' : text.slice(colon + 1).trim();
    if (lower === 'content-type') {
      if (value === '') {
        this.#noContentType = true;
        this.remove('content-type');
        return undefined;
      }
      this.#noContentType = false;
      text = `${text.slice(0, colon)}: ${withDefaultCharset(value, defaultCharset)}`;
    } else if (lower === 'location' && responseCode === 0) {
      // FPM reports HTTP/1.0 to PHP, so PHP's 303-for-POST branch never runs: always 302
      if (this.#status < 300 || this.#status > 399) {
        if (this.#status !== 201) this.setStatus(302);
      }
    } else if (lower === 'www-authenticate') {
      this.setStatus(401);
    }
    if (replace) this.remove(lower);
    this.#lines.push(headerLine(lower, text));
    if (responseCode > 0) this.setStatus(responseCode);
    return undefined;
  }

  /** Adds a line made by headerLine(), replacing none: the default Content-type, made once per type. */
  append(line: HeaderLine): void {
    this.#lines.push(line);
  }

  /** Adds a Set-Cookie line (setcookie(): never replaces). */
  addCookie(setCookieValue: string): void {
    this.#lines.push({ lower: 'set-cookie', text: `Set-Cookie: ${setCookieValue}`, name: 'Set-Cookie', value: setCookieValue.trim() });
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
    return this.#lines.some((l) => l.lower === lower);
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
