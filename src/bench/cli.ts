/** `npm run bench:compare`: argument parsing and output only; the work is in compare.ts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PLAN_DEFAULTS } from '../core/defaults.js';
import type { Contender } from '../core/errors.js';
import { parseDuration, parseIntArg, UsageError } from '../util/args.js';
import { parseFaultMode, parseTarget } from '../runner/options.js';
import { sshdUnavailableReason } from '../lab/sshd.js';
import { perfUnavailable } from './attribute.js';
import { SSH2_BINDING_FIX, ssh2NativeCrypto } from '../core/ssh2/binding.js';
import { runIdBase } from '../runner/spike.js';
import { type CompareOptions, type DecisionPolicy, loadPolicy, runComparison, UI_PATH_NAMES, type UiPathName } from './compare.js';
import { renderCompareHtml, renderCompareMarkdown, tables } from './render.js';

export const COMPARE_USAGE = `npm run bench:compare -- [options]

Runs the same workloads on each contender as paired trials (round i runs every contender once,
the order flipping each round) and prints the answer side by side: stability and reconnect,
resources, throughput, latency, scale, boundary cost. Each figure is the median of its trials with
a 95% interval; each ratio rust/ssh2 has a bootstrap interval over the pairs; limits are judged on
those intervals (pass, fail, or undecided).
  --cores LIST        rust,ssh2 (default) or rust,ssh2,russh-napi (the prebuilt binding on npm)
  --trials K          paired trials per section and contender (default 3; 2 with --quick);
                      throughput and latency, whose trials take seconds, run K + 2
  --max-trials N      a section whose weighted figures (the policy's) still have a ratio interval
                      wider than --precision adds rounds, one at a time, up to N (default 10;
                      with --quick, K: none); throughput and latency up to N + 2
  --precision P       the half-width that stops adding rounds, e.g. 10% (default) or 0.05
  --budget D          about how long the whole run should take (default 6m; 3m with --quick):
                      each section's share of it, split among the trials, sets its phase lengths
                      (scale trials get connect time on top: 8 ms per session)
  --policy FILE       the decision policy: which figures count, their weight, the smallest effect
                      that matters (default bench/policy.json; the report prints the one used)
  --target T          the servers: embedded (default: the lab's own, a russh server), openssh (sshd
                      on loopback, as the tests start it; needs openssh-server), or an
                      inventory FILE of real hosts (JSON, see the README); scale defaults to 10,100
                      sessions on openssh (one sshd process per connection on this machine)
  --faults M          how stability faults are made: proxy (default, the lab's fault proxy) or
                      kernel (iptables in a network namespace per server: root, embedded target)
  --attribute         one more resource trial and bulk transfer per core, sampled by perf (root):
                      each core's CPU grouped into crypto, copy and allocation, kernel network,
                      boundary and wake-ups, GC, JS and other
  --quick             a short run: 2 trials, shorter phases, 10 and 100 sessions
  --duration D        length of one stability and one resource trial (overrides the budget's)
  --warmup D          what runs before each resource trial's measured window, not counted
                      (default 40s, 20s with --quick: a fresh client's CPU settles in about 40 s)
  --bulk SIZE         bytes of exec output per transfer, e.g. 500MB (default: sized by time, at
                      least 3 s of the core's own rate; 1 s with --quick)
  --busy              a CPU hog (one spinning process: a core's worth of load) beside the
                      worker during the resource and throughput sections
                      (throughput is measured both ways, so the rise per core is shown)
  --scale LIST        session counts for the scale section (default 10,100,1000)
  --ipc LIST          the paths from the core to a UI stand-in process measured (RISK-4), each
                      ARCH/TRANSPORT: main (core in the main process) or utility (core in a process
                      of its own, relayed by main), and ipc (Node IPC to a UI process) or port (a
                      MessagePort to a worker thread); or direct/socket (the Rust core writes to
                      the UI's socket itself; ssh2 runs main/ipc beside it); default
                      main/ipc,utility/ipc,direct/socket; off skips it
  --ipc-sessions LIST session counts of the UI path's load (default 10, the plan's; e.g. 10,100):
                      each more count runs every path's load trials again, without the flood
  --out DIR           where compare.json, compare.md and compare.html go (default reports/compare-<id>)
  --seed N            reconnect jitter seed (default random)
  --ssh2-without-binding  run even though ssh2's native crypto binding does not load in this Node
                      (ssh2 then decrypts with node:crypto per packet, about three times its CPU);
                      without it, such a run stops with what to fix, since it would compare Rust
                      with a handicapped ssh2. The report says so on top either way
  -h, --help          this text`;

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(B|KB|MB|GB)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--bulk must be a size like 500MB or 1GB, got ${JSON.stringify(text)}`);
  return Math.round(Number(m[1]) * { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[(m[2] ?? 'B').toUpperCase() as 'B']!);
}

/** A relative half-width: 10% or 0.1, above 0 and below 1. */
function parsePrecision(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(v > 0 && v < 1)) throw new UsageError(`--precision must be a share like 10% or 0.1 (above 0, below 1), got ${JSON.stringify(text)}`);
  return v;
}

export function parseCompareArgs(argv: string[]): { options: CompareOptions; out: string | undefined; help: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      cores: { type: 'string', default: 'rust,ssh2' },
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      trials: { type: 'string' },
      'max-trials': { type: 'string' },
      precision: { type: 'string' },
      budget: { type: 'string' },
      policy: { type: 'string' },
      bulk: { type: 'string' },
      scale: { type: 'string' },
      ipc: { type: 'string', default: 'main/ipc,utility/ipc,direct/socket' },
      'ipc-sessions': { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      busy: { type: 'boolean', default: false },
      target: { type: 'string', default: 'embedded' },
      faults: { type: 'string', default: 'proxy' },
      attribute: { type: 'boolean', default: false },
      'ssh2-without-binding': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const contenders = values.cores!.split(',').map((s) => s.trim());
  for (const c of contenders) {
    if (!['rust', 'ssh2', 'russh-napi'].includes(c)) throw new UsageError(`--cores takes rust, ssh2 and russh-napi, got ${JSON.stringify(c)}`);
  }
  if (!contenders.includes('rust') || !contenders.includes('ssh2'))
    throw new UsageError('--cores must include rust and ssh2 (the figures are ratios rust/ssh2)');
  if (!values.help && contenders.includes('ssh2') && ssh2NativeCrypto() === false && !values['ssh2-without-binding'])
    throw new UsageError(`${SSH2_BINDING_FIX}. Fix that, or pass --ssh2-without-binding to measure the fallback knowingly.`);
  const quick = values.quick!;
  const trials = values.trials ? parseIntArg(values.trials, '--trials', 1, 50) : quick ? 2 : 3;
  const maxTrials = values['max-trials'] ? parseIntArg(values['max-trials'], '--max-trials', 1, 50) : quick ? trials : Math.max(trials, 10);
  if (maxTrials < trials) throw new UsageError(`--max-trials (${maxTrials}) must be at least --trials (${trials})`);
  const precision = values.precision === undefined ? 0.1 : parsePrecision(values.precision);
  const budgetMs = values.budget ? parseDuration(values.budget, '--budget') : quick ? 180_000 : 360_000;
  const target = parseTarget(values.target!);
  const faults = parseFaultMode(values.faults!, target);
  if (target.kind === 'openssh') {
    const why = sshdUnavailableReason();
    if (why) throw new UsageError(`--target openssh: ${why}`);
  }
  if (values.attribute) {
    const why = perfUnavailable();
    if (why) throw new UsageError(`--attribute: ${why}`);
  }
  const scaleSizes = (values.scale ?? (quick || target.kind !== 'embedded' ? '10,100' : '10,100,1000'))
    .split(',')
    .map((s) => parseIntArg(s.trim(), '--scale', 1, 5000));
  // Each section's share of the budget, split among its trials and contenders, with a floor below
  // which a trial measures start-up rather than the steady state.
  const share = (fraction: number, min: number) => Math.max(min, Math.round((fraction * budgetMs) / (trials * contenders.length) / 1000) * 1000);
  let policy: DecisionPolicy;
  try {
    policy = loadPolicy(values.policy);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const duration = values.duration ? parseDuration(values.duration, '--duration') : undefined;
  const uiPaths = values.ipc === 'off' ? [] : values.ipc!.split(',').map((p) => p.trim());
  for (const p of uiPaths) {
    if (!UI_PATH_NAMES.includes(p as UiPathName)) throw new UsageError(`--ipc takes ${UI_PATH_NAMES.join(', ')} or off, got ${JSON.stringify(p)}`);
  }
  return {
    out: values.out,
    help: values.help!,
    options: {
      contenders: contenders as Contender[],
      quick,
      trials,
      maxTrials,
      halfWidth: precision,
      shortTrials: trials + 2,
      budgetMs,
      phaseMs: duration ?? share(0.28, quick ? 8_000 : 16_000),
      resourcePhaseMs: duration ?? share(0.21, quick ? 8_000 : 20_000),
      resourceWarmupMs: values.warmup ? (/^0+(ms|s|m|h)?$/.test(values.warmup.trim()) ? 0 : parseDuration(values.warmup, '--warmup')) : quick ? 20_000 : 40_000,
      scalePhaseMs: Math.max(5_000, Math.round(share(0.31, 5_000) / scaleSizes.length / 1000) * 1000),
      bulkBytes: values.bulk ? parseSize(values.bulk) : null,
      bulkSeconds: quick ? 1 : 3,
      policy,
      ciphers: ['aes128-gcm@openssh.com', 'chacha20-poly1305@openssh.com'],
      scaleSizes,
      sessions: PLAN_DEFAULTS.sessions,
      kex: 'curve25519-sha256',
      cipher: 'aes128-gcm@openssh.com',
      seed: values.seed ? parseIntArg(values.seed, '--seed', 0, Number.MAX_SAFE_INTEGER) : Math.floor(Math.random() * 2 ** 32),
      busy: values.busy!,
      target,
      faults,
      attribute: values.attribute!,
      uiPaths: uiPaths as UiPathName[],
      uiSessions: (values['ipc-sessions'] ?? String(PLAN_DEFAULTS.sessions)).split(',').map((x) => parseIntArg(x.trim(), '--ipc-sessions', 1, 500)),
      // The UI's echo p95 comes from a probe per session a second: 10 s trials (about 100 probes)
      // left its ratio at +/-11-15% after 8 rounds in the runs of 2026-12-06; 20 s gives each
      // trial about 200, at about 20 s more per round.
      uiPhaseMs: quick ? 4_000 : 20_000,
    },
  };
}

export async function compareCommand(argv: string[]): Promise<number> {
  const { options, out, help } = parseCompareArgs(argv);
  if (help) {
    process.stdout.write(`${COMPARE_USAGE}\n`);
    return 0;
  }
  const started = Date.now();
  const c = await runComparison(options, { say: (l) => process.stderr.write(`[${Math.round((Date.now() - started) / 1000)}s] ${l}\n`) });
  const dir = out ?? join('reports', `compare-${runIdBase(new Date(started))}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'compare.json'), `${JSON.stringify(c, null, 2)}\n`);
  writeFileSync(join(dir, 'compare.md'), renderCompareMarkdown(c));
  writeFileSync(join(dir, 'compare.html'), renderCompareHtml(c));
  for (const t of tables(c)) {
    process.stdout.write(`\n${t.title}\n`);
    if (t.note) process.stdout.write(`${t.note}\n`);
    const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
    const line = (r: string[]) => r.map((x, i) => (x ?? '').padEnd(widths[i]!)).join('  ');
    process.stdout.write(`  ${line(t.head)}\n`);
    for (const r of t.rows) process.stdout.write(`  ${line(r)}\n`);
  }
  process.stdout.write(`\ndone in ${Math.round((Date.now() - started) / 1000)} s; wrote ${resolve(dir)}/compare.{json,md,html}\n`);
  return 0;
}
