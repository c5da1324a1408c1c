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

/** The figures the criteria were judged on, so that a report can word them in any language. */
export interface Measured {
  sessions: number;
  minutes: number;
  abnormal: number;
  uptimePct: number;
  stoppedEarly: boolean;
  interrupted: number;
  recoveredWithin: number;
  reconnectPct: number;
  reconnectWithinS: number;
  reconnectNeedPct: number;
  rssPeakMb: number;
  rssLimitMb: number;
  cpuPct: number;
  cpuLimitPct: number;
}

export interface Judged {
  criteria: CriterionResult[];
  outcome: Outcome;
  /** The reasons in English; `measured` and `crashes` let a report word them in its language. */
  reasons: string[];
  measured: Measured;
  /** The first abnormal ends as they were recorded: three are shown, a fourth says there were more. */
  crashes: string[];
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

export const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

export const CRITERIA_IDS = ['sessions-held', 'reconnect-rate', 'memory', 'cpu'] as const;

/** Each criterion's detail, worded from what was measured (English; report/i18n.ts has the others). */
export type DetailWords = Record<CriterionResult['id'], (m: Measured) => string>;

export const CRITERION_DETAIL: DetailWords = {
  'sessions-held': (m) =>
    `${m.sessions} sessions for ${fmt(m.minutes)} min: ${m.abnormal} abnormal ends, uptime ${fmt(m.uptimePct)}%${m.stoppedEarly ? ' (run stopped early)' : ''}`,
  'reconnect-rate': (m) =>
    m.interrupted === 0
      ? 'no network interruption in these runs'
      : `${m.recoveredWithin}/${m.interrupted} = ${fmt(m.reconnectPct)}% usable within ${m.reconnectWithinS} s (need >= ${m.reconnectNeedPct}%)`,
  memory: (m) => `RSS peak ${fmt(m.rssPeakMb)} MB (need < ${m.rssLimitMb} MB)`,
  cpu: (m) => `CPU ${fmt(m.cpuPct, 2)}% of one core (need < ${m.cpuLimitPct}%)`,
};

export interface ReasonWords {
  crashes: (n: number, examples: string) => string;
  manyFailed: (pct: string, withinS: number) => string;
  allPass: string;
  notMeasured: (detail: string) => string;
  stableBut: string;
}

export const REASON_WORDS: ReasonWords = {
  crashes: (n, examples) => `crashes or session collapse: ${n} abnormal end(s) (${examples})`,
  manyFailed: (pct, s) => `many failed reconnects: only ${pct}% of interruptions recovered within ${s} s`,
  allPass: 'every measured success criterion passes',
  notMeasured: (d) => `not measured: ${d}`,
  stableBut: 'stable (no abnormal end), but:',
};

/** Why a verdict is what it is, in `words`, each criterion's detail from `detail`: the decision table's rows of the plan. */
export function reasonsOf(j: Omit<Judged, 'reasons'>, words: ReasonWords, detail: (id: CriterionResult['id']) => string): string[] {
  const m = j.measured;
  if (m.abnormal > 0) return [words.crashes(m.abnormal, `${j.crashes.slice(0, 3).join('; ')}${j.crashes.length > 3 ? '; ...' : ''}`)];
  if (j.outcome === 'failure') return [words.manyFailed(fmt(m.reconnectPct), m.reconnectWithinS)];
  if (j.outcome === 'success') return [words.allPass, ...j.criteria.filter((x) => x.tick === 'not-measured').map((x) => words.notMeasured(detail(x.id)))];
  return [words.stableBut, ...j.criteria.filter((x) => x.tick === 'fail').map((x) => detail(x.id))];
}

export function judge(input: JudgeInput, c: Criteria): Judged {
  const ms = input.metrics;
  const abnormal = ms.reduce((a, m) => a + m.abnormalEnds, 0);
  const interrupted = ms.reduce((a, m) => a + m.reconnect.interrupted, 0);
  const within = ms.reduce((a, m) => a + m.reconnect.recoveredWithin, 0);
  const ratePct = interrupted === 0 ? Number.NaN : (within / interrupted) * 100;
  const rssPeak = Math.max(...ms.map((m) => m.rssMb.peak));
  const cpu = Math.max(...ms.map((m) => m.cpuPct));
  const uptime = Math.min(...ms.map((m) => m.uptimePct));
  const measured: Measured = {
    sessions: input.sessions,
    minutes: input.durationS / 60,
    abnormal,
    uptimePct: uptime,
    stoppedEarly: input.partial,
    interrupted,
    recoveredWithin: within,
    reconnectPct: ratePct,
    reconnectWithinS: c.reconnectWithinMs / 1000,
    reconnectNeedPct: c.reconnectSuccessPct,
    rssPeakMb: rssPeak,
    rssLimitMb: c.rssLimitMb,
    cpuPct: cpu,
    cpuLimitPct: c.cpuLimitPct,
  };
  const tick = (id: CriterionResult['id']): Tick => {
    switch (id) {
      case 'sessions-held':
        return input.partial ? 'not-measured' : abnormal === 0 ? 'pass' : 'fail';
      case 'reconnect-rate':
        return interrupted === 0 ? 'not-measured' : ratePct >= c.reconnectSuccessPct ? 'pass' : 'fail';
      case 'memory':
        return Number.isFinite(rssPeak) ? (rssPeak < c.rssLimitMb ? 'pass' : 'fail') : 'not-measured';
      case 'cpu':
        return Number.isFinite(cpu) ? (cpu < c.cpuLimitPct ? 'pass' : 'fail') : 'not-measured';
    }
  };
  const criteria: CriterionResult[] = CRITERIA_IDS.map((id) => ({ id, tick: tick(id), detail: CRITERION_DETAIL[id](measured) }));
  const crashes = ms.flatMap((m) => m.abnormal).slice(0, 4);
  let outcome: Outcome;
  if (abnormal > 0) outcome = 'failure';
  else if (interrupted > 0 && ratePct < MANY_FAILED_RECONNECTS_PCT) outcome = 'failure';
  else if (criteria.every((x) => x.tick !== 'fail')) outcome = 'success';
  else outcome = 'partial';
  const judged = { criteria, outcome, measured, crashes, reasons: [] as string[] };
  judged.reasons = reasonsOf(judged, REASON_WORDS, (id) => CRITERION_DETAIL[id](measured));
  return judged;
}
