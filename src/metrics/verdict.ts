/**
 * The plan's success criteria and decision table, applied to computed metrics. Nothing here is
 * hand-written per run: each tick and each verdict comes from a rule below.
 */
import type { Criteria } from '../record/record.js';
import type { RunMetrics } from './compute.js';

export type Tick = 'pass' | 'fail' | 'not-measured';
export type Outcome = 'success' | 'partial' | 'failure';

export interface CriterionResult {
  id: 'sessions-held' | 'reconnect-rate' | 'memory' | 'cpu';
  tick: Tick;
  /** What was measured against what. */
  detail: string;
}

export interface Judged {
  criteria: CriterionResult[];
  outcome: Outcome;
  reasons: string[];
}

/** What a run (or a core's runs) looked like, for judging. */
export interface JudgeInput {
  metrics: RunMetrics[];
  sessions: number;
  durationS: number;
  partial: boolean;
}

/** Reconnect success below this share of interruptions is "many failed reconnects" (failure). */
export const MANY_FAILED_RECONNECTS_PCT = 50;

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

export function judge(input: JudgeInput, c: Criteria): Judged {
  const ms = input.metrics;
  const abnormal = ms.reduce((a, m) => a + m.abnormalEnds, 0);
  const interrupted = ms.reduce((a, m) => a + m.reconnect.interrupted, 0);
  const within = ms.reduce((a, m) => a + m.reconnect.recoveredWithin, 0);
  const ratePct = interrupted === 0 ? Number.NaN : (within / interrupted) * 100;
  const rssPeak = Math.max(...ms.map((m) => m.rssMb.peak));
  const cpu = Math.max(...ms.map((m) => m.cpuPct));
  const uptime = Math.min(...ms.map((m) => m.uptimePct));
  const heldDetail = `${input.sessions} sessions for ${fmt(input.durationS / 60)} min: ${abnormal} abnormal ends, uptime ${fmt(uptime)}%`;
  const criteria: CriterionResult[] = [
    {
      id: 'sessions-held',
      tick: input.partial ? 'not-measured' : abnormal === 0 ? 'pass' : 'fail',
      detail: input.partial ? `${heldDetail} (run stopped early)` : heldDetail,
    },
    {
      id: 'reconnect-rate',
      tick: interrupted === 0 ? 'not-measured' : ratePct >= c.reconnectSuccessPct ? 'pass' : 'fail',
      detail:
        interrupted === 0
          ? 'no network interruption in these runs'
          : `${within}/${interrupted} = ${fmt(ratePct)}% usable within ${c.reconnectWithinMs / 1000} s (need >= ${c.reconnectSuccessPct}%)`,
    },
    {
      id: 'memory',
      tick: Number.isFinite(rssPeak) ? (rssPeak < c.rssLimitMb ? 'pass' : 'fail') : 'not-measured',
      detail: `RSS peak ${fmt(rssPeak)} MB (need < ${c.rssLimitMb} MB)`,
    },
    {
      id: 'cpu',
      tick: Number.isFinite(cpu) ? (cpu < c.cpuLimitPct ? 'pass' : 'fail') : 'not-measured',
      detail: `CPU ${fmt(cpu, 2)}% of one core (need < ${c.cpuLimitPct}%)`,
    },
  ];
  const reasons: string[] = [];
  let outcome: Outcome;
  const crashes = ms.flatMap((m) => m.abnormal);
  if (abnormal > 0) {
    outcome = 'failure';
    reasons.push(`crashes or session collapse: ${abnormal} abnormal end(s) (${crashes.slice(0, 3).join('; ')}${crashes.length > 3 ? '; ...' : ''})`);
  } else if (interrupted > 0 && ratePct < MANY_FAILED_RECONNECTS_PCT) {
    outcome = 'failure';
    reasons.push(`many failed reconnects: only ${fmt(ratePct)}% of interruptions recovered within ${c.reconnectWithinMs / 1000} s`);
  } else if (criteria.every((x) => x.tick !== 'fail')) {
    outcome = 'success';
    reasons.push('every measured success criterion passes');
    for (const x of criteria.filter((x) => x.tick === 'not-measured')) reasons.push(`not measured: ${x.detail}`);
  } else {
    outcome = 'partial';
    reasons.push('stable (no abnormal end), but:');
    for (const x of criteria.filter((x) => x.tick === 'fail')) reasons.push(x.detail);
  }
  return { criteria, outcome, reasons };
}
