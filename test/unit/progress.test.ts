import { describe, expect, it } from 'vitest';
import { bar, progressLine } from '../../src/cli/progress.js';

const p = {
  runId: 'r',
  core: 'rust' as const,
  index: 0,
  total: 2,
  elapsedMs: 450_000,
  durationMs: 1_800_000,
  states: { ready: 9, reconnecting: 1 },
  losses: 3,
  cpuPct: 3.14,
  rssMb: 61.4,
  fault: 'F1 stall (all)',
};

describe('the progress line', () => {
  it('shows a bar, the time left, states, losses, CPU, RSS and the fault in force', () => {
    expect(progressLine(p, 200)).toBe(
      '[1/2 rust] #####--------------- 7m30s/30m, 22m30s left | ready 9 reconnecting 1 | losses 3 | cpu 3.1% rss 61 MB | fault F1 stall (all)',
    );
  });

  it('never reaches the last column, however narrow the terminal: the bar goes first', () => {
    for (const columns of [40, 80, 100, 120, 160]) expect(progressLine(p, columns).length).toBeLessThanOrEqual(columns - 1);
    expect(progressLine(p, 100)).not.toContain('#');
    expect(progressLine(p, 100).startsWith('[1/2 rust] 7m30s/30m, 22m30s left | ready 9')).toBe(true);
  });

  it('says nothing about a fault once it healed', () => {
    expect(progressLine({ ...p, fault: undefined }, 200)).not.toContain('fault');
  });

  it('fills the bar by the fraction done, within its bounds', () => {
    expect(bar(0.5, 10)).toBe('#####-----');
    expect(bar(2, 4)).toBe('####');
    expect(bar(Number.NaN, 4)).toBe('----');
  });
});
