/**
 * The keystroke echo workload: one character typed into a session's echo shell, the time to its
 * echo recorded, then erased. Each session is typed into every interval, the sessions taking turns
 * spread over it (as exec polling is), the way one person types into one terminal at a time: ten
 * keystrokes landing at the same instant would time each other's queue.
 */
import type { Shell } from '../core/contract.js';
import { Latency } from '../metrics/histogram.js';

const ECHO_CHAR = 'Z';
/** Echo times kept per sample for the phase figures; the histogram has them all. */
const SINCE_CAP = 1_000;

/** How far a wait between two keys strays from its mean, as a fraction of it. */
export const TYPE_JITTER = 0.5;

/**
 * A wait between two keys, drawn from `meanMs` times [1 - jitter, 1 + jitter]. The server's streams
 * are periodic (a line every 10 ms); keys at a fixed period would meet them at one phase for a whole
 * trial, so its echo p95 would measure one alignment of keys and bursts. Shared by the worker's
 * echo workload and the UI stand-in's probes.
 */
export function jitteredWaitMs(meanMs: number, jitter = TYPE_JITTER, random: () => number = Math.random): number {
  return Math.max(1, meanMs * (1 + jitter * (2 * random() - 1)));
}

export interface EchoTerminal {
  shell: Shell;
  /** When the key in flight was typed (performance.now()), if one is. */
  sentAt?: number;
}

export class EchoWorkload {
  readonly latency: Latency;
  readonly #intervalMs: number;
  #since: number[] = [];

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
    this.latency = new Latency(intervalMs);
  }

  /** Watches a session's echo shell; `onReopen` runs after each reopen. */
  attach(shell: Shell, onReopen: () => void): EchoTerminal {
    const term: EchoTerminal = { shell };
    shell.on('data', (c) => {
      if (term.sentAt !== undefined && c.includes(ECHO_CHAR)) {
        const ms = performance.now() - term.sentAt;
        this.latency.record(ms);
        if (this.#since.length < SINCE_CAP) this.#since.push(Math.round(ms * 1000) / 1000);
        term.sentAt = undefined;
        try {
          shell.write('\x7f');
        } catch {
          // gone; nothing to erase
        }
      }
    });
    shell.on('reopen', () => {
      term.sentAt = undefined;
      onReopen();
    });
    return term;
  }

  /**
   * Types into the terminals in turn (while `up`, with no key in flight), each wait jittered
   * ({@link jitteredWaitMs}); the pending timer stays in one slot of `timers`.
   */
  schedule(typists: { terminal: () => EchoTerminal | undefined; up: () => boolean }[], timers: NodeJS.Timeout[]): void {
    if (!typists.length) return;
    const everyMs = Math.max(1, Math.round(this.#intervalMs / typists.length));
    const slot = timers.length;
    let turn = 0;
    const next = () => {
      const t = typists[turn++ % typists.length]!;
      const term = t.terminal();
      if (t.up() && term && term.sentAt === undefined) {
        try {
          term.sentAt = performance.now();
          term.shell.write(ECHO_CHAR);
        } catch {
          term.sentAt = undefined;
        }
      }
      timers[slot] = setTimeout(next, jitteredWaitMs(everyMs));
    };
    timers[slot] = setTimeout(next, jitteredWaitMs(everyMs));
  }

  /** Echo times (ms) recorded since the last call. */
  takeSince(): number[] {
    const s = this.#since;
    this.#since = [];
    return s;
  }
}
