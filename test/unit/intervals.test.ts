import { describe, expect, it } from 'vitest';
import { difference, judgeLimit, median, medianInterval, normalQuantile, pairedRatio, proportionInterval, seeded } from '../../src/metrics/intervals.js';

describe('median intervals', () => {
  it('uses the order statistics the binomial allows, and says the coverage it reaches', () => {
    expect(medianInterval([5, 1, 4, 2, 3])).toEqual({ estimate: 3, lo: 1, hi: 5, level: 0.9375, n: 5 });
    const ten = medianInterval([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect([ten.estimate, ten.lo, ten.hi]).toEqual([5.5, 2, 9]);
    expect(ten.level).toBeCloseTo(1 - 22 / 1024, 10);
    expect(medianInterval([7])).toMatchObject({ estimate: 7, level: 0 });
    expect(medianInterval([]).level).toBe(0);
    expect(median([3, 1, 2, Number.NaN])).toBe(2);
  });

  it('covers the true median about as often as it says (simulated, seeded)', () => {
    const draw = seeded(42);
    let covered = 0;
    let claimed = 0;
    const runs = 2_000;
    for (let r = 0; r < runs; r++) {
      // Skewed data (exponential, median ln 2), as CPU times are.
      const xs = Array.from({ length: 9 }, () => -Math.log(1 - draw()));
      const iv = medianInterval(xs);
      claimed = iv.level;
      if (iv.lo <= Math.LN2 && Math.LN2 <= iv.hi) covered++;
    }
    expect(covered / runs).toBeGreaterThan(claimed - 0.02);
  });
});

describe('paired ratios', () => {
  it('is the geometric mean of per-pair ratios, with a seeded bootstrap interval', () => {
    const rust = [0.9, 1.0, 0.95, 1.05, 0.92];
    const ssh2 = [1.8, 2.1, 1.9, 2.0, 1.85];
    const a = pairedRatio(rust, ssh2, { seed: 1 });
    expect(a.estimate).toBeCloseTo(Math.exp(rust.reduce((s, x, i) => s + Math.log(x / ssh2[i]!), 0) / 5), 12);
    expect(a.lo).toBeLessThan(a.estimate);
    expect(a.hi).toBeGreaterThan(a.estimate);
    expect(a.hi).toBeLessThan(0.6);
    expect(pairedRatio(rust, ssh2, { seed: 1 })).toEqual(a); // replayable
    expect(pairedRatio([1], [2], { seed: 1 })).toMatchObject({ estimate: 0.5, level: 0 });
  });

  it('prints ~ when the interval includes 1 or the difference is below the noise threshold', () => {
    const clear = pairedRatio([1, 1.02, 0.98, 1.01], [2, 2.03, 1.97, 2.02], { seed: 3 });
    expect(difference(clear, { noise: 0.05, lowerIsBetter: true })).toBe('better');
    expect(difference(clear, { noise: 0.05, lowerIsBetter: false })).toBe('worse');
    const mixed = pairedRatio([1, 2, 1, 2], [2, 1, 2, 1], { seed: 3 });
    expect(difference(mixed, { noise: 0.05, lowerIsBetter: true })).toBe('~');
    const tiny = pairedRatio([1.0, 1.0, 1.0, 1.0], [1.02, 1.021, 1.019, 1.02], { seed: 3 });
    expect(tiny.hi).toBeLessThan(1);
    expect(difference(tiny, { noise: 0.05, lowerIsBetter: true })).toBe('~');
  });
});

describe('limits judged on intervals', () => {
  const iv = (estimate: number, lo: number, hi: number, n = 5) => ({ estimate, lo, hi, level: 0.95, n });
  it('passes only when the whole interval is inside, fails only when it is wholly outside', () => {
    expect(judgeLimit(iv(4, 3.5, 4.5), 5, 'below')).toEqual({ outcome: 'pass' });
    expect(judgeLimit(iv(6, 5.5, 6.5), 5, 'below')).toEqual({ outcome: 'fail' });
    expect(judgeLimit(iv(95, 92, 97), 90, 'above')).toEqual({ outcome: 'pass' });
  });

  it('otherwise is undecided, with about how many trials would settle it', () => {
    // Half-width 1 at 5 trials, 0.5 from the limit: 4x the trials halve the width.
    expect(judgeLimit(iv(4.5, 3.5, 5.5), 5, 'below')).toEqual({ outcome: 'undecided', trialsToSettle: 20 });
    expect(judgeLimit(iv(5, 4, 6), 5, 'below')).toEqual({ outcome: 'undecided' });
    expect(judgeLimit({ estimate: 4, lo: 0, hi: Number.POSITIVE_INFINITY, level: 0, n: 1 }, 5, 'below').outcome).toBe('undecided');
  });
});

describe('proportions', () => {
  it('the Wilson interval gives the textbook values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 6);
    const half = proportionInterval(5, 10);
    expect(half.estimate).toBe(0.5);
    expect(half.lo).toBeCloseTo(0.2366, 4);
    expect(half.hi).toBeCloseTo(0.7634, 4);
    const none = proportionInterval(0, 10);
    expect(none.lo).toBe(0);
    expect(none.hi).toBeCloseTo(0.2775, 4);
  });

  it('all of 90 is enough to show 90 % at 95 %; all of 30 is not', () => {
    const ninety = proportionInterval(90, 90);
    expect(ninety.hi).toBe(1);
    expect(ninety.lo).toBeCloseTo(0.9591, 4);
    expect(judgeLimit({ ...ninety, lo: ninety.lo * 100, hi: 100, estimate: 100 }, 90, 'above').outcome).toBe('pass');
    const thirty = proportionInterval(30, 30);
    expect(thirty.lo).toBeCloseTo(0.8865, 4);
    expect(judgeLimit({ ...thirty, lo: thirty.lo * 100, hi: 100, estimate: 100 }, 90, 'above').outcome).toBe('undecided');
    const low = proportionInterval(70, 90);
    expect(low.hi).toBeLessThan(0.9);
  });

  it('no events: nothing to judge', () => {
    expect(proportionInterval(0, 0).level).toBe(0);
    expect(judgeLimit(proportionInterval(0, 0), 0.9, 'above').outcome).toBe('undecided');
  });
});
