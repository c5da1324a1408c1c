/** The plan's data record table as rows of cells, shared by the markdown and HTML renderers. */
import { SCENARIOS, type ScenarioId } from '../scenarios/index.js';
import { dur, num } from './format.js';
import { type Lang, type Words, words } from './i18n.js';
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
      w.memCell(num(run.rssMB.mean, 0), num(run.rssMB.peak, 0)),
      [...notes, ...runNotes(run, w)].join('; '),
    ];
    if (run.interrupts.length === 0) {
      rows.push(common(run.interrupt === 'timeline' ? 'None' : run.interrupt, '-', '-', []));
      continue;
    }
    for (const i of run.interrupts) {
      const label = run.interrupt === 'timeline' || run.interrupt.startsWith('F') ? `${i.scenario} ${w.scenario[i.scenario as ScenarioId]}` : run.interrupt;
      const notes: string[] = [];
      // F2 and F4 are meant to stop until the user acts: shown against that, not as 0/10 reconnects.
      const planned = SCENARIOS[i.scenario as ScenarioId]?.endsInUserAction === true;
      if (!planned && i.manual > 0) notes.push(w.notes.neededReconnect(i.manual));
      if (i.recovered > i.recoveredWithin) notes.push(w.notes.slower(i.recovered - i.recoveredWithin));
      notes.push(w.notes.detection(num(i.detectionP50S)));
      const xy = planned ? w.asPlanned(i.manual, i.interrupted, i.recovered) : `${i.recovered}/${i.interrupted}`;
      rows.push(common(label, xy, `${num(i.p50S)} / ${num(i.p95S)}`, notes));
    }
  }
  return rows;
}

function runNotes(run: ReportRun, w: Words): string[] {
  const n = [w.notes.core(run.core), w.notes.uptime(num(run.uptimePct)), w.notes.load(run.load)];
  if (run.integrityErrors > 0) n.push(w.notes.integrity(run.integrityErrors));
  if (run.compression > 1) n.push(w.notes.compressed(run.compression));
  if (run.partial) n.push(w.notes.partial);
  return n.concat(run.notes);
}
