#!/usr/bin/env node
// Writes the JSON Schemas of the two report formats, docs/schemas/report.schema.json
// (ssh-spike/report@1, `Report` in src/report/model.ts) and docs/schemas/compare.schema.json
// (ssh-spike/compare@1, `Comparison` in src/bench/compare.ts), from the TypeScript types.
// JSON has no NaN or Infinity (JSON.stringify writes null), so every number may also be null.
// CI runs this and fails when the committed schemas differ from the types. Needs Node 22 or later.
import { writeFileSync } from 'node:fs';
import { createGenerator } from 'ts-json-schema-generator';

const SCHEMAS = [
  { path: 'src/report/model.ts', type: 'Report', out: 'docs/schemas/report.schema.json', id: 'ssh-spike/report@1' },
  { path: 'src/bench/compare.ts', type: 'Comparison', out: 'docs/schemas/compare.schema.json', id: 'ssh-spike/compare@1' },
];

function nullableNumbers(node) {
  if (Array.isArray(node)) return node.map(nullableNumbers);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableNumbers(v);
  if (out.type === 'number') out.type = ['number', 'null'];
  else if (Array.isArray(out.type) && out.type.includes('number') && !out.type.includes('null')) out.type = [...out.type, 'null'];
  return out;
}

for (const s of SCHEMAS) {
  const generator = createGenerator({ path: s.path, type: s.type, tsconfig: 'tsconfig.json', skipTypeCheck: true, additionalProperties: false });
  const schema = generator.createSchema(s.type);
  const out = { $id: s.id, title: `${s.id}: the JSON a run writes`, ...nullableNumbers(schema) };
  writeFileSync(s.out, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${s.out}`);
}
