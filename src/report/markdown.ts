/** report.md: the plan's record table, criteria, decision and checklist, from report data. */
import type { Outcome, Tick } from '../metrics/verdict.js';
import { dur, num } from './format.js';
import { criterionDetail, type Lang, verdictReasons, words } from './i18n.js';
import type { Report } from './model.js';
import { recordRows } from './table.js';

const box = (t: Tick | boolean) => (t === true || t === 'pass' ? '[x]' : '[ ]');

export function renderMarkdown(report: Report, lang: Lang): string {
  const w = words(lang);
  const c = report.criteria;
  const out: string[] = [];
  out.push(`# ${w.title}`, '');
  out.push(w.header(report.createdAt, report.runs.length, Object.keys(report.verdicts).join(', ')), '');
  if (report.partial) out.push(`> ${w.partial}`, '');

  out.push(`## ${w.decision}`, '');
  out.push(`| ${w.core} | ${w.headings.outcome} | ${w.headings.nextStep} | ${w.headings.reasons} |`, '|---|---|---|---|');
  for (const [core, v] of Object.entries(report.verdicts)) {
    out.push(`| ${core} | **${w.outcome[v.outcome as Outcome]}** | ${w.nextStep[v.outcome as Outcome]} | ${verdictReasons(w, v).join('<br>')} |`);
  }
  out.push('');

  out.push(`## ${w.successCriteria}`, '');
  const titles = {
    'sessions-held': w.criteria['sessions-held'](c.sessions, dur(c.durationS)),
    'reconnect-rate': w.criteria['reconnect-rate'](c.reconnectSuccessPct),
    memory: w.criteria.memory(c.rssLimitMb, c.sessions),
    cpu: w.criteria.cpu(c.cpuLimitPct),
  };
  for (const [core, v] of Object.entries(report.verdicts)) {
    out.push(`### ${core}`, '');
    for (const cr of v.criteria) out.push(`- ${box(cr.tick)} ${titles[cr.id]} - ${w.tick[cr.tick]}: ${criterionDetail(w, v, cr)}`);
    out.push('');
  }

  out.push(`## ${w.recordTable}`, '');
  out.push(`| ${w.columns.join(' | ')} |`);
  out.push(`|${w.columns.map((_, i) => ([2, 7].includes(i) ? '---:' : '---')).join('|')}|`);
  for (const row of recordRows(report, lang)) out.push(`| ${row.map((x) => x.replace(/\|/g, '\\|')).join(' | ')} |`);
  out.push('');

  out.push(`## ${w.metrics}`, '');
  out.push(`| ${w.metricColumns.join(' | ')} |`, '|---|---:|---|---|---|---:|---:|');
  for (const r of report.runs) {
    out.push(
      `| ${r.runId} | ${num(r.uptimePct)}% | ${num(r.exec.p50Ms)} / ${num(r.exec.p95Ms)} / ${num(r.exec.p99Ms)} | ${num(r.echo.p50Ms)} / ${num(r.echo.p95Ms)} / ${num(r.echo.p99Ms)} | ${num(r.eventLoop.delayP99Ms)} / ${num(r.eventLoop.utilization, 3)} | ${num(r.rssMB.growthPerHour)} | ${r.integrityErrors} |`,
    );
  }
  const ran = [...new Set(report.runs.map((r) => r.workloads?.join('; ')).filter((x): x is string => !!x))];
  if (ran.length) out.push('', ...ran.map((x) => w.ran(x)));
  const from = report.runs.map((r) => r.steadyFromS).filter((x): x is number => x !== undefined);
  if (from.length)
    out.push(
      '',
      w.steady(Math.min(...from) === Math.max(...from) ? Math.min(...from).toFixed(0) : `${Math.min(...from).toFixed(0)}-${Math.max(...from).toFixed(0)}`),
    );
  out.push('');

  out.push(`## ${w.causes}`, '');
  out.push(`| Run | ${w.cause.network} | ${w.cause.auth} | ${w.cause.server} | ${w.cause.client} |`, '|---|---:|---:|---:|---:|');
  for (const r of report.runs) out.push(`| ${r.runId} | ${r.causes.network} | ${r.causes.auth} | ${r.causes.server} | ${r.causes.client} |`);
  const abnormal = report.runs.flatMap((r) => r.abnormal.map((a) => `${r.runId}: ${a}`));
  if (abnormal.length) out.push('', ...abnormal.map((a) => `- ${a}`));
  out.push('');

  out.push(`## ${w.checklist}`, '');
  out.push(`- ${box(report.checklist.repeated)} ${w.checks.repeated}`);
  out.push(`- ${box(report.checklist.massDrop)} ${w.checks.massDrop}`);
  out.push(`- ${box(report.checklist.recorded)} ${w.checks.recorded}`);
  out.push(`- ${box(report.checklist.classified)} ${w.checks.classified}`);
  out.push('');

  out.push(`## ${w.options}`, '');
  const policies = Object.fromEntries(report.runs.map((r) => [r.runId, { compression: r.compression, ...r.policy }]));
  out.push('```json', JSON.stringify({ options: report.options, criteria: report.criteria, policy: policies }, null, 2), '```', '');
  return out.join('\n');
}
