/**
 * The project's fidelity suite: port-check replays the probe scripts (superglobals, output buffering, headers and
 * cookies, redirects, sessions) and the example scripts against their PHP originals under a real `php -S`, and
 * fails on any difference php-compat.md does not name (known-differences.ts). fastcgi_finish_request() needs
 * PHP-FPM: `npm run port-check:fpm` runs these cases and those against nginx + PHP-FPM.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { portCheckMain } from '../../runtime/port-check/command.ts';
import type { Report } from '../../runtime/port-check/report.ts';
import { FIDELITY_DEFINES } from './fidelity-settings.ts';
import { KNOWN_DIFFERENCES, unexplained } from './known-differences.ts';

const HAS_PHP = spawnSync('php', ['-v']).status === 0;
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

async function fidelity(php: string, ts: string, cases: string[]): Promise<Report> {
  let json = '';
  let progress = '';
  const out = { write: (s: string) => ((json += s), true), isTTY: false } as unknown as NodeJS.WriteStream;
  const err = { write: (s: string) => ((progress += s), true), isTTY: false } as unknown as NodeJS.WriteStream;
  const code = await portCheckMain(['--php', php, '--ts', ts, ...FIDELITY_DEFINES.flatMap((d) => ['-d', d]), '--json', ...cases], out, err);
  expect(code, progress).to.not.equal(2);
  return JSON.parse(json) as Report;
}

function unnamed(report: Report): string[] {
  return report.requests.flatMap((r) =>
    unexplained('php -S', r.differences).map((d) => `${r.sequence} #${r.turn} ${r.method} ${r.target}: ${d.field}: php ${JSON.stringify(d.php)} ≠ ts ${JSON.stringify(d.ts)}${d.diff ? `\n${d.diff}` : ''}`),
  );
}

describe('fidelity: ports against their PHP originals under php -S (port-check)', function () {
  this.timeout(120_000);
  before(function () {
    if (!HAS_PHP) this.skip(); // needs php (php8.2-cli) on PATH; .ci/run installs it
  });

  it('every known difference is one php-compat.md names, in its words', () => {
    const compat = readFileSync(here('../../php-compat.md'), 'utf8');
    for (const known of KNOWN_DIFFERENCES) expect(compat, known.compat).to.contain(known.compat);
  });

  it('the probes answer as PHP does: superglobals, output buffering, headers and cookies, redirects, sessions, uploads, cookies, status lines, the end of a script', async () => {
    const report = await fidelity(here('./probes/php'), here('./probes/ts'), [here('./cases/probes.yaml')]);
    expect(report.requests).to.have.length(36);
    expect(report.sessions).to.match(/^compared after each step/);
    expect(unnamed(report)).to.deep.equal([]);
  });

  it('the example scripts answer as their PHP originals (those php -S can run)', async () => {
    const report = await fidelity(here('../../scripts/php'), here('../../scripts'), [here('./cases/examples.yaml')]);
    expect(report.requests).to.have.length(7);
    expect(unnamed(report)).to.deep.equal([]);
  });
});
