/** The whole spike: every run (cores one after the other, repeats alternating their order), then the reports. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport, type Report } from '../report/model.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { describeTarget, type SpikeOptions } from './options.js';
import type { RunRecord } from '../record/record.js';
import { type Progress, runOne } from './run.js';
import { planRuns } from './timeline.js';

export interface SpikeResult {
  report: Report;
  dir: string;
  records: RunRecord[];
}

export function runIdBase(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The options as the report shows them (no secrets: inventories are named, not copied). */
export function optionsForReport(o: SpikeOptions): Record<string, unknown> {
  return {
    cores: o.cores,
    sessions: o.sessions,
    durationS: o.durationMs / 1000,
    load: o.load,
    repeat: o.repeat,
    topology: o.topology,
    target: describeTarget(o.target),
    faults: o.faults ?? 'proxy',
    plan: o.plan,
    scenario: o.scenario ?? null,
    lang: o.lang,
    seed: o.seed,
    echoIntervalMs: o.echoIntervalMs,
  };
}

export function writeReports(report: Report, dir: string, lang: 'en' | 'ko'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'report.md'), renderMarkdown(report, lang));
  writeFileSync(join(dir, 'report.html'), renderHtml(report, lang));
}

export async function runSpike(
  o: SpikeOptions,
  hooks: { onProgress?: (p: Progress & { index: number; total: number }) => void; shouldStop: () => boolean; onRunDone?: (r: RunRecord) => void },
): Promise<SpikeResult> {
  const started = new Date();
  const base = runIdBase(started);
  const dir = o.out ?? join('reports', base);
  const plans = planRuns(o);
  const schedule: { core: (typeof o.cores)[number]; repeat: number; plan: (typeof plans)[number]; planIndex: number }[] = [];
  for (let r = 1; r <= o.repeat; r++) {
    const cores = r % 2 === 1 ? o.cores : [...o.cores].reverse();
    plans.forEach((plan, planIndex) => {
      for (const core of cores) schedule.push({ core, repeat: r, plan, planIndex });
    });
  }
  const records: RunRecord[] = [];
  for (const [index, s] of schedule.entries()) {
    if (hooks.shouldStop()) break;
    const runId = `r${s.repeat}${plans.length > 1 ? `-p${s.planIndex + 1}` : ''}-${s.core}`;
    const record = await runOne(
      { runId, core: s.core, repeat: s.repeat, plan: s.plan, options: o },
      { shouldStop: hooks.shouldStop, onProgress: (p) => hooks.onProgress?.({ ...p, index, total: schedule.length }) },
    );
    records.push(record);
    hooks.onRunDone?.(record);
  }
  const report = buildReport(records, o.criteria, { ...optionsForReport(o), runIdBase: base }, started);
  if (records.length < schedule.length) report.partial = true;
  writeReports(report, dir, o.lang);
  return { report, dir, records };
}
