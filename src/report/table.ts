/** The plan's data record table as rows of cells, shared by the markdown and HTML renderers. */
import { INTERRUPT_LABELS } from '../metrics/compute.js';
import { SCENARIOS, type ScenarioId } from '../scenarios/index.js';
import { dur, num } from './format.js';
import { type Lang, words } from './i18n.js';
import type { Report, ReportRun } from './model.js';

export function recordRows(report: Report, lang: Lang = 'en'): string[][] {
  const w = words(lang);
  const rows: string[][] = [];
  for (const run of report.runs) {
    const common = (interrupt: string, xy: string, p: string, notes: string[]) => [
      run.runId,
      run.topology,
      String(run.sessions),
      dur(run.durationS),
      interrupt,
      xy,
      p,
      String(run.abnormalEnds),
      `${num(run.cpuPct, 2)}%`,
      `${num(run.rssMB.mean, 0)} MB (peak ${num(run.rssMB.peak, 0)})`,
      [...notes, ...runNotes(run)].join('; '),
    ];
    if (run.interrupts.length === 0) {
      rows.push(common(run.interrupt === 'timeline' ? 'None' : run.interrupt, '-', '-', []));
      continue;
    }
    for (const i of run.interrupts) {
      const label =
        run.interrupt === 'timeline' || run.interrupt.startsWith('F') ? `${i.scenario} ${INTERRUPT_LABELS[i.scenario as ScenarioId]}` : run.interrupt;
      const notes: string[] = [];
      // F2 and F4 are meant to stop until the user acts: shown against that, not as 0/10 reconnects.
      const planned = SCENARIOS[i.scenario as ScenarioId]?.endsInUserAction === true;
      if (!planned && i.manual > 0) notes.push(`${i.manual} needed reconnect()`);
      if (i.recovered > i.recoveredWithin) notes.push(`${i.recovered - i.recoveredWithin} slower than the bound`);
      notes.push(`detection p50 ${num(i.detectionP50S)} s`);
      const xy = planned ? w.asPlanned(i.manual, i.interrupted, i.recovered) : `${i.recovered}/${i.interrupted}`;
      rows.push(common(label, xy, `${num(i.p50S)} / ${num(i.p95S)}`, notes));
    }
  }
  return rows;
}

function runNotes(run: ReportRun): string[] {
  const n = [`${run.core} core`, `uptime ${num(run.uptimePct)}%`, `load ${run.load}`];
  if (run.integrityErrors > 0) n.push(`${run.integrityErrors} PTY integrity errors`);
  if (run.compression > 1) n.push(`timings compressed x${run.compression}`);
  if (run.partial) n.push('partial');
  return n.concat(run.notes);
}
