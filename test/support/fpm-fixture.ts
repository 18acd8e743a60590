/**
 * The responses of a real PHP-FPM 8.2 behind nginx, recorded by test/fixtures/fpm/generate.ts, for
 * specs that compare tsfpm with them. Script paths in bodies and logs read %FILE%.
 */
import { readFileSync } from 'node:fs';

export interface FpmCase {
  readonly name: string;
  readonly server: string;
  readonly script: string;
  readonly response: { readonly end: string; readonly status: number; readonly headers: [string, string][]; readonly body: string };
  readonly log: string[];
  readonly after?: Record<string, unknown>;
}

const recorded = JSON.parse(readFileSync(new URL('../fixtures/fpm/responses.json', import.meta.url), 'utf8')) as { cases: FpmCase[] };

/** The recorded case `name`; throws for a name the fixture does not have. */
export function fpmCase(name: string): FpmCase {
  const found = recorded.cases.find((c) => c.name === name);
  if (!found) throw new Error(`test/fixtures/fpm/responses.json has no case ${name}`);
  return found;
}
