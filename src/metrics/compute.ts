/**
 * The plan's metrics, computed from a recorded run (pure functions; see DESIGN.md "Metrics").
 *
 * - Session uptime: time in ready or degraded / time the session should have been up (from its
 *   first ready to the end of the run, fault windows excluded).
 * - Abnormal end: a crash, an uncaught exception, an unhandled rejection, or a session leaving
 *   ready/degraded with no fault to explain it.
 * - Interruption of a session by a fault: it left `ready` during the fault window (or within the
 *   detection grace after it). Recovered: ready again without reconnect() from the user.
 *   Time to usable: from that detection to usable (ready, shells reopened, one exec answered).
 */
import type { FailureCause } from '../core/errors.js';
import type { SessionState } from '../core/contract.js';
import type { RunEvent, RunRecord } from '../record/record.js';
import type { ScenarioId } from '../scenarios/index.js';
import { lengthOutside, mean, quantile, slope } from './stats.js';

const UP: ReadonlySet<SessionState> = new Set(['ready', 'degraded']);

/** Scenarios whose interruptions count for the plan's reconnect criterion (network drops the manager should survive). */
export const NETWORK_SCENARIOS: ReadonlySet<ScenarioId> = new Set(['F1', 'F5']);

export const INTERRUPT_LABELS: Record<ScenarioId, string> = {
  F0: 'None',
  F1: 'Local network drop (short)',
  F2: 'Local network drop (long)',
  F3: 'Server-side SSH restart',
  F4: 'Authentication failure',
  F5: 'Many sessions drop at once',
};

export interface ComputeOptions {
  /** How long after a fault heals a loss still counts as caused by it (the dead-link limit plus slack). */
  detectGraceMs: number;
  /** "Within 15 s" of the plan. */
  reconnectWithinMs: number;
}

export interface InterruptResult {
  scenario: ScenarioId;
  label: string;
  /** Counts for the plan's reconnect criterion. */
  network: boolean;
  faults: number;
  interrupted: number;
  /** Back to ready without user action. */
  recovered: number;
  /** ...and usable within reconnectWithinMs. */
  recoveredWithin: number;
  /** Needed reconnect() from the user (F2, F4 by design). */
  manual: number;
  p50S: number;
  p95S: number;
  detectionP50S: number;
  timesToUsableS: number[];
}

export interface RunMetrics {
  uptimePct: number;
  abnormalEnds: number;
  abnormal: string[];
  interrupts: InterruptResult[];
  /** Over the network scenarios (F1, F5): the plan's reconnect success rate. */
  reconnect: { interrupted: number; recovered: number; recoveredWithin: number; ratePct: number; p50S: number; p95S: number };
  cpuPct: number;
  rssMb: { peak: number; mean: number; growthPerHour: number };
  eldP99Ms: number;
  elu: number;
  causes: Record<FailureCause, number>;
  integrityErrors: number;
  /** Where the steady state (CPU, RSS mean and growth, event loop) starts, ms into the run. */
  steadyFromMs: number;
}

type StateEvent = Extract<RunEvent, { kind: 'state' }>;

function byTime<T extends { t: number }>(xs: T[]): T[] {
  return [...xs].sort((a, b) => a.t - b.t);
}

/** Fault windows of one session, extended by the detection grace. */
function windowsOf(record: RunRecord, session: string, graceMs: number): [number, number][] {
  return record.faults.filter((f) => f.sessions.includes(session)).map((f) => [f.appliedT, f.healedT + graceMs]);
}

function uptimePct(record: RunRecord, states: StateEvent[]): number {
  let up = 0;
  let should = 0;
  for (const session of record.sessions) {
    const evs = states.filter((e) => e.session === session);
    const firstReady = evs.find((e) => e.state === 'ready');
    if (!firstReady) {
      should += record.durationMs;
      continue;
    }
    const holes = record.faults.filter((f) => f.sessions.includes(session)).map((f) => [f.appliedT, f.healedT] as [number, number]);
    should += lengthOutside(firstReady.t, record.durationMs, holes);
    let since: number | undefined;
    for (const e of evs) {
      const isUp = UP.has(e.state);
      if (isUp && since === undefined) since = e.t;
      if (!isUp && since !== undefined) {
        up += lengthOutside(since, Math.min(e.t, record.durationMs), holes);
        since = undefined;
      }
    }
    if (since !== undefined) up += lengthOutside(since, record.durationMs, holes);
  }
  return should === 0 ? 100 : Math.min(100, (up / should) * 100);
}

/** One firing of a scenario: its steps' windows merged (F4 is a revoke plus a reset). */
interface Occurrence {
  scenario: ScenarioId;
  sessions: string[];
  appliedT: number;
  healedT: number;
}

function occurrences(record: RunRecord): Occurrence[] {
  const byId = new Map<number, Occurrence>();
  for (const f of record.faults) {
    const o = byId.get(f.occurrence);
    if (!o) byId.set(f.occurrence, { scenario: f.scenario, sessions: [...f.sessions], appliedT: f.appliedT, healedT: f.healedT });
    else {
      o.sessions = [...new Set([...o.sessions, ...f.sessions])];
      o.appliedT = Math.min(o.appliedT, f.appliedT);
      o.healedT = Math.max(o.healedT, f.healedT);
    }
  }
  return [...byId.values()].sort((a, b) => a.appliedT - b.appliedT);
}

/**
 * When a session noticed a fault: the moment it lost the link (left ready/degraded), or, if the
 * link only degraded and healed, the moment it degraded. None: the fault went unnoticed.
 */
function detection(evs: StateEvent[], f: Occurrence, graceMs: number): StateEvent | undefined {
  const inWindow = evs.filter((e) => e.t >= f.appliedT && e.t <= f.healedT + graceMs);
  return inWindow.find((e) => UP.has(e.previous) && !UP.has(e.state)) ?? inWindow.find((e) => e.previous === 'ready' && e.state === 'degraded');
}

function interruptions(record: RunRecord, states: StateEvent[], o: ComputeOptions): InterruptResult[] {
  const results = new Map<ScenarioId, InterruptResult>();
  const usable = record.events.filter((e): e is Extract<RunEvent, { kind: 'usable' }> => e.kind === 'usable');
  const userReconnects = record.events.filter((e) => e.kind === 'user-reconnect') as { t: number; session: string }[];
  const fired = occurrences(record);
  for (const f of fired) {
    const r =
      results.get(f.scenario) ??
      ({
        scenario: f.scenario,
        label: INTERRUPT_LABELS[f.scenario],
        network: NETWORK_SCENARIOS.has(f.scenario),
        faults: 0,
        interrupted: 0,
        recovered: 0,
        recoveredWithin: 0,
        manual: 0,
        p50S: Number.NaN,
        p95S: Number.NaN,
        detectionP50S: Number.NaN,
        timesToUsableS: [],
      } satisfies InterruptResult);
    results.set(f.scenario, r);
    r.faults++;
    for (const session of f.sessions) {
      const evs = states.filter((e) => e.session === session);
      const detected = detection(evs, f, o.detectGraceMs);
      if (!detected) continue;
      r.interrupted++;
      const lost = !UP.has(detected.state);
      const back = evs.find((e) => e.t > detected.t && e.state === 'ready');
      if (!back) continue;
      if (userReconnects.some((u) => u.session === session && u.t >= detected.t && u.t <= back.t)) {
        r.manual++;
        continue;
      }
      const usableAt = lost ? usable.find((u) => u.session === session && u.t >= back.t)?.t : back.t;
      if (usableAt === undefined) continue;
      r.recovered++;
      const ttu = usableAt - detected.t;
      r.timesToUsableS.push(ttu / 1000);
      if (ttu <= o.reconnectWithinMs) r.recoveredWithin++;
    }
  }
  for (const r of results.values()) {
    r.p50S = quantile(r.timesToUsableS, 0.5);
    r.p95S = quantile(r.timesToUsableS, 0.95);
  }
  const out = [...results.values()].sort((a, b) => a.scenario.localeCompare(b.scenario));
  for (const r of out) {
    const ds = fired
      .filter((f) => f.scenario === r.scenario)
      .flatMap((f) =>
        f.sessions
          .map((s) =>
            detection(
              states.filter((e) => e.session === s),
              f,
              o.detectGraceMs,
            ),
          )
          .filter((e): e is StateEvent => e !== undefined)
          .map((e) => (e.t - f.appliedT) / 1000),
      );
    r.detectionP50S = quantile(ds, 0.5);
  }
  return out;
}

function abnormal(record: RunRecord, states: StateEvent[], o: ComputeOptions): string[] {
  const out: string[] = [];
  for (const e of record.events) if (e.kind === 'abnormal') out.push(`${e.what}: ${e.message}`);
  if (record.stoppedBy !== 'user') {
    if ((record.worker.exitCode ?? 0) !== 0) out.push(`worker exited with code ${record.worker.exitCode}`);
    if (record.worker.signal) out.push(`worker killed by ${record.worker.signal}`);
    if (record.stoppedBy === 'worker-exit' && record.worker.exitCode === 0) out.push('worker ended before the run did');
  }
  for (const e of states) {
    if (!UP.has(e.previous) || UP.has(e.state)) continue;
    if (e.state === 'closed' && e.cause === 'client') continue;
    const explained = windowsOf(record, e.session, o.detectGraceMs).some(([a, b]) => e.t >= a && e.t <= b);
    if (!explained) out.push(`${e.session} went ${e.state} at ${(e.t / 1000).toFixed(1)} s (${e.code ?? e.cause ?? 'no cause'}) with no fault to explain it`);
  }
  return out;
}

/**
 * The samples of a run's steady state, the one definition `spike` and bench:compare share: from
 * the end of the warm-up (a quarter of the run, at most 60 s) and after the first sample in which
 * every session was up (so connecting is not counted), whichever is later. A run in which the
 * sessions never were all up at once counts from the warm-up. A run made to be measured after a
 * warm-up of its own (bench:compare's resource trials) passes that warm-up instead.
 */
export function steadySamples(record: RunRecord, warmupMs = Math.min(60_000, record.durationMs * 0.25)): RunRecord['samples'] {
  const n = record.sessions.length;
  const allUp = record.samples.findIndex((s) => (s.states.ready ?? 0) + (s.states.degraded ?? 0) >= n);
  const from = allUp >= 0 ? Math.max(warmupMs, record.samples[allUp]!.t + 1e-9) : warmupMs;
  return record.samples.filter((s) => s.t >= from);
}

/** CPU, memory and event-loop figures of a run, over its steady state (RSS peak over all of it). */
export function resourceFigures(
  record: RunRecord,
  warmupMs?: number,
): {
  cpuPct: number;
  rssPeakMb: number;
  rssMeanMb: number;
  rssGrowthPerHour: number;
  eldP99Ms: number;
  elu: number;
  steadyFromMs: number;
  steady: RunRecord['samples'];
} {
  const all = record.samples;
  const steady = steadySamples(record, warmupMs);
  const use = steady.length ? steady : all;
  return {
    cpuPct: mean(use.map((s) => s.cpuPct)),
    rssPeakMb: all.length ? Math.max(...all.map((s) => s.rssMb)) : Number.NaN,
    rssMeanMb: mean(use.map((s) => s.rssMb)),
    rssGrowthPerHour: slope(steady.map((s) => ({ x: s.t, y: s.rssMb }))) * 3_600_000,
    eldP99Ms: quantile(
      use.map((s) => s.eldP99Ms),
      0.99,
    ),
    elu: mean(use.map((s) => s.elu)),
    steadyFromMs: use[0]?.t ?? 0,
    steady,
  };
}

export function computeRun(record: RunRecord, o: ComputeOptions): RunMetrics {
  const states = byTime(record.events.filter((e): e is StateEvent => e.kind === 'state'));
  const interrupts = interruptions(record, states, o);
  const net = interrupts.filter((r) => r.network);
  const netTimes = net.flatMap((r) => r.timesToUsableS);
  const interrupted = net.reduce((a, r) => a + r.interrupted, 0);
  const recovered = net.reduce((a, r) => a + r.recovered, 0);
  const recoveredWithin = net.reduce((a, r) => a + r.recoveredWithin, 0);
  const r = resourceFigures(record);
  const causes: Record<FailureCause, number> = { network: 0, auth: 0, server: 0, client: 0 };
  for (const e of states) {
    if (UP.has(e.state) || e.state === 'connecting') continue;
    // The owner's own actions are not failures: closing at the end, reconnect() after F2/F4.
    if (e.cause === 'client' && (e.state === 'closed' || e.state === 'reconnecting')) continue;
    if (e.cause) causes[e.cause]++;
  }
  const ab = abnormal(record, states, o);
  const integ = record.integrity;
  return {
    uptimePct: uptimePct(record, states),
    abnormalEnds: ab.length,
    abnormal: ab,
    interrupts,
    reconnect: {
      interrupted,
      recovered,
      recoveredWithin,
      ratePct: interrupted === 0 ? Number.NaN : (recoveredWithin / interrupted) * 100,
      p50S: quantile(netTimes, 0.5),
      p95S: quantile(netTimes, 0.95),
    },
    cpuPct: r.cpuPct,
    rssMb: { peak: r.rssPeakMb, mean: r.rssMeanMb, growthPerHour: r.rssGrowthPerHour },
    eldP99Ms: r.eldP99Ms,
    elu: r.elu,
    causes,
    integrityErrors: integ.missing + integ.reordered + integ.corrupt,
    steadyFromMs: r.steadyFromMs,
  };
}
