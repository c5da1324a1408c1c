/** compare.md and compare.html: the comparison as tables (and a few bars), from compare.json data. */
import type { Contender } from '../core/errors.js';
import { escapeHtml as e, figure as f } from '../report/format.js';
import { type Comparison, showInterval } from './compare.js';

type Table = { title: string; head: string[]; rows: string[][]; note?: string };

const tick = (p: boolean | null, undecided?: boolean) => (p === null ? (undecided ? 'undecided' : 'not measured') : p ? 'yes' : 'NO');

function ratioRow(c: Comparison, cells: (string | null)[]): string[] {
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
      head: ['figure', 'weight', 'smallest effect', 'rust/ssh2', 'better'],
      rows: [
        ...d.rows.map((r) => [`${r.name} (${r.key})`, String(r.weight), `${Math.round(r.minEffect * 100)}%`, showInterval(r.ratio), r.better]),
        ['score', '', '', '', `rust ${d.score.rust}, ssh2 ${d.score.ssh2} (a lead of ${d.policy.decisive} decides; on a tie: ${d.policy.onTie})`],
      ],
      note: 'A figure counts for the core that is better on it when its paired interval excludes 1 and the ratio is at least the smallest effect away from 1; a core that fails a criterion of the plan loses first.',
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
    head: ['contender', 'recovered x/y', ...scen.map((s) => `${s} time to usable p50/p95 (s)`), 'abnormal ends'],
    rows: cs.map((core) => {
      const st = c.stability[core];
      if (!st) return [core, 'n/a'];
      if ('skipped' in st) return [core, `skipped: ${st.skipped}`, '', '', '', ''];
      return [core, `${st.recovered}/${st.interrupted}`, ...scen.map((s) => {
        const x = st.scenarios.find((y) => y.scenario === s);
        return x ? `${f(x.p50S)} / ${f(x.p95S)}` : 'n/a';
      }), String(st.abnormalEnds)];
    }),
  });
  out.push({
    title: `2. Resources (${c.options.sessions} sessions, mid PTY load, exec every 5 s, an echo probe a second per session, keepalive)`,
    head: ['contender', 'CPU % of one core', 'RSS peak (MB)', 'RSS mean (MB)', 'echo p95 under load (ms)'],
    rows: [
      ...cs.map((core) => {
        const r = c.resources[core];
        return [core, f(r?.cpuPct), f(r?.rssPeakMb, 1), f(r?.rssMeanMb, 1), f(r?.echoP95Ms ?? undefined, 2)];
      }),
      ratioRow(c, [ri(c, 'resources.cpuPct'), ri(c, 'resources.rssPeakMb'), null, ri(c, 'resources.echoP95Ms')]),
    ],
  });
  for (const cipher of Object.keys(c.throughput)) {
    const floor = c.floor?.ciphers[cipher];
    out.push({
      title: `3. Throughput: ${c.options.bulkBytes === null ? `about ${c.options.bulkSeconds} s` : `${(c.options.bulkBytes / 1e6).toFixed(0)} MB`} of exec output delivered to JS per trial (${cipher})`,
      head: ['contender', 'MB/s', 'client CPU s/GB', 'RSS after (MB)'],
      rows: [
        ...cs.map((core) => {
          const t = c.throughput[cipher]?.[core];
          return [core, f(t?.mbPerS, 0), f(t?.cpuSPerGb), f(t?.rssMb, 0)];
        }),
        ratioRow(c, [ri(c, `throughput.${cipher}.mbPerS`), ri(c, `throughput.${cipher}.cpuSPerGb`), ri(c, `throughput.${cipher}.rssMb`)]),
        ...(floor ? [['crypto floor', f(floor.mbPerS, 0), f(floor.cpuSPerGb), '-'], ['rust/floor', 'n/a', showInterval(c.intervals[`throughput.${cipher}.cpuSPerGbOverFloor`]?.ratio), '-']] : []),
      ],
      note: floor
        ? `crypto floor: the cipher alone on this CPU (aws-lc, the library russh uses: one copy and one AEAD open per ${c.floor!.blockBytes / 1024} KiB block; no SSH, socket or JS hop), measured in this run.`
        : undefined,
    });
  }
  for (const cipher of Object.keys(c.throughputBusy)) {
    out.push({
      title: `3b. Throughput with the other core busy (${cipher})`,
      head: ['contender', 'MB/s', 'client CPU s/GB', 'quiet CPU s/GB', 'rise (busy / quiet)'],
      rows: [
        ...cs.map((core) => {
          const b = c.throughputBusy[cipher]?.[core];
          const q = c.throughput[cipher]?.[core];
          return [core, f(b?.mbPerS, 0), f(b?.cpuSPerGb), f(q?.cpuSPerGb), b && q ? f(b.cpuSPerGb / q.cpuSPerGb) : 'n/a'];
        }),
        ratioRow(c, [null, ri(c, `throughputBusy.${cipher}.cpuSPerGb`), ri(c, `throughput.${cipher}.cpuSPerGb`), ri(c, `throughputBusy.${cipher}.rise`)]),
      ],
      note: 'A CPU hog (one spinning process) ran beside the worker; the rise says how much each core suffers from sharing the machine.',
    });
  }
  out.push({
    title: '4. Latency (ms, HDR p50 / p95 / p99)',
    head: ['contender', 'handshake', 'exec round trip', 'keystroke echo'],
    rows: [
      ...cs.map((core) => {
        const l = c.latency[core];
        const p = (x?: { p50Ms: number; p95Ms: number; p99Ms: number }) => (x ? `${f(x.p50Ms)} / ${f(x.p95Ms)} / ${f(x.p99Ms)}` : 'n/a');
        return [core, p(l?.handshake), p(l?.exec), p(l?.echo)];
      }),
      ratioRow(c, [`p95 ${ri(c, 'latency.handshake.p95Ms')}`, `p95 ${ri(c, 'latency.exec.p95Ms')}`, `p95 ${ri(c, 'latency.echo.p95Ms')}`]),
    ],
  });
  out.push({
    title: '5. Scale (low PTY load and keepalive)',
    head: ['sessions', 'contender', 'connected', 'RSS (MB)', 'RSS per session (KB)', 'CPU %', 'CPU % per session'],
    rows: Object.keys(c.scale).flatMap((n) =>
      cs.map((core) => {
        const s = c.scale[n]?.[core];
        return [n, core, String(s?.connected ?? 'n/a'), f(s?.rssMb, 1), f(s?.rssPerSessionKb, 0), f(s?.cpuPct), f(s?.cpuPerSessionPct, 4)];
      }),
    ),
  });
  out.push({
    title: '6. Boundary cost (resource phase)',
    head: ['contender', 'crossings/s (Rust to JS)', 'bytes per crossing', 'event-loop delay p99 (ms)', 'event-loop utilisation'],
    rows: cs.map((core) => {
      const b = c.boundary[core];
      return [core, b?.crossingsPerS === null ? 'no boundary' : f(b?.crossingsPerS, 0), b?.bytesPerCrossing === null ? '-' : f(b?.bytesPerCrossing, 0), f(b?.eldP99Ms), f(b?.elu, 3)];
    }),
  });
  return out;
}

function header(c: Comparison): string[] {
  const o = c.options;
  return [
    `${c.createdAt} · ${c.machine.cpus} CPUs · Node ${c.machine.node} · ${c.machine.platform}`,
    `contenders: ${c.contenders.join(', ')} · kex ${o.kex} · cipher ${o.cipher} (throughput: ${o.ciphers.join(', ')}) · ` +
      `${o.trials} paired trials per section (ABBA order), budget ${Math.round(o.budgetMs / 1000)} s: stability ${o.phaseMs / 1000} s, resources ${o.resourcePhaseMs / 1000} s, ` +
      `scale ${o.scaleSizes.join('/')} for ${o.scalePhaseMs / 1000} s, bulk ${o.bulkBytes === null ? `about ${o.bulkSeconds} s` : `${(o.bulkBytes / 1e6).toFixed(0)} MB`} per trial · seed ${o.seed}${o.quick ? ' · quick' : ''}${o.busy ? ' · other core busy (resources, throughput)' : ''}`,
    `Per-contender figures are medians of the trials; rust/ssh2 is the geometric mean of the paired ratios with a 95% bootstrap interval [lo-hi]; ` +
      `'~' marks no difference shown (the interval includes 1, or the ratio is within ${Math.round(o.policy.noise * 100)}% of 1). Limits are judged on the intervals. Lower is better except MB/s.`,
  ];
}

export function renderCompareMarkdown(c: Comparison): string {
  const out = ['# ssh-spike bench:compare', '', ...header(c).map((l) => `${l}  `), ''];
  for (const t of tables(c)) {
    out.push(`## ${t.title}`, '');
    if (t.note) out.push(t.note, '');
    out.push(`| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`);
    for (const r of t.rows) out.push(`| ${r.join(' | ')} |`);
    out.push('');
  }
  return out.join('\n');
}

const COLORS: Record<Contender, string> = { rust: '#e8590c', ssh2: '#1c7ed6', 'russh-napi': '#5f3dc4' };

function bars(title: string, unit: string, values: [Contender, number | undefined][]): string {
  const vs = values.filter((v): v is [Contender, number] => v[1] !== undefined && Number.isFinite(v[1]));
  const max = Math.max(1e-9, ...vs.map((v) => v[1]));
  const rows = vs
    .map(([k, v], i) => `<rect x="120" y="${10 + i * 26}" width="${((v / max) * 520).toFixed(1)}" height="18" fill="${COLORS[k]}"/><text x="112" y="${24 + i * 26}" text-anchor="end">${e(k)}</text><text x="${(128 + (v / max) * 520).toFixed(1)}" y="${24 + i * 26}">${f(v)} ${e(unit)}</text>`)
    .join('');
  return `<figure><figcaption>${e(title)}</figcaption><svg viewBox="0 0 760 ${20 + vs.length * 26}" role="img" aria-label="${e(title)}">${rows}</svg></figure>`;
}

export function renderCompareHtml(c: Comparison): string {
  const css = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#212529}h1{font-size:22px}h2{font-size:16px;margin-top:26px;border-bottom:1px solid #dee2e6}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{border:1px solid #dee2e6;padding:4px 6px;text-align:left}th{background:#f1f3f5}
svg{width:100%;height:auto;border:1px solid #e9ecef}svg text{font-size:11px;fill:#495057}figcaption{font-weight:600}.note{background:#f8f9fa;padding:8px;border-left:3px solid #adb5bd}`;
  const body: string[] = ['<h1>ssh-spike bench:compare</h1>', ...header(c).map((l) => `<p>${e(l)}</p>`)];
  const cs = c.contenders;
  for (const t of tables(c)) {
    body.push(`<h2>${e(t.title)}</h2>`);
    if (t.note) body.push(`<p class="note">${e(t.note)}</p>`);
    body.push(`<table><tr>${t.head.map((h) => `<th>${e(h)}</th>`).join('')}</tr>${t.rows.map((r) => `<tr>${r.map((x) => `<td>${e(x)}</td>`).join('')}</tr>`).join('')}</table>`);
    if (t.title.startsWith('2.')) body.push(bars('CPU % of one core', '%', cs.map((k) => [k, c.resources[k]?.cpuPct])));
    if (t.title.startsWith('3.')) {
      const cipher = Object.keys(c.throughput).find((k) => t.title.includes(k))!;
      body.push(bars(`client CPU s/GB (${cipher})`, 's/GB', cs.map((k) => [k, c.throughput[cipher]?.[k]?.cpuSPerGb])));
    }
    if (t.title.startsWith('4.')) body.push(bars('keystroke echo p95', 'ms', cs.map((k) => [k, c.latency[k]?.echo.p95Ms])));
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ssh-spike bench:compare</title><style>${css}</style></head><body>${body.join('\n')}</body></html>\n`;
}
