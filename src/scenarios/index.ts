/**
 * The plan's failure scenarios as data: what fault, how long, on which sessions, and what the
 * session policy is. The demo runs them one by one; the spike runner places them on a timeline.
 */
import { RECONNECT_DEFAULTS, SESSION_DEFAULTS } from '../core/defaults.js';
import type { SessionOptions } from '../core/contract.js';
import type { FaultName } from '../lab/faults/index.js';

export type ScenarioId = 'F0' | 'F1' | 'F2' | 'F3' | 'F4' | 'F5';

export interface ScenarioStep {
  fault: FaultName;
  durationMs: number;
  /** Which sessions: all of them, or only the first. */
  on: 'all' | 'one';
  /** Extra typed parameters of the fault (latencyMs, rateKBps). */
  params?: Record<string, number>;
}

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** What the plan expects to see. */
  expect: string;
  steps: ScenarioStep[];
  /** Call reconnect() on sessions left in manual_reconnect_required once the faults have healed. */
  manualReconnect: boolean;
  /**
   * The plan expects the sessions to stop until the user acts (F2: manual_reconnect_required, F4:
   * auth_failed), so the record table shows them against that, not as failed reconnects.
   */
  endsInUserAction: boolean;
}

export const SCENARIOS: Record<ScenarioId, Scenario> = {
  F0: { id: 'F0', title: 'no fault', expect: 'sessions stay ready', steps: [], manualReconnect: false, endsInUserAction: false },
  F1: {
    id: 'F1',
    title: 'short network drop (7 s stall)',
    expect: 'sessions degrade and recover by themselves within 15 s, shells kept',
    steps: [{ fault: 'stall', durationMs: 7_000, on: 'all' }],
    manualReconnect: false,
    endsInUserAction: false,
  },
  F2: {
    id: 'F2',
    title: 'long network drop (35 s cut)',
    expect: 'retries spend the 20 s budget, then manual_reconnect_required until reconnect()',
    steps: [{ fault: 'cut', durationMs: 35_000, on: 'all' }],
    manualReconnect: true,
    endsInUserAction: true,
  },
  F3: {
    id: 'F3',
    title: 'server restart (down 3 s)',
    expect: 'noticed at once with cause server; every session returns by itself',
    steps: [{ fault: 'restart', durationMs: 3_000, on: 'all' }],
    manualReconnect: false,
    endsInUserAction: false,
  },
  F4: {
    id: 'F4',
    title: 'authentication failure (credentials revoked, then the link drops)',
    expect: 'auth_failed at the first attempt; no further attempt (user action needed)',
    steps: [
      { fault: 'auth-revoke', durationMs: 10_000, on: 'one' },
      { fault: 'reset', durationMs: 200, on: 'one' },
    ],
    manualReconnect: false,
    endsInUserAction: true,
  },
  F5: {
    id: 'F5',
    title: 'many sessions drop at once (5 s cut of every link)',
    expect: 'every session returns; reconnects are spread by jitter and capped per target',
    steps: [{ fault: 'cut', durationMs: 5_000, on: 'all' }],
    manualReconnect: false,
    endsInUserAction: false,
  },
};

export function isScenarioId(s: string): s is ScenarioId {
  return Object.hasOwn(SCENARIOS, s);
}

/**
 * The one compression formula: a duration divided by `factor`, kept at `floorMs` or more. Fault
 * windows keep 100 ms (a shorter fault is no fault), policy times 10 ms.
 */
export function compressMs(ms: number, factor: number, floorMs: number): number {
  return Math.max(floorMs, Math.round(ms / factor));
}

/** Seconds-scale timings for demos and smoke runs: every duration and policy number divided by `factor`. */
export function compress(s: Scenario, factor: number): Scenario {
  return { ...s, steps: s.steps.map((st) => ({ ...st, durationMs: compressMs(st.durationMs, factor, 100) })) };
}

/** The session policy compressed by the same factor (dead link noticed in 8 s / factor). */
export function compressedPolicy(factor: number): Partial<SessionOptions> {
  const ms = (v: number) => compressMs(v, factor, 10);
  const r = RECONNECT_DEFAULTS;
  // Every time the policy has, divided alike: faults come k times closer together, so a number
  // left out (as the gate time once was) would treat a session that recovered as flapping.
  return {
    keepaliveIntervalMs: ms(SESSION_DEFAULTS.keepaliveIntervalMs),
    degradedAfterMs: ms(SESSION_DEFAULTS.degradedAfterMs),
    probeTimeoutMs: ms(SESSION_DEFAULTS.probeTimeoutMs),
    reconnect: {
      baseDelayMs: ms(r.baseDelayMs),
      maxDelayMs: ms(r.maxDelayMs),
      budgetMs: ms(r.budgetMs),
      attemptTimeoutMs: ms(r.attemptTimeoutMs),
      gateTimeMs: ms(r.gateTimeMs),
    },
  };
}
