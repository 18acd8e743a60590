/**
 * The terminal report: one line per request as it is compared, every differing field with both values, the masks
 * and the tally; colour only when asked for (a TTY without NO_COLOR).
 */
import { expect } from 'chai';
import type { Report, RequestResult } from '../../runtime/port-check/report.ts';
import { TextReport } from '../../runtime/port-check/report-text.ts';

const answer = { status: 200, reason: 'OK', headers: [], body: '', ms: 2 };
const differing: RequestResult = {
  sequence: 'cart',
  turn: 2,
  method: 'POST',
  target: '/cart.php',
  php: answer,
  ts: { ...answer, ms: 5 },
  differences: [{ field: 'header X-Debug', php: '(absent)', ts: 'on' }],
  slow: true,
};
const report: Report = {
  php: 'http://127.0.0.1:1/',
  ts: 'http://127.0.0.1:2/',
  requests: [differing],
  masks: [{ kind: 'session-id', label: '‹session-id-1›', php: 'abc', ts: 'def', count: 3 }],
  notCompared: ['headers Date'],
  sessions: 'not compared: test',
  same: false,
};

function render(colour: boolean): string {
  let text = '';
  const view = new TextReport((chunk) => (text += chunk), colour);
  view.result(differing, 1, 1);
  view.summary(report);
  return text;
}

describe('port-check terminal report', () => {
  it('shows each request on one line with its first difference, then every field with both values, masks and the tally', () => {
    const text = render(false);
    expect(text).to.contain(`[1/1] DIFFERENT cart #2 POST /cart.php (php 2.0 ms, ts 5.0 ms) slow: more than 2× PHP's time  header X-Debug: php "(absent)" ≠ ts "on"\n`);
    expect(text).to.contain('\ncart #2 POST /cart.php\n  header X-Debug\n    php: "(absent)"\n    ts:  "on"\n');
    expect(text).to.contain('  ‹session-id-1›: php abc ↔ ts def (3 replaced)\n');
    expect(text).to.contain('The port differs. 1 requests: 0 same, 1 different, 1 slow\n');
    expect(text).to.not.contain('\u001b[');
  });

  it('colours the verdicts on a terminal', () => {
    const text = render(true);
    expect(text).to.contain('\u001b[31mDIFFERENT\u001b[39m');
    expect(text).to.contain('\u001b[31mThe port differs.');
  });
});
