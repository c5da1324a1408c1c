/** Runs one bench task in a fresh worker process and returns its result. */
import { fork } from 'node:child_process';
import { siblingEntry } from '../lab/process.js';
import type { BenchReply, BenchTask, BulkResult, FloorResult, LatencyResult } from './protocol.js';
import type { UiPathResult } from './ui-path.js';

/** `onStart` gets the worker's pid as soon as it runs (for a profiler to attach). */
export function runTask(task: Extract<BenchTask, { kind: 'bulk' }>, onStart?: (pid: number) => void): Promise<BulkResult>;
export function runTask(task: Extract<BenchTask, { kind: 'latency' }>, onStart?: (pid: number) => void): Promise<LatencyResult>;
export function runTask(task: Extract<BenchTask, { kind: 'floor' }>, onStart?: (pid: number) => void): Promise<FloorResult>;
export function runTask(task: Extract<BenchTask, { kind: 'ui' }>, onStart?: (pid: number) => void): Promise<UiPathResult>;
export function runTask(task: BenchTask, onStart?: (pid: number) => void): Promise<BulkResult | LatencyResult | FloorResult | UiPathResult> {
  const entry = siblingEntry(import.meta.url, 'worker');
  const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid !== undefined) onStart?.(child.pid);
  return new Promise((resolve, reject) => {
    let settled = false;
    child.once('message', (m: BenchReply) => {
      settled = true;
      if (m.ok) resolve(m.result);
      else reject(new Error(`${'core' in task ? `${task.core} ` : ''}${task.kind}: ${m.error}`));
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`${'core' in task ? `${task.core} ` : ''}${task.kind}: the bench worker exited (code ${code})`));
    });
    child.send(task);
  });
}
