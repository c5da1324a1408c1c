import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backoffDelays, healthSteps } from '../../index.js';
import { RECONNECT_DEFAULTS, SESSION_DEFAULTS } from '../../src/core/defaults.js';
import { backoffCeilingMs, backoffDelayMs, deadAfterMs, type HealthPolicy, type HealthState, healthLook, Jitter, nextLookMs } from '../../src/core/policy.js';

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

describe('health watch', () => {
  type Case = {
    name: string;
    state: HealthState;
    nowMs: number;
    lastInboundMs: number;
    probed: boolean;
    expect: { action: string; state: HealthState; nextLookMs: number };
  };
  const table = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'health-steps.json'), 'utf8')) as { policy: HealthPolicy; cases: Case[] };

  it('the ssh2 core takes every step of the shared table', () => {
    for (const c of table.cases) {
      const step = healthLook(table.policy, c.state, c.nowMs, c.lastInboundMs, c.probed);
      expect({ action: step.action, state: step.state, nextLookMs: nextLookMs(table.policy, step.state, c.nowMs, c.lastInboundMs) }, c.name).toEqual(c.expect);
    }
  });

  it('the Rust core takes every step of the same table', () => {
    const looks = table.cases.map((c) => ({
      state: { ...c.state, probeAtMs: c.state.probeAtMs ?? undefined },
      nowMs: c.nowMs,
      lastInboundMs: c.lastInboundMs,
      probed: c.probed,
    }));
    const steps = healthSteps(table.policy, looks);
    table.cases.forEach((c, i) => {
      const s = steps[i]!;
      expect({ action: s.action, state: { ...s.state, probeAtMs: s.state.probeAtMs ?? null }, nextLookMs: s.nextLookMs }, c.name).toEqual(c.expect);
    });
  });
});
