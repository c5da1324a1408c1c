/** compare.md and compare.html: the comparison as tables (and a few bars), from compare.json data. */
import type { Contender } from '../core/errors.js';
import { CORE_COLORS } from '../report/colors.js';
import { escapeHtml as e, figure as f } from '../report/format.js';
import type { Interval } from '../metrics/intervals.js';
import { type Attribution, CATEGORIES } from './attribute.js';
import { type Comparison, ranWithoutSsh2Binding, showInterval } from './compare.js';

type Table = { title: string; head: string[]; rows: string[][]; note?: string };

const tick = (p: boolean | null, undecided?: boolean) => (p === null ? (undecided ? 'undecided' : 'not measured') : p ? 'yes' : 'NO');

function ratioRow(cells: (string | null)[]): string[] {
  return ['rust/ssh2', ...cells.map((x) => x ?? 'n/a')];
}

/**
 * A ratio cell: the paired ratio with its 95% interval, and '~' when the interval includes 1 or the
 * difference is within the run's noise threshold (no difference shown, as benchstat prints it).
 */
function ri(c: Comparison, key: string): string {
  const x = c.intervals[key];
  if (!x?.ratio) return 'n/a';
  return `${showInterval(x.ratio)}${x.difference === '~' ? ' ~' : ''}`;
}

/** The workloads a section's trials ran, as its run records name them (the words `spike` uses). */
/** Resource trials whose workload fell short (lines lost, or no echo answered), named so a reader can discount them. */
function shortResourceTrials(c: Comparison): string | undefined {
  const short: string[] = [];
  for (const [core, trials] of Object.entries(c.trials.resources)) {
    (trials ?? []).forEach((t, i) => {
      const why = [t.linesLost ? `${t.linesLost} stream lines lost` : '', t.echoSamples === 0 ? 'no echo answered' : ''].filter(Boolean);
      if (why.length) short.push(`${core} trial ${i + 1} (${why.join(', ')})`);
    });
  }
  return short.length ? `Trials whose workload fell short: ${short.join('; ')}.` : undefined;
}

function ran(c: Comparison, section: string): string | undefined {
  const w = c.workloads?.[section];
  if (!w?.length) return undefined;
  const warm = c.options.resourceWarmupMs;
  const steady =
    section === 'resources' && warm !== undefined
      ? ` Figures over each trial's measured ${c.options.resourcePhaseMs / 1000} s, after a warm-up of ${warm / 1000} s (a fresh client settles in about that) and once every session was up.`
      : ['stability', 'resources', 'scale'].includes(section)
        ? ' Figures over the steady state as spike defines it: after a quarter of the trial and once every session was up.'
        : '';
  return `Workloads, per session: ${w.join('; ')}.${steady}`;
}

export function tables(c: Comparison): Table[] {
  const cs = c.contenders;
  const out: Table[] = [];
  out.push({
    title: 'Decision summary (computed from the figures below)',
    head: ['target for the Rust core', 'measured', 'met'],
    rows: c.targets.map((t) => [t.text, t.value, tick(t.pass, t.undecided)]),
    note: c.summary.join(' '),
  });
  const d = c.decision;
  if (d) {
    out.push({
      title: `The decision policy: ${d.policy.policy} v${d.policy.version} (${d.policy.source ?? 'built in'})`,
      head: ['figure', 'weight', 'smallest effect', 'rust/ssh2', 'better when', 'better'],
      rows: [
        ...d.rows.map((r) => [
          `${r.name} (${r.key})`,
          String(r.weight),
          `${Math.round(r.minEffect * 100)}%${r.minAbsolute !== undefined ? ` and ${r.minAbsolute}` : ''}`,
          showInterval(r.ratio),
          r.lowerIsBetter === false ? 'higher ↑' : 'lower ↓',
          r.better,
        ]),
        ['score', '', '', '', '', `rust ${d.score.rust}, ssh2 ${d.score.ssh2} (a lead of ${d.policy.decisive} decides; on a tie: ${d.policy.onTie})`],
      ],
      note: "A figure counts for the core that is better on it when its paired interval excludes 1, the ratio is at least the smallest effect away from 1, and the two medians differ by at least the absolute amount given after it (in the figure's unit); a core that fails a criterion of the plan loses first.",
    });
  }
  if (c.settings.rust && c.settings.ssh2) {
    const names = c.settings.rust.map(([n]) => n);
    out.push({
      title: "Each core's settings in this run",
      head: ['setting', 'rust', 'ssh2'],
      rows: names.map((n) => [n, c.settings.rust!.find(([k]) => k === n)?.[1] ?? '-', c.settings.ssh2!.find(([k]) => k === n)?.[1] ?? '-']),
    });
  }
  out.push({
    title: "The plan's criteria on these figures",
    head: ['contender', 'criterion', 'measured', 'pass'],
    rows: cs.flatMap((core) => (c.plan[core] ?? []).map((x) => [core, x.criterion, x.value, tick(x.pass, x.undecided)])),
  });
  const scen = ['F1', 'F3', 'F5'];
  out.push({
    title: '1. Stability and reconnect (compressed F1 stall, F3 restart, F5 cut; 10 sessions)',
    note: ran(c, 'stability'),
    head: ['contender', 'recovered x/y', ...scen.map((s) => `${s} time to usable p50/p95 (s)`), 'abnormal ends'],
    rows: cs.map((core) => {
      const st = c.stability[core];
      if (!st) return [core, 'n/a'];
      if ('skipped' in st) return [core, `skipped: ${st.skipped}`, '', '', '', ''];
      return [
        core,
        `${st.recovered}/${st.interrupted}`,
        ...scen.map((s) => {
          const x = st.scenarios.find((y) => y.scenario === s);
          return x ? `${f(x.p50S)} / ${f(x.p95S)}` : 'n/a';
        }),
        String(st.abnormalEnds),
      ];
    }),
  });
  out.push({
    title: `2. Resources (${c.options.sessions} sessions, mid PTY load, exec every 5 s, an echo probe a second per session, keepalive)`,
    note:
      [
        ran(c, 'resources'),
        shortResourceTrials(c),
        c.workloadFloor
          ? "The workload alone: the same sessions' bytes (the stream as the lab writes it, this machine's /proc text for each exec, the echo) replayed into the same JS workload in the worker, with no SSH, socket or core; 'above the workload' is each core's CPU minus that floor in the same round. The replay hands the workload one chunk per server write, as ssh2 delivers them; the Rust core hands over fewer, larger chunks, so its own share is if anything understated by a little."
          : undefined,
      ]
        .filter(Boolean)
        .join(' ') || undefined,
    head: ['contender', 'CPU % of one core ↓', 'CPU % above the workload ↓', 'RSS peak (MB) ↓', 'RSS mean (MB) ↓', 'echo p95 under load (ms) ↓'],
    rows: [
      ...cs.map((core) => {
        const r = c.resources[core];
        return [
          core,
          f(r?.cpuPct),
          showInterval(c.intervals['resources.coreCpuPct']?.perCore[core]),
          f(r?.rssPeakMb, 1),
          f(r?.rssMeanMb, 1),
          f(r?.echoP95Ms ?? undefined, 2),
        ];
      }),
      ratioRow([ri(c, 'resources.cpuPct'), ri(c, 'resources.coreCpuPct'), ri(c, 'resources.rssPeakMb'), null, ri(c, 'resources.echoP95Ms')]),
      ...(c.workloadFloor
        ? [['workload alone (no SSH)', showInterval(c.workloadFloor.cpuPct), '-', showInterval(c.workloadFloor.rssPeakMb, 1), '-', '-']]
        : []),
    ],
  });
  for (const cipher of Object.keys(c.throughput)) {
    const floor = c.floor?.ciphers[cipher];
    out.push({
      title: `3. Throughput: ${c.options.bulkBytes === null ? `about ${c.options.bulkSeconds} s` : `${(c.options.bulkBytes / 1e6).toFixed(0)} MB`} of exec output delivered to JS per trial (${cipher})`,
      head: ['contender', 'MB/s ↑', 'client CPU s/GB ↓', 'RSS after (MB) ↓'],
      rows: [
        ...cs.map((core) => {
          const t = c.throughput[cipher]?.[core];
          return [core, f(t?.mbPerS, 0), f(t?.cpuSPerGb), f(t?.rssMb, 0)];
        }),
        ratioRow([ri(c, `throughput.${cipher}.mbPerS`), ri(c, `throughput.${cipher}.cpuSPerGb`), ri(c, `throughput.${cipher}.rssMb`)]),
        ...(floor
          ? [
              ['crypto floor', f(floor.mbPerS, 0), f(floor.cpuSPerGb), '-'],
              ['rust/floor', 'n/a', showInterval(c.intervals[`throughput.${cipher}.cpuSPerGbOverFloor`]?.ratio), '-'],
              ...(floor.socketCpuSPerGb !== undefined
                ? [
                    ['socket floor', f(floor.socketMbPerS, 0), f(floor.socketCpuSPerGb), '-'],
                    ['rust/socket floor', 'n/a', showInterval(c.intervals[`throughput.${cipher}.cpuSPerGbOverSocketFloor`]?.ratio), '-'],
                  ]
                : []),
            ]
          : []),
      ],
      note:
        [
          ran(c, 'throughput'),
          floor
            ? `crypto floor: the cipher alone on this CPU (aws-lc, the library russh uses: one copy and one AEAD open per ${c.floor!.blockBytes / 1024} KiB block; no SSH, socket or JS hop), measured in this run.${floor.socketCpuSPerGb !== undefined ? " socket floor: the same blocks read off a loopback TCP connection before each is opened (the kernel's copy out of the socket, which every core pays too; the reading thread's CPU only)." : ''}`
            : undefined,
        ]
          .filter(Boolean)
          .join(' ') || undefined,
    });
  }
  for (const cipher of Object.keys(c.throughputBusy)) {
    out.push({
      title: `3b. Throughput with the other core busy (${cipher})`,
      head: ['contender', 'MB/s ↑', 'client CPU s/GB ↓', 'quiet CPU s/GB ↓', 'rise (busy / quiet) ↓'],
      rows: [
        ...cs.map((core) => {
          const b = c.throughputBusy[cipher]?.[core];
          const q = c.throughput[cipher]?.[core];
          return [core, f(b?.mbPerS, 0), f(b?.cpuSPerGb), f(q?.cpuSPerGb), b && q ? f(b.cpuSPerGb / q.cpuSPerGb) : 'n/a'];
        }),
        ratioRow([null, ri(c, `throughputBusy.${cipher}.cpuSPerGb`), ri(c, `throughput.${cipher}.cpuSPerGb`), ri(c, `throughputBusy.${cipher}.rise`)]),
      ],
      note: 'A CPU hog (one spinning process) ran beside the worker; the rise says how much each core suffers from sharing the machine.',
    });
  }
  out.push({
    title: '4. Latency (ms, HDR p50 / p95 / p99)',
    note: ran(c, 'latency'),
    head: ['contender', 'handshake ↓', 'exec round trip ↓', 'keystroke echo ↓'],
    rows: [
      ...cs.map((core) => {
        const l = c.latency[core];
        const p = (x?: { p50Ms: number; p95Ms: number; p99Ms: number }) => (x ? `${f(x.p50Ms)} / ${f(x.p95Ms)} / ${f(x.p99Ms)}` : 'n/a');
        return [core, p(l?.handshake), p(l?.exec), p(l?.echo)];
      }),
      ratioRow([`p95 ${ri(c, 'latency.handshake.p95Ms')}`, `p95 ${ri(c, 'latency.exec.p95Ms')}`, `p95 ${ri(c, 'latency.echo.p95Ms')}`]),
    ],
  });
  if (c.ui && Object.keys(c.ui).length) {
    const ms = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : f(x));
    out.push({
      title: '4b. The path to the UI (RISK-4): terminal output relayed to a UI stand-in process',
      note: [
        ran(c, 'ui'),
        'Paths: main/… has the core in the main process; utility/… has it in a process of its own, relayed by main. …/ipc reaches the UI process over Node IPC; …/port reaches a worker thread over its MessagePort (its CPU counts inside the main process). direct/socket has the Rust core in the main process write the output of each shell onto a Unix socket of the UI process itself, with no JS hop; the ssh2 core cannot, so its row there is its main/ipc path run in the same rounds, and the ratio compares the best path of each core. path@N: the same load at N sessions (--ipc-sessions), with no flood. The output of each terminal crosses batched per frame for both cores (the first bytes after a quiet spell at once, then on a 16 ms grid), in the main process before the UI and in the utility process before main, as an app batches the data of a pty. CPU and RSS are summed over every process of the app; echo is timed in the UI, from the key it typed to the echo it drew. The UI stand-in is Node, not Electron.',
      ]
        .filter(Boolean)
        .join(' '),
      head: [
        'path',
        'contender',
        'app CPU % at load ↓',
        'per process (CPU %, RSS MB)',
        'app RSS (MB) ↓',
        'echo in the UI p50 / p95 / p99 (ms) ↓',
        'flood MB/s ↑',
        'flood CPU s/GB ↓',
        'lines lost',
      ],
      rows: Object.keys(c.ui).flatMap((path) => [
        ...cs.map((core) => {
          const u = c.ui![path]?.[core];
          const per = u ? u.processes.map((p) => `${p.role} ${f(p.cpuPct)} / ${f(p.rssMb, 0)}`).join(', ') : 'n/a';
          return [
            path,
            path.startsWith('direct/socket') && core !== 'rust' ? `${core} (main/ipc)` : core,
            f(u?.cpuPct),
            per,
            f(u?.rssMb, 0),
            u ? `${ms(u.echoP50Ms)} / ${ms(u.echoP95Ms)} / ${ms(u.echoP99Ms)}` : 'n/a',
            f(u?.floodMbPerS, 0),
            f(u?.floodCpuSPerGb),
            String(u?.linesLost ?? 'n/a'),
          ];
        }),
        [
          path,
          'rust/ssh2',
          ri(c, `ui.${path}.cpuPct`),
          '',
          ri(c, `ui.${path}.rssMb`),
          `p95 ${ri(c, `ui.${path}.echoP95Ms`)}`,
          ri(c, `ui.${path}.floodMbPerS`),
          ri(c, `ui.${path}.floodCpuSPerGb`),
          '',
        ],
      ]),
    });
  }
  if (c.uiFlow && Object.keys(c.uiFlow).length) {
    const kb = (x: number) => f(x / 1024, 0);
    const first = Object.values(c.uiFlow).flatMap((per) => Object.values(per))[0];
    out.push({
      title: '4c. Flow control: a flood into a UI that draws slower than the server sends',
      note:
        `One session floods ${first ? f(first.bytes / 1e6, 1) : '?'} MB into a UI stand-in that draws ${first ? f(first.drawBytesPerS / 1e6, 1) : '?'} MB/s and acks what it drew; a gate (xterm.js-style watermarks: the relay's, or on utility/ipc the utility process's own, fed the UI's acks) pauses the shell when too much is unacked. ` +
        'With a pause the unacked bytes stay near the high watermark and the last byte leaves the core only about as late as the UI can draw it; a core that cannot pause counts every pause unavailable, and the bytes wait in the app instead. Once a run per path and core: a behaviour, not a statistic.',
      head: [
        'path',
        'contender',
        'pauses asked',
        'could not pause',
        'peak unacked (KB)',
        'peak queued in the UI (KB)',
        'last byte sent (s)',
        'all drawn (s)',
        'app RSS (MB)',
        'lines lost',
      ],
      rows: Object.entries(c.uiFlow).flatMap(([path, per]) =>
        cs.map((core) => {
          const u = per[core];
          return [
            path,
            path.startsWith('direct/socket') && core !== 'rust' ? `${core} (main/ipc)` : core,
            String(u?.pauses ?? 'n/a'),
            String(u?.pausesUnavailable ?? 'n/a'),
            u ? kb(u.peakUnackedBytes) : 'n/a',
            u ? kb(u.uiPeakQueuedBytes) : 'n/a',
            u?.sendMs === null || u?.sendMs === undefined ? 'n/a' : f(u.sendMs / 1000, 1),
            u ? f(u.drawMs / 1000, 1) : 'n/a',
            f(u?.rssMb, 0),
            String(u?.linesLost ?? 'n/a'),
          ];
        }),
      ),
    });
  }
  out.push({
    title: '5. Scale (low PTY load and keepalive)',
    note: ran(c, 'scale'),
    head: ['sessions', 'contender', 'connected', 'RSS (MB) ↓', 'RSS per session (KB) ↓', 'CPU % ↓', 'CPU % per session ↓'],
    rows: Object.keys(c.scale).flatMap((n) => [
      ...cs.map((core) => {
        const s = c.scale[n]?.[core];
        return [n, core, String(s?.connected ?? 'n/a'), f(s?.rssMb, 1), f(s?.rssPerSessionKb, 0), f(s?.cpuPct), f(s?.cpuPerSessionPct, 4)];
      }),
      [n, 'rust/ssh2', '', ri(c, `scale.${n}.rssMb`), '', ri(c, `scale.${n}.cpuPct`), ''],
    ]),
  });
  out.push({
    title: '6. Boundary cost (resource phase)',
    head: ['contender', 'crossings/s (Rust to JS)', 'bytes per crossing', 'event-loop delay p99 (ms)', 'event-loop utilisation'],
    rows: cs.map((core) => {
      const b = c.boundary[core];
      return [
        core,
        b?.crossingsPerS === null ? 'no boundary' : f(b?.crossingsPerS, 0),
        b?.bytesPerCrossing === null ? '-' : f(b?.bytesPerCrossing, 0),
        f(b?.eldP99Ms),
        f(b?.elu, 3),
      ];
    }),
  });
  for (const [phase, per] of Object.entries(c.attribution ?? {})) {
    out.push({
      title: `7. Where the time goes: ${phase} (perf samples of the worker, % of its CPU)`,
      note: "One extra trial per core, not counted in the figures above. Groups are patterns over the leaf symbol of each sample (src/bench/attribute.ts): russh's own code lands in other, JIT-compiled JavaScript in JS.",
      head: ['contender', ...CATEGORIES],
      rows: cs.filter((k) => per[k]).map((k) => [k, ...CATEGORIES.map((g) => f(per[k]![g], 1))]),
    });
  }
  return out;
}

/** Which sections added rounds to narrow their weighted figures, and whether they got there. */
function roundsLine(c: Comparison): string[] {
  const o = c.options;
  const entries = Object.entries(c.rounds ?? {});
  if (!entries.length || o.halfWidth === undefined) return [];
  const pct = (x: number) => `${Number((x * 100).toPrecision(2))}%`;
  const parts = entries.map(([section, r]) =>
    r.wide.length
      ? `${section} ${r.ran} of at most ${r.max}, still wider: ${r.wide.map((w) => `${w.key} +/-${Number.isFinite(w.halfWidth) ? pct(w.halfWidth) : '?'}`).join(', ')}`
      : `${section} ${r.ran}`,
  );
  return [
    `Rounds: each section runs at least its trials, then adds rounds while a weighted figure's ratio interval is wider than +/-${pct(o.halfWidth)} of its median: ${parts.join('; ')}.`,
  ];
}

function header(c: Comparison): string[] {
  const o = c.options;
  return [
    `${c.createdAt} · ${c.machine.cpus} CPUs · Node ${c.machine.node} · ${c.machine.platform}`,
    `target: ${c.target ?? 'embedded'} · stability faults made by ${c.faults === 'kernel' ? 'iptables in a network namespace per server (kernel)' : "the lab's fault proxy"}`,
    `contenders: ${c.contenders.join(', ')} · kex ${o.kex} · cipher ${o.cipher} (throughput: ${o.ciphers.join(', ')}) · ` +
      `${o.trials} paired trials per section (ABBA order${o.shortTrials && o.shortTrials !== o.trials ? `; ${o.shortTrials} for throughput and latency` : ''}), budget ${Math.round(o.budgetMs / 1000)} s: stability ${o.phaseMs / 1000} s, resources ${o.resourcePhaseMs / 1000} s${o.resourceWarmupMs !== undefined ? ` after ${o.resourceWarmupMs / 1000} s of warm-up` : ''}, ` +
      `scale ${o.scaleSizes.join('/')} for ${o.scalePhaseMs / 1000} s, bulk ${o.bulkBytes === null ? `about ${o.bulkSeconds} s` : `${(o.bulkBytes / 1e6).toFixed(0)} MB`} per trial · seed ${o.seed}${o.quick ? ' · quick' : ''}${o.busy ? ' · other core busy (resources, throughput)' : ''}`,
    ...roundsLine(c),
    `Per-contender figures are medians of the trials; rust/ssh2 is the geometric mean of the paired ratios with a 95% bootstrap interval [lo-hi]; ` +
      `'~' marks no difference shown (the interval includes 1, or the ratio is within ${Math.round(o.policy.noise * 100)}% of 1). Limits are judged on the intervals. ↓ lower is better, ↑ higher is better: every figure is lower-is-better except MB/s, so a ratio below 1 favours Rust except for MB/s.`,
  ];
}

/** A run whose ssh2 lacked its native crypto: said on top of both pages, since it bends the answer. */
export function ssh2Caution(c: Pick<Comparison, 'settings'>): string | undefined {
  return ranWithoutSsh2Binding(c)
    ? "the ssh2 core ran without its native crypto binding (node:crypto per packet, about three times its CPU at the plan's load), so its figures are not ssh2 at its best and the answer does not hold for ssh2 as it should be installed."
    : undefined;
}

/** The answer on top of both pages: the verdict in a few words and the sentence that says why. */
function answer(c: Comparison): { verdict: string; kind: 'decided' | 'tie' | 'neither' | 'none'; sentence: string } {
  const sentence = c.summary.find((x) => x.startsWith('Answer:')) ?? 'Answer: none (no decision in this run).';
  return c.decision ? { verdict: c.decision.verdict, kind: c.decision.kind, sentence } : { verdict: 'No answer', kind: 'none', sentence };
}

const VERDICT_COLORS = { decided: ['#2b8a3e', '#ebfbee'], tie: ['#e67700', '#fff9db'], neither: ['#c92a2a', '#fff5f5'], none: ['#495057', '#f8f9fa'] } as const;

export function renderCompareMarkdown(c: Comparison): string {
  const a = answer(c);
  const out = ['# ssh-spike bench:compare', '', `**Verdict: ${a.verdict}.**`, '', a.sentence, ''];
  const caution = ssh2Caution(c);
  if (caution) out.push(`**Caution:** ${caution}`, '');
  out.push(...header(c).map((l) => `${l}  `), '');
  for (const t of tables(c)) {
    out.push(`## ${t.title}`, '');
    if (t.note) out.push(t.note, '');
    out.push(`| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`);
    for (const r of t.rows) out.push(`| ${r.join(' | ')} |`);
    out.push('');
  }
  return out.join('\n');
}

/** Horizontal bars of each contender's median, with its 95% interval as an error bar. */
function bars(title: string, unit: string, values: [Contender, Interval | undefined][]): string {
  const vs = values.filter((v): v is [Contender, Interval] => v[1] !== undefined && Number.isFinite(v[1].estimate));
  const max = Math.max(1e-9, ...vs.map(([, v]) => (Number.isFinite(v.hi) ? Math.max(v.hi, v.estimate) : v.estimate)));
  const x = (v: number) => 120 + (Math.min(v, max) / max) * 500;
  const rows = vs
    .map(([k, v], i) => {
      const y = 10 + i * 26;
      const err =
        v.n >= 2 && Number.isFinite(v.lo) && Number.isFinite(v.hi)
          ? `<path d="M${x(v.lo).toFixed(1)} ${y + 9}H${x(v.hi).toFixed(1)}M${x(v.lo).toFixed(1)} ${y + 3}v12M${x(v.hi).toFixed(1)} ${y + 3}v12" stroke="#212529" stroke-width="1.2" fill="none"/>`
          : '';
      const label = v.n >= 2 ? `${f(v.estimate)} [${f(v.lo)}-${Number.isFinite(v.hi) ? f(v.hi) : 'inf'}] ${unit}` : `${f(v.estimate)} ${unit}`;
      return `<rect x="120" y="${y}" width="${(x(v.estimate) - 120).toFixed(1)}" height="18" fill="${CORE_COLORS[k]}" opacity="0.85"/>${err}<text x="112" y="${y + 14}" text-anchor="end">${e(k)}</text><text x="${(Math.max(x(v.estimate), x(Number.isFinite(v.hi) ? v.hi : v.estimate)) + 8).toFixed(1)}" y="${y + 14}">${e(label)}</text>`;
    })
    .join('');
  return `<figure><figcaption>${e(title)} (lower is better; bar: median, whisker: 95% interval)</figcaption><svg viewBox="0 0 860 ${20 + vs.length * 26}" role="img" aria-label="${e(title)}">${rows}</svg></figure>`;
}

/**
 * The scale crossover: a figure per session against the session count (log scale) for each core,
 * with the trials' 95% intervals as whiskers. Where the lines cross, the lighter core changes.
 */
function crossover(c: Comparison, title: string, figure: 'cpuPct' | 'rssMb', perSession: (v: number, n: number) => number, unit: string): string {
  const ns = Object.keys(c.scale)
    .map(Number)
    .filter((n) => n > 0)
    .sort((a, b) => a - b);
  if (ns.length < 2) return '';
  const cores = c.contenders.filter((k) => ns.some((n) => c.scale[n]?.[k]));
  const pts = cores.map((k) => ({
    k,
    p: ns.flatMap((n) => {
      const iv = c.intervals[`scale.${n}.${figure}`]?.perCore[k];
      const v = c.scale[n]?.[k]?.[figure];
      if (v === undefined || !Number.isFinite(v)) return [];
      return [
        {
          n,
          v: perSession(v, n),
          lo: iv && iv.n >= 2 ? perSession(iv.lo, n) : undefined,
          hi: iv && iv.n >= 2 && Number.isFinite(iv.hi) ? perSession(iv.hi, n) : undefined,
        },
      ];
    }),
  }));
  // Both axes on a log scale: per-session figures fall by orders of magnitude as sessions grow.
  const all = pts.flatMap((s) => s.p.flatMap((q) => [q.v, q.hi ?? q.v, q.lo ?? q.v])).filter((v) => v > 0);
  if (!all.length) return '';
  const [lo, hi] = [Math.floor(Math.log10(Math.min(...all))), Math.ceil(Math.log10(Math.max(...all)))];
  const top = Math.max(hi, lo + 1);
  const [x0, x1, y0, y1] = [70, 700, 210, 20];
  const lx = (n: number) => x0 + ((Math.log10(n) - Math.log10(ns[0]!)) / Math.max(1e-9, Math.log10(ns.at(-1)!) - Math.log10(ns[0]!))) * (x1 - x0);
  const ly = (v: number) => y0 - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (top - lo)) * (y0 - y1);
  const tick = (v: number) => (v >= 1 ? v.toLocaleString('en-US') : String(+v.toPrecision(1)));
  const grid =
    Array.from({ length: top - lo + 1 }, (_, i) => 10 ** (lo + i))
      .map(
        (t) =>
          `<path d="M${x0} ${ly(t).toFixed(1)}H${x1}" stroke="#e9ecef"/><text x="${x0 - 6}" y="${(ly(t) + 4).toFixed(1)}" text-anchor="end">${e(tick(t))}</text>`,
      )
      .join('') + ns.map((n) => `<text x="${lx(n).toFixed(1)}" y="${y0 + 16}" text-anchor="middle">${n}</text>`).join('');
  const lines = pts
    .map(({ k, p }) => {
      const d = p.map((q, i) => `${i ? 'L' : 'M'}${lx(q.n).toFixed(1)} ${ly(q.v).toFixed(1)}`).join('');
      const whiskers = p
        .filter((q) => q.lo !== undefined && q.hi !== undefined)
        .map((q) => `<path d="M${lx(q.n).toFixed(1)} ${ly(q.lo!).toFixed(1)}V${ly(q.hi!).toFixed(1)}" stroke="${CORE_COLORS[k]}" stroke-width="1.2"/>`)
        .join('');
      const dots = p.map((q) => `<circle cx="${lx(q.n).toFixed(1)}" cy="${ly(q.v).toFixed(1)}" r="3" fill="${CORE_COLORS[k]}"/>`).join('');
      return `<path d="${d}" stroke="${CORE_COLORS[k]}" stroke-width="2" fill="none"/>${whiskers}${dots}`;
    })
    .join('');
  const legend = cores
    .map(
      (k, i) =>
        `<rect x="${x1 + 14}" y="${30 + i * 18}" width="12" height="12" fill="${CORE_COLORS[k]}"/><text x="${x1 + 32}" y="${40 + i * 18}">${e(k)}</text>`,
    )
    .join('');
  return `<figure><figcaption>${e(title)} (${e(unit)}; lower is better; both axes on a log scale)</figcaption><svg viewBox="0 0 820 235" role="img" aria-label="${e(title)}">${grid}${lines}${legend}</svg></figure>`;
}

const GROUP_COLORS = ['#c92a2a', '#e67700', '#2b8a3e', '#1971c2', '#7048e8', '#f08c00', '#868e96'];

/** One stacked bar per core: its samples by group, each bar filled to 100%. */
function stacked(title: string, per: Partial<Record<Contender, Attribution>>): string {
  const cores = (Object.keys(per) as Contender[]).filter((k) => per[k]);
  const rows = cores
    .map((k, i) => {
      const a = per[k]!;
      const total = Math.max(
        1e-9,
        CATEGORIES.reduce((t, g) => t + a[g], 0),
      );
      let x = 120;
      const y = 10 + i * 28;
      const parts = CATEGORIES.map((g, j) => {
        const w = (a[g] / total) * 600;
        const r = `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="20" fill="${GROUP_COLORS[j]}"><title>${e(`${g}: ${f(a[g], 1)}%`)}</title></rect>`;
        x += w;
        return r;
      }).join('');
      return `<text x="112" y="${y + 15}" text-anchor="end">${e(k)}</text>${parts}`;
    })
    .join('');
  const legend = CATEGORIES.map(
    (g, j) =>
      `<rect x="${120 + (j % 4) * 160}" y="${20 + cores.length * 28 + Math.floor(j / 4) * 18}" width="12" height="12" fill="${GROUP_COLORS[j]}"/><text x="${136 + (j % 4) * 160}" y="${30 + cores.length * 28 + Math.floor(j / 4) * 18}">${e(g)}</text>`,
  ).join('');
  return `<figure><figcaption>${e(title)}</figcaption><svg viewBox="0 0 760 ${60 + cores.length * 28}" role="img" aria-label="${e(title)}">${rows}${legend}</svg></figure>`;
}

export function renderCompareHtml(c: Comparison): string {
  const css = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#212529}h1{font-size:22px}h2{font-size:16px;margin-top:26px;border-bottom:1px solid #dee2e6}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{border:1px solid #dee2e6;padding:4px 6px;text-align:left}th{background:#f1f3f5}
svg{width:100%;height:auto;border:1px solid #e9ecef}svg text{font-size:11px;fill:#495057}figcaption{font-weight:600}.note{background:#f8f9fa;padding:8px;border-left:3px solid #adb5bd}
.verdict{border:2px solid;border-radius:6px;padding:10px 14px;margin:12px 0 18px}.verdict strong{font-size:18px;display:block;margin-bottom:4px}`;
  const a = answer(c);
  const [fg, bg] = VERDICT_COLORS[a.kind];
  const body: string[] = [
    '<h1>ssh-spike bench:compare</h1>',
    `<div class="verdict" style="border-color:${fg};background:${bg}"><strong style="color:${fg}">${e(a.verdict)}</strong>${e(a.sentence)}</div>`,
    ...(ssh2Caution(c) ? [`<p class="note"><strong>Caution:</strong> ${e(ssh2Caution(c)!)}</p>`] : []),
    ...header(c).map((l) => `<p>${e(l)}</p>`),
  ];
  const cs = c.contenders;
  const per = (key: string, core: Contender) => c.intervals[key]?.perCore[core];
  for (const t of tables(c)) {
    body.push(`<h2>${e(t.title)}</h2>`);
    if (t.note) body.push(`<p class="note">${e(t.note)}</p>`);
    body.push(
      `<table><tr>${t.head.map((h) => `<th>${e(h)}</th>`).join('')}</tr>${t.rows.map((r) => `<tr>${r.map((x) => `<td>${e(x)}</td>`).join('')}</tr>`).join('')}</table>`,
    );
    if (t.title.startsWith('2.'))
      body.push(
        bars(
          'CPU % of one core at the mid load',
          '%',
          cs.map((k) => [k, per('resources.cpuPct', k)]),
        ),
      );
    if (t.title.startsWith('3.')) {
      const cipher = Object.keys(c.throughput).find((k) => t.title.includes(k))!;
      body.push(
        bars(
          `client CPU s/GB (${cipher})`,
          's/GB',
          cs.map((k) => [k, per(`throughput.${cipher}.cpuSPerGb`, k)]),
        ),
      );
    }
    if (t.title.startsWith('4.')) {
      for (const [key, label] of [
        ['handshake', 'handshake p95'],
        ['exec', 'exec round trip p95'],
        ['echo', 'keystroke echo p95'],
      ] as const) {
        body.push(
          bars(
            label,
            'ms',
            cs.map((k) => [k, per(`latency.${key}.p95Ms`, k)]),
          ),
        );
      }
    }
    if (t.title.startsWith('7.')) {
      const phase = Object.keys(c.attribution ?? {}).find((p) => t.title.includes(`: ${p} (`));
      if (phase) body.push(stacked(`where the CPU goes: ${phase}`, c.attribution![phase]!));
    }
    if (t.title.startsWith('5.')) {
      body.push(crossover(c, 'CPU per session', 'cpuPct', (v, n) => v / n, '% of one core per session'));
      body.push(crossover(c, 'RSS per session', 'rssMb', (v, n) => (v * 1024) / n, 'KB per session'));
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ssh-spike bench:compare</title><style>${css}</style></head><body>${body.join('\n')}</body></html>\n`;
}
