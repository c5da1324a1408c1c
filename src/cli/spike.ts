/** `ssh-spike soak` / `npm run spike`: runs the plan with live progress, then writes the reports. */
import { resolve } from 'node:path';
import { parseSpikeArgs, SPIKE_USAGE } from '../runner/options.js';
import { runSpike } from '../runner/spike.js';
import { words } from '../report/i18n.js';
import { formatDuration } from '../util/args.js';
import { progressLine } from './progress.js';
import { SSH2_BINDING_FIX, ssh2NativeCrypto } from '../core/ssh2/binding.js';

export { SPIKE_USAGE };

export async function spikeCommand(argv: string[]): Promise<number> {
  const o = parseSpikeArgs(argv);
  if (o.cores.includes('ssh2') && ssh2NativeCrypto() === false) process.stderr.write(`warning: ${SSH2_BINDING_FIX}; each ssh2 run's notes say so.\n`);
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write('\nstopping (Ctrl-C again to quit at once): finishing the current run and writing a partial report...\n');
  };
  process.on('SIGINT', onSigint);
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  const { report, dir } = await runSpike(o, {
    shouldStop: () => stop,
    onProgress: (p) => {
      if (tty) process.stderr.write(`\r\x1b[2K${progressLine(p, process.stderr.columns ?? 80)}`);
      else if (Date.now() - lastLine >= 10_000) {
        // Not a terminal (a log file, CI): a plain line every 10 s, whole.
        lastLine = Date.now();
        process.stderr.write(`${progressLine(p, Number.MAX_SAFE_INTEGER)}\n`);
      }
    },
    onRunDone: (r) => {
      if (tty) process.stderr.write('\n');
      process.stderr.write(`run ${r.runId} done (${formatDuration(r.durationMs)}${r.partial ? ', partial' : ''})\n`);
    },
  });
  process.off('SIGINT', onSigint);
  const w = words(o.lang);
  for (const [core, v] of Object.entries(report.verdicts)) {
    process.stdout.write(`${core}: ${w.outcome[v.outcome]} - ${v.reasons.join(' ')}\n`);
  }
  process.stdout.write(`reports: ${resolve(dir)}/report.{md,json,html}${report.partial ? ' (partial)' : ''}\n`);
  if (stop) return 130;
  return Object.values(report.verdicts).some((v) => v.outcome === 'failure') ? 1 : 0;
}
