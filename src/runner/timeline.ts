/**
 * Which runs to make and when each fault fires. The timeline plan places F1, F3, F5, F2 and F4 (on
 * one session) at 1/6 .. 5/6 of the run (5, 10, 15, 20, 25 min in 30 min). A run too short for the
 * plan's own timings is compressed: every fault window and policy number divided by one factor,
 * which the report states.
 */
import type { SessionOptions } from '../core/contract.js';
import { compress, compressedPolicy, SCENARIOS, type ScenarioId, type ScenarioStep } from '../scenarios/index.js';
import type { SpikeOptions } from './options.js';

export interface PlannedFault {
  atMs: number;
  scenario: ScenarioId;
  /** Steps of one firing of a scenario share this number (F4 is a revoke and a reset). */
  occurrence: number;
  step: ScenarioStep;
}

export interface RunPlan {
  /** The record table's "Interrupt Type". */
  interrupt: string;
  faults: PlannedFault[];
  compression: number;
  policy: Partial<SessionOptions>;
}

/** The shortest run that fits each plan at the plan's own timings (F2 needs 35 s + recovery). */
const MIN_UNCOMPRESSED_MS = { timeline: 6 * 50_000, seed: 4 * 30_000, scenario: 3 * 60_000 } as const;

function compression(kind: keyof typeof MIN_UNCOMPRESSED_MS, durationMs: number): number {
  return Math.max(1, Math.ceil(MIN_UNCOMPRESSED_MS[kind] / durationMs));
}

let occurrences = 0;

function steps(id: ScenarioId, atMs: number, k: number): PlannedFault[] {
  const occurrence = ++occurrences;
  return compress(SCENARIOS[id], k).steps.map((step) => ({ atMs, scenario: id, occurrence, step }));
}

export function planRuns(o: Pick<SpikeOptions, 'plan' | 'scenario' | 'durationMs'>): RunPlan[] {
  const d = o.durationMs;
  const policy = (k: number) => (k > 1 ? compressedPolicy(k) : {});
  if (o.plan === 'scenario') {
    const k = compression('scenario', d);
    const id = o.scenario!;
    return [{ interrupt: id === 'F0' ? 'None' : `${id} ${SCENARIOS[id].title}`, faults: steps(id, Math.round(d / 3), k), compression: k, policy: policy(k) }];
  }
  if (o.plan === 'seed') {
    const k = compression('seed', d);
    const at = [1, 2, 3].map((i) => Math.round((d * i) / 4));
    return [
      { interrupt: 'None', faults: [], compression: k, policy: policy(k) },
      { interrupt: 'Local network drop', faults: at.flatMap((a) => steps('F1', a, k)), compression: k, policy: policy(k) },
      { interrupt: 'Server-side SSH restart', faults: at.flatMap((a) => steps('F3', a, k)), compression: k, policy: policy(k) },
    ];
  }
  const k = compression('timeline', d);
  const order: ScenarioId[] = ['F1', 'F3', 'F5', 'F2', 'F4'];
  return [
    {
      interrupt: 'timeline',
      faults: order.flatMap((id, i) => steps(id, Math.round((d * (i + 1)) / 6), k)),
      compression: k,
      policy: policy(k),
    },
  ];
}
