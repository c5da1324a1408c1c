import { describe, expect, it } from 'vitest';
import { computeRun, resourceFigures, steadySamples } from '../../src/metrics/compute.js';
import { timelineRun } from '../fixtures/runs.js';

const O = { detectGraceMs: 10_000, reconnectWithinMs: 15_000 };

describe('metrics from a recorded run', () => {
  const m = computeRun(timelineRun('rust'), O);

  it('counts each interruption once per firing and session, with recovery and time to usable', () => {
    const f1 = m.interrupts.find((i) => i.scenario === 'F1')!;
    // s1, s2 degraded and came back (4.5 s); s3 was lost and usable 3 s after its loss
    expect(f1).toMatchObject({ interrupted: 3, recovered: 3, recoveredWithin: 3, manual: 0, timesToUsableS: [4.5, 4.5, 3] });
    expect(f1.p50S).toBe(4.5);
    const f5 = m.interrupts.find((i) => i.scenario === 'F5')!;
    expect(f5).toMatchObject({ interrupted: 3, recovered: 3, recoveredWithin: 2, timesToUsableS: [2, 3, 22] });
    expect(f5.p95S).toBe(22);
    expect(f5.detectionP50S).toBe(8);
    // F4 is a revoke and a reset on s1: one interruption, recovered only by reconnect()
    expect(m.interrupts.find((i) => i.scenario === 'F4')).toMatchObject({ faults: 1, interrupted: 1, recovered: 0, manual: 1 });
  });

  it('the reconnect criterion uses the network drops (F1, F5) only', () => {
    expect(m.reconnect).toMatchObject({ interrupted: 6, recovered: 6, recoveredWithin: 5 });
    expect(m.reconnect.ratePct).toBeCloseTo(83.33, 1);
  });

  it('uptime excludes fault windows but counts the time to come back after them', () => {
    // should be up: 3 x (1..120 s minus the F1 and F5 windows) minus s1's F4 window = 311 s;
    // down outside them: s3 28-30 s; s1 58-59, s2 58-60, s3 58-61 s; s1 100-101 s
    const should = 3 * (119_000 - 7_000 - 5_000) - 10_000;
    const down = 2_000 + 1_000 + 2_000 + 3_000 + 1_000;
    expect(m.uptimePct).toBeCloseTo(((should - down) / should) * 100, 6);
  });

  it('classifies failures by cause, leaving out the owner\u2019s own actions', () => {
    expect(m.causes).toEqual({ network: 4, auth: 1, server: 1, client: 0 });
  });

  it('takes CPU after the warm-up and RSS peak, mean and growth per hour', () => {
    expect(m.steadyFromMs).toBe(30_000);
    expect(m.cpuPct).toBeCloseTo(2, 6);
    expect(m.rssMb.peak).toBeCloseTo(62, 6);
    expect(m.rssMb.growthPerHour).toBeCloseTo(360, 3);
    expect(m.abnormalEnds).toBe(0);
  });

  it('the steady state starts after a quarter of the run and once every session was up', () => {
    const late = timelineRun('rust');
    // The third session is up only from the sample at 45 s, which may still hold its connecting: from the next.
    for (const x of late.samples) if (x.t < 45_000) x.states = { ready: 2, connecting: 1 };
    expect(steadySamples(late)[0]!.t).toBe(46_000);
    expect(computeRun(late, O).steadyFromMs).toBe(46_000);
    expect(resourceFigures(late).rssPeakMb).toBe(computeRun(late, O).rssMb.peak);
    // A run whose sessions never were all up at once counts from the warm-up.
    const never = timelineRun('rust');
    for (const x of never.samples) x.states = { ready: 2, reconnecting: 1 };
    expect(steadySamples(never)[0]!.t).toBe(30_000);
  });

  it('a run with a warm-up of its own is measured after it, and still only once every session was up', () => {
    const run = timelineRun('rust');
    expect(steadySamples(run, 50_000)[0]!.t).toBe(50_000);
    expect(resourceFigures(run, 50_000).steadyFromMs).toBe(50_000);
    for (const x of run.samples) if (x.t < 45_000) x.states = { ready: 2, connecting: 1 };
    expect(steadySamples(run, 10_000)[0]!.t).toBe(46_000);
  });

  it('a loss with no fault to explain it is an abnormal end', () => {
    const run = timelineRun('rust');
    run.events.push({ t: 40_000, kind: 'state', session: 's2', previous: 'ready', state: 'reconnecting', cause: 'server', code: 'DISCONNECTED_BY_SERVER' });
    const got = computeRun(run, O);
    expect(got.abnormalEnds).toBe(1);
    expect(got.abnormal[0]).toMatch(/s2 went reconnecting at 40.0 s \(DISCONNECTED_BY_SERVER\) with no fault/);
  });

  it('a loss inside the detection grace after a fault is explained', () => {
    const run = timelineRun('rust');
    run.events.push({ t: 36_000, kind: 'state', session: 's2', previous: 'ready', state: 'reconnecting', cause: 'network' });
    expect(computeRun(run, O).abnormalEnds).toBe(0);
  });

  it('a crashed worker is an abnormal end, a Ctrl-C is not', () => {
    const crashed = { ...timelineRun('ssh2'), worker: { exitCode: 1, signal: null }, stoppedBy: 'worker-exit' as const, partial: true };
    expect(computeRun(crashed, O).abnormal).toContain('worker exited with code 1');
    const stopped = { ...timelineRun('ssh2'), worker: { exitCode: null, signal: 'SIGKILL' }, stoppedBy: 'user' as const, partial: true };
    expect(computeRun(stopped, O).abnormalEnds).toBe(0);
  });
});
