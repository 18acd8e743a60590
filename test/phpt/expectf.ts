/**
 * PHP's run-tests.php comparison of a test's output with its expectation: both trimmed, CRLF as LF; `--EXPECT--`
 * exactly, `--EXPECTF--` with its placeholders (`%s`, `%d`, `%a`, …, and `%r…%r` for a raw regular expression),
 * `--EXPECTREGEX--` as a regular expression. The placeholder table is run-tests.php's (PHP 8.2).
 */

const PLACEHOLDERS: Readonly<Record<string, string>> = {
  '%e': '/',
  '%s': '[^\\r\\n]+',
  '%S': '[^\\r\\n]*',
  '%a': '.+',
  '%A': '.*',
  '%w': '\\s*',
  '%i': '[+-]?\\d+',
  '%d': '\\d+',
  '%x': '[0-9a-fA-F]+',
  '%f': '[+-]?(?:\\d+|(?=\\.\\d))(?:\\.\\d+)?(?:[Ee][+-]?\\d+)?',
  '%c': '.',
  '%0': '\\x00',
};

/** preg_quote() for the literal parts; `%` stays, so the placeholders survive it, as in run-tests.php. */
function quote(text: string): string {
  return text.replace(/[.\\+*?[^\]$(){}=!<>|:\-#/]/g, '\\$&');
}

/** The regular expression run-tests.php makes of an `--EXPECTF--` section. */
export function expectfToRegex(wanted: string): RegExp {
  let source = '';
  let offset = 0;
  while (offset < wanted.length) {
    let start = wanted.indexOf('%r', offset);
    let end = start < 0 ? -1 : wanted.indexOf('%r', start + 2);
    if (start < 0 || end < 0) start = end = wanted.length;
    source += quote(wanted.slice(offset, start));
    if (end > start) source += `(${wanted.slice(start + 2, end)})`;
    offset = end + 2;
  }
  source = source.replace(/%[esSaAwidxfc0]/g, (token) => PLACEHOLDERS[token]!);
  return new RegExp(`^${source}$`, 's');
}

const normalise = (text: string): string => text.replace(/\r\n/g, '\n').trim();

/** Whether `output` passes the expectation, by run-tests.php's rules. */
export function outputMatches(kind: 'EXPECT' | 'EXPECTF' | 'EXPECTREGEX', expected: string, output: string): boolean {
  const out = normalise(output);
  const wanted = normalise(expected);
  if (kind === 'EXPECT') return out === wanted;
  if (kind === 'EXPECTF') return expectfToRegex(wanted).test(out);
  return new RegExp(`^${wanted}$`, 's').test(out);
}
