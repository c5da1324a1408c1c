import { describe, expect, it } from 'vitest';
import { computeRun, type RunMetrics } from '../../src/metrics/compute.js';
import { judge } from '../../src/metrics/verdict.js';
import { CRITERIA, timelineRun } from '../fixtures/runs.js';

const base = computeRun(timelineRun('rust'), { detectGraceMs: 10_000, reconnectWithinMs: 15_000 });
const input = (m: Partial<RunMetrics>) => ({ metrics: [{ ...base, ...m }], sessions: 3, durationS: 120, partial: false });
const good = { reconnect: { ...base.reconnect, recoveredWithin: 6, ratePct: 100 } };

describe('the plan\u2019s decision table', () => {
  it('success when every measured criterion passes', () => {
    const j = judge(input(good), CRITERIA);
    expect(j.outcome).toBe('success');
    expect(j.criteria.map((c) => c.tick)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });

  it('partial when stable but memory or CPU is over, naming which', () => {
    const j = judge(input({ ...good, rssMb: { ...base.rssMb, peak: 240 }, cpuPct: 7.5 }), CRITERIA);
    expect(j.outcome).toBe('partial');
    expect(j.reasons.join(' ')).toMatch(/RSS peak 240.0 MB \(need < 200 MB\).*CPU 7.50%/);
  });

  it('partial when reconnects are unstable (5 of 6 within 15 s)', () => {
    const j = judge(input({}), CRITERIA);
    expect(j.outcome).toBe('partial');
    expect(j.criteria.find((c) => c.id === 'reconnect-rate')).toMatchObject({ tick: 'fail' });
  });

  it('failure on any abnormal end', () => {
    const j = judge(input({ ...good, abnormalEnds: 1, abnormal: ['worker exited with code 1'] }), CRITERIA);
    expect(j.outcome).toBe('failure');
    expect(j.reasons[0]).toMatch(/crashes or session collapse: 1 abnormal end/);
  });

  it('failure when most reconnects fail', () => {
    const j = judge(input({ reconnect: { ...base.reconnect, recoveredWithin: 2, ratePct: 33 } }), CRITERIA);
    expect(j.outcome).toBe('failure');
    expect(j.reasons[0]).toMatch(/many failed reconnects/);
  });

  it('a run with no network interruption does not tick the reconnect criterion', () => {
    const j = judge(input({ ...good, reconnect: { interrupted: 0, recovered: 0, recoveredWithin: 0, ratePct: NaN, p50S: NaN, p95S: NaN } }), CRITERIA);
    expect(j.criteria.find((c) => c.id === 'reconnect-rate')!.tick).toBe('not-measured');
    expect(j.outcome).toBe('success');
  });

  it('a run stopped early cannot tick "held for the duration"', () => {
    const j = judge({ ...input(good), partial: true }, CRITERIA);
    expect(j.criteria[0]!.tick).toBe('not-measured');
  });
});
