/** Messages to and from the bench worker (throughput and latency tasks). */
import type { SessionOptions } from '../core/contract.js';
import type { Contender } from '../core/errors.js';
import type { LatencySummary } from '../record/record.js';
import type { UiPathResult, UiPathTask } from './ui-path.js';

export type BenchTask =
  /** `bytes` of exec output, or with `bytes: null`, as much as the core moves in about `seconds`. */
  | { kind: 'bulk'; core: Contender; session: SessionOptions; bytes: number | null; seconds: number }
  | { kind: 'latency'; core: Contender; session: SessionOptions; handshakes: number; roundTrips: number; keystrokes: number }
  | { kind: 'floor'; ciphers: string[]; blockBytes: number; seconds: number }
  /** The path from the core to the UI stand-in (ui-path.ts). */
  | UiPathTask;

export interface BulkResult {
  bytes: number;
  wallMs: number;
  /** CPU time of the whole worker process (all threads) during the transfer. */
  cpuMs: number;
  mbPerS: number;
  cpuSPerGb: number;
  rssMb: number;
}

export interface LatencyResult {
  handshake: LatencySummary;
  exec: LatencySummary;
  echo: LatencySummary;
}

/**
 * The crypto floor: what decrypting and authenticating the stream costs on this CPU with no SSH,
 * no socket and no JS hop (aws-lc, the library russh uses: one copy and one AEAD open per block).
 * The socket floor: the same blocks read off a loopback TCP connection first (the kernel's copy
 * out of the socket, which every core pays too), the reading thread's CPU only.
 */
export interface FloorResult {
  blockBytes: number;
  ciphers: Record<string, { mbPerS: number; cpuSPerGb: number; socketMbPerS?: number; socketCpuSPerGb?: number }>;
}

export type BenchReply = { ok: true; result: BulkResult | LatencyResult | FloorResult | UiPathResult } | { ok: false; error: string };
