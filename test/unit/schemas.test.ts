import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../schemas.js';

describe('the report formats have schemas, and reports follow them', () => {
  it('report.json (the golden report) follows docs/schemas/report.schema.json', () => {
    const report = JSON.parse(readFileSync(new URL('../fixtures/golden/report.json', import.meta.url), 'utf8'));
    expect(schemaErrors('report', report)).toEqual([]);
  });

  it('the schemas refuse what a report must not hold', () => {
    const report = JSON.parse(readFileSync(new URL('../fixtures/golden/report.json', import.meta.url), 'utf8'));
    expect(schemaErrors('report', { ...report, schema: 'ssh-spike/report@2' }).length).toBeGreaterThan(0);
    expect(schemaErrors('report', { ...report, surprise: 1 })).toContain('/ must NOT have additional properties');
    const { runs: _runs, ...noRuns } = report;
    expect(schemaErrors('report', noRuns)).toContain("/ must have required property 'runs'");
    expect(schemaErrors('compare', { schema: 'ssh-spike/compare@1' }).length).toBeGreaterThan(0);
  });
});
