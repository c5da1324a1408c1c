import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Shell } from '../../src/core/contract.js';
import { EchoWorkload, jitteredWaitMs } from '../../src/workload/echo.js';

describe('echo workload typing', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('draws each wait from mean x [1 - jitter, 1 + jitter], never below 1 ms', () => {
    expect(jitteredWaitMs(100, 0.5, () => 0)).toBe(50);
    expect(jitteredWaitMs(100, 0.5, () => 0.5)).toBe(100);
    expect(jitteredWaitMs(100, 0.5, () => 0.999)).toBeCloseTo(149.9, 6);
    expect(jitteredWaitMs(100, 0, () => 0.9)).toBe(100);
    expect(jitteredWaitMs(1, 0.5, () => 0)).toBe(1);
  });

  it('types into the terminals in turn at jittered waits, keeping one timer slot', () => {
    vi.useFakeTimers();
    const draws = [0, 0.999, 0.23, 0.5, 0.77, 0.11];
    let k = 0;
    vi.spyOn(Math, 'random').mockImplementation(() => draws[k++ % draws.length]!);
    const typed: { at: number; who: number }[] = [];
    const shell = (who: number) => ({ write: () => typed.push({ at: Date.now(), who }) }) as unknown as Shell;
    const echo = new EchoWorkload(200);
    const terms = [0, 1].map((who) => ({ shell: shell(who) }));
    const timers: NodeJS.Timeout[] = [];
    echo.schedule(
      terms.map((term) => ({ terminal: () => term, up: () => true })),
      timers,
    );
    for (let i = 0; i < 40; i++) {
      vi.advanceTimersByTime(1);
      // Each key is echoed at once, so the next turn may type again.
      for (const t of terms) delete (t as { sentAt?: number }).sentAt;
      vi.advanceTimersByTime(99);
    }
    expect(timers).toHaveLength(1);
    const waits = typed.slice(1).map((t, i) => t.at - typed[i]!.at);
    expect(typed.length).toBeGreaterThan(20);
    expect(typed.map((t) => t.who).slice(0, 4)).toEqual([0, 1, 0, 1]);
    // Mean 100 ms per key (200 ms over two terminals), jittered: not one fixed period.
    for (const w of waits) {
      expect(w).toBeGreaterThanOrEqual(50);
      expect(w).toBeLessThanOrEqual(150);
    }
    expect(new Set(waits).size).toBeGreaterThan(3);
    for (const t of timers) clearTimeout(t);
  });
});
