/** The committed JSON Schemas of report@1 and compare@1 (docs/schemas/, from `npm run schemas`), as validators. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const ajv = new Ajv({ allErrors: true, strict: false });
const load = (name: string) => ajv.compile(JSON.parse(readFileSync(new URL(`../docs/schemas/${name}.schema.json`, import.meta.url), 'utf8')));
const validators = { report: load('report'), compare: load('compare') };

/** The schema's complaints about `json` (a parsed report.json or compare.json), or [] when it conforms. */
export function schemaErrors(kind: 'report' | 'compare', json: unknown): string[] {
  const v = validators[kind];
  return v(json) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
