/**
 * The differences between PHP and tsfpm that php-compat.md names, as the fidelity runs meet them. A difference
 * port-check reports that no entry here explains fails the run; each entry quotes the php-compat.md text that
 * names it, and the fidelity spec checks that the text is still there.
 */
import type { Difference } from '../../runtime/port-check/difference.ts';

export type PhpServer = 'php -S' | 'PHP-FPM';

export interface KnownDifference {
  /** Which PHP server shows it. */
  readonly server: PhpServer;
  /** What php-compat.md says, verbatim (the spec checks it is there). */
  readonly compat: string;
  /** Whether a reported difference is this one. */
  matches(difference: Difference): boolean;
}

/** The lines a body diff changed (without the `---`/`+++` file lines). */
function changedLines(difference: Difference): string[] {
  return (difference.diff ?? '').split('\n').filter((line) => /^[-+](?![-+]{2} )/.test(line));
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    // php -S leaves QUERY_STRING, CONTENT_TYPE and CONTENT_LENGTH unset when the request has none; nginx's
    // fastcgi_params always pass them, empty, and tsfpm sets the keys PHP-FPM behind nginx sees.
    server: 'php -S',
    compat: "| `$_SERVER` | differs | the keys of Debian's nginx `fastcgi_params`, in tsfpm's own order",
    matches: (d) => d.field.startsWith('body') && changedLines(d).length > 0 && changedLines(d).every((line) => /^[-+]SERVER (QUERY_STRING|CONTENT_TYPE|CONTENT_LENGTH)=/.test(line)),
  },
];

/** The differences of a run that php-compat.md does not name. */
export function unexplained(server: PhpServer, differences: readonly Difference[]): Difference[] {
  return differences.filter((d) => !KNOWN_DIFFERENCES.some((k) => k.server === server && k.matches(d)));
}
