/**
 * The reconnect backoff and its seeded jitter: the same functions as the Rust core
 * (crates/ssh-core/src/policy.rs); a test compares their outputs.
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
