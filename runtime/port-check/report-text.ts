/**
 * The terminal report: one line per request as it is compared (which is the progress on long case files), then,
 * for each request that differs, every differing field with both values and a unified diff of the bodies; at the
 * end the masks, what was not compared, and the tally. Colour only on a TTY (and not with NO_COLOR).
 * @module
 */
import { styleText } from 'node:util';
import { SLOW_FACTOR } from './compare-exchange.ts';
import type { Report, RequestResult } from './report.ts';

type Colour = 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold';

export class TextReport {
  readonly #colour: boolean;

  constructor(private readonly write: (text: string) => void, colour: boolean) {
    this.#colour = colour;
  }

  static forStream(stream: NodeJS.WriteStream): TextReport {
    return new TextReport((text) => stream.write(text), Boolean(stream.isTTY) && !process.env.NO_COLOR);
  }

  #paint(colour: Colour, text: string): string {
    // the caller decided (the report's own stream, which may be stderr): styleText must not look at stdout again
    return this.#colour ? styleText(colour, text, { validateStream: false }) : text;
  }

  header(php: string, ts: string): void {
    this.write(`port-check: PHP ${php}  ↔  port ${ts}\n`);
  }

  /** One request, as soon as it is compared. */
  result(result: RequestResult, done: number, total: number): void {
    const mark = result.differences.length ? this.#paint('red', 'DIFFERENT') : this.#paint('green', 'same     ');
    const times = `php ${ms(result.php.ms)}, ts ${ms(result.ts.ms)}`;
    const slow = result.slow ? ` ${this.#paint('yellow', `slow: more than ${SLOW_FACTOR}× PHP's time`)}` : '';
    const first = result.differences[0];
    const why = first ? `  ${first.field}: php ${show(first.php)} ≠ ts ${show(first.ts)}` : '';
    this.write(`[${done}/${total}] ${mark} ${result.sequence} #${result.turn} ${result.method} ${result.target} (${times})${slow}${why}\n`);
  }

  /** The details of every difference, the masks and the tally. */
  summary(report: Report): void {
    const differing = report.requests.filter((r) => r.differences.length);
    for (const r of differing) {
      this.write(`\n${this.#paint('bold', `${r.sequence} #${r.turn} ${r.method} ${r.target}`)}\n`);
      for (const d of r.differences) {
        this.write(`  ${this.#paint('cyan', d.field)}\n    php: ${show(d.php)}\n    ts:  ${show(d.ts)}\n`);
        if (d.diff) this.write(d.diff.split('\n').map((line) => `    ${this.#diffLine(line)}`).join('\n') + '\n');
      }
    }
    if (report.masks.length) {
      this.write('\nMasked before comparing:\n');
      for (const m of report.masks) {
        const pair = m.kind === 'session-id' ? `: php ${m.php} ↔ ts ${m.ts}` : '';
        this.write(`  ${m.label}${pair} (${m.count} replaced)\n`);
      }
    }
    this.write(`\nNot compared: ${report.notCompared.join('; ')}\nSessions: ${report.sessions}\n`);
    const slow = report.requests.filter((r) => r.slow).length;
    const tally = `${report.requests.length} requests: ${report.requests.length - differing.length} same, ${differing.length} different${slow ? `, ${slow} slow` : ''}`;
    this.write(`\n${report.same ? this.#paint('green', `The port answers the same. ${tally}`) : this.#paint('red', `The port differs. ${tally}`)}\n`);
  }

  #diffLine(line: string): string {
    if (line.startsWith('+') && !line.startsWith('+++')) return this.#paint('green', line);
    if (line.startsWith('-') && !line.startsWith('---')) return this.#paint('red', line);
    if (line.startsWith('@@')) return this.#paint('cyan', line);
    return line;
  }
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/** A value on one line: quoted so that whitespace shows, long ones cut. */
function show(value: string): string {
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…"` : text;
}
