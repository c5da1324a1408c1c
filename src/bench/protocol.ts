/** Messages to and from the bench worker (throughput and latency tasks). */
import type { SessionOptions } from '../core/contract.js';
import type { Contender } from '../core/errors.js';
import type { LatencySummary } from '../runner/record.js';

export type BenchTask =
  | { kind: 'bulk'; core: Contender; session: SessionOptions; bytes: number }
  | { kind: 'latency'; core: Contender; session: SessionOptions; handshakes: number; roundTrips: number };

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

export type BenchReply = { ok: true; result: BulkResult | LatencyResult } | { ok: false; error: string };
