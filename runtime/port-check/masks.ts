/**
 * Values that must differ between the sides, replaced by the same placeholder on both before comparing, and each
 * listed in the report:
 * - session IDs, paired by order: PHP's first session ID ↔ the port's first, wherever they appear (cookies,
 *   headers, bodies, session contents). IDs are learnt from the session cookie each side sets.
 * - temporary upload names (`/tmp/phpAbC123`, also JSON-escaped): random on both sides.
 * - whatever matches a `--mask` regex (CSRF tokens, times).
 * @module
 */
import type { Side } from './side.ts';

export interface MaskEntry {
  readonly kind: 'session-id' | 'upload-name' | 'regex';
  /** What is masked, for the report: the pattern, or the placeholder of a pair. */
  readonly label: string;
  /** For a session ID pair: each side's ID. */
  readonly php?: string;
  readonly ts?: string;
  /** How many values it replaced, both sides together. */
  readonly count: number;
}

/** mkstemp's `php` + 6 characters, after a path that may be JSON-escaped (`\/tmp\/phpAbC123`). */
const UPLOAD_NAME = /(?:\\?\/[\w.-]+)*\\?\/php[A-Za-z0-9]{6}(?![A-Za-z0-9])/g;

export class Masks {
  readonly #ids: Record<Side, string[]> = { php: [], ts: [] };
  readonly #idCounts: number[] = [];
  #uploadCount = 0;
  readonly #regexes: Array<{ regex: RegExp; count: number }>;

  /** @param sessionName the session cookie's name (session.name) */
  constructor(readonly sessionName: string, regexes: readonly RegExp[]) {
    this.#regexes = regexes.map((regex) => ({ regex: new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`), count: 0 }));
  }

  /** Learns the session IDs a side's Set-Cookie headers carry, in order. */
  observe(side: Side, headers: readonly (readonly [string, string])[]): void {
    for (const [name, value] of headers) {
      if (name.toLowerCase() !== 'set-cookie') continue;
      const eq = value.indexOf('=');
      if (eq < 0 || value.slice(0, eq).trim() !== this.sessionName) continue;
      const id = decodeURIComponent(value.slice(eq + 1).split(';')[0]!.trim());
      // PHP deletes a session cookie with the value "deleted"
      if (id !== '' && id !== 'deleted' && !this.#ids[side].includes(id)) this.#ids[side].push(id);
    }
  }

  /** `text` of one side with every known value replaced by its placeholder. */
  apply(side: Side, text: string): string {
    let out = text;
    this.#ids[side].forEach((id, i) => {
      const parts = out.split(id);
      if (parts.length > 1) {
        this.#idCounts[i] = (this.#idCounts[i] ?? 0) + parts.length - 1;
        out = parts.join(`‹session-id-${i + 1}›`);
      }
    });
    out = out.replace(UPLOAD_NAME, () => {
      this.#uploadCount++;
      return '‹upload-tmp-name›';
    });
    for (const mask of this.#regexes) {
      out = out.replace(mask.regex, () => {
        mask.count++;
        return `‹mask /${mask.regex.source}/›`;
      });
    }
    return out;
  }

  /** Every mask in use, for the report. */
  list(): MaskEntry[] {
    const entries: MaskEntry[] = [];
    const pairs = Math.max(this.#ids.php.length, this.#ids.ts.length);
    for (let i = 0; i < pairs; i++) {
      const php = this.#ids.php[i] ?? '(none)';
      const ts = this.#ids.ts[i] ?? '(none)';
      entries.push({ kind: 'session-id', label: `‹session-id-${i + 1}›`, php, ts, count: this.#idCounts[i] ?? 0 });
    }
    if (this.#uploadCount) entries.push({ kind: 'upload-name', label: '‹upload-tmp-name› (temporary upload names)', count: this.#uploadCount });
    for (const mask of this.#regexes) entries.push({ kind: 'regex', label: `/${mask.regex.source}/`, count: mask.count });
    return entries;
  }
}
