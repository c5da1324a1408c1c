/**
 * Batching of each terminal's output before it crosses to the UI, per frame, the way a terminal
 * app's main process batches a pty's data before it posts it to the renderer. The relay and the
 * utility process use it for both cores, so the messages the UI path carries depend on the
 * output's timing, not on how a core happens to hand its bytes over: the ssh2 core hands over one
 * SSH packet at a time, the Rust core batches on its own 16 ms grid before its boundary.
 *
 * Policy (the Rust core's coalescer's, `crates/ssh-core/src/coalesce.rs`): a chunk that arrives
 * after the terminal was quiet for a window (a keystroke echo, a prompt) goes at once, and so does
 * output within a window of the first chunk after a key was typed into it (`input`: its echo, on a
 * busy terminal too, in one chunk or more); chunks
 * that follow closely are merged and go on a shared grid of the window, one timer for every
 * terminal; a batch reaching `maxBytes` goes at once. A terminal holds back at most `maxBytes`
 * plus one chunk, for at most one window.
 */

export const UI_BATCH_DEFAULTS = {
  /** One frame at 60 Hz, the Rust core's own `coalesceMs`: its output passes through almost as it came. */
  windowMs: 16,
  /** A batch this large goes at once. */
  maxBytes: 256 * 1024,
};

export interface FrameBatcherOptions {
  /** 0 delivers every chunk as it comes. @default 16 */
  windowMs?: number;
  /** @default 262144 */
  maxBytes?: number;
  /** The clock (ms), for tests. @default performance.now */
  now?: () => number;
}

export interface FrameBatcherStats {
  /** Chunks pushed, and batches delivered from them. */
  chunksIn: number;
  batchesOut: number;
}

interface Pending {
  parts: Uint8Array[];
  bytes: number;
  lastArrivalMs: number | undefined;
  /** A key was typed since the last chunk: the next one opens `typedUntilMs`. */
  typed: boolean;
  /** Chunks before this go at once: they follow a key. */
  typedUntilMs: number;
}

export class FrameBatcher {
  readonly windowMs: number;
  readonly maxBytes: number;
  readonly #deliver: (terminal: number, bytes: Uint8Array) => void;
  readonly #now: () => number;
  readonly #terminals = new Map<number, Pending>();
  readonly #stats: FrameBatcherStats = { chunksIn: 0, batchesOut: 0 };
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deliver: (terminal: number, bytes: Uint8Array) => void, options: FrameBatcherOptions = {}) {
    const windowMs = options.windowMs ?? UI_BATCH_DEFAULTS.windowMs;
    const maxBytes = options.maxBytes ?? UI_BATCH_DEFAULTS.maxBytes;
    if (!(Number.isFinite(windowMs) && windowMs >= 0)) throw new RangeError(`windowMs must be a number >= 0, got ${windowMs}`);
    if (!(Number.isInteger(maxBytes) && maxBytes >= 1)) throw new RangeError(`maxBytes must be an integer >= 1, got ${maxBytes}`);
    this.windowMs = windowMs;
    this.maxBytes = maxBytes;
    this.#deliver = deliver;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Output of `terminal`: delivered now, or kept for the next tick of the grid. */
  push(terminal: number, bytes: Uint8Array): void {
    if (!bytes.length) return;
    this.#stats.chunksIn++;
    if (this.#closed) {
      // Output a shell gives up while it closes: on at once, there is no tick to wait for.
      this.#stats.batchesOut++;
      this.#deliver(terminal, bytes);
      return;
    }
    const now = this.#now();
    const p = this.#pending(terminal);
    const quiet = p.lastArrivalMs === undefined || now >= p.lastArrivalMs + this.windowMs;
    const wasEmpty = p.bytes === 0;
    if (p.typed) {
      p.typed = false;
      p.typedUntilMs = now + this.windowMs;
    }
    const typed = now < p.typedUntilMs;
    p.lastArrivalMs = now;
    p.parts.push(bytes);
    p.bytes += bytes.length;
    if (p.bytes >= this.maxBytes || this.windowMs === 0 || (quiet && wasEmpty) || typed) {
      this.flush(terminal);
      return;
    }
    if (!this.#timer) {
      const tick = (Math.floor(now / this.windowMs) + 1) * this.windowMs;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flushAll();
      }, tick - now);
    }
  }

  /** A key was typed into `terminal`: its next chunk (the echo) and any within a window of it go at once, with what is held before them. */
  input(terminal: number): void {
    this.#pending(terminal).typed = true;
  }

  #pending(terminal: number): Pending {
    let p = this.#terminals.get(terminal);
    if (!p) {
      p = { parts: [], bytes: 0, lastArrivalMs: undefined, typed: false, typedUntilMs: 0 };
      this.#terminals.set(terminal, p);
    }
    return p;
  }

  /** Delivers what `terminal` holds (before a reopen, so its old output goes first). */
  flush(terminal: number): void {
    const p = this.#terminals.get(terminal);
    if (!p?.bytes) return;
    const bytes = p.parts.length === 1 ? p.parts[0]! : Buffer.concat(p.parts, p.bytes);
    p.parts = [];
    p.bytes = 0;
    this.#stats.batchesOut++;
    this.#deliver(terminal, bytes);
  }

  flushAll(): void {
    for (const terminal of this.#terminals.keys()) this.flush(terminal);
  }

  /** Delivers what is held and stops the timer; what comes after goes on at once. */
  close(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flushAll();
    this.#closed = true;
  }

  get stats(): FrameBatcherStats {
    return { ...this.#stats };
  }
}
