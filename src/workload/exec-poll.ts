/**
 * The exec polling workload: the resource-poller command run in every session every interval, at
 * most one at a time per session, its round trips in a histogram corrected for coordinated
 * omission and its failures counted by error code.
 */
import type { Session } from '../core/contract.js';
import { SshError } from '../core/errors.js';
import { Latency } from '../metrics/histogram.js';

export class ExecPoller {
  readonly latency: Latency;
  readonly errors: Record<string, number> = {};
  readonly #command: string;
  readonly #intervalMs: number;
  readonly #busy = new WeakSet<Session>();

  constructor(command: string, intervalMs: number) {
    this.#command = command;
    this.#intervalMs = intervalMs;
    this.latency = new Latency(intervalMs);
  }

  /** One poll of `session`, unless one is still out there; true when this poll was answered. */
  async poll(session: Session): Promise<boolean> {
    if (this.#busy.has(session)) return false;
    this.#busy.add(session);
    const started = performance.now();
    try {
      await session.exec(this.#command, { timeoutMs: Math.max(10_000, this.#intervalMs * 2) });
      this.latency.record(performance.now() - started);
      return true;
    } catch (err) {
      const code = err instanceof SshError ? err.code : 'INTERNAL';
      this.errors[code] = (this.errors[code] ?? 0) + 1;
      return false;
    } finally {
      this.#busy.delete(session);
    }
  }

  /** Polls every session (while `up`) every interval, their starts spread over the first interval; the timers go into `timers`. */
  schedule(sessions: { session: Session; up: () => boolean }[], timers: NodeJS.Timeout[], stopped: () => boolean): void {
    for (const [i, s] of sessions.entries()) {
      const offset = Math.round((this.#intervalMs * i) / sessions.length);
      timers.push(
        setTimeout(() => {
          if (!stopped()) timers.push(setInterval(() => s.up() && void this.poll(s.session), this.#intervalMs));
        }, offset),
      );
    }
  }
}
