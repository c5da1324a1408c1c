/**
 * The spike's progress line: which run, a bar, the time left, session states, losses, CPU and RSS,
 * and the fault in force. Fitted to the terminal: the bar narrows first, then the line is cut, so a
 * line redrawn in place never wraps (a wrapped line scrolls a new one every second).
 */
import type { Progress } from '../runner/run.js';
import { formatDuration } from '../util/args.js';

const BAR_MAX = 20;
const BAR_MIN = 5;

/** The bar for `fraction` (clamped to 0..1) in `width` cells. */
export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `${'#'.repeat(full)}${'-'.repeat(width - full)}`;
}

/** One line of at most `columns - 1` characters (the last column left free, as terminals wrap there). */
export function progressLine(p: Progress & { index: number; total: number }, columns: number): string {
  const st = p.states;
  // Ready always; the other states only while some session is in them, to keep the line short.
  const others = (['degraded', 'reconnecting', 'manual_reconnect_required', 'auth_failed'] as const)
    .filter((k) => (st[k] ?? 0) > 0)
    .map((k) => ` ${k === 'manual_reconnect_required' ? 'manual' : k} ${st[k]}`)
    .join('');
  const left = Math.max(0, p.durationMs - p.elapsedMs);
  const head = `[${p.index + 1}/${p.total} ${p.core}]`;
  const time = `${formatDuration(p.elapsedMs)}/${formatDuration(p.durationMs)}, ${formatDuration(left)} left`;
  const tail =
    ` | ready ${st.ready ?? 0}${others} | losses ${p.losses} | cpu ${p.cpuPct.toFixed(1)}% rss ${p.rssMb.toFixed(0)} MB` +
    (p.fault ? ` | fault ${p.fault}` : '');
  const room = Math.max(20, columns - 1);
  const fixed = head.length + 1 + 1 + time.length + tail.length; // "head bar time" + tail
  const width = Math.min(BAR_MAX, room - fixed);
  const line = width >= BAR_MIN ? `${head} ${bar(p.elapsedMs / p.durationMs, width)} ${time}${tail}` : `${head} ${time}${tail}`;
  return line.slice(0, room);
}
