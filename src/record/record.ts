/**
 * What one run records: the config it ran with, every event (relative times), the fault windows,
 * the per-second samples of the client worker, and the latency histograms. Metrics are computed
 * from this record by pure functions (src/metrics), so recorded runs can be replayed in tests.
 */
import type { FailureCause } from '../core/errors.js';
import type { Contender } from '../core/errors.js';
import type { SessionState } from '../core/contract.js';
import type { ScenarioId } from '../scenarios/index.js';

export type Load = 'low' | 'mid' | 'high';
export type Topology = 'A' | 'B';

/** The plan's numbers a run is judged against; each is an option the user can change. */
export interface Criteria {
  sessions: number;
  durationS: number;
  execPollIntervalMs: number;
  reconnectWithinMs: number;
  reconnectSuccessPct: number;
  rssLimitMb: number;
  cpuLimitPct: number;
}

export type RunEvent =
  | { t: number; kind: 'state'; session: string; state: SessionState; previous: SessionState; cause?: FailureCause; code?: string }
  | { t: number; kind: 'attempt'; session: string; attempt: number }
  /** After a loss: ready again, shells reopened and one exec answered. */
  | { t: number; kind: 'usable'; session: string }
  /** reconnect() called by the runner standing in for the user (F2, F4). */
  | { t: number; kind: 'user-reconnect'; session: string }
  | { t: number; kind: 'abnormal'; what: 'crash' | 'uncaught-exception' | 'unhandled-rejection'; message: string };

export interface FaultWindow {
  id: number;
  scenario: ScenarioId;
  /** Windows of one firing of a scenario (several steps) share this number. */
  occurrence: number;
  fault: string;
  params: Record<string, number>;
  sessions: string[];
  appliedT: number;
  healedT: number;
}

export interface Sample {
  t: number;
  /** CPU time of the worker (all threads) over the last interval, % of one core. */
  cpuPct: number;
  rssMb: number;
  /** Event-loop delay p99 over the last interval. */
  eldP99Ms: number;
  /** Event-loop utilisation over the last interval, 0..1. */
  elu: number;
  /** Rust core: events handed from Rust to JS in the last interval, and their bytes. */
  crossings?: number;
  crossingBytes?: number;
  /** Bytes of PTY output received in the last interval. */
  ptyBytes: number;
  /** Keystroke echoes timed in the last interval (ms), so a phase's p95 can leave out the warm-up. */
  echoMs?: number[];
  states: Partial<Record<SessionState, number>>;
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Encoded HDR histogram (base64), for merging and replay. */
  hdr?: string;
}

export interface RunRecord {
  runId: string;
  core: Contender;
  repeat: number;
  topology: Topology;
  target: string;
  sessions: string[];
  load: Load;
  /** What the run interrupts with: a seed-plan label ('None', 'Local network drop', ...), 'timeline', or a scenario. */
  interrupt: string;
  plannedDurationMs: number;
  durationMs: number;
  startedAtMs: number;
  /** Stopped early (Ctrl-C) or the worker died. */
  partial: boolean;
  stoppedBy: 'duration' | 'user' | 'worker-exit';
  /** What every session ran, in words (the same for spike and bench:compare; see describeWorkloads). */
  workloads?: string[];
  /** Things the run could not do as planned (a fault impossible on this target, ...). */
  notes: string[];
  /** Timings divided by this factor to fit the timeline in a short run (1: the plan's own). */
  compression: number;
  /** Session policy the run used (after compression). */
  policy: Record<string, unknown>;
  events: RunEvent[];
  faults: FaultWindow[];
  samples: Sample[];
  exec: LatencySummary;
  echo: LatencySummary;
  execErrors: Record<string, number>;
  integrity: { lines: number; missing: number; reordered: number; corrupt: number };
  worker: { exitCode: number | null; signal: string | null };
}
