/**
 * The sender's side of flow control to the UI, as xterm.js does it for a terminal: count the bytes
 * sent and not yet acknowledged as drawn; pause the source above a high watermark and resume it
 * below a low one. Pure: the caller pauses and resumes whatever it sends from. A sender keeps one
 * gate per stream the UI acks (the UI stand-in acks each session on its own).
 */

/** Defaults of {@link FlowGateOptions}. */
export const FLOW_GATE_DEFAULTS = {
  highWatermarkBytes: 1024 * 1024,
  lowWatermarkBytes: 256 * 1024,
} as const;

export interface FlowGateOptions {
  /** Pause once unacknowledged bytes go above this. @default 1048576 (1 MiB) */
  highWatermarkBytes?: number;
  /** Resume once unacknowledged bytes fall below this. @default 262144 (256 KiB) */
  lowWatermarkBytes?: number;
}

export type ResolvedFlowGateOptions = Required<FlowGateOptions>;

export function resolveFlowGateOptions(options: FlowGateOptions = {}): ResolvedFlowGateOptions {
  const highWatermarkBytes = options.highWatermarkBytes ?? FLOW_GATE_DEFAULTS.highWatermarkBytes;
  const lowWatermarkBytes = options.lowWatermarkBytes ?? FLOW_GATE_DEFAULTS.lowWatermarkBytes;
  for (const [name, v] of Object.entries({ highWatermarkBytes, lowWatermarkBytes })) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  }
  if (lowWatermarkBytes >= highWatermarkBytes) {
    throw new RangeError(`lowWatermarkBytes (${lowWatermarkBytes}) must be below highWatermarkBytes (${highWatermarkBytes})`);
  }
  return { highWatermarkBytes, lowWatermarkBytes };
}

export class FlowGate {
  readonly highWatermarkBytes: number;
  readonly lowWatermarkBytes: number;
  #unackedBytes = 0;
  #paused = false;
  #pauses = 0;

  constructor(options: FlowGateOptions = {}) {
    const resolved = resolveFlowGateOptions(options);
    this.highWatermarkBytes = resolved.highWatermarkBytes;
    this.lowWatermarkBytes = resolved.lowWatermarkBytes;
  }

  /** `bytes` went to the UI; 'pause' when that took the unacknowledged bytes above the high watermark (once per crossing). */
  sent(bytes: number): 'pause' | undefined {
    this.#check(bytes);
    this.#unackedBytes += bytes;
    if (this.#paused || this.#unackedBytes <= this.highWatermarkBytes) return undefined;
    this.#paused = true;
    this.#pauses++;
    return 'pause';
  }

  /** The UI drew `bytes`; 'resume' when a paused gate's unacknowledged bytes fell below the low watermark. */
  acked(bytes: number): 'resume' | undefined {
    this.#check(bytes);
    if (bytes > this.#unackedBytes) throw new RangeError(`an ack of ${bytes} bytes exceeds the ${this.#unackedBytes} bytes sent and not acknowledged`);
    this.#unackedBytes -= bytes;
    if (!this.#paused || this.#unackedBytes >= this.lowWatermarkBytes) return undefined;
    this.#paused = false;
    return 'resume';
  }

  get paused(): boolean {
    return this.#paused;
  }

  get unackedBytes(): number {
    return this.#unackedBytes;
  }

  /** Times the gate paused its sender. */
  get pauses(): number {
    return this.#pauses;
  }

  #check(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`a byte count must be a non-negative integer, got ${bytes}`);
  }
}
