/**
 * The worker's self-sampling: every second, its CPU (all threads, % of one core), RSS, event-loop
 * delay p99 and utilisation, the PTY bytes and echo times of the interval, the sessions per state,
 * and, for the Rust core, the boundary crossings. What the plan's resource criteria are judged on.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { SessionState } from '../core/contract.js';
import type { Sample } from '../record/record.js';

export interface SamplerInputs {
  /** Milliseconds since the run's origin. */
  now: () => number;
  states: () => Partial<Record<SessionState, number>>;
  takePtyBytes: () => number;
  takeEchoMs: () => number[];
  /** The Rust core's boundary counters, when there is a boundary to count. */
  crossings?: () => { crossings: number; bytes: number };
  onSample: (s: Sample) => void;
}

/** Starts sampling every `everyMs`; the timer goes into `timers`. */
export function startSampler(inputs: SamplerInputs, timers: NodeJS.Timeout[], everyMs = 1_000): void {
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  let lastElu = performance.eventLoopUtilization();
  let lastCross = inputs.crossings?.();
  timers.push(
    setInterval(() => {
      const at = performance.now();
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization(lastElu);
      const echoMs = inputs.takeEchoMs();
      const s: Sample = {
        t: inputs.now(),
        cpuPct: ((cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000 / (at - lastAt)) * 100,
        rssMb: process.memoryUsage.rss() / 2 ** 20,
        eldP99Ms: eld.percentile(99) / 1e6,
        elu: elu.utilization,
        ptyBytes: inputs.takePtyBytes(),
        ...(echoMs.length ? { echoMs } : {}),
        states: inputs.states(),
      };
      const cross = inputs.crossings?.();
      if (cross && lastCross) {
        s.crossings = cross.crossings - lastCross.crossings;
        s.crossingBytes = cross.bytes - lastCross.bytes;
      }
      lastCross = cross;
      eld.reset();
      lastCpu = cpu;
      lastAt = at;
      lastElu = performance.eventLoopUtilization();
      inputs.onSample(s);
    }, everyMs),
  );
}
