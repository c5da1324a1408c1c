/** report.html: one self-contained page (inline CSS and SVG, no script, no network). */
import { FAILURE_CAUSES } from '../core/tables.js';
import type { Outcome, Tick } from '../metrics/verdict.js';
import { histogram, lineChart, swimlane, type Window } from './charts.js';
import { coreColor } from './colors.js';
import { dur, escapeHtml as e, num } from './format.js';
import { criterionDetail, faultName, type Lang, words, verdictReasons } from './i18n.js';
import type { Report } from './model.js';
import { recordRows } from './table.js';

// Korean needs a CJK face: Noto Sans CJK (Debian's fonts-noto-cjk) where system-ui has none.
const CSS = `body{font:14px/1.45 system-ui,'Noto Sans CJK KR','Noto Sans KR','Apple SD Gothic Neo','Malgun Gothic',sans-serif;margin:24px auto;max-width:1100px;color:#212529;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dee2e6}table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{border:1px solid #dee2e6;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f1f3f5}
.success{color:#2b8a3e}.partial{color:#e67700}.failure{color:#c92a2a}.pass{color:#2b8a3e}.fail{color:#c92a2a}.not-measured{color:#868e96}
figure{margin:14px 0}figcaption{font-weight:600;margin-bottom:4px}svg{width:100%;height:auto;background:#fff;border:1px solid #e9ecef}
svg text{font-size:10px;fill:#495057}.grid{stroke:#f1f3f5}.fault{fill:#ffe3e3;opacity:.7}.faultlabel{fill:#c92a2a}
.limit{stroke:#c92a2a;stroke-dasharray:6 3;stroke-width:1}svg text.limitlabel{fill:#c92a2a}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.faultkey{background:#ffe3e3;border:1px solid #ffc9c9}.banner{background:#fff3bf;padding:8px;border:1px solid #ffe066}pre{background:#f8f9fa;padding:8px;overflow:auto;font-size:12px}`;

export function renderHtml(report: Report, lang: Lang): string {
  const w = words(lang);
  const c = report.criteria;
  const cores = Object.keys(report.verdicts);
  // Each core in its own colour on every page; a core's second and later runs dashed.
  const seen = new Map<string, number>();
  const runStyle = report.runs.map((r) => {
    const n = seen.get(r.core) ?? 0;
    seen.set(r.core, n + 1);
    return { color: coreColor(r.core), dashed: n > 0 };
  });
  const body: string[] = [];
  body.push(`<h1>${e(w.title)}</h1><p>${e(w.header(report.createdAt, report.runs.length, Object.keys(report.verdicts).join(', ')))}</p>`);
  if (report.partial) body.push(`<p class="banner">${e(w.partial)}</p>`);

  body.push(
    `<h2>${e(w.decision)}</h2><table><tr><th>${e(w.core)}</th><th>${e(w.headings.outcome)}</th><th>${e(w.headings.nextStep)}</th><th>${e(w.headings.reasons)}</th></tr>`,
  );
  for (const [core, v] of Object.entries(report.verdicts)) {
    body.push(
      `<tr><td>${e(core)}</td><td class="${v.outcome}"><b>${e(w.outcome[v.outcome as Outcome])}</b></td><td>${e(w.nextStep[v.outcome as Outcome])}</td><td>${verdictReasons(w, v).map(e).join('<br>')}</td></tr>`,
    );
  }
  body.push('</table>');

  const titles = {
    'sessions-held': w.criteria['sessions-held'](c.sessions, dur(c.durationS)),
    'reconnect-rate': w.criteria['reconnect-rate'](c.reconnectSuccessPct),
    memory: w.criteria.memory(c.rssLimitMb, c.sessions),
    cpu: w.criteria.cpu(c.cpuLimitPct),
  };
  body.push(`<h2>${e(w.successCriteria)}</h2><table><tr><th>${e(w.headings.criterion)}</th>${cores.map((k) => `<th>${e(k)}</th>`).join('')}</tr>`);
  for (const id of ['sessions-held', 'reconnect-rate', 'memory', 'cpu'] as const) {
    body.push(`<tr><td>${e(titles[id])}</td>`);
    for (const k of cores) {
      const v = report.verdicts[k]!;
      const cr = v.criteria.find((x) => x.id === id)!;
      body.push(`<td class="${cr.tick}"><b>${e(w.tick[cr.tick as Tick])}</b> ${e(criterionDetail(w, v, cr))}</td>`);
    }
    body.push('</tr>');
  }
  body.push('</table>');

  body.push(`<h2>${e(w.recordTable)}</h2><table><tr>${w.columns.map((h) => `<th>${e(h)}</th>`).join('')}</tr>`);
  for (const row of recordRows(report, lang)) body.push(`<tr>${row.map((x) => `<td>${e(x)}</td>`).join('')}</tr>`);
  body.push('</table>');

  body.push(`<h2>${e(w.metrics)}</h2>`);
  // Every run's fault windows, shaded once each (runs of one plan share them), with the plan's limits.
  const windows = new Map<string, Window>();
  for (const r of report.runs) {
    for (const f of r.series.faults) {
      const label = `${f.scenario} ${faultName(w, f.fault)}`;
      windows.set(`${label}@${f.fromS}`, { label, fromS: f.fromS, toS: f.toS });
    }
  }
  const shaded = [...windows.values()];
  const line = (r: Report['runs'][number], i: number, at: 1 | 2) => ({
    label: r.runId,
    ...runStyle[i]!,
    points: r.series.samples.map((s): [number, number] => [s[0], s[at]]),
  });
  body.push(
    lineChart(
      w.charts.cpu,
      '%',
      report.runs.map((r, i) => line(r, i, 1)),
      { limits: [{ label: w.charts.limit(`${c.cpuLimitPct}%`), value: c.cpuLimitPct }], windows: shaded, windowLabel: w.charts.faultWindow },
    ),
  );
  body.push(
    lineChart(
      w.charts.rss,
      'MB',
      report.runs.map((r, i) => line(r, i, 2)),
      { limits: [{ label: w.charts.limit(`${c.rssLimitMb} MB`), value: c.rssLimitMb }], windows: shaded, windowLabel: w.charts.faultWindow },
    ),
  );
  body.push(
    histogram(
      w.charts.ttu,
      cores.map((k) => ({ label: k, color: coreColor(k), values: report.runs.filter((r) => r.core === k).flatMap((r) => r.series.timesToUsableS) })),
    ),
  );
  for (const r of report.runs) {
    const sessions = [...new Set(r.series.states.map((s) => s[0]))].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    body.push(
      swimlane(
        `${w.charts.swimlane}: ${r.runId}`,
        sessions,
        r.series.states,
        r.series.faults.map((f) => ({ label: `${f.scenario} ${faultName(w, f.fault)}`, sessions: f.sessions, fromS: f.fromS, toS: f.toS })),
        r.durationS,
        w.charts.faultWindow,
      ),
    );
  }
  body.push(
    `<table><tr>${w.metricColumns
      .slice(0, 6)
      .map((h) => `<th>${e(h)}</th>`)
      .join('')}<th>${e(FAILURE_CAUSES.map((k) => w.cause[k]).join('/'))}</th></tr>`,
  );
  for (const r of report.runs) {
    body.push(
      `<tr><td>${e(r.runId)}</td><td>${num(r.uptimePct)}%</td><td>${num(r.exec.p50Ms)} / ${num(r.exec.p95Ms)} / ${num(r.exec.p99Ms)}</td><td>${num(r.echo.p50Ms)} / ${num(r.echo.p95Ms)} / ${num(r.echo.p99Ms)}</td><td>${num(r.eventLoop.delayP99Ms)} / ${num(r.eventLoop.utilization, 3)}</td><td>${num(r.rssMB.growthPerHour)}</td><td>${r.causes.network}/${r.causes.auth}/${r.causes.server}/${r.causes.client}</td></tr>`,
    );
  }
  body.push('</table>');

  const box = (b: boolean) => (b ? '☑' : '☐');
  body.push(`<h2>${e(w.checklist)}</h2><ul>`);
  body.push(
    `<li>${box(report.checklist.repeated)} ${e(w.checks.repeated)}</li><li>${box(report.checklist.massDrop)} ${e(w.checks.massDrop)}</li><li>${box(report.checklist.recorded)} ${e(w.checks.recorded)}</li><li>${box(report.checklist.classified)} ${e(w.checks.classified)}</li></ul>`,
  );
  body.push(
    `<h2>${e(w.options)}</h2><pre>${e(JSON.stringify({ options: report.options, criteria: report.criteria, policy: Object.fromEntries(report.runs.map((r) => [r.runId, { compression: r.compression, ...r.policy }])) }, null, 2))}</pre>`,
  );
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${e(w.title)}</title><style>${CSS}</style></head><body>${body.join('\n')}</body></html>\n`;
}
