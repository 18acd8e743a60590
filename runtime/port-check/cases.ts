/**
 * The CASES arguments: HAR files (`.har`, or any JSON with `log.entries`) and tsfpm's case files (JSON, YAML).
 * @module
 */
import { readFileSync } from 'node:fs';
import { caseSequences, readCaseFile } from './case-file.ts';
import { harSequence, readHarFile } from './har.ts';
import { SetupError } from './setup-error.ts';
import type { Sequence } from './steps.ts';

/** Every sequence of every file, in the order given. @throws SetupError for a file that cannot be read or understood */
export async function readCases(files: readonly string[]): Promise<Sequence[]> {
  const sequences: Sequence[] = [];
  for (const file of files) {
    if (file.toLowerCase().endsWith('.har')) sequences.push(readHarFile(file));
    else if (file.toLowerCase().endsWith('.json')) sequences.push(...(await jsonCases(file)));
    else sequences.push(...(await readCaseFile(file)));
  }
  if (sequences.every((s) => s.turns.length === 0)) throw new SetupError(`no requests to replay in ${files.join(', ')}`);
  return sequences;
}

/** A `.json` file is a HAR when it has `log.entries`, else a case file. */
async function jsonCases(file: string): Promise<Sequence[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SetupError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (typeof doc === 'object' && doc !== null && 'log' in doc) return [harSequence(doc, file, file)];
  return caseSequences(doc as Parameters<typeof caseSequences>[0], file);
}
