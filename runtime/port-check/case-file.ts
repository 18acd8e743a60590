/**
 * tsfpm's own case format, JSON or YAML, for hand-written cases: named sequences of steps, and groups of steps sent
 * at the same time (session lock behaviour).
 *
 * ```yaml
 * sequences:
 *   - name: cart
 *     steps:
 *       - GET /cart.php?id=3                     # "METHOD target" for a bare request
 *       - method: POST
 *         path: /cart.php
 *         headers: { X-Requested-With: fetch }   # or a list of [name, value] pairs, kept in order
 *         form: { item: book, "tags[]": [a, b] }  # urlencoded; with files, multipart
 *         files: { video: { name: clip.mp4, type: video/mp4, content: "…" } }   # or path: (beside the case file)
 *       - { method: POST, path: /api.php, json: { a: 1 } }
 *       - { method: PUT, path: /raw.php, body: "raw text", headers: [[Content-Type, text/plain]] }
 *       - concurrent: [GET /slow.php, GET /slow.php]
 * ```
 * A top-level list is taken as the `sequences` list.
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { SetupError } from './setup-error.ts';
import { replayableHeaders, type Sequence, type Step } from './steps.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Reads a JSON or YAML case file (YAML is a superset of JSON). @throws SetupError naming the file and the step */
export async function readCaseFile(file: string): Promise<Sequence[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SetupError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let doc: Json;
  try {
    doc = loadYaml(text, { filename: file }) as Json;
  } catch (error) {
    throw new SetupError(`${file} is not a JSON or YAML case file: ${(error as Error).message.split('\n')[0]}`);
  }
  return caseSequences(doc, file);
}

/** The sequences of a parsed case document; files named by `path` are read relative to `file`'s folder. */
export async function caseSequences(doc: Json, file: string): Promise<Sequence[]> {
  const list = Array.isArray(doc) ? doc : isObject(doc) ? doc['sequences'] : undefined;
  if (!Array.isArray(list)) throw new SetupError(`${file}: a case file is a list of sequences, or an object with a "sequences" list`);
  const sequences: Sequence[] = [];
  for (const [i, item] of list.entries()) {
    const where = `${file}: sequence ${i + 1}`;
    if (!isObject(item) || !Array.isArray(item['steps'])) throw new SetupError(`${where} has no "steps" list`);
    const name = typeof item['name'] === 'string' ? item['name'] : `${basename(file)} #${i + 1}`;
    const turns: Step[][] = [];
    for (const [j, entry] of item['steps'].entries()) {
      const at = `${file}: "${name}" step ${j + 1}`;
      if (isObject(entry) && 'concurrent' in entry) {
        const group = entry['concurrent'];
        if (!Array.isArray(group) || group.length === 0) throw new SetupError(`${at}: "concurrent" must be a list of steps`);
        turns.push(await Promise.all(group.map((s, k) => caseStep(s, `${at}.${k + 1}`, dirname(file)))));
      } else turns.push([await caseStep(entry, at, dirname(file))]);
    }
    sequences.push({ name, turns });
  }
  return sequences;
}

async function caseStep(entry: Json, where: string, folder: string): Promise<Step> {
  if (typeof entry === 'string') {
    const m = /^([A-Za-z]+)\s+(\/\S*)$/.exec(entry.trim());
    if (!m) throw new SetupError(`${where}: "${entry}" is not "METHOD /path"`);
    return { method: m[1]!.toUpperCase(), target: m[2]!, headers: [] };
  }
  if (!isObject(entry)) throw new SetupError(`${where}: a step is "METHOD /path" or an object with a path`);
  const path = entry['path'];
  if (typeof path !== 'string' || !path.startsWith('/')) throw new SetupError(`${where}: "path" must start with /`);
  const method = typeof entry['method'] === 'string' ? entry['method'].toUpperCase() : 'GET';
  let headers = replayableHeaders(headerList(entry['headers'], where));
  const kinds = ['form', 'files', 'json', 'body'].filter((k) => entry[k] !== undefined);
  if (kinds.length > 1 && !(kinds.length === 2 && kinds.includes('form') && kinds.includes('files'))) {
    throw new SetupError(`${where}: give one of form (with files), json or body, not ${kinds.join(' and ')}`);
  }
  let body: Buffer | undefined;
  const setType = (type: string): void => {
    if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) headers = [...headers, ['Content-Type', type]];
  };
  if (entry['files'] !== undefined) {
    const form = new FormData();
    for (const [name, value] of formFields(entry['form'], where)) form.append(name, value);
    for (const [name, file] of Object.entries(objectOf(entry['files'], `${where}: "files"`))) {
      const spec = objectOf(file, `${where}: files.${name}`);
      const content = typeof spec['path'] === 'string' ? readFileSync(resolve(folder, spec['path'])) : Buffer.from(String(spec['content'] ?? ''));
      const fileName = typeof spec['name'] === 'string' ? spec['name'] : typeof spec['path'] === 'string' ? basename(spec['path']) : name;
      form.append(name, new Blob([content], { type: typeof spec['type'] === 'string' ? spec['type'] : 'application/octet-stream' }), fileName);
    }
    // the platform's own multipart encoder, as a browser's
    const encoded = new Request('http://port-check.invalid/', { method: 'POST', body: form });
    body = Buffer.from(await encoded.arrayBuffer());
    headers = [...headers.filter(([n]) => n.toLowerCase() !== 'content-type'), ['Content-Type', encoded.headers.get('content-type')!]];
  } else if (entry['form'] !== undefined) {
    body = Buffer.from(new URLSearchParams(formFields(entry['form'], where)).toString());
    setType('application/x-www-form-urlencoded');
  } else if (entry['json'] !== undefined) {
    body = Buffer.from(JSON.stringify(entry['json']));
    setType('application/json');
  } else if (entry['body'] !== undefined) {
    body = Buffer.from(String(entry['body']));
  }
  return { method, target: path, headers, ...(body ? { body } : {}) };
}

/** Form fields in order; a list value repeats its name (`tags[]: [a, b]`). */
function formFields(form: Json | undefined, where: string): Array<[string, string]> {
  if (form === undefined) return [];
  const fields: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(objectOf(form, `${where}: "form"`))) {
    for (const item of Array.isArray(value) ? value : [value]) fields.push([name, item === null ? '' : String(item)]);
  }
  return fields;
}

function headerList(headers: Json | undefined, where: string): Array<[string, string]> {
  if (headers === undefined) return [];
  if (Array.isArray(headers)) {
    return headers.map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new SetupError(`${where}: each header in a list is [name, value]`);
      return [String(pair[0]), String(pair[1])];
    });
  }
  return Object.entries(objectOf(headers, `${where}: "headers"`)).map(([name, value]) => [name, String(value)]);
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectOf(value: Json | undefined, where: string): { [key: string]: Json } {
  if (!isObject(value)) throw new SetupError(`${where} must be an object`);
  return value;
}
