import { describe, expect, it } from 'vitest';
import { backoffDelays } from '../../index.js';
import { RECONNECT_DEFAULTS, SESSION_DEFAULTS } from '../../src/core/defaults.js';
import { backoffCeilingMs, backoffDelayMs, deadAfterMs, Jitter } from '../../src/core/policy.js';

describe('reconnect policy', () => {
  it('both cores draw the same jittered delays from the same seed', () => {
    for (const seed of [0, 1, 42, 2 ** 40 + 7]) {
      const j = new Jitter(seed);
      const ts = Array.from({ length: 12 }, (_, n) => backoffDelayMs(500, 4_000, n, j.nextUnit()));
      expect(backoffDelays(500, 4_000, seed, 12)).toEqual(ts);
    }
  });

  it('SplitMix64 gives its published reference values', () => {
    const j = new Jitter(0);
    expect(j.nextU64()).toBe(0xe220a8397b1dcdafn);
    expect(j.nextU64()).toBe(0x6e789e6aa1b965f4n);
  });

  it('the ceiling doubles up to the cap, and full jitter stays under it', () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffCeilingMs(500, 4_000, n))).toEqual([500, 1_000, 2_000, 4_000, 4_000]);
    const j = new Jitter(3);
    for (let n = 0; n < 50; n++) expect(backoffDelayMs(500, 4_000, n % 6, j.nextUnit())).toBeLessThanOrEqual(4_000);
  });

  it('with the defaults a dead link is noticed in 8 s and a 20 s budget follows it', () => {
    expect(deadAfterMs(SESSION_DEFAULTS.keepaliveIntervalMs, SESSION_DEFAULTS.keepaliveCountMax)).toBe(8_000);
    expect(SESSION_DEFAULTS.degradedAfterMs).toBeLessThan(8_000);
    expect(RECONNECT_DEFAULTS.budgetMs).toBe(20_000);
  });
});
