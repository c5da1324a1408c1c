/**
 * Options of the spike runner (`npm run spike`, `ssh-spike soak`). Every number the plan gives is
 * a default here; everything is checked before anything starts, with a message that says what
 * to fix.
 */
import { parseArgs } from 'node:util';
import { PLAN_DEFAULTS } from '../core/defaults.js';
import type { CoreName } from '../core/errors.js';
import { isScenarioId, type ScenarioId } from '../scenarios/index.js';
import { parseDuration, parseIntArg, UsageError } from '../util/args.js';
import { KERNEL_MAX_HOSTS, kernelModeUnavailable } from '../lab/netns.js';
import { readInventory, type Inventory } from './inventory.js';
import type { Workloads } from './protocol.js';
import type { Criteria, Load, Topology } from '../record/record.js';

export type TargetChoice = { kind: 'embedded' } | { kind: 'openssh' } | { kind: 'inventory'; path: string; inventory: Inventory };

export type FaultMode = 'proxy' | 'kernel';

export interface SpikeOptions {
  cores: CoreName[];
  sessions: number;
  durationMs: number;
  load: Load;
  repeat: number;
  topology: Topology;
  target: TargetChoice;
  plan: 'timeline' | 'seed' | 'scenario';
  scenario: ScenarioId | undefined;
  out: string | undefined;
  lang: 'en' | 'ko';
  seed: number;
  echoIntervalMs: number;
  criteria: Criteria;
  /** How faults are made: the lab's proxy (default), or packet filters in network namespaces (root). */
  faults?: FaultMode;
  /** Benchmarks: connect straight to the targets (no proxy route, so no faults) and choose workloads. */
  bench?: { direct: boolean; workloads: Workloads; replay?: boolean };
}

export const SPIKE_USAGE = `ssh-spike soak [options]        (also: npm run spike -- [options])

Runs the SPIKE-2 plan and writes report.md, report.json and report.html.
  --core rust|ssh2|all     which core(s); all runs them one after the other (default all)
  --sessions N             sessions per run (default ${PLAN_DEFAULTS.sessions})
  --duration D             each run, e.g. 90s, 5m, 30m (default ${PLAN_DEFAULTS.durationS / 60}m)
  --load low|mid|high      PTY output per session: ~1 line/s, ~10 KB/s, ~1 MB/s (default mid)
  --repeat N               run everything N times, alternating the core order (default 1)
  --topology A|B           A: a target per session; B: all sessions on one target (default A)
  --target T               embedded (default), openssh, or an inventory FILE (JSON)
  --faults proxy|kernel    proxy: the lab's fault proxy (default); kernel: each target in a network
                           namespace of its own, drops and resets made by iptables (root, embedded
                           targets only), so TCP's own retransmission back-off is part of recovery
  --plan timeline|seed     timeline: faults at 1/6..5/6 of the run (F1, F3, F5, F2, F4 on one
                           session); seed: the plan's three runs (None, network drop, restart)
  --scenario F0..F5        one run with that scenario in the middle
  --out DIR                where reports go (default reports/<run id>)
  --lang en|ko             headings and verdict words (default en)
  --seed N                 seed of the reconnect jitter (default random, reported)
  --poll-interval D        exec polling period (default ${PLAN_DEFAULTS.execPollIntervalMs / 1000}s)
  --echo-interval D        keystroke-echo probe period (default 1s)
  --reconnect-within D     "usable again within" criterion (default ${PLAN_DEFAULTS.reconnectWithinMs / 1000}s)
  --success-pct N          reconnect success criterion, % (default ${PLAN_DEFAULTS.reconnectSuccessPct})
  --rss-limit MB           memory criterion (default ${PLAN_DEFAULTS.rssLimitMb})
  --cpu-limit PCT          CPU criterion, % of one core (default ${PLAN_DEFAULTS.cpuLimitPct})`;

/** `--target`: embedded, openssh, or the path of an inventory file (read and checked now). */
export function parseTarget(value: string): TargetChoice {
  if (value === 'embedded' || value === 'openssh') return { kind: value };
  return { kind: 'inventory', path: value, inventory: readInventory(value) };
}

/** `--faults`: checked against the target and this machine before anything starts. */
export function parseFaultMode(value: string, target: TargetChoice): FaultMode {
  const mode = oneOf(value, '--faults', ['proxy', 'kernel'] as const);
  if (mode === 'kernel') {
    if (target.kind !== 'embedded')
      throw new UsageError(
        `--faults kernel runs embedded servers in network namespaces; it cannot fault --target ${target.kind === 'inventory' ? target.path : target.kind} (use --faults proxy)`,
      );
    const why = kernelModeUnavailable();
    if (why) throw new UsageError(`--faults kernel: ${why} (use --faults proxy)`);
  }
  return mode;
}

/** How the reports name a target (an inventory by its file and size, never its contents). */
export function describeTarget(t: TargetChoice): string {
  return t.kind === 'inventory' ? `inventory ${t.path} (${t.inventory.hosts.length} hosts)` : t.kind;
}

function oneOf<T extends string>(value: string, what: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${what} must be ${allowed.join(' or ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

export function parseSpikeArgs(argv: string[]): SpikeOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      core: { type: 'string', default: 'all' },
      sessions: { type: 'string', default: String(PLAN_DEFAULTS.sessions) },
      duration: { type: 'string', default: `${PLAN_DEFAULTS.durationS}s` },
      load: { type: 'string', default: 'mid' },
      repeat: { type: 'string', default: '1' },
      topology: { type: 'string', default: 'A' },
      target: { type: 'string', default: 'embedded' },
      faults: { type: 'string', default: 'proxy' },
      plan: { type: 'string' },
      scenario: { type: 'string' },
      out: { type: 'string' },
      lang: { type: 'string', default: 'en' },
      seed: { type: 'string' },
      'poll-interval': { type: 'string', default: `${PLAN_DEFAULTS.execPollIntervalMs}ms` },
      'echo-interval': { type: 'string', default: '1s' },
      'reconnect-within': { type: 'string', default: `${PLAN_DEFAULTS.reconnectWithinMs}ms` },
      'success-pct': { type: 'string', default: String(PLAN_DEFAULTS.reconnectSuccessPct) },
      'rss-limit': { type: 'string', default: String(PLAN_DEFAULTS.rssLimitMb) },
      'cpu-limit': { type: 'string', default: String(PLAN_DEFAULTS.cpuLimitPct) },
    },
    strict: true,
    allowPositionals: false,
  });
  const core = oneOf(values.core!, '--core', ['rust', 'ssh2', 'all'] as const);
  const durationMs = parseDuration(values.duration!, '--duration');
  if (durationMs < 20_000) throw new UsageError('--duration must be at least 20s (sessions need time to connect and settle)');
  if (values.plan !== undefined && values.scenario !== undefined) {
    throw new UsageError('give either --plan or --scenario, not both');
  }
  let scenario: ScenarioId | undefined;
  if (values.scenario !== undefined) {
    if (!isScenarioId(values.scenario)) throw new UsageError(`--scenario must be one of F0..F5, got ${JSON.stringify(values.scenario)}`);
    scenario = values.scenario;
  }
  const plan = scenario ? 'scenario' : oneOf(values.plan ?? 'timeline', '--plan', ['timeline', 'seed'] as const);
  const target = parseTarget(values.target!);
  const faults = parseFaultMode(values.faults!, target);
  const sessions = parseIntArg(values.sessions!, '--sessions', 1, 1000);
  if (faults === 'kernel' && values.topology === 'A' && sessions > KERNEL_MAX_HOSTS) {
    throw new UsageError(`--faults kernel with topology A makes a namespace per session, at most ${KERNEL_MAX_HOSTS}; use fewer --sessions or --topology B`);
  }
  const pct = (v: string, what: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n > 100) throw new UsageError(`${what} must be a number from 0 to 100, got ${JSON.stringify(v)}`);
    return n;
  };
  const rssLimit = Number(values['rss-limit']);
  if (!Number.isFinite(rssLimit) || rssLimit <= 0)
    throw new UsageError(`--rss-limit must be a positive number of MB, got ${JSON.stringify(values['rss-limit'])}`);
  let seed = Math.floor(Math.random() * 2 ** 32);
  if (values.seed !== undefined) seed = parseIntArg(values.seed, '--seed', 0, Number.MAX_SAFE_INTEGER);
  return {
    cores: core === 'all' ? ['rust', 'ssh2'] : [core],
    sessions,
    durationMs,
    load: oneOf(values.load!, '--load', ['low', 'mid', 'high'] as const),
    repeat: parseIntArg(values.repeat!, '--repeat', 1, 100),
    topology: oneOf(values.topology!, '--topology', ['A', 'B'] as const),
    target,
    faults,
    plan,
    scenario,
    out: values.out,
    lang: oneOf(values.lang!, '--lang', ['en', 'ko'] as const),
    seed,
    echoIntervalMs: parseDuration(values['echo-interval']!, '--echo-interval'),
    criteria: {
      sessions,
      durationS: durationMs / 1000,
      execPollIntervalMs: parseDuration(values['poll-interval']!, '--poll-interval'),
      reconnectWithinMs: parseDuration(values['reconnect-within']!, '--reconnect-within'),
      reconnectSuccessPct: pct(values['success-pct']!, '--success-pct'),
      rssLimitMb: rssLimit,
      cpuLimitPct: pct(values['cpu-limit']!, '--cpu-limit'),
    },
  };
}
