/**
 * bench:compare: the Rust-vs-JS decision in one command. The same workloads run on every
 * contender, each in its own measured worker process, as paired trials: round i runs every
 * contender once, in ABBA order, so drift of the machine hits each alike. Every figure is the
 * median of its trials with an interval, every ratio rust/ssh2 a bootstrap interval over the
 * pairs, and the plan's criteria and the team's targets are judged on those intervals: pass,
 * fail, or undecided with the trials that would likely settle it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { PLAN_DEFAULTS, RUST_TUNING_DEFAULTS } from '../core/defaults.js';
import type { Contender } from '../core/errors.js';
import type { SessionOptions } from '../core/contract.js';
import { LabProcess } from '../lab/process.js';
import { portableStreamCommand } from '../lab/stream.js';
import { sessionOptions, streamCommand, type TargetInfo } from '../lab/target.js';
import { computeRun, resourceFigures } from '../metrics/compute.js';
import { difference, halfWidth, type Interval, judgeLimit, median, medianInterval, pairedRatio, proportionInterval } from '../metrics/intervals.js';
import { quantile } from '../metrics/stats.js';
import { figure as fmt } from '../report/format.js';
import { detectGraceMs } from '../report/model.js';
import { inventorySessionOptions } from '../runner/inventory.js';
import { describeTarget, type FaultMode, type SpikeOptions, type TargetChoice } from '../runner/options.js';
import type { RunRecord } from '../record/record.js';
import { runOne } from '../runner/run.js';
import type { RunPlan } from '../runner/timeline.js';
import { compressedPolicy, SCENARIOS, type ScenarioId } from '../scenarios/index.js';
import { type Attribution, PerfSampler } from './attribute.js';
import { type Hog, startHog } from './hog.js';
import { ssh2NativeCrypto } from '../core/ssh2/binding.js';
import type { BulkResult, FloorResult, LatencyResult } from './protocol.js';
import { runTask } from './run-task.js';
import { type AppProcess, UI_ARCHITECTURES, type UiArchitecture, type UiPathResult } from './ui-path.js';
import { UI_TRANSPORTS, type UiTransport } from '../ui/host.js';

export const COMPARE_SCHEMA = 'ssh-spike/compare@1';

/** A figure the decision weighs (see bench/policy.json, whose `about` says how). */
export interface PolicyFigure {
  key: string;
  name: string;
  weight: number;
  /** The smallest ratio distance from 1 that matters (0.1: 10% better or worse). */
  minEffect: number;
  /**
   * The smallest absolute difference between the two cores' medians that matters, in the figure's
   * own unit (ms, MB, % of a core): 0.2 ms of echo is 20% of 1 ms and still nothing a user sees.
   */
  minAbsolute?: number;
  lowerIsBetter?: boolean;
}

export interface DecisionPolicy {
  policy: string;
  version: number;
  about?: string;
  /** A ratio within this of 1 is no difference at all, even when its interval excludes 1 (benchstat's ~). */
  noise: number;
  /** The lead in score an answer needs. */
  decisive: number;
  /** The policy's choice when neither core leads by `decisive`. */
  onTie: 'rust' | 'ssh2' | 'none';
  figures: PolicyFigure[];
  /** Where it was read from (set when loaded). */
  source?: string;
}

/** Reads and checks a decision policy; a bad one fails with what to fix. */
export function parsePolicy(text: string, source: string): DecisionPolicy {
  const bad = (what: string) => new Error(`policy ${source}: ${what}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw bad(`not JSON (${(err as Error).message})`);
  }
  const p = raw as Record<string, unknown>;
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw bad('must be a JSON object');
  if (typeof p.policy !== 'string' || !p.policy) throw bad("'policy' must name the policy");
  if (!Number.isInteger(p.version)) throw bad("'version' must be an integer");
  const num = (k: string, lo: number, hi: number) => {
    const v = p[k];
    if (typeof v !== 'number' || !(v >= lo && v <= hi)) throw bad(`'${k}' must be a number from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
    return v;
  };
  const noise = num('noise', 0, 0.5);
  const decisive = num('decisive', 0, 1000);
  if (!['rust', 'ssh2', 'none'].includes(p.onTie as string)) throw bad(`'onTie' must be "rust", "ssh2" or "none", got ${JSON.stringify(p.onTie)}`);
  if (!Array.isArray(p.figures) || p.figures.length === 0) throw bad("'figures' must be a non-empty list");
  const figures = p.figures.map((f: Record<string, unknown>, i: number): PolicyFigure => {
    const at = `figures[${i}]`;
    if (!f || typeof f !== 'object') throw bad(`${at} must be an object`);
    if (typeof f.key !== 'string' || !/^[\w.@${}/-]+$/.test(f.key))
      throw bad(`${at}.key must name a figure such as "resources.cpuPct", got ${JSON.stringify(f.key)}`);
    if (typeof f.name !== 'string' || !f.name) throw bad(`${at}.name must say what the figure is`);
    if (typeof f.weight !== 'number' || !(f.weight >= 0)) throw bad(`${at}.weight must be a number >= 0, got ${JSON.stringify(f.weight)}`);
    if (typeof f.minEffect !== 'number' || !(f.minEffect >= 0 && f.minEffect < 1))
      throw bad(`${at}.minEffect must be a number from 0 to 1 (0.1: 10%), got ${JSON.stringify(f.minEffect)}`);
    if (f.lowerIsBetter !== undefined && typeof f.lowerIsBetter !== 'boolean') throw bad(`${at}.lowerIsBetter must be true or false`);
    if (f.minAbsolute !== undefined && (typeof f.minAbsolute !== 'number' || !(f.minAbsolute >= 0)))
      throw bad(`${at}.minAbsolute must be a number >= 0 (in the figure's unit), got ${JSON.stringify(f.minAbsolute)}`);
    const known = ['key', 'name', 'weight', 'minEffect', 'minAbsolute', 'lowerIsBetter'];
    for (const k of Object.keys(f)) if (!known.includes(k)) throw bad(`${at}: unknown field '${k}' (known: ${known.join(', ')})`);
    return {
      key: f.key,
      name: f.name,
      weight: f.weight,
      minEffect: f.minEffect,
      ...(typeof f.minAbsolute === 'number' ? { minAbsolute: f.minAbsolute } : {}),
      ...(f.lowerIsBetter === false ? { lowerIsBetter: false } : {}),
    };
  });
  return {
    policy: p.policy,
    version: p.version as number,
    ...(typeof p.about === 'string' ? { about: p.about } : {}),
    noise,
    decisive,
    onTie: p.onTie as DecisionPolicy['onTie'],
    figures,
    source,
  };
}

/** The repo's policy (bench/policy.json), or the file given. */
export function loadPolicy(path?: string): DecisionPolicy {
  const url = path ? undefined : new URL('../../bench/policy.json', import.meta.url);
  const source = path ?? 'bench/policy.json';
  let text: string;
  try {
    text = readFileSync(url ?? path!, 'utf8');
  } catch (err) {
    throw new Error(`policy ${source}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parsePolicy(text, source);
}

/** A criterion of the plan for one contender; `pass` null with `undecided`: its interval straddles the limit. */
export interface PlanRow {
  criterion: string;
  value: string;
  pass: boolean | null;
  undecided?: boolean;
}

/** One figure of the policy as this run measured it. */
export interface DecisionRow extends PolicyFigure {
  ratio: Interval | null;
  /** Which core is better on it, '~' for no difference that counts, or not measured in this run. */
  better: 'rust' | 'ssh2' | '~' | 'not measured';
}

export interface Decision {
  policy: { policy: string; version: number; source: string | undefined; decisive: number; onTie: DecisionPolicy['onTie'] };
  rows: DecisionRow[];
  score: { rust: number; ssh2: number };
  /** rust, ssh2, or none (no decisive difference and no choice on a tie, or neither meets the plan). */
  choice: 'rust' | 'ssh2' | 'none';
  /** The answer in a few words, the same for runs that answer alike (the page's coloured verdict). */
  verdict: string;
  /** How the verdict was reached: a core chosen on the figures, on a tie, or neither meeting the plan. */
  kind: 'decided' | 'tie' | 'neither';
}

export interface CompareOptions {
  contenders: Contender[];
  quick: boolean;
  /** Paired trials per section and contender (ABBA order): the least each section runs. */
  trials: number;
  /**
   * Sections whose weighted figures (the policy's) have a ratio interval wider than +/-
   * `halfWidth` of its median run more rounds, up to this many (the short sections, throughput
   * and latency, up to this and their two extra pairs). Absent in records of older runs, and equal
   * to `trials` when more rounds are off: every section ran its fixed count.
   */
  maxTrials?: number;
  /** The relative half-width that stops a section adding rounds (0.1: +/-10%). */
  halfWidth?: number;
  /**
   * Paired trials of the sections whose trials take seconds (throughput, latency): more pairs
   * there narrow their intervals for little time (absent in records of older runs: `trials`).
   */
  shortTrials?: number;
  /** What the whole run is meant to take; the phases below are its shares split among the trials. */
  budgetMs: number;
  /** Length of one stability trial, per contender. */
  phaseMs: number;
  /** The measured window of one resource trial, per contender. */
  resourcePhaseMs: number;
  /**
   * What runs before that window in each resource trial, not measured: a fresh client process
   * takes this long to reach its steady state (ssh2's JIT and heap settle within about 40 s here).
   * Absent in records of older runs: a quarter of the phase, which measured start-up.
   */
  resourceWarmupMs?: number;
  scalePhaseMs: number;
  /** Bytes of one bulk transfer; null: sized by time (`bulkSeconds` at the core's own rate). */
  bulkBytes: number | null;
  bulkSeconds: number;
  /** How figures become the answer (bench/policy.json unless --policy names another). */
  policy: DecisionPolicy;
  ciphers: string[];
  scaleSizes: number[];
  sessions: number;
  kex: string;
  /** Cipher of every section but throughput. */
  cipher: string;
  seed: number;
  /** The servers every section runs against: the embedded lab, OpenSSH on loopback, or an inventory. */
  target: TargetChoice;
  /** How the stability section's faults are made: the lab's proxy, or iptables in namespaces. */
  faults: FaultMode;
  /** Sample one extra resource trial and one bulk transfer per core with perf, grouped by where the time goes. */
  attribute?: boolean;
  /** Run a CPU hog on the other core during the throughput and resource sections. */
  busy: boolean;
  /**
   * The paths to the UI stand-in measured (`arch/transport`, e.g. main/ipc); empty: the section is
   * off (absent in records of older runs).
   */
  uiPaths?: UiPathName[];
  /** The measured window of one UI-path load trial (a quarter more runs before it as warm-up). */
  uiPhaseMs?: number;
  /**
   * Session counts of the UI-path load: the plan's (`sessions`, with the flood) and any more, each
   * figured under `ui.<path>@<n>` (absent in records of older runs: the plan's alone).
   */
  uiSessions?: number[];
}

/**
 * A path to the UI: where the core runs (main or utility process) / how the UI is reached (ipc or
 * port); or `direct/socket`, the Rust core writing to the UI's socket itself, which the ssh2 core
 * cannot: there the ssh2 core runs its own nearest path, main/ipc, in the same rounds.
 */
export type UiPathName = `${Exclude<UiArchitecture, 'direct'>}/${UiTransport}` | 'direct/socket';
export const UI_PATH_NAMES: UiPathName[] = [
  ...UI_ARCHITECTURES.filter((a) => a !== 'direct').flatMap((a) => UI_TRANSPORTS.map((t): UiPathName => `${a}/${t}`)),
  'direct/socket',
];

/** The key of a UI path's figures: the path at the plan's session count, `path@n` at another. */
export function uiKey(path: UiPathName, sessions: number, planSessions: number): string {
  return sessions === planSessions ? path : `${path}@${sessions}`;
}

/** Where a core runs on a path, and how the UI is reached. */
export function uiRoute(path: UiPathName, core: Contender): { arch: UiArchitecture; transport: UiTransport } | undefined {
  if (path !== 'direct/socket') {
    const [arch, transport] = path.split('/') as [UiArchitecture, UiTransport];
    return { arch, transport };
  }
  if (core === 'rust') return { arch: 'direct', transport: 'ipc' };
  if (core === 'ssh2') return { arch: 'main', transport: 'ipc' };
  return undefined;
}
/** The flow-control flood: 4 MB into a UI drawing 2 MB/s, so the server is about 2 s ahead of it. */
const UI_FLOW = { lines: 40_000, drawBytesPerS: 2_000_000 };
/** Lines of one UI flood (100 bytes each; fewer with --quick). */
const UI_FLOOD_LINES = { full: 1_000_000, quick: 200_000 };

/** Same algorithms everywhere so figures compare the libraries, not their defaults. */
function policy(o: CompareOptions): Partial<SessionOptions> {
  return { kex: [o.kex], ciphers: [o.cipher] };
}

type PerCore<T> = Partial<Record<Contender, T>>;

export interface StabilityFigures {
  scenarios: { scenario: ScenarioId; interrupted: number; recovered: number; p50S: number; p95S: number }[];
  recovered: number;
  interrupted: number;
  abnormalEnds: number;
  compression: number;
}

export interface ResourceFigures {
  cpuPct: number;
  rssPeakMb: number;
  rssMeanMb: number;
  /** Keystroke echo p95 measured during the load (a probe per session every second); null: none answered. */
  echoP95Ms?: number | null;
  /**
   * What the trial's workload did, so a trial whose figures look odd can be told from one whose
   * workload did not run: echo times behind `echoP95Ms` (at most 1,000 per sample), stream lines
   * received over the whole trial, and lines missing, reordered or corrupt.
   */
  echoSamples?: number;
  streamLines?: number;
  linesLost?: number;
}

export interface BoundaryFigures {
  crossingsPerS: number | null;
  bytesPerCrossing: number | null;
  eldP99Ms: number;
  elu: number;
}

export interface ScaleFigures {
  sessions: number;
  connected: number;
  rssMb: number;
  rssPerSessionKb: number;
  cpuPct: number;
  cpuPerSessionPct: number;
}

/** One UI-path trial: the app's CPU and RSS at the plan's load with the UI typing, and a flood. */
export interface UiFigures {
  /** Every process of the app (main, utility, UI), at the plan's load. */
  cpuPct: number;
  rssMb: number;
  /** Per process at the plan's load. */
  processes: AppProcess[];
  /** Keystroke to its echo drawn, seen from the UI. */
  echoP50Ms: number | null;
  echoP95Ms: number | null;
  echoP99Ms: number | null;
  /** One session's stream as fast as it goes, until the UI drew every line. */
  floodMbPerS: number | null;
  floodCpuSPerGb: number | null;
  /** Lines missing, reordered or corrupt in the UI, both workloads. */
  linesLost: number;
  /** Bytes sent to the UI and not yet acked as drawn, at most, during the flood (null: no flood at this session count). */
  floodPeakUnackedBytes: number | null;
}

/**
 * Flow control on one path and core (RISK-4): a flood into a UI that draws slower than the server
 * sends, once a run (a behaviour, not a statistic). With a pause the unacked bytes stay near the
 * gate's high watermark and the sender slows to the UI's pace; without one the pauses asked for are
 * counted unavailable and the bytes wait in the app's memory instead.
 */
export interface UiFlowFigures {
  /** How fast the UI stand-in drew. */
  drawBytesPerS: number;
  bytes: number;
  /** The gate (the relay's, or the utility process's): pauses asked for, and those the core could not make. */
  pauses: number;
  pausesUnavailable: number;
  /** Bytes sent to the UI and not yet acked as drawn, at most (the direct path: on the Rust link). */
  peakUnackedBytes: number;
  /** Bytes waiting in the UI to be drawn, at most. */
  uiPeakQueuedBytes: number;
  /** ms from the command to the last output reaching the relay (null on the direct path); the UI's pace alone needs `bytes / drawBytesPerS`. */
  sendMs: number | null;
  /** ms until the UI drew the last line. */
  drawMs: number;
  linesLost: number;
  /** RSS summed over every process of the app at the end. */
  rssMb: number;
}

export interface Target {
  id: string;
  text: string;
  value: string;
  /** null: not measured, or undecided (see `trialsToSettle`). */
  pass: boolean | null;
  undecided?: boolean;
  /** When undecided: about how many trials would likely settle it. */
  trialsToSettle?: number;
}

/** Every trial's figures, by section and contender, in the order the rounds ran. */
export interface Trials {
  stability: PerCore<StabilityFigures[]>;
  resources: PerCore<ResourceFigures[]>;
  boundary: PerCore<BoundaryFigures[]>;
  throughput: Record<string, PerCore<BulkResult[]>>;
  throughputBusy: Record<string, PerCore<BulkResult[]>>;
  latency: PerCore<LatencyResult[]>;
  scale: Record<string, PerCore<ScaleFigures[]>>;
  /** The resource phase's workload with the server's bytes replayed and no SSH, once a round. */
  workloadFloor?: ResourceFigures[];
  /** The cipher's own cost on this CPU, once per throughput round (it moved by 2x between runs measured once). */
  floor?: FloorResult[];
  /** The paths to the UI, by path name (absent in records of older runs). */
  ui?: Record<string, PerCore<UiFigures[]>>;
}

/** One figure's intervals: each contender's median over its trials, and the paired ratio rust/ssh2. */
export interface FigureIntervals {
  perCore: PerCore<Interval>;
  ratio: Interval | null;
  /** Whether rust differs from ssh2 on it ('~': no difference shown). */
  difference: 'better' | 'worse' | '~';
  lowerIsBetter: boolean;
}

export interface Comparison {
  schema: typeof COMPARE_SCHEMA;
  createdAt: string;
  machine: { cpus: number; node: string; platform: string };
  options: CompareOptions;
  /** What the run measured against, and how its stability faults were made (also in options). */
  target: string;
  faults: FaultMode;
  contenders: Contender[];
  skipped: string[];
  stability: PerCore<StabilityFigures | { skipped: string }>;
  resources: PerCore<ResourceFigures>;
  throughput: Record<string, PerCore<BulkResult>>;
  /** With --busy: the first cipher's transfer again, with the CPU hog running. */
  throughputBusy: Record<string, PerCore<BulkResult>>;
  /** The resource phase's workload alone (the server's bytes replayed into it, no SSH): medians with intervals. */
  workloadFloor?: { cpuPct: Interval; rssPeakMb: Interval } | null;
  /** The cipher's own cost on this CPU (no SSH, no socket, no JS hop), measured in this run. */
  floor: FloorResult | null;
  latency: PerCore<LatencyResult>;
  scale: Record<string, PerCore<ScaleFigures>>;
  boundary: PerCore<BoundaryFigures>;
  /** The paths to the UI stand-in (RISK-4), by path name. */
  ui?: Record<string, PerCore<UiFigures>>;
  /** Flow control under a UI slower than the server, by path name (absent in records of older runs). */
  uiFlow?: Record<string, PerCore<UiFlowFigures>>;
  /** What each figure above is the median of. */
  trials: Trials;
  /**
   * Per section that may add rounds: how many it ran, its limit, and the weighted figures still
   * wider than the target when it stopped (empty: all within). Absent in records of older runs.
   */
  rounds?: Record<string, SectionRounds>;
  /** Ratios rust/ssh2: the geometric mean of the paired trials' ratios. */
  ratios: Record<string, number | null>;
  intervals: Record<string, FigureIntervals>;
  plan: PerCore<PlanRow[]>;
  /** What every session ran in each section, in the words `spike` reports use (the same code). */
  workloads: Record<string, string[]>;
  /** With --attribute: each core's CPU samples by group (% of the samples), per measured phase. */
  attribution?: Record<string, PerCore<Attribution>>;
  /** What each core was tuned with in this run, side by side (the twins' equivalents). */
  settings: PerCore<[string, string][]>;
  decision: Decision | null;
  targets: Target[];
  summary: string[];
}

export interface SectionRounds {
  ran: number;
  max: number;
  /** Weighted figures whose interval was still wider than +/- the target, with their half-width. */
  wide: { key: string; halfWidth: number }[];
}

/**
 * The policy's figures under `prefixes` whose paired ratio interval, over the trials so far, is
 * wider than +/- `target` of its median (two pairs at least; fewer have no interval). Computed on
 * a copy of the comparison by the same code as the report, so the figures that stop a section are
 * the ones the report prints.
 */
export function tooWide(
  c: Comparison,
  o: CompareOptions,
  prefixes: string[],
  target: number,
): { weighted: number; wide: { key: string; halfWidth: number }[] } {
  const probe: Comparison = { ...c, intervals: {}, ratios: {}, plan: {}, targets: [], summary: [], decision: null };
  decide(probe, o);
  const rows = (probe.decision?.rows ?? []).filter((r) => prefixes.some((p) => r.key.startsWith(p)));
  const wide = rows
    .filter((r) => r.ratio && r.ratio.n >= 2)
    .map((r) => ({ key: r.key, halfWidth: halfWidth(r.ratio) }))
    .filter((r) => !(r.halfWidth <= target));
  return { weighted: rows.length, wide };
}

export interface CompareHooks {
  say: (line: string) => void;
}

function baseSpike(o: CompareOptions, sessions: number, durationMs: number): SpikeOptions {
  return {
    cores: ['rust', 'ssh2'],
    sessions,
    durationMs,
    load: 'mid',
    repeat: 1,
    topology: 'B',
    target: o.target,
    plan: 'scenario',
    scenario: 'F0',
    out: undefined,
    lang: 'en',
    seed: o.seed,
    echoIntervalMs: 1_000,
    criteria: {
      sessions,
      durationS: durationMs / 1000,
      execPollIntervalMs: PLAN_DEFAULTS.execPollIntervalMs,
      reconnectWithinMs: PLAN_DEFAULTS.reconnectWithinMs,
      reconnectSuccessPct: PLAN_DEFAULTS.reconnectSuccessPct,
      rssLimitMb: PLAN_DEFAULTS.rssLimitMb,
      cpuLimitPct: PLAN_DEFAULTS.cpuLimitPct,
    },
  };
}

/** Alternate the order each time so drift on this shared machine hits every contender alike. */
function order(cs: Contender[], i: number): Contender[] {
  return i % 2 === 0 ? cs : [...cs].reverse();
}

async function stability(o: CompareOptions, core: Contender): Promise<{ fig: StabilityFigures; workloads: string[] }> {
  // Short trials compress the plan's timings more, so every fault fits with room to recover.
  const k = o.phaseMs >= 30_000 ? 4 : 6;
  const d = o.phaseMs;
  const plan: RunPlan = {
    interrupt: 'bench stability',
    compression: k,
    policy: { ...compressedPolicy(k), ...policy(o) },
    faults: (['F1', 'F3', 'F5'] as ScenarioId[]).flatMap((id, i) =>
      SCENARIOS[id].steps.map((step) => ({
        atMs: Math.round((d * (i + 1)) / 4),
        scenario: id,
        occurrence: i + 1,
        step: { ...step, durationMs: Math.max(100, Math.round(step.durationMs / k)) },
      })),
    ),
  };
  // Only this section makes faults, so only it runs in namespaces with --faults kernel.
  const spike: SpikeOptions = { ...baseSpike(o, o.sessions, d), topology: 'A', faults: o.faults };
  const rec = await runOne({ runId: `stability-${core}`, core, repeat: 1, plan, options: spike }, { shouldStop: () => false });
  const m = computeRun(rec, { detectGraceMs: detectGraceMs(rec.policy), reconnectWithinMs: PLAN_DEFAULTS.reconnectWithinMs / k });
  const fig = {
    scenarios: m.interrupts.map((i) => ({ scenario: i.scenario, interrupted: i.interrupted, recovered: i.recoveredWithin, p50S: i.p50S, p95S: i.p95S })),
    recovered: m.interrupts.reduce((a, i) => a + i.recoveredWithin, 0),
    interrupted: m.interrupts.reduce((a, i) => a + i.interrupted, 0),
    abnormalEnds: m.abnormalEnds,
    compression: k,
  };
  return { fig, workloads: rec.workloads ?? [] };
}

/** Echo p95 over the steady state (the probes of the warm-up left out), or over the run for records without per-second echoes. */
function steadyEcho(rec: RunRecord, steady: RunRecord['samples']): { p95Ms: number | null; samples: number } {
  const ms = steady.flatMap((s) => s.echoMs ?? []);
  if (ms.length) return { p95Ms: quantile(ms, 0.95), samples: ms.length };
  return { p95Ms: rec.echo.count > 0 ? rec.echo.p95Ms : null, samples: rec.echo.count };
}

/** A resource trial of one core, or with `replay`, of the workload alone (the server's bytes replayed, no SSH). */
export async function resources(
  o: CompareOptions,
  core: Contender,
  replay = false,
  onWorker?: (pid: number) => void,
): Promise<{ res: ResourceFigures; boundary: BoundaryFigures; workloads: string[] }> {
  const spike: SpikeOptions = {
    ...baseSpike(o, o.sessions, (o.resourceWarmupMs ?? 0) + o.resourcePhaseMs),
    bench: { direct: true, workloads: { stream: true, exec: true, echo: true }, replay },
  };
  const plan: RunPlan = { interrupt: 'None', faults: [], compression: 1, policy: policy(o) };
  const rec = await runOne(
    { runId: replay ? 'resources-floor' : `resources-${core}`, core, repeat: 1, plan, options: spike },
    { shouldStop: () => false, ...(onWorker ? { onWorker } : {}) },
  );
  // The steady state as `spike` defines it (metrics/compute.ts), so the two tools' figures compare.
  const r = resourceFigures(rec, o.resourceWarmupMs);
  const steady = r.steady;
  const crossings = steady.map((s) => s.crossings ?? 0);
  const bytes = steady.map((s) => s.crossingBytes ?? 0);
  const hasCrossings = steady.some((s) => s.crossings !== undefined);
  const totalCrossings = crossings.reduce((a, b) => a + b, 0);
  const echo = steadyEcho(rec, steady);
  return {
    res: {
      cpuPct: r.cpuPct,
      rssPeakMb: r.rssPeakMb,
      rssMeanMb: r.rssMeanMb,
      echoP95Ms: echo.p95Ms,
      echoSamples: echo.samples,
      streamLines: rec.integrity.lines,
      linesLost: rec.integrity.missing + rec.integrity.reordered + rec.integrity.corrupt,
    },
    boundary: {
      crossingsPerS: hasCrossings ? totalCrossings / steady.length : null,
      bytesPerCrossing: hasCrossings && totalCrossings > 0 ? bytes.reduce((a, b) => a + b, 0) / totalCrossings : null,
      eldP99Ms: r.eldP99Ms,
      elu: r.elu,
    },
    workloads: rec.workloads ?? [],
  };
}

const linesLost = (r: UiPathResult) => r.integrity.missing + r.integrity.reordered + r.integrity.corrupt;

/** A UI-path trial's figures: its load, and the flood where the trial ran one. */
function uiFigures(load: UiPathResult, flood?: UiPathResult): UiFigures {
  return {
    cpuPct: load.totalCpuPct,
    rssMb: load.totalRssMb,
    processes: load.processes,
    echoP50Ms: load.echo.count ? load.echo.p50Ms : null,
    echoP95Ms: load.echo.count ? load.echo.p95Ms : null,
    echoP99Ms: load.echo.count ? load.echo.p99Ms : null,
    floodMbPerS: flood?.mbPerS ?? null,
    floodCpuSPerGb: flood?.cpuSPerGb ?? null,
    linesLost: linesLost(load) + (flood ? linesLost(flood) : 0),
    floodPeakUnackedBytes: flood ? flood.relay.peakUnackedBytes : null,
  };
}

/** Connect time allowed per session on top of a scale trial's phase. */
const SCALE_CONNECT_MS_PER_SESSION = 8;

export async function scale(o: CompareOptions, core: Contender, sessions: number): Promise<{ fig: ScaleFigures; workloads: string[] }> {
  // The phase counts from the first connect: time for every session to connect comes on top
  // (ssh2 took about 6 s for 1,000 here), and the steady state starts once they all have.
  const spike: SpikeOptions = {
    ...baseSpike(o, sessions, o.scalePhaseMs + sessions * SCALE_CONNECT_MS_PER_SESSION),
    load: 'low',
    bench: { direct: true, workloads: { stream: true, exec: false, echo: false } },
  };
  const plan: RunPlan = { interrupt: 'None', faults: [], compression: 1, policy: policy(o) };
  const rec = await runOne({ runId: `scale-${sessions}-${core}`, core, repeat: 1, plan, options: spike }, { shouldStop: () => false });
  // RSS at scale: the highest of the steady state (every session up), not of the connecting burst.
  const r = resourceFigures(rec);
  const steady = r.steady;
  const rssMb = steady.length ? Math.max(...steady.map((s) => s.rssMb)) : r.rssPeakMb;
  const cpuPct = r.cpuPct;
  const last = rec.samples.at(-1)?.states ?? {};
  const fig = {
    sessions,
    connected: (last.ready ?? 0) + (last.degraded ?? 0),
    rssMb,
    rssPerSessionKb: (rssMb * 1024) / sessions,
    cpuPct,
    cpuPerSessionPct: cpuPct / sessions,
  };
  return { fig, workloads: rec.workloads ?? [] };
}

export function emptyComparison(o: CompareOptions): Comparison {
  return {
    schema: COMPARE_SCHEMA,
    createdAt: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    options: o,
    target: describeTarget(o.target),
    faults: o.faults,
    contenders: o.contenders,
    skipped: [],
    stability: {},
    resources: {},
    throughput: {},
    throughputBusy: {},
    floor: null,
    latency: {},
    scale: {},
    boundary: {},
    trials: { stability: {}, resources: {}, boundary: {}, throughput: {}, throughputBusy: {}, latency: {}, scale: {} },
    ratios: {},
    intervals: {},
    plan: {},
    workloads: {},
    settings: coreSettings(),
    decision: null,
    targets: [],
    summary: [],
  };
}

/** The ssh2 crypto row of a run whose ssh2 had no native binding (records before 2026-12-06 say so too). */
export const SSH2_FALLBACK_CRYPTO = 'node:crypto (no native binding built)';

/** Whether a comparison's ssh2 ran on its fallback crypto, by the settings it recorded. */
export function ranWithoutSsh2Binding(c: Pick<Comparison, 'settings'>): boolean {
  return c.settings.ssh2?.some(([k, v]) => k === 'crypto' && v === SSH2_FALLBACK_CRYPTO) ?? false;
}

/**
 * Each core's tuning, as the same rows where the libraries have an equivalent. ssh2 fixes its
 * channel window and packet size (read from ssh2 itself) and has no boundary to batch across.
 */
export function coreSettings(): PerCore<[string, string][]> {
  const t = RUST_TUNING_DEFAULTS;
  const kib = (n: number) => `${Math.round(n / 1024)} KiB`;
  const req = createRequire(import.meta.url);
  let ssh2: { MAX_WINDOW?: number; PACKET_SIZE?: number; binding?: boolean } = {};
  try {
    const ch = req('ssh2/lib/Channel.js') as { MAX_WINDOW: number; PACKET_SIZE: number };
    ssh2 = { MAX_WINDOW: ch.MAX_WINDOW, PACKET_SIZE: ch.PACKET_SIZE, binding: ssh2NativeCrypto() };
  } catch {
    // an ssh2 without these internals: the rows say unknown
  }
  const threads = Number(process.env.SSH_CORE_THREADS) || 1;
  return {
    rust: [
      ['TCP_NODELAY', 'on'],
      ['channel window granted', kib(t.windowBytes)],
      ['largest packet accepted', kib(t.maxPacketBytes)],
      ['crypto', 'aws-lc (russh)'],
      ['threads', `${threads} runtime thread${threads === 1 ? '' : 's'} + the JS thread`],
      [
        'batching',
        `${t.coalesceMs} ms grid for busy channels, at most ${kib(t.coalesceBytes)}; a channel quiet for ${t.coalesceMs} ms, or written to, delivers at once`,
      ],
      ['JS wake-ups', `one per drain, at least ${t.wakeIntervalMs} ms apart while carrying data`],
      ['channel queue', `${t.channelBuffer} messages`],
      ['bytes to JS', t.externalBuffers ? 'chunks of 8 KiB and up uncopied, smaller ones copied into one Buffer per wake-up' : 'copied'],
    ],
    ssh2: [
      ['TCP_NODELAY', 'on'],
      ['channel window granted', ssh2.MAX_WINDOW ? `${kib(ssh2.MAX_WINDOW)} (fixed by ssh2)` : 'unknown'],
      ['largest packet accepted', ssh2.PACKET_SIZE ? `${kib(ssh2.PACKET_SIZE)} (fixed by ssh2)` : 'unknown'],
      ['crypto', ssh2.binding === undefined ? 'unknown' : ssh2.binding ? "ssh2's native binding (OpenSSL)" : SSH2_FALLBACK_CRYPTO],
      ['threads', 'the JS thread'],
      ['batching', 'none: a data event per packet as ssh2 decrypts it (no boundary to batch across)'],
      ['JS wake-ups', 'one per socket read'],
      ['channel queue', ssh2.MAX_WINDOW ? `stream highWaterMark ${kib(ssh2.MAX_WINDOW)}` : 'unknown'],
      ['bytes to JS', 'Buffers from the decipher'],
    ],
  };
}

/**
 * The one server of the throughput and latency sections: the embedded lab's, an OpenSSH server on
 * loopback, or an inventory's first host (which the run does not start or stop).
 */
async function benchServer(t: TargetChoice): Promise<{ session: SessionOptions; info?: TargetInfo; stop: () => Promise<void> }> {
  if (t.kind === 'inventory') return { session: inventorySessionOptions(t.inventory.hosts[0]!), stop: async () => {} };
  const lab = await LabProcess.start({ maxLifetimeMs: 30 * 60_000, ...(t.kind === 'openssh' ? { targets: [{ kind: 'openssh', host: '127.0.0.1' }] } : {}) });
  const info = lab.targets[0]?.info ?? lab.info;
  return { session: sessionOptions(info), info, stop: () => lab.stop() };
}

function push<T>(per: PerCore<T[]>, core: Contender, value: T): void {
  (per[core] ??= []).push(value);
}

export async function runComparison(o: CompareOptions, hooks: CompareHooks): Promise<Comparison> {
  const c = emptyComparison(o);
  const T = c.trials;
  const cs = o.contenders;
  const k = o.trials;
  // Round i runs each contender once; the order flips every round (ABBA), section after section.
  const short = o.shortTrials ?? k;
  let turn = 0;
  const rounds = async (fn: (core: Contender) => Promise<void>, n = k) => {
    for (let i = 0; i < n; i++) for (const core of order(cs, turn++)) await fn(core);
  };
  // A section whose weighted figures are still too wide after its trials adds rounds, one at a
  // time, up to its limit (fixed rules, stated in the report: at least k, at most the limit, stop
  // once every weighted ratio of the section is within +/- the target).
  const maxK = Math.max(k, o.maxTrials ?? k);
  const target = o.halfWidth ?? Number.POSITIVE_INFINITY;
  c.rounds = {};
  const untilNarrow = async (section: string, prefixes: string[], ran: number, max: number, round: () => Promise<void>) => {
    const first = tooWide(c, o, prefixes, target);
    if (first.weighted === 0) return;
    let wide = first.wide;
    while (wide.length > 0 && ran < max) {
      const why = wide.map((w) => `${w.key} +/-${Number.isFinite(w.halfWidth) ? Math.round(w.halfWidth * 100) : '?'}%`).join(', ');
      hooks.say(`  ${section}: ${why}; round ${ran + 1} of at most ${max}`);
      await round();
      ran++;
      wide = tooWide(c, o, prefixes, target).wide;
    }
    c.rounds![section] = { ran, max, wide };
  };

  hooks.say(`target: ${c.target}; stability faults made by ${o.faults === 'kernel' ? 'iptables in network namespaces' : "the lab's proxy"}`);
  hooks.say(`1/6 stability and reconnect (compressed F1, F3, F5; ${k} trials of ${o.phaseMs / 1000} s each)`);
  await rounds(async (core) => {
    if (core === 'russh-napi') return;
    const r = await stability(o, core);
    push(T.stability, core, r.fig);
    c.workloads.stability ??= r.workloads;
  });
  if (cs.includes('russh-napi')) c.stability['russh-napi'] = { skipped: 'the russh binding has no reconnect manager' };

  // With --busy, a hog spins on the other core while a measured section runs (bounded by time).
  const busy = async <T>(fn: () => Promise<T>): Promise<T> => {
    const hog: Hog | undefined = o.busy ? startHog(30 * 60_000) : undefined;
    try {
      return await fn();
    } finally {
      await hog?.stop();
    }
  };

  hooks.say(
    `2/6 resources (mid PTY load, exec every 5 s, an echo probe a second, keepalive; ${k} trials of ${o.resourcePhaseMs / 1000} s, each after a warm-up of ${(o.resourceWarmupMs ?? 0) / 1000} s, and the workload alone with no SSH once a round${o.busy ? '; the other core busy' : ''})`,
  );
  const resourceRound = async () => {
    for (const core of order(cs, turn++)) {
      const r = await busy(() => resources(o, core));
      c.workloads.resources ??= r.workloads;
      push(T.resources, core, r.res);
      push(T.boundary, core, r.boundary);
    }
  };
  for (let i = 0; i < k; i++) {
    await resourceRound();
    // The workload floor, once a round: the same bytes into the same workload with no SSH.
    (T.workloadFloor ??= []).push((await busy(() => resources(o, 'ssh2', true))).res);
  }
  // Added rounds run the cores alone: the floor's k trials already say what the workload costs.
  await untilNarrow('resources', ['resources.'], k, maxK, resourceRound);
  if (o.attribute) {
    // One more trial per core, not counted in the figures: perf watches its steady state.
    hooks.say('2/6 resources: one more trial per core, sampled by perf (--attribute)');
    const per: PerCore<Attribution> = ((c.attribution ??= {}).resources = {});
    for (const core of cs) {
      let sampler: PerfSampler | undefined;
      let timer: NodeJS.Timeout | undefined;
      await busy(() =>
        resources(o, core, false, (pid) => {
          timer = setTimeout(() => (sampler = PerfSampler.start(pid, (o.resourcePhaseMs * 0.9) / 1000)), o.resourceWarmupMs ?? o.resourcePhaseMs * 0.25);
        }),
      );
      clearTimeout(timer);
      const got = await sampler?.stop();
      if (got) per[core] = got;
    }
  }

  const server = await benchServer(o.target);
  try {
    const session = { ...server.session, kex: [o.kex] } satisfies SessionOptions;
    const size = o.bulkBytes === null ? `about ${o.bulkSeconds} s` : `${(o.bulkBytes / 1e6).toFixed(0)} MB`;
    hooks.say(
      `3/6 throughput (${size} of exec output into JS per trial, ${short} trials; the crypto floor${o.busy ? '; again with the other core busy' : ''})`,
    );
    for (let i = 0; i < short; i++) {
      (T.floor ??= []).push(await runTask({ kind: 'floor', ciphers: o.ciphers, blockBytes: 32 * 1024, seconds: o.quick ? 0.5 : 1.5 }));
    }
    const transferWatched = (core: Contender, cipher: string, onStart?: (pid: number) => void) =>
      runTask({ kind: 'bulk', core, session: { ...session, ciphers: [cipher] }, bytes: o.bulkBytes, seconds: o.bulkSeconds }, onStart);
    const transfer = (core: Contender, cipher: string) => transferWatched(core, cipher);
    for (const cipher of o.ciphers) {
      const per: PerCore<BulkResult[]> = (T.throughput[cipher] = {});
      const round = (n: number) => rounds(async (core) => push(per, core, await transfer(core, cipher)), n);
      await round(short);
      // The policy weighs the main cipher's figures only.
      if (cipher === o.cipher) await untilNarrow('throughput', [`throughput.${cipher}.`], short, maxK + (short - k), () => round(1));
    }
    if (o.attribute) {
      const cipher = o.ciphers[0]!;
      const per: PerCore<Attribution> = ((c.attribution ??= {})[`bulk ${cipher}`] = {});
      for (const core of cs) {
        let sampler: PerfSampler | undefined;
        await transferWatched(core, cipher, (pid) => (sampler = PerfSampler.start(pid, 300)));
        const got = await sampler?.stop();
        if (got) per[core] = got;
      }
    }
    if (o.busy) {
      const cipher = o.ciphers[0]!;
      const per: PerCore<BulkResult[]> = (T.throughputBusy[cipher] = {});
      await rounds(async (core) => push(per, core, await busy(() => transfer(core, cipher))), short);
    }
    c.workloads.throughput = [
      `one session: exec \`head -c <size> /dev/zero\`, every byte counted in JS (after a 1 MB warm-up${o.bulkBytes === null ? ' and a 200 MB transfer that sizes the measured one' : ''})`,
    ];
    // A p95 needs enough samples to be more than the slowest few: the tails of 100 varied by a
    // third from trial to trial here, so the cheap ones get more (a handshake takes 2-10 ms, an
    // exec about 1 ms; keystrokes keep a typist's 50 ms cadence).
    const handshakes = o.quick ? 20 : 200;
    const roundTrips = o.quick ? 40 : 300;
    const keystrokes = o.quick ? 40 : 100;
    c.workloads.latency = [
      `one session at a time: ${handshakes} handshakes (connect, authenticate, close), ${roundTrips} exec \`true\` round trips, ${keystrokes} keystrokes echoed by a shell, 50 ms apart`,
    ];
    hooks.say(`4/6 latency (handshake, exec round trip, keystroke echo; ${short} trials)`);
    const latencyRound = (n: number) =>
      rounds(async (core) => {
        push(
          T.latency,
          core,
          await runTask({
            kind: 'latency',
            core,
            session: { ...session, ciphers: [o.cipher] },
            handshakes,
            roundTrips,
            keystrokes,
          }),
        );
      }, n);
    await latencyRound(short);
    await untilNarrow('latency', ['latency.'], short, maxK + (short - k), () => latencyRound(1));
    if (o.uiPaths?.length) {
      const floodLines = o.quick ? UI_FLOOD_LINES.quick : UI_FLOOD_LINES.full;
      const streamCmd = (rate: 'mid' | 'flood', count: number) =>
        o.target.kind === 'inventory' ? portableStreamCommand(rate, count) : streamCommand(server.info!, rate, count);
      c.workloads.ui = [
        `${o.sessions} sessions, each a PTY shell streaming sequence lines (mid) and an echo shell the UI types a probe key into once a second; the output relayed to the UI stand-in, which checks every line`,
        `flood: one session's stream as fast as it goes (${floodLines.toLocaleString('en')} lines of 100 bytes), until the UI drew every line, drawing as fast as it can`,
        `flow control, once per path and core: ${(UI_FLOW.lines * 100) / 1e6} MB as fast as it goes into a UI drawing ${UI_FLOW.drawBytesPerS / 1e6} MB/s; a gate pauses the shell (the relay's, or on utility/ipc the utility process's own, fed the UI's acks; ssh2 stops reading the channel, the Rust core holds the channel's window)`,
      ];
      if (o.uiPaths.includes('direct/socket')) {
        c.workloads.ui.push(
          "direct/socket: the Rust core writes each shell's output onto the UI process's Unix socket itself and takes the UI's keys from it (no JS hop; control over IPC); the ssh2 core cannot, so in the same rounds it runs its nearest path, main/ipc: that row compares each core's best path",
        );
      }
      const uiTask = (core: Contender, route: NonNullable<ReturnType<typeof uiRoute>>) => ({
        kind: 'ui' as const,
        core,
        session: { ...session, ciphers: [o.cipher] },
        ...route,
      });
      hooks.say(`4b/6 the path to the UI (${o.uiPaths.join(', ')}; ${k} trials of ${(o.uiPhaseMs ?? 0) / 1000} s and a flood each)`);
      for (const path of o.uiPaths) {
        const per: PerCore<UiFigures[]> = ((T.ui ??= {})[path] = {});
        const uiRound = (n: number) =>
          rounds(async (core) => {
            const route = uiRoute(path, core);
            if (!route) return;
            const base = { ...uiTask(core, route), floodLines };
            const load = await runTask({
              ...base,
              workload: 'load',
              sessions: o.sessions,
              seconds: (o.uiPhaseMs ?? 8000) / 1000,
              streamCommand: `${streamCmd('mid', 0)}\r`,
            });
            const flood = await runTask({ ...base, workload: 'flood', sessions: 1, seconds: 60, streamCommand: `${streamCmd('flood', floodLines)}\r` });
            push(per, core, uiFigures(load, flood));
          }, n);
        await uiRound(k);
        await untilNarrow(`ui ${path}`, [`ui.${path}.`], k, maxK, () => uiRound(1));
      }
      // The same load at more sessions (--ipc-sessions), without the flood (one session either way).
      for (const n of (o.uiSessions ?? []).filter((x) => x !== o.sessions)) {
        hooks.say(`4b/6 the path to the UI at ${n} sessions (${o.uiPaths.join(', ')}; ${k} trials of ${(o.uiPhaseMs ?? 0) / 1000} s)`);
        for (const path of o.uiPaths) {
          const per: PerCore<UiFigures[]> = ((T.ui ??= {})[uiKey(path, n, o.sessions)] = {});
          await rounds(async (core) => {
            const route = uiRoute(path, core);
            if (!route) return;
            const load = await runTask({
              ...uiTask(core, route),
              floodLines,
              workload: 'load',
              sessions: n,
              seconds: (o.uiPhaseMs ?? 8000) / 1000,
              streamCommand: `${streamCmd('mid', 0)}\r`,
            });
            push(per, core, uiFigures(load));
          });
        }
      }
      hooks.say(
        `4b/6 flow control: a flood of ${(UI_FLOW.lines * 100) / 1e6} MB into a UI drawing ${UI_FLOW.drawBytesPerS / 1e6} MB/s, once per path and core`,
      );
      for (const path of o.uiPaths) {
        const per: PerCore<UiFlowFigures> = ((c.uiFlow ??= {})[path] = {});
        for (const core of cs) {
          const route = uiRoute(path, core);
          if (!route) continue;
          const r = await runTask({
            ...uiTask(core, route),
            workload: 'flood',
            sessions: 1,
            seconds: 60,
            streamCommand: `${streamCmd('flood', UI_FLOW.lines)}\r`,
            floodLines: UI_FLOW.lines,
            drawBytesPerS: UI_FLOW.drawBytesPerS,
          });
          per[core] = {
            drawBytesPerS: UI_FLOW.drawBytesPerS,
            bytes: r.bytesDrawn,
            pauses: r.relay.pauses,
            pausesUnavailable: r.relay.pausesUnavailable,
            peakUnackedBytes: r.relay.peakUnackedBytes,
            uiPeakQueuedBytes: r.uiPeakQueuedBytes,
            sendMs: r.floodSendMs,
            drawMs: r.windowMs,
            linesLost: linesLost(r),
            rssMb: r.totalRssMb,
          };
        }
      }
    }
  } finally {
    await server.stop();
  }

  hooks.say(`5/6 scale (${o.scaleSizes.join(' / ')} sessions, low load; ${k} trials of ${o.scalePhaseMs / 1000} s)`);
  for (const n of o.scaleSizes) {
    const per: PerCore<ScaleFigures[]> = (T.scale[n] = {});
    const scaleRound = (m: number) =>
      rounds(async (core) => {
        const r = await scale(o, core, n);
        c.workloads.scale ??= r.workloads;
        push(per, core, r.fig);
      }, m);
    await scaleRound(k);
    await untilNarrow(`scale ${n}`, [`scale.${n}.`], k, maxK, () => scaleRound(1));
  }
  hooks.say('6/6 boundary cost (from the resource phase)');

  decide(c, o);
  return c;
}

/** The most trials of any section and contender in `trials` (arrays of trials, nested in records). */
function longestSeries(x: unknown): number {
  if (Array.isArray(x)) return x.length;
  if (x && typeof x === 'object') return Math.max(0, ...Object.values(x).map(longestSeries));
  return 0;
}

/**
 * The median of each numeric field over the trials (recursively for nested figures); other
 * fields come from the first trial. A field that is null in some trials is the median of the rest.
 */
export function medianOf<T>(xs: readonly T[]): T | undefined {
  const first = xs[0];
  if (first === undefined || first === null || typeof first !== 'object') return first;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(first)) {
    const values = xs.map((x) => (x as Record<string, unknown>)[key]);
    const present = values.filter((v) => v !== null && v !== undefined);
    if (present.length > 0 && present.every((v) => typeof v === 'number')) out[key] = median(present as number[]);
    else if (present.length > 0 && present.every((v) => typeof v === 'object' && !Array.isArray(v))) out[key] = medianOf(present);
    else out[key] = (first as Record<string, unknown>)[key];
  }
  return out as T;
}

/** Stability trials pooled: counts add up, times are medians. */
function pooledStability(xs: readonly StabilityFigures[]): StabilityFigures | undefined {
  if (xs.length === 0) return undefined;
  const ids = [...new Set(xs.flatMap((x) => x.scenarios.map((s) => s.scenario)))];
  return {
    scenarios: ids.map((scenario) => {
      const of = xs.flatMap((x) => x.scenarios.filter((s) => s.scenario === scenario));
      return {
        scenario,
        interrupted: of.reduce((a, s) => a + s.interrupted, 0),
        recovered: of.reduce((a, s) => a + s.recovered, 0),
        p50S: median(of.map((s) => s.p50S)),
        p95S: median(of.map((s) => s.p95S)),
      };
    }),
    recovered: xs.reduce((a, x) => a + x.recovered, 0),
    interrupted: xs.reduce((a, x) => a + x.interrupted, 0),
    abnormalEnds: xs.reduce((a, x) => a + x.abnormalEnds, 0),
    compression: xs[0]!.compression,
  };
}

/** The per-contender figures of the report: medians of the trials (pooled counts for stability). */
export function summarize(c: Comparison): void {
  const T = c.trials;
  const each = <A, B>(per: PerCore<A[]>, f: (xs: A[]) => B | undefined): PerCore<B> => {
    const out: PerCore<B> = {};
    for (const [core, xs] of Object.entries(per) as [Contender, A[]][]) {
      const v = f(xs);
      if (v !== undefined) out[core] = v;
    }
    return out;
  };
  c.stability = { ...each(T.stability, pooledStability), ...Object.fromEntries(Object.entries(c.stability).filter(([, v]) => v && 'skipped' in v)) };
  c.resources = each(T.resources, medianOf);
  c.boundary = each(T.boundary, medianOf);
  c.latency = each(T.latency, medianOf);
  c.throughput = Object.fromEntries(Object.entries(T.throughput).map(([k, per]) => [k, each(per, medianOf)]));
  c.throughputBusy = Object.fromEntries(Object.entries(T.throughputBusy).map(([k, per]) => [k, each(per, medianOf)]));
  c.scale = Object.fromEntries(Object.entries(T.scale).map(([k, per]) => [k, each(per, medianOf)]));
  if (T.floor?.length) c.floor = medianOf(T.floor) ?? null;
  if (T.ui) c.ui = Object.fromEntries(Object.entries(T.ui).map(([k, per]) => [k, each(per, medianOf)]));
}

/** A stable seed per figure, so the same trials always give the same intervals. */
function seedOf(key: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The limits of the team's targets for the Rust core, as ratios (issue 10). */
export const TARGETS = {
  cpuMid: 0.7,
  cpuBulk: { 'aes128-gcm@openssh.com': 0.6, 'chacha20-poly1305@openssh.com': 0.8 } as Record<string, number>,
  cpuBulkOther: 0.6,
  /** Rust CPU per GB over the cipher's own cost on this CPU. */
  overFloor: 1.5,
  cpuScale: 0.5,
} as const;

/** What an interval reads as in a report: "0.65 [0.60-0.71]". */
export function showInterval(iv: Interval | null | undefined, digits = 2): string {
  if (!iv || !Number.isFinite(iv.estimate)) return 'n/a';
  if (iv.n < 2) return fmt(iv.estimate, digits);
  const hi = Number.isFinite(iv.hi) ? fmt(iv.hi, digits) : 'inf';
  return `${fmt(iv.estimate, digits)} [${fmt(iv.lo, digits)}-${hi}]`;
}

/**
 * Ratios rust/ssh2, their intervals, the plan's criteria and the targets, and the decision
 * summary, computed from the trials (nothing hand-written).
 */
export function decide(c: Comparison, o: CompareOptions): void {
  summarize(c);
  const T = c.trials;
  const R = c.ratios;
  const k = o.trials;
  // A series as long as the longest section's (sections may have added rounds); a section with
  // fewer trials leaves NaN, which the intervals skip.
  const longest = Math.max(k, o.shortTrials ?? k, longestSeries(T));
  const series = (get: (core: Contender, i: number) => number | null | undefined) => (core: Contender) =>
    Array.from({ length: longest }, (_, i) => get(core, i) ?? Number.NaN);
  const seriesOf: Record<string, (core: Contender) => number[]> = {};
  /** A figure measured per trial: each contender's median interval and the paired ratio rust/ssh2. */
  const figure = (key: string, get: (core: Contender, i: number) => number | null | undefined, lowerIsBetter = true) => {
    const of = series(get);
    seriesOf[key] = of;
    const perCore: PerCore<Interval> = {};
    for (const core of c.contenders) perCore[core] = medianInterval(of(core).filter(Number.isFinite));
    const iv = pairedRatio(of('rust'), of('ssh2'), { seed: seedOf(key, o.seed) });
    const ratio = iv.n > 0 ? iv : null;
    R[key] = ratio ? ratio.estimate : null;
    c.intervals[key] = { perCore, ratio, difference: ratio ? difference(ratio, { noise: o.policy.noise, lowerIsBetter }) : '~', lowerIsBetter };
  };
  figure('resources.cpuPct', (x, i) => T.resources[x]?.[i]?.cpuPct);
  figure('resources.rssPeakMb', (x, i) => T.resources[x]?.[i]?.rssPeakMb);
  figure('resources.echoP95Ms', (x, i) => T.resources[x]?.[i]?.echoP95Ms);
  const floor = T.workloadFloor ?? [];
  if (floor.length) {
    // The workload alone, and each core's CPU above it in the same round (what the core costs).
    c.workloadFloor = { cpuPct: medianInterval(floor.map((f) => f.cpuPct)), rssPeakMb: medianInterval(floor.map((f) => f.rssPeakMb)) };
    figure('resources.coreCpuPct', (x, i) => (floor[i] && T.resources[x]?.[i] ? T.resources[x]![i]!.cpuPct - floor[i]!.cpuPct : null));
  }
  for (const cipher of Object.keys(T.throughput)) {
    const t = T.throughput[cipher]!;
    figure(`throughput.${cipher}.mbPerS`, (x, i) => t[x]?.[i]?.mbPerS, false);
    figure(`throughput.${cipher}.cpuSPerGb`, (x, i) => t[x]?.[i]?.cpuSPerGb);
    figure(`throughput.${cipher}.rssMb`, (x, i) => t[x]?.[i]?.rssMb);
    // Against the floor measured in this run: rust's trial i over floor trial i (records of older
    // runs have one floor, which every trial is then taken over).
    const floors = T.floor?.length ? T.floor : c.floor ? [c.floor] : [];
    for (const [key, field] of [
      ['cpuSPerGbOverFloor', 'cpuSPerGb'],
      ['cpuSPerGbOverSocketFloor', 'socketCpuSPerGb'],
    ] as const) {
      const floorOf = (i: number) => (floors[Math.min(i, floors.length - 1)] ?? null)?.ciphers[cipher]?.[field];
      const over = medianInterval(
        (t.rust ?? [])
          .map((r, i) => {
            const f = floorOf(i);
            return f ? r.cpuSPerGb / f : Number.NaN;
          })
          .filter(Number.isFinite),
      );
      R[`throughput.${cipher}.${key}`] = over.n > 0 ? over.estimate : null;
      c.intervals[`throughput.${cipher}.${key}`] = { perCore: {}, ratio: over.n > 0 ? over : null, difference: '~', lowerIsBetter: true };
    }
  }
  for (const l of ['handshake', 'exec', 'echo'] as const) figure(`latency.${l}.p95Ms`, (x, i) => T.latency[x]?.[i]?.[l].p95Ms);
  for (const [path, per] of Object.entries(T.ui ?? {})) {
    figure(`ui.${path}.cpuPct`, (x, i) => per[x]?.[i]?.cpuPct);
    figure(`ui.${path}.rssMb`, (x, i) => per[x]?.[i]?.rssMb);
    figure(`ui.${path}.echoP95Ms`, (x, i) => per[x]?.[i]?.echoP95Ms);
    figure(`ui.${path}.floodMbPerS`, (x, i) => per[x]?.[i]?.floodMbPerS, false);
    figure(`ui.${path}.floodCpuSPerGb`, (x, i) => per[x]?.[i]?.floodCpuSPerGb);
  }
  for (const cipher of Object.keys(T.throughputBusy)) {
    // How much each core's CPU per GB rose with the other core busy (trial i busy over trial i quiet); rust's rise over ssh2's.
    const busy = T.throughputBusy[cipher]!;
    const quiet = T.throughput[cipher] ?? {};
    figure(`throughputBusy.${cipher}.cpuSPerGb`, (x, i) => busy[x]?.[i]?.cpuSPerGb);
    figure(`throughputBusy.${cipher}.rise`, (x, i) => {
      const b = busy[x]?.[i]?.cpuSPerGb;
      const q = quiet[x]?.[i]?.cpuSPerGb;
      return b !== undefined && q ? b / q : undefined;
    });
  }
  for (const n of Object.keys(T.scale)) {
    figure(`scale.${n}.rssMb`, (x, i) => T.scale[n]![x]?.[i]?.rssMb);
    figure(`scale.${n}.cpuPct`, (x, i) => T.scale[n]![x]?.[i]?.cpuPct);
  }
  figure('boundary.eldP99Ms', (x, i) => T.boundary[x]?.[i]?.eldP99Ms);

  // The plan's criteria, per contender, judged on the interval of the median over the trials:
  // pass when all of it is inside the limit, fail when all of it is outside, else undecided.
  const undecided: string[] = [];
  const limitRow = (core: Contender, criterion: string, key: string, limit: number, unit: string): PlanRow => {
    const iv = c.intervals[key]?.perCore[core];
    if (!iv || iv.n === 0) return { criterion, value: 'not measured', pass: null };
    const j = judgeLimit(iv, limit, 'below');
    if (j.outcome === 'undecided' && core !== 'russh-napi') {
      undecided.push(`${core} ${criterion}: ${showInterval(iv)}${unit}${j.trialsToSettle ? `, about ${j.trialsToSettle} trials would settle it` : ''}`);
    }
    const row: PlanRow = {
      criterion,
      value: `${showInterval(iv)}${unit}${j.outcome === 'undecided' ? ' (undecided)' : ''}`,
      pass: j.outcome === 'pass' ? true : j.outcome === 'fail' ? false : null,
    };
    if (j.outcome === 'undecided') row.undecided = true;
    return row;
  };
  for (const core of c.contenders) {
    const rows: PlanRow[] = [];
    const st = c.stability[core];
    if (st && !('skipped' in st)) {
      rows.push({ criterion: `0 abnormal ends (stability phase)`, value: String(st.abnormalEnds), pass: st.abnormalEnds === 0 });
      // The pooled share of interrupted sessions usable in time, judged on its Wilson interval like the other limits.
      const p = proportionInterval(st.recovered, st.interrupted);
      const pct: Interval = { ...p, estimate: p.estimate * 100, lo: p.lo * 100, hi: p.hi * 100 };
      const criterion = `reconnect >= ${PLAN_DEFAULTS.reconnectSuccessPct}% usable within ${PLAN_DEFAULTS.reconnectWithinMs / 1000} s (compressed x${st.compression}, all trials)`;
      const j = judgeLimit(pct, PLAN_DEFAULTS.reconnectSuccessPct, 'above');
      const row: PlanRow = {
        criterion,
        value: st.interrupted
          ? `${st.recovered}/${st.interrupted} = ${fmt(pct.estimate, 0)}% [${fmt(pct.lo, 0)}-${fmt(pct.hi, 0)}]${j.outcome === 'undecided' ? ' (undecided)' : ''}`
          : 'no session was interrupted',
        pass: j.outcome === 'pass' ? true : j.outcome === 'fail' ? false : null,
      };
      if (j.outcome === 'undecided' && st.interrupted) {
        row.undecided = true;
        if (core !== 'russh-napi') undecided.push(`${core} reconnect: ${row.value}`);
      }
      rows.push(row);
    } else {
      rows.push({ criterion: 'reconnect', value: st && 'skipped' in st ? st.skipped : 'not measured', pass: null });
    }
    if (c.resources[core]) {
      rows.push(limitRow(core, `memory < ${PLAN_DEFAULTS.rssLimitMb} MB (${o.sessions} sessions)`, 'resources.rssPeakMb', PLAN_DEFAULTS.rssLimitMb, ' MB'));
      rows.push(limitRow(core, `CPU < ${PLAN_DEFAULTS.cpuLimitPct}% (${o.sessions} sessions, mid load)`, 'resources.cpuPct', PLAN_DEFAULTS.cpuLimitPct, '%'));
    }
    c.plan[core] = rows;
  }

  // The team's targets for the Rust core (issue 10): each a ratio against the ssh2 core, or the
  // crypto floor, measured in this same run, judged on its interval.
  const T_ = c.targets;
  const target = (id: string, text: string, key: string, limit: number, label = 'ratio') => {
    const iv = c.intervals[key]?.ratio;
    if (!iv) {
      T_.push({ id, text, value: 'not measured', pass: null });
      return;
    }
    const j = judgeLimit(iv, limit, 'below');
    const t: Target = {
      id,
      text,
      value: label === 'x floor' ? `${showInterval(iv)} x floor` : `${label} ${showInterval(iv)}`,
      pass: j.outcome === 'pass' ? true : j.outcome === 'fail' ? false : null,
    };
    if (j.outcome === 'undecided') {
      t.undecided = true;
      if (j.trialsToSettle) t.trialsToSettle = j.trialsToSettle;
    }
    T_.push(t);
  };
  target('cpu-mid', `Rust CPU <= ${TARGETS.cpuMid} x ssh2 on the ${o.sessions}-session mid load`, 'resources.cpuPct', TARGETS.cpuMid);
  for (const cipher of Object.keys(c.throughput)) {
    const limit = TARGETS.cpuBulk[cipher] ?? TARGETS.cpuBulkOther;
    target(`cpu-bulk-${cipher}`, `Rust CPU s/GB <= ${limit} x ssh2 on bulk transfer (${cipher})`, `throughput.${cipher}.cpuSPerGb`, limit);
    if (cipher === o.cipher) {
      target(
        `floor-bulk-${cipher}`,
        `Rust CPU s/GB <= ${TARGETS.overFloor} x the crypto floor (${cipher})`,
        `throughput.${cipher}.cpuSPerGbOverFloor`,
        TARGETS.overFloor,
        'x floor',
      );
    }
  }
  target('rss-bulk', `Rust RSS after the ${o.cipher} transfer <= ssh2`, `throughput.${o.cipher}.rssMb`, 1);
  if (c.intervals[`throughputBusy.${o.cipher}.rise`]) {
    target('busy-rise', "Rust's CPU s/GB rises no more than ssh2's with the other core busy", `throughputBusy.${o.cipher}.rise`, 1, 'rise ratio');
  }
  for (const l of ['handshake', 'exec', 'echo'] as const) {
    target(`${l}-p95`, `Rust ${l === 'echo' ? 'keystroke echo' : l === 'exec' ? 'exec round trip' : 'handshake'} p95 <= ssh2`, `latency.${l}.p95Ms`, 1);
  }
  // Pacing of the Rust core's wake-ups (wakeIntervalMs) may hold output while the pool is busy: this is its cost.
  target('echo-p95-load', 'Rust keystroke echo p95 under the mid load <= ssh2', 'resources.echoP95Ms', 1);
  target('rss', `Rust RSS <= ssh2 (${o.sessions} sessions)`, 'resources.rssPeakMb', 1);
  const bigN = String(Math.max(...o.scaleSizes));
  if (Number(bigN) >= 1000) {
    target('scale-cpu', `Rust CPU <= ${TARGETS.cpuScale} x ssh2 at ${bigN} sessions`, `scale.${bigN}.cpuPct`, TARGETS.cpuScale);
    target('scale-rss', `Rust RSS <= ssh2 at ${bigN} sessions`, `scale.${bigN}.rssMb`, 1);
  }
  const bigTrials = T.scale['1000']?.rust;
  if (bigTrials?.length) {
    const rss = c.intervals['scale.1000.rssMb']?.perCore.rust;
    const j = rss ? judgeLimit(rss, PLAN_DEFAULTS.rssLimitMb, 'below') : { outcome: 'undecided' as const };
    const all = bigTrials.every((t) => t.connected === 1000);
    T_.push({
      id: 'scale-1000',
      text: `Rust holds 1,000 sessions under ${PLAN_DEFAULTS.rssLimitMb} MB RSS`,
      value: `${showInterval(rss, 0)} MB, ${bigTrials.map((t) => t.connected).join('/')} connected`,
      pass: !all ? false : j.outcome === 'pass' ? true : j.outcome === 'fail' ? false : null,
    });
  } else {
    T_.push({ id: 'scale-1000', text: `Rust holds 1,000 sessions under ${PLAN_DEFAULTS.rssLimitMb} MB RSS`, value: 'not measured', pass: null });
  }
  if (c.contenders.includes('russh-napi')) {
    // Paired like every other ratio: a row is lost when rust/russh-napi is worse beyond its interval
    // and the noise threshold, won when better, and open when the interval includes 1.
    const keys: [string, string][] = [
      ['CPU (mid load)', 'resources.cpuPct'],
      [`RSS (${o.sessions} sessions)`, 'resources.rssPeakMb'],
      ...Object.keys(T.throughput).map((k): [string, string] => [`CPU s/GB (${k})`, `throughput.${k}.cpuSPerGb`]),
      ['echo p95', 'latency.echo.p95Ms'],
      ['exec p95', 'latency.exec.p95Ms'],
      ['handshake p95', 'latency.handshake.p95Ms'],
      ...Object.keys(T.scale).map((n): [string, string] => [`RSS at ${n} sessions`, `scale.${n}.rssMb`]),
    ];
    const lost: string[] = [];
    const open: string[] = [];
    for (const [label, key] of keys) {
      const of = seriesOf[key];
      if (!of) continue;
      const iv = pairedRatio(of('rust'), of('russh-napi'), { seed: seedOf(`${key}/russh-napi`, o.seed) });
      if (iv.n === 0) continue;
      const d = difference(iv, { noise: o.policy.noise, lowerIsBetter: true });
      if (d === 'worse') lost.push(`${label} ${showInterval(iv)}`);
      else if (d === '~') open.push(label);
    }
    const value = lost.length
      ? `loses on: ${lost.join(', ')}`
      : open.length
        ? `no row lost; ${open.length} of ${keys.length} within the noise (${open.join(', ')})`
        : `wins all ${keys.length} rows`;
    T_.push({
      id: 'beat-russh-napi',
      text: 'Rust core is not worse than the prebuilt russh binding on any row (paired ratios rust/russh-napi)',
      value,
      pass: lost.length === 0,
    });
  }

  const met = T_.filter((t) => t.pass === true).length;
  const judged = T_.filter((t) => t.pass !== null || t.undecided).length;
  const open = T_.filter((t) => t.undecided);
  const plan = (core: Contender) => {
    const rows = c.plan[core] ?? [];
    if (rows.some((x) => x.pass === false)) return 'misses';
    return rows.some((x) => x.undecided) ? 'undecided' : 'meets';
  };
  c.summary.push(
    `Rust core meets ${met} of ${judged} targets set for it${open.length ? ` (${open.length} undecided)` : ''}; ${k} paired trials per figure${o.shortTrials && o.shortTrials > k ? ` (${o.shortTrials} for throughput and latency)` : ''}${longest > Math.max(k, o.shortTrials ?? k) ? `, up to ${longest} where a section added rounds` : ''}.`,
  );
  const own = c.intervals['resources.coreCpuPct'];
  if (c.workloadFloor && own) {
    // Not a criterion (the plan limits the whole process), but it says how much of the CPU is the core.
    c.summary.push(
      `Of the mid load's CPU, the workload itself (no SSH) takes ${showInterval(c.workloadFloor.cpuPct)}%; above it, rust ${showInterval(own.perCore.rust)}% and ssh2 ${showInterval(own.perCore.ssh2)}% (rust/ssh2 ${showInterval(own.ratio)}).`,
    );
  }
  for (const core of c.contenders) c.summary.push(`${core}: ${plan(core) === 'undecided' ? 'undecided on' : plan(core)} the plan's criteria measured here.`);

  // The answer, by the decision policy: the plan first, then the weighed significant differences.
  const P = o.policy;
  const rows: DecisionRow[] = P.figures.map((f) => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the policy file's placeholders, not a template
    const key = f.key.replaceAll('${cipher}', o.cipher).replaceAll('${scale}', bigN);
    const iv = c.intervals[key]?.ratio ?? null;
    const row: DecisionRow = { ...f, key, ratio: iv, better: 'not measured' };
    if (!iv) return row;
    const lower = f.lowerIsBetter ?? true;
    const d = difference(iv, { noise: Math.max(P.noise, f.minEffect), lowerIsBetter: lower });
    const per = c.intervals[key]?.perCore;
    const gap = per?.rust && per?.ssh2 ? Math.abs(per.rust.estimate - per.ssh2.estimate) : Number.NaN;
    row.better = d === '~' || (f.minAbsolute !== undefined && !(gap >= f.minAbsolute)) ? '~' : d === 'better' ? 'rust' : 'ssh2';
    return row;
  });
  const score = { rust: 0, ssh2: 0 };
  for (const r of rows) if (r.better === 'rust' || r.better === 'ssh2') score[r.better] += r.weight;
  const [rp, sp] = [plan('rust'), plan('ssh2')];
  let choice: Decision['choice'];
  let why: string;
  let verdict: string;
  let kind: Decision['kind'];
  const name = (core: 'rust' | 'ssh2') => (core === 'rust' ? 'the Rust core' : 'the ssh2 core');
  const side = (core: 'rust' | 'ssh2') => {
    const won = rows.filter((r) => r.better === core);
    return won.length ? won.map((r) => `${r.name} (${showInterval(r.ratio)})`).join(', ') : 'nothing';
  };
  const diffs = `the Rust core is better on ${side('rust')}; ssh2 on ${side('ssh2')}`;
  const tally = `policy "${P.policy}" v${P.version}: score ${score.rust} to ${score.ssh2}, a lead of ${P.decisive} decides`;
  const lead = score.rust - score.ssh2 >= P.decisive ? 'rust' : score.ssh2 - score.rust >= P.decisive ? 'ssh2' : undefined;
  if (rp === 'misses' && sp === 'misses') {
    choice = 'none';
    const failed = (core: Contender) => (c.plan[core] ?? []).filter((x) => x.pass === false).map((x) => x.criterion.replace(/ \(.*/, ''));
    why =
      `neither core meets the plan here (rust misses ${failed('rust').join(', ')}; ssh2 misses ${failed('ssh2').join(', ')}); ` +
      (lead ? `between the two, the ${lead === 'rust' ? 'Rust' : 'ssh2'} core leads: ` : 'between the two, no decisive difference: ') +
      `${diffs} (${tally})`;
    kind = 'neither';
    verdict = `Neither core meets the plan; ${lead ? `${name(lead)} leads` : 'no decisive difference between them'}`;
  } else if (rp === 'misses' || sp === 'misses') {
    choice = rp === 'misses' ? 'ssh2' : 'rust';
    why = `the ${choice === 'rust' ? 'Rust' : 'ssh2'} core: the ${rp === 'misses' ? 'Rust' : 'ssh2'} core misses a criterion of the plan (${diffs})`;
    kind = 'decided';
    verdict = `${name(choice)[0]!.toUpperCase()}${name(choice).slice(1)}: ${name(choice === 'rust' ? 'ssh2' : 'rust')} misses the plan`;
  } else if (lead) {
    choice = lead;
    why = `the ${choice === 'rust' ? 'Rust' : 'ssh2'} core: ${diffs} (${tally})`;
    kind = 'decided';
    verdict = `${name(choice)[0]!.toUpperCase()}${name(choice).slice(1)}, by the policy's figures`;
  } else {
    choice = P.onTie;
    why = `no decisive difference: ${diffs} (${tally})${P.onTie === 'none' ? '' : `; on a tie the policy chooses the ${P.onTie === 'rust' ? 'Rust' : 'ssh2'} core`}`;
    kind = 'tie';
    verdict = `No decisive difference${P.onTie === 'none' ? '' : `; on a tie the policy takes ${name(P.onTie)}`}`;
  }
  c.decision = { policy: { policy: P.policy, version: P.version, source: P.source, decisive: P.decisive, onTie: P.onTie }, rows, score, choice, verdict, kind };
  c.summary.push(`Answer: ${why}.`);
  if (rp === 'undecided' || sp === 'undecided') {
    const who = [rp === 'undecided' ? 'rust' : '', sp === 'undecided' ? 'ssh2' : ''].filter(Boolean);
    c.summary.push(`Caution: whether ${who.join(' and ')} ${who.length > 1 ? 'meet' : 'meets'} every criterion of the plan is undecided in this run.`);
  }
  for (const t of open) {
    undecided.push(`target ${t.id}: ${t.value}${t.trialsToSettle ? `, about ${t.trialsToSettle} trials would settle it` : ''}`);
  }
  if (undecided.length) {
    c.summary.push(`Undecided: ${undecided.join('; ')}. Run more trials (--trials) before relying on those.`);
  }
}
