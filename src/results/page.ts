/**
 * The results page (docs/results/README.md) from the records: the plan's record table for every
 * spike run, the plan's verdict per core with its next step, the Rust-vs-JS answer of every
 * bench:compare run with its intervals, and what would change each. A pure function: data in,
 * markdown out; nothing on it is written by hand.
 */
import { type Comparison, type DecisionRow, ranWithoutSsh2Binding, showInterval } from '../bench/compare.js';
import { halfWidth } from '../metrics/intervals.js';
import type { Outcome } from '../metrics/verdict.js';
import { dur, num } from '../report/format.js';
import { criterionDetail, verdictReasons, words } from '../report/i18n.js';
import type { Report } from '../report/model.js';
import { recordRows } from '../report/table.js';
import type { LoadedRecord, RecordedRun } from './manifest.js';

const w = words('en');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
const head = (cells: string[]) => [row(cells), `|${cells.map(() => '---').join('|')}|`];
const coreName = (core: 'rust' | 'ssh2') => (core === 'rust' ? 'the Rust core' : 'the ssh2 core');

function runsTable(rec: LoadedRecord): string[] {
  const out = head(['run', 'command', 'UTC', 'exit', 'load (1-min avg, mean / max)', 'what else ran']);
  for (const r of rec.manifest.runs) {
    const span = `${r.startedAt.replace('T', ' ').slice(0, 16)} - ${r.endedAt.slice(11, 16)}`;
    const load = r.load ? `${num(r.load.mean, 2)} / ${num(r.load.max, 2)} (${r.load.samples} samples)` : 'not sampled';
    out.push(row([`[${r.dir}](${rec.name}/${r.dir}/)`, `\`${r.command}\``, span, String(r.exitCode ?? 'killed'), load, r.alongside || 'nothing recorded']));
  }
  const caveats = rec.manifest.runs.filter((r) => r.caveat);
  if (caveats.length) out.push('', ...caveats.map((r) => `**Caveat (${r.dir}):** ${r.caveat}`));
  return out;
}

/** How close each measured criterion came to its limit, for "what would change it". */
function margins(report: Report): string[] {
  const out: string[] = [];
  for (const [core, v] of Object.entries(report.verdicts)) {
    const m = v.measured;
    const parts = [
      `CPU ${num(m.cpuPct, 2)}% of a ${m.cpuLimitPct}% limit (${num((m.cpuPct / m.cpuLimitPct) * 100, 0)}% of it)`,
      `RSS peak ${num(m.rssPeakMb, 0)} MB of ${m.rssLimitMb} MB (${num((m.rssPeakMb / m.rssLimitMb) * 100, 0)}%)`,
    ];
    if (m.interrupted > 0)
      parts.push(`reconnect ${m.recoveredWithin}/${m.interrupted} = ${num(m.reconnectPct)}% within ${m.reconnectWithinS} s, ${m.reconnectNeedPct}% needed`);
    parts.push(`${m.abnormal} abnormal end(s), any of which makes it a failure`);
    out.push(`- ${core}: ${parts.join('; ')}.`);
  }
  return out;
}

function spikeSection(rec: LoadedRecord, run: RecordedRun, report: Report): string[] {
  const c = report.criteria;
  const out = [`### The plan, run by \`spike\` (${run.dir})`, ''];
  out.push(
    `${report.runs.length} runs: ${[...new Set(report.runs.map((r) => `${r.core} ${dur(r.durationS)}`))].join(', ')}; criteria used: ${c.sessions} sessions, ` +
      `${dur(c.durationS)}, exec every ${c.execPollIntervalMs / 1000} s, usable within ${c.reconnectWithinMs / 1000} s, >= ${c.reconnectSuccessPct}%, ` +
      `< ${c.rssLimitMb} MB, < ${c.cpuLimitPct}% CPU. Full report: [report.md](${rec.name}/${run.dir}/report.md), [report.html](${rec.name}/${run.dir}/report.html).`,
    '',
  );
  if (report.partial) out.push('> This report is partial: a run stopped early.', '');
  out.push('#### The plan\u2019s verdict per core', '', ...head(['core', 'outcome', 'next step (the plan)', 'why']));
  for (const [core, v] of Object.entries(report.verdicts)) {
    out.push(row([core, `**${w.outcome[v.outcome as Outcome]}**`, w.nextStep[v.outcome as Outcome], verdictReasons(w, v).join('<br>')]));
  }
  out.push('', ...head(['core', 'criterion', 'result', 'measured']));
  for (const [core, v] of Object.entries(report.verdicts)) {
    for (const cr of v.criteria) out.push(row([core, cr.id, w.tick[cr.tick], criterionDetail(w, v, cr)]));
  }
  out.push('', '#### The plan\u2019s record table', '', row(w.columns), `|${w.columns.map(() => '---').join('|')}|`);
  for (const r of recordRows(report, 'en')) out.push(row(r));
  const k = report.checklist;
  out.push('', '#### The plan\u2019s checklist', '');
  out.push(`- [${k.repeated ? 'x' : ' '}] ${w.checks.repeated}`, `- [${k.massDrop ? 'x' : ' '}] ${w.checks.massDrop}`);
  out.push(`- [${k.recorded ? 'x' : ' '}] ${w.checks.recorded}`, `- [${k.classified ? 'x' : ' '}] ${w.checks.classified}`, '');
  out.push('#### What would change the plan\u2019s verdict', '', ...margins(report), '');
  return out;
}

/** What would turn one bench:compare answer, computed from its decision and plan rows. */
export function whatWouldChange(c: Comparison): string[] {
  const d = c.decision;
  if (!d) return ['This run made no decision: none of its policy figures was measured.'];
  const out: string[] = [];
  const gate: string[] = [];
  for (const core of ['rust', 'ssh2'] as const) {
    const rows = c.plan[core] ?? [];
    const missed = rows.filter((r) => r.pass === false);
    const open = rows.filter((r) => r.undecided);
    if (missed.length) gate.push(`${coreName(core)} misses ${missed.map((r) => `${r.criterion} (${r.value})`).join(', ')}`);
    if (open.length) gate.push(`${coreName(core)} is undecided on ${open.map((r) => `${r.criterion} (${r.value})`).join(', ')}`);
  }
  if (gate.length) out.push(`The plan comes first: ${gate.join('; ')}. A core that misses the plan loses to one that meets it, whatever the figures.`);
  const lead = d.score.rust - d.score.ssh2;
  const leader: 'rust' | 'ssh2' = lead >= 0 ? 'rust' : 'ssh2';
  const tally = `score ${d.score.rust} to ${d.score.ssh2}, a lead of ${d.policy.decisive} decides`;
  if (Math.abs(lead) >= d.policy.decisive) {
    const spare = Math.abs(lead) - d.policy.decisive;
    const wins = d.rows.filter((r) => r.better === leader).sort((a, b) => b.weight - a.weight);
    const picked: DecisionRow[] = [];
    let sum = 0;
    for (const r of wins) {
      if (sum > spare) break;
      picked.push(r);
      sum += r.weight;
    }
    out.push(
      `On the figures (${tally}) ${coreName(leader)} leads; it would stop deciding if its differences weighing more than ${spare} vanished, ` +
        `at the least these: ${picked.map((r) => `${r.name} (weight ${r.weight}, ${showInterval(r.ratio)})`).join('; ')}.`,
    );
  } else {
    const open = d.rows.filter((r) => r.better === '~').map((r) => `${r.name} (${showInterval(r.ratio)})`);
    out.push(
      `On the figures (${tally}) neither core leads; a difference weighing ${d.policy.decisive - Math.abs(lead)} more for either would decide` +
        `${open.length ? `. No difference shown on: ${open.join(', ')}` : ''}.`,
    );
  }
  out.push(`A team that weighs figures otherwise brings its own policy (\`--policy FILE\`); this answer used "${d.policy.policy}" v${d.policy.version}.`);
  return out;
}

function compareSection(rec: LoadedRecord): string[] {
  const runs = rec.compares;
  if (runs.length === 0) return [];
  const out = [`### Rust or JavaScript: bench:compare, ${runs.length} run${runs.length > 1 ? 's' : ''}`, ''];
  const verdicts = new Map<string, number>();
  for (const { comparison } of runs) {
    const v = comparison.decision?.verdict ?? 'no decision';
    verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
  }
  const answers = [...verdicts].sort((a, b) => b[1] - a[1]);
  out.push(
    answers.length === 1
      ? `**Every run gives the same answer: ${answers[0]![0]}.**`
      : `**The runs disagree:** ${answers.map(([v, n]) => `${n} x "${v}"`).join(', ')}.`,
    '',
  );
  const handicapped = runs.filter((r) => ranWithoutSsh2Binding(r.comparison));
  if (handicapped.length > 0)
    out.push(
      `**Caution: ${handicapped.length === runs.length ? 'every run here' : handicapped.map((r) => r.run.dir).join(', ')} measured ssh2 without its native crypto binding** (it was built against another Node's headers and did not load, so ssh2 decrypted with node:crypto per packet, at about three times its CPU at the plan's load). ${handicapped.length === runs.length ? 'These answers do' : 'Those answers do'} not hold for ssh2 as it should be installed; they stay here as the record of what was run.`,
      '',
    );
  const names = runs.map((r) => `[${r.run.dir}](${rec.name}/${r.run.dir}/compare.md)`);
  out.push(...head(['', ...names]));
  out.push(row(['answer', ...runs.map((r) => r.comparison.decision?.verdict ?? 'no decision')]));
  out.push(
    row(['score rust : ssh2', ...runs.map((r) => (r.comparison.decision ? `${r.comparison.decision.score.rust} : ${r.comparison.decision.score.ssh2}` : '-'))]),
  );
  for (const core of ['rust', 'ssh2'] as const) {
    out.push(
      row([
        `${core}: the plan`,
        ...runs.map((r) => {
          const rows = r.comparison.plan[core] ?? [];
          const missed = rows.filter((x) => x.pass === false).map((x) => `misses ${x.criterion} (${x.value})`);
          return missed.length ? missed.join('; ') : rows.some((x) => x.undecided) ? 'undecided' : 'meets it';
        }),
      ]),
    );
  }
  out.push(
    '',
    'Each figure below is the ratio rust/ssh2 with its 95% interval over the paired trials (lower is better unless the figure says otherwise), then which core it favours (`~`: no difference that counts), weighed by the policy:',
    '',
  );
  const keys = runs[0]!.comparison.decision?.rows.map((r) => r.key) ?? [];
  out.push(...head(['figure (weight)', ...runs.map((r) => r.run.dir), 'widest half-width']));
  for (const key of keys) {
    const first = runs[0]!.comparison.decision!.rows.find((r) => r.key === key)!;
    const cells = runs.map((r) => {
      const x = r.comparison.decision?.rows.find((y) => y.key === key);
      return x ? `${showInterval(x.ratio)} ${x.better === 'not measured' ? '(not measured)' : x.better}` : '-';
    });
    const widths = runs.map((r) => halfWidth(r.comparison.decision?.rows.find((y) => y.key === key)?.ratio)).filter(Number.isFinite);
    const widest = widths.length ? `+/-${num(Math.max(...widths) * 100, 0)}%` : '-';
    out.push(row([`${first.name}${first.lowerIsBetter === false ? ' (higher is better)' : ''} (${first.weight})`, ...cells, widest]));
  }
  out.push(
    '',
    `#### What would change the answer (${runs[runs.length - 1]!.run.dir})`,
    '',
    ...whatWouldChange(runs[runs.length - 1]!.comparison).map((x) => `- ${x}`),
    '',
  );
  return out;
}

export function renderResultsPage(records: LoadedRecord[]): string {
  const out = ['# SPIKE-2 results', ''];
  out.push(
    'Generated by `npm run results` from the records below (each `docs/results/<date>/manifest.json` and the report JSON of every run it lists); change the records, not this page. A record holds runs made from one commit on one machine, listed with their exact commands and what else ran.',
    '',
  );
  if (records.length === 0) out.push('No record yet.', '');
  for (const rec of records) {
    const m = rec.manifest.machine;
    out.push(`## ${rec.name}, commit ${rec.manifest.commit.slice(0, 7)}`, '');
    out.push(
      `Machine: ${m.cpu}, ${m.cores} cores, ${num(m.memoryGiB, 1)} GiB, Linux ${m.kernel}, Node ${m.node}, ${m.rust}. Commit \`${rec.manifest.commit}\`.`,
      '',
    );
    out.push(...runsTable(rec), '');
    for (const s of rec.spikes) out.push(...spikeSection(rec, s.run, s.report));
    out.push(...compareSection(rec));
  }
  return out.join('\n');
}
