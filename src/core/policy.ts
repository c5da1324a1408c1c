/**
 * The reconnect backoff and its seeded jitter, and the health watch's step: the same functions as
 * the Rust core (crates/ssh-core/src/policy.rs). A test compares the backoff schedules and runs
 * both health steps over one table of cases (test/fixtures/health-steps.json).
 */

const MASK = (1n << 64n) - 1n;

/** SplitMix64: a small seeded generator, so a run's jitter can be replayed. */
export class Jitter {
  #state: bigint;

  constructor(seed: number) {
    this.#state = BigInt(seed) & MASK;
  }

  nextU64(): bigint {
    this.#state = (this.#state + 0x9e3779b97f4a7c15n) & MASK;
    let z = this.#state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  }

  /** Uniform in [0, 1). */
  nextUnit(): number {
    return Number(this.nextU64() >> 11n) / 2 ** 53;
  }
}

export function backoffCeilingMs(baseDelayMs: number, maxDelayMs: number, attempt: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt, 30));
}

/** The wait before attempt `attempt` (from 0), given a uniform draw `unit` in [0, 1). */
export function backoffDelayMs(baseDelayMs: number, maxDelayMs: number, attempt: number, unit: number): number {
  return Math.floor(backoffCeilingMs(baseDelayMs, maxDelayMs, attempt) * Math.min(Math.max(unit, 0), 1));
}

/** The silence after which a link is dead: (keepaliveCountMax + 1) intervals. */
export function deadAfterMs(keepaliveIntervalMs: number, keepaliveCountMax: number): number {
  return keepaliveIntervalMs * (keepaliveCountMax + 1);
}

/** How often link health is evaluated. */
export function healthTickMs(keepaliveIntervalMs: number): number {
  return Math.max(10, Math.min(500, Math.floor(keepaliveIntervalMs / 4)));
}

/** The health numbers a look needs (a session's options carry them). */
export interface HealthPolicy {
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  degradedAfterMs: number;
  probeTimeoutMs: number;
}

/** What the health watch remembers between two looks; times in ms from the watch's own origin. */
export interface HealthState {
  /** When the last keepalive went out. */
  lastPingMs: number;
  /** A probe's keepalive that nothing has answered yet, and when it went out. */
  probeAtMs: number | null;
  degraded: boolean;
}

export type HealthAction = 'none' | 'ping' | 'dead';

/**
 * When the watch must look at the link next (`lastMs`: the last inbound byte): the next keepalive,
 * `degraded`, the dead line or a probe's deadline, whichever comes first; every tick while
 * degraded, so recovery shows at once. The Rust core's `HealthPolicy::next_look`.
 */
export function nextLookMs(p: HealthPolicy, s: HealthState, nowMs: number, lastMs: number): number {
  let wake = Math.min(lastMs + deadAfterMs(p.keepaliveIntervalMs, p.keepaliveCountMax), Math.max(lastMs, s.lastPingMs) + p.keepaliveIntervalMs);
  wake = s.degraded ? Math.min(wake, nowMs + healthTickMs(p.keepaliveIntervalMs)) : Math.min(wake, lastMs + p.degradedAfterMs);
  if (s.probeAtMs !== null) wake = Math.min(wake, s.probeAtMs + p.probeTimeoutMs);
  return wake;
}

/**
 * One look at the link: what to do now and what to remember (`degraded` is the session's).
 * `probed`: a sibling session to the same target lost its link, so this one is asked for a sign
 * of life at once. The Rust core's `HealthPolicy::look`.
 */
export function healthLook(p: HealthPolicy, state: HealthState, nowMs: number, lastMs: number, probed: boolean): { state: HealthState; action: HealthAction } {
  const s = { ...state };
  if (s.probeAtMs !== null && lastMs > s.probeAtMs) s.probeAtMs = null;
  if (probed && s.probeAtMs === null) {
    s.lastPingMs = nowMs;
    s.probeAtMs = nowMs;
    return { state: s, action: 'ping' };
  }
  const idle = Math.max(0, nowMs - lastMs);
  if ((s.probeAtMs !== null && nowMs - s.probeAtMs >= p.probeTimeoutMs) || idle >= deadAfterMs(p.keepaliveIntervalMs, p.keepaliveCountMax)) {
    return { state: s, action: 'dead' };
  }
  let action: HealthAction = 'none';
  if (idle >= p.keepaliveIntervalMs && nowMs - s.lastPingMs >= p.keepaliveIntervalMs) {
    s.lastPingMs = nowMs;
    action = 'ping';
  }
  s.degraded = idle >= p.degradedAfterMs;
  return { state: s, action };
}
