/** Messages between the orchestrator and the client worker (IPC). */
import type { SessionOptions } from '../core/contract.js';
import type { Contender } from '../core/errors.js';
import type { PoolOptions } from '../core/options.js';
import type { LatencySummary, Load, RunEvent, Sample } from '../record/record.js';

export interface WorkerSession {
  id: string;
  options: SessionOptions;
}

/** Which workloads run in every session. */
export interface Workloads {
  /** The PTY shell streaming sequence lines at the chosen load. */
  stream: boolean;
  /** Exec polling every execPollIntervalMs. */
  exec: boolean;
  /** The keystroke-echo probe on a second shell every echoIntervalMs. */
  echo: boolean;
}

export interface WorkerStart {
  type: 'start';
  core: Contender;
  workloads: Workloads;
  pool: Omit<PoolOptions, 'core'>;
  sessions: WorkerSession[];
  load: Load;
  /** Text typed into the stream shell to start the sequence stream (ends with \r). */
  streamCommand: string;
  pollCommand: string;
  execPollIntervalMs: number;
  echoIntervalMs: number;
  /** How many sessions may connect at once at the start. */
  connectConcurrency: number;
  /** The workload floor: the server's byte streams replayed into the workload, no SSH (workload/replay.ts). */
  replay?: boolean;
}

export type ToWorker =
  | WorkerStart
  /** Stand in for the user: reconnect() these sessions if they wait in one of `states`. */
  | { type: 'user-reconnect'; sessions: string[]; states: string[] }
  | { type: 'stop' };

export interface WorkerFinal {
  exec: LatencySummary;
  echo: LatencySummary;
  execErrors: Record<string, number>;
  integrity: { lines: number; missing: number; reordered: number; corrupt: number };
}

export type FromWorker =
  | { type: 'ready'; t0WallMs: number; sessionIds: string[] }
  | { type: 'batch'; events: RunEvent[]; samples: Sample[] }
  | { type: 'final'; final: WorkerFinal }
  | { type: 'failed'; error: string };
