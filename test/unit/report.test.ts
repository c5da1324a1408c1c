/**
 * The renderers are pure functions of the report data: golden files pin their output. After an
 * intended change, regenerate them with UPDATE_GOLDEN=1 npx vitest run test/unit/report.test.ts
 * and read the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { niceStep, ticks } from '../../src/report/charts.js';
import { CORE_COLORS } from '../../src/report/colors.js';
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
    for (const key of [
      'core',
      'topology',
      'target',
      'sessions',
      'durationS',
      'interrupt',
      'reconnect',
      'abnormalEnds',
      'uptimePct',
      'cpuPct',
      'rssMB',
      'causes',
      'verdict',
      'series',
    ]) {
      expect(run).toHaveProperty(key);
    }
    expect(run.reconnect).toEqual({ interrupted: 6, recovered: 6, p50S: 3, p95S: 22 });
    expect(Object.keys(run.rssMB)).toEqual(['peak', 'mean', 'growthPerHour']);
    expect(run.series.samples[0]).toEqual([1, 9, 50.1]);
    golden('report.json', `${JSON.stringify(report, null, 2)}\n`);
  });

  it('report.md has the plan\u2019s table, criteria, decision and checklist', () => {
    const md = renderMarkdown(report, 'en');
    expect(md).toContain(
      '| Run ID | Topology (A/B) | Sessions | Duration | Interrupt Type | Reconnect Success (x/y) | Reconnect Time p50/p95 (s) | Abnormal Ends | CPU (approx) | Mem (approx) | Notes |',
    );
    expect(md).toContain('| r1-rust | A | 3 | 2m | F5 Many sessions drop at once | 3/3 | 3.0 / 22.0 | 0 |');
    expect(md).toContain('**Partial success**');
    // F4 is meant to stop until the user acts: its row says so instead of reading as 0/1 reconnects
    expect(md).toContain('| r1-rust | A | 3 | 2m | F4 Authentication failure | as planned: 1/1 stopped for the user, 1/1 back after reconnect() |');
    golden('report.md', md);
  });

  it('--lang ko uses the plan\u2019s Korean headings and verdict words', () => {
    const md = renderMarkdown(report, 'ko');
    for (const s of [
      '데이터 기록 테이블',
      '성공 기준 (Success Criteria)',
      '판정 기준 (Decision)',
      '**부분 성공**',
      '체크리스트 (Execution Checklist)',
      '재접속 성공률 ≥90%',
    ]) {
      expect(md).toContain(s);
    }
    // Every reason, detail, note, scenario name and metric heading in Korean, not only the plan's headings.
    for (const s of [
      '안정성은 OK',
      '초 안에 사용 가능',
      '비정상 종료 0회',
      '짧은 네트워크 단절',
      '감지 p50',
      '기준 시간 초과',
      '가동률',
      '키 입력 에코',
      '네트워크 | 인증',
    ]) {
      expect(md).toContain(s);
    }
    for (const english of [
      'usable within',
      'abnormal ends',
      'detection p50',
      'slower than',
      'uptime',
      'Local network drop (short)',
      'Every session',
      'steady state',
      '| network |',
    ]) {
      expect(md).not.toContain(english);
    }
    golden('report.ko.md', md);
  });

  it('report.html is one self-contained page with its charts', () => {
    const html = renderHtml(report, 'en');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
    expect(html.match(/<svg/g)?.length).toBe(5);
    golden('report.html', html);
  });

  it('report.html: every header cell names its column, each core has its colour, the charts show the limits and the faults', () => {
    const html = renderHtml(report, 'en');
    expect(html).not.toMatch(/<th><\/th>/);
    expect(html).toContain('<th>Next step (the plan)</th><th>Why</th>');
    const cpu = html.slice(html.indexOf('CPU (% of one core) over time'), html.indexOf('RSS (MB) over time'));
    expect(cpu).toContain(`stroke="${CORE_COLORS.rust}"`);
    expect(cpu).toContain(`stroke="${CORE_COLORS.ssh2}"`);
    expect(cpu).toContain('the plan&#39;s limit: 5%');
    expect(cpu).toMatch(/<rect [^>]*class="fault"><title>F1 /);
    expect(html.slice(html.indexOf('RSS (MB) over time'))).toContain('the plan&#39;s limit: 200 MB');
    expect(renderHtml(report, 'ko')).toContain('<th>다음 단계 (계획)</th>');
  });

  it('chart axes tick at round values', () => {
    expect(ticks(13)).toEqual([0, 5, 10, 15]);
    expect(ticks(81)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(ticks(0.37)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(ticks(200 * 1.05)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(ticks(7, 4, true)).toEqual([0, 2, 4, 6, 8]);
    expect(niceStep(3, 4, true)).toBe(1);
    expect(ticks(0)).toEqual([0]);
  });
});
