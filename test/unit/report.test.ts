/**
 * The renderers are pure functions of the report data: golden files pin their output. After an
 * intended change, regenerate them with UPDATE_GOLDEN=1 npx vitest run test/unit/report.test.ts
 * and read the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildReport, REPORT_SCHEMA } from '../../src/report/model.js';
import { CRITERIA, timelineRun } from '../fixtures/runs.js';

const GOLDEN = join(import.meta.dirname, '..', 'fixtures', 'golden');
const report = buildReport([timelineRun('rust'), timelineRun('ssh2')], CRITERIA, { cores: ['rust', 'ssh2'], sessions: 3 }, new Date('2026-11-30T12:00:00Z'));

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('reports', () => {
  it('report.json carries the schema and every required per-run field', () => {
    expect(report.schema).toBe(REPORT_SCHEMA);
    const run = JSON.parse(JSON.stringify(report)).runs[0];
    for (const key of ['core', 'topology', 'target', 'sessions', 'durationS', 'interrupt', 'reconnect', 'abnormalEnds', 'uptimePct', 'cpuPct', 'rssMB', 'causes', 'verdict', 'series']) {
      expect(run).toHaveProperty(key);
    }
    expect(run.reconnect).toEqual({ interrupted: 6, recovered: 6, p50S: 3, p95S: 22 });
    expect(Object.keys(run.rssMB)).toEqual(['peak', 'mean', 'growthPerHour']);
    expect(run.series.samples[0]).toEqual([1, 9, 50.1]);
    golden('report.json', `${JSON.stringify(report, null, 2)}\n`);
  });

  it('report.md has the plan\u2019s table, criteria, decision and checklist', () => {
    const md = renderMarkdown(report, 'en');
    expect(md).toContain('| Run ID | Topology (A/B) | Sessions | Duration | Interrupt Type | Reconnect Success (x/y) | Reconnect Time p50/p95 (s) | Abnormal Ends | CPU (approx) | Mem (approx) | Notes |');
    expect(md).toContain('| r1-rust | A | 3 | 2m | F5 Many sessions drop at once | 3/3 | 3.0 / 22.0 | 0 |');
    expect(md).toContain('**Partial success**');
    golden('report.md', md);
  });

  it('--lang ko uses the plan\u2019s Korean headings and verdict words', () => {
    const md = renderMarkdown(report, 'ko');
    for (const s of ['데이터 기록 테이블', '성공 기준 (Success Criteria)', '판정 기준 (Decision)', '**부분 성공**', '체크리스트 (Execution Checklist)', '재접속 성공률 ≥90%']) {
      expect(md).toContain(s);
    }
    golden('report.ko.md', md);
  });

  it('report.html is one self-contained page with its charts', () => {
    const html = renderHtml(report, 'en');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
    expect(html.match(/<svg/g)?.length).toBe(5);
    golden('report.html', html);
  });
});
