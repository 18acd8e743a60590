/**
 * Replays the sequences against both sides and compares every answer. Within a turn, PHP answers first, then the
 * port, so that neither side's timing includes the other's load; steps of a concurrent turn go to one side at once.
 * Each sequence starts with an empty cookie jar per side, as a new browser would.
 * @module
 */
import { compareAnswers, maskedAnswer, SLOW_FACTOR, type Answer } from './compare-exchange.ts';
import { CookieJar } from './cookie-jar.ts';
import type { Difference } from './difference.ts';
import { TRANSPORT_REASON } from './headers-compare.ts';
import { Masks } from './masks.ts';
import { send, type Exchange } from './replay.ts';
import type { Report, RequestResult } from './report.ts';
import { compareSessions, readSession, type SessionFolder } from './session-contents.ts';
import type { Side } from './side.ts';
import type { Sequence, Step } from './steps.ts';

export interface RunOptions {
  readonly php: URL;
  readonly ts: URL;
  /** Both sides' files session folders, when port-check knows them; else sessions are not compared. */
  readonly sessions?: { readonly php: SessionFolder; readonly ts: SessionFolder };
  /** Why sessions are not compared, when `sessions` is absent. */
  readonly sessionsNote?: string;
  /** session.name: the cookie whose values are paired. */
  readonly sessionName: string;
  readonly masks: readonly RegExp[];
  readonly htmlWhitespace: boolean;
  /** Called after each request, for progress on long case files. */
  readonly onResult?: (result: RequestResult, done: number, total: number) => void;
}

export async function runPortCheck(sequences: readonly Sequence[], options: RunOptions): Promise<Report> {
  const masks = new Masks(options.sessionName, options.masks);
  const requests: RequestResult[] = [];
  const total = sequences.reduce((n, s) => n + s.turns.reduce((m, t) => m + t.length, 0), 0);
  for (const sequence of sequences) {
    const jars: Record<Side, CookieJar> = { php: new CookieJar(), ts: new CookieJar() };
    for (const [t, turn] of sequence.turns.entries()) {
      const php = await sendAll(options.php, turn, jars.php);
      const ts = await sendAll(options.ts, turn, jars.ts);
      php.forEach((e) => masks.observe('php', e.headers));
      ts.forEach((e) => masks.observe('ts', e.headers));
      const session = options.sessions ? await sessionDifferences(options.sessions, jars, masks, options.sessionName, turn.at(-1)!.target) : [];
      const compare = (i: number, j: number) => {
        const a = maskedAnswer('php', php[i]!, masks);
        const b = maskedAnswer('ts', ts[j]!, masks);
        return { a, b, differences: compareAnswers(a, php[i]!.body, b, ts[j]!.body, { htmlWhitespace: options.htmlWhitespace }) };
      };
      const partners = pairAnswers(turn, (i, j) => compare(i, j).differences.length);
      turn.forEach((step, i) => {
        const j = partners[i]!;
        const { a, b, differences } = compare(i, j);
        // the session after the turn belongs to its last request
        if (i === turn.length - 1) differences.push(...session);
        const result: RequestResult = {
          sequence: sequence.name,
          turn: t + 1,
          method: step.method,
          target: step.target,
          php: strip(a),
          ts: strip(b),
          differences,
          slow: ts[j]!.ms > SLOW_FACTOR * php[i]!.ms,
        };
        requests.push(result);
        options.onResult?.(result, requests.length, total);
      });
    }
  }
  return {
    php: options.php.href,
    ts: options.ts.href,
    requests,
    masks: masks.list(),
    notCompared: [`headers ${TRANSPORT_REASON}`],
    sessions: options.sessions ? 'compared after each step (files sessions in the folders of the servers port-check started)' : (options.sessionsNote ?? 'not compared'),
    same: requests.every((r) => r.differences.length === 0),
  };
}

/**
 * Which of the port's answers each of PHP's is compared with. Identical requests sent at once (a concurrent turn) may
 * be served in either order on either side (whoever gets the session lock first), so each is paired with the port's
 * answer to the same request that differs least; a lone request, or one unlike the others, with its own.
 */
function pairAnswers(turn: readonly Step[], differenceCount: (php: number, ts: number) => number): number[] {
  const key = (step: Step): string => JSON.stringify(step);
  const taken = new Set<number>();
  return turn.map((step, i) => {
    let best = i;
    let fewest = Infinity;
    for (const [j, other] of turn.entries()) {
      if (taken.has(j) || key(other) !== key(step)) continue;
      const count = differenceCount(i, j);
      if (count < fewest) [best, fewest] = [j, count];
    }
    taken.add(best);
    return best;
  });
}

/** The answer as reported: the masked text was only needed to compare. */
const strip = ({ text: _text, ...answer }: ReturnType<typeof maskedAnswer>): Answer => answer;

function sendAll(base: URL, turn: readonly Step[], jar: CookieJar): Promise<Exchange[]> {
  return Promise.all(turn.map((step) => send(base, step, jar)));
}

async function sessionDifferences(
  folders: NonNullable<RunOptions['sessions']>,
  jars: Record<Side, CookieJar>,
  masks: Masks,
  sessionName: string,
  target: string,
): Promise<Difference[]> {
  const snapshot = async (side: Side) => {
    const id = jars[side].value(sessionName, target);
    const vars = id ? await readSession(folders[side], id) : undefined;
    return vars?.map(([k, v]) => [k, masks.apply(side, v)] as const);
  };
  return compareSessions(await snapshot('php'), await snapshot('ts'));
}
