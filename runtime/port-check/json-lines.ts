/**
 * JSON as values, in a canonical text of one value or key per line, keeping the order of object keys as sent:
 * PHP arrays are ordered, and `json_encode` writes them in that order, which `JSON.parse` would not keep for
 * integer-like keys. Strings are compared unescaped (PHP writes `\/` and `\u00e9` by default, JS `/` and `é`),
 * numbers by value (`1.0` = `1`).
 * @module
 */

const TOKEN = /\s*(?:("(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")|(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\],:]))/y;

/** The canonical lines of a JSON text, or undefined when it is not JSON. */
export function jsonLines(text: string): string[] | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let end = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    tokens.push(m[1] !== undefined ? JSON.stringify(JSON.parse(m[1])) : m[2] !== undefined ? number(m[2]) : (m[3] ?? m[4])!);
    end = TOKEN.lastIndex;
  }
  if (tokens.length === 0 || text.slice(end).trim() !== '') return undefined;
  const lines: string[] = [];
  let at = 0;
  const value = (indent: string, prefix: string, suffix: string): boolean => {
    const token = tokens[at++];
    if (token === '{' || token === '[') {
      const close = token === '{' ? '}' : ']';
      if (tokens[at] === close) {
        at++;
        lines.push(`${indent}${prefix}${token}${close}${suffix}`);
        return true;
      }
      lines.push(`${indent}${prefix}${token}`);
      for (;;) {
        let key = '';
        if (close === '}') {
          key = tokens[at++] ?? '';
          if (!key.startsWith('"') || tokens[at++] !== ':') return false;
          key += ': ';
        }
        const more = tokens[at + countValue(at)] === ',';
        if (!value(`${indent}  `, key, more ? ',' : '')) return false;
        if (tokens[at] === ',') at++;
        else if (tokens[at++] === close) break;
        else return false;
      }
      lines.push(`${indent}${close}${suffix}`);
      return true;
    }
    if (token === undefined || '}],:'.includes(token)) return false;
    lines.push(`${indent}${prefix}${token}${suffix}`);
    return true;
  };
  // how many tokens the value at `start` spans, to know whether a comma follows it
  const countValue = (start: number): number => {
    let depth = 0;
    let i = start;
    do {
      const t = tokens[i++];
      if (t === undefined) return i - start;
      if (t === '{' || t === '[') depth++;
      else if (t === '}' || t === ']') depth--;
    } while (depth > 0);
    return i - start;
  };
  if (!value('', '', '') || at !== tokens.length) return undefined;
  return lines;
}

function number(token: string): string {
  return /^-?\d+$/.test(token) ? BigInt(token).toString() : String(Number(token));
}
