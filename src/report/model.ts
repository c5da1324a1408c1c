/**
 * The report's data (report.json, schema ssh-spike/report@1): built from recorded runs, their
 * computed metrics and the verdicts. The renderers (markdown.ts, html.ts) only read this.
 */
import { PLAN_DEFAULTS, POOL_DEFAULTS, RECONNECT_DEFAULTS, SESSION_DEFAULTS } from '../core/defaults.js';
import type { FailureCause } from '../core/errors.js';
import { computeRun, type InterruptResult, type RunMetrics } from '../metrics/compute.js';
import { judge, type Judged, type Outcome } from '../metrics/verdict.js';
import type { Criteria, LatencySummary, RunRecord } from '../record/record.js';

export const REPORT_SCHEMA = 'ssh-spike/report@1';

export interface ReportRun {
  runId: string;
  core: string;
  repeat: number;
  topology: string;
  target: string;
  sessions: number;
  load: string;
  durationS: number;
  plannedDurationS: number;
  interrupt: string;
  partial: boolean;
  compression: number;
  reconnect: { interrupted: number; recovered: number; p50S: number; p95S: number };
  interrupts: Omit<InterruptResult, 'timesToUsableS'>[];
  abnormalEnds: number;
  abnormal: string[];
  uptimePct: number;
  cpuPct: number;
  rssMB: { peak: number; mean: number; growthPerHour: number };
  eventLoop: { delayP99Ms: number; utilization: number };
  exec: LatencySummary;
  echo: LatencySummary;
  execErrors: Record<string, number>;
  integrityErrors: number;
  causes: Record<FailureCause, number>;
  notes: string[];
  /** What every session ran (absent in records from before it was kept). */
  workloads?: string[];
  /** Where CPU, RSS mean and event-loop figures start (the steady state, as bench:compare's), s into the run. */
  steadyFromS?: number;
  /** Every session policy value the run used (defaults, with the run's own values over them). */
  policy: Record<string, unknown>;
  verdict: Outcome;
  series: {
    /** [t s, cpu %, rss MB] every second */
    samples: [number, number, number][];
    /** [session, t s, state] transitions */
    states: [string, number, string][];
    faults: { scenario: string; fault: string; sessions: string[]; fromS: number; toS: number }[];
    timesToUsableS: number[];
  };
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  createdAt: string;
  partial: boolean;
  options: Record<string, unknown>;
  criteria: Criteria;
  runs: ReportRun[];
  /** Per core, over all its runs. */
  verdicts: Record<string, Judged>;
  checklist: { repeated: boolean; massDrop: boolean; recorded: boolean; classified: boolean };
}

/** Defaults of the contract with the run's own values over them. */
export function effectivePolicy(own: Record<string, unknown>): Record<string, unknown> {
  const { reconnect, ...rest } = own as { reconnect?: Record<string, unknown> };
  return { ...SESSION_DEFAULTS, ...rest, reconnect: { ...RECONNECT_DEFAULTS, ...(reconnect ?? {}) }, pool: POOL_DEFAULTS };
}

const r3 = (n: number) => (Number.isFinite(n) ? Math.round(n * 1000) / 1000 : null);

function toRun(rec: RunRecord, m: RunMetrics, verdict: Outcome): ReportRun {
  return {
    runId: rec.runId,
    core: rec.core,
    repeat: rec.repeat,
    topology: rec.topology,
    target: rec.target,
    sessions: rec.sessions.length,
    load: rec.load,
    durationS: rec.durationMs / 1000,
    plannedDurationS: rec.plannedDurationMs / 1000,
    interrupt: rec.interrupt,
    partial: rec.partial,
    compression: rec.compression,
    reconnect: { interrupted: m.reconnect.interrupted, recovered: m.reconnect.recovered, p50S: m.reconnect.p50S, p95S: m.reconnect.p95S },
    interrupts: m.interrupts.map(({ timesToUsableS: _t, ...rest }) => rest),
    abnormalEnds: m.abnormalEnds,
    abnormal: m.abnormal,
    uptimePct: m.uptimePct,
    cpuPct: m.cpuPct,
    rssMB: m.rssMb,
    eventLoop: { delayP99Ms: m.eldP99Ms, utilization: m.elu },
    exec: { ...rec.exec, hdr: undefined } as LatencySummary,
    echo: { ...rec.echo, hdr: undefined } as LatencySummary,
    execErrors: rec.execErrors,
    integrityErrors: m.integrityErrors,
    causes: m.causes,
    notes: rec.notes,
    ...(rec.workloads ? { workloads: rec.workloads } : {}),
    steadyFromS: m.steadyFromMs / 1000,
    policy: effectivePolicy(rec.policy),
    verdict,
    series: {
      samples: rec.samples.map((s) => [s.t / 1000, r3(s.cpuPct) ?? 0, r3(s.rssMb) ?? 0]),
      states: rec.events.flatMap((e) => (e.kind === 'state' ? [[e.session, e.t / 1000, e.state] as [string, number, string]] : [])),
      faults: rec.faults.map((f) => ({ scenario: f.scenario, fault: f.fault, sessions: f.sessions, fromS: f.appliedT / 1000, toS: f.healedT / 1000 })),
      timesToUsableS: m.interrupts.flatMap((i) => i.timesToUsableS),
    },
  };
}

/** The detection grace for a run's policy: the dead-link limit plus two keepalive intervals. */
export function detectGraceMs(policy: Record<string, unknown>): number {
  const interval = (policy.keepaliveIntervalMs as number | undefined) ?? SESSION_DEFAULTS.keepaliveIntervalMs;
  const count = (policy.keepaliveCountMax as number | undefined) ?? SESSION_DEFAULTS.keepaliveCountMax;
  return interval * (count + 3);
}

/** Builds the report. `criteria` are the plan's numbers; compressed runs are judged on scaled timings. */
export function buildReport(records: RunRecord[], criteria: Criteria, options: Record<string, unknown>, createdAt: Date): Report {
  const runs: ReportRun[] = [];
  const metrics = new Map<RunRecord, RunMetrics>();
  for (const rec of records) {
    const within = criteria.reconnectWithinMs / rec.compression;
    const m = computeRun(rec, { detectGraceMs: detectGraceMs(rec.policy), reconnectWithinMs: within });
    metrics.set(rec, m);
    const single = judge(
      { metrics: [m], sessions: rec.sessions.length, durationS: rec.durationMs / 1000, partial: rec.partial },
      { ...criteria, reconnectWithinMs: within },
    );
    runs.push(toRun(rec, m, single.outcome));
  }
  const verdicts: Record<string, Judged> = {};
  for (const core of [...new Set(records.map((r) => r.core))]) {
    const mine = records.filter((r) => r.core === core);
    const k = Math.max(...mine.map((r) => r.compression));
    verdicts[core] = judge(
      {
        metrics: mine.map((r) => metrics.get(r)!),
        sessions: Math.min(...mine.map((r) => r.sessions.length)),
        durationS: Math.min(...mine.map((r) => r.durationMs / 1000)),
        partial: mine.some((r) => r.partial),
      },
      { ...criteria, reconnectWithinMs: criteria.reconnectWithinMs / k },
    );
  }
  const allMetrics = [...metrics.values()];
  const perCoreLong = [...new Set(records.map((r) => r.core))].map(
    (c) => records.filter((r) => r.core === c && !r.partial && r.durationMs >= PLAN_DEFAULTS.durationS * 1000 * 0.99).length,
  );
  return {
    schema: REPORT_SCHEMA,
    createdAt: createdAt.toISOString(),
    partial: records.some((r) => r.partial),
    options,
    criteria,
    runs,
    verdicts,
    checklist: {
      repeated: perCoreLong.length > 0 && perCoreLong.every((n) => n >= 2),
      massDrop: records.some((r) => r.faults.some((f) => f.scenario === 'F5')),
      recorded: allMetrics.some((m) => m.interrupts.some((i) => i.interrupted > 0)),
      classified: records.every((r) =>
        r.events.every((e) => e.kind !== 'state' || e.state === 'ready' || e.state === 'connecting' || e.state === 'degraded' || e.cause !== undefined),
      ),
    },
  };
}
