/** Inline SVG charts for report.html (no script, no network: the page opens from disk). */
import { escapeHtml, num } from './format.js';

export interface Line {
  label: string;
  color: string;
  points: [number, number][];
}

const W = 760;
const H = 220;
const PAD = { l: 52, r: 12, t: 12, b: 28 };

function ticks(max: number, n = 4, integer = false): number[] {
  if (!(max > 0)) return [0];
  const step = integer ? Math.max(1, Math.ceil(max / n)) : max / n;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(v);
  return out;
}

export function lineChart(title: string, unit: string, lines: Line[]): string {
  const all = lines.flatMap((l) => l.points);
  const maxX = Math.max(1, ...all.map((p) => p[0]));
  const maxY = Math.max(1e-9, ...all.map((p) => p[1])) * 1.1;
  const x = (v: number) => PAD.l + (v / maxX) * (W - PAD.l - PAD.r);
  const y = (v: number) => H - PAD.b - (v / maxY) * (H - PAD.t - PAD.b);
  const parts: string[] = [];
  for (const t of ticks(maxY)) {
    parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${PAD.l - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${num(t, maxY < 10 ? 1 : 0)}</text>`);
  }
  for (const t of ticks(maxX)) parts.push(`<text x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="middle">${num(t, 0)}s</text>`);
  for (const l of lines) {
    if (l.points.length === 0) continue;
    const d = l.points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.5"/>`);
  }
  const legend = lines.map((l) => `<span><i style="background:${l.color}"></i>${escapeHtml(l.label)}</span>`).join('');
  return `<figure><figcaption>${escapeHtml(title)} <small>(${escapeHtml(unit)})</small></figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${parts.join('')}</svg><div class="legend">${legend}</div></figure>`;
}

export const STATE_COLORS: Record<string, string> = {
  connecting: '#9aa5b1',
  ready: '#2f9e44',
  degraded: '#f08c00',
  reconnecting: '#e03131',
  manual_reconnect_required: '#7048e8',
  auth_failed: '#862e9c',
  host_key_mismatch: '#5f3dc4',
  closed: '#495057',
};

/** One row per session, a bar per state interval, fault windows shaded behind. */
export function swimlane(
  title: string,
  sessions: string[],
  transitions: [string, number, string][],
  faults: { label: string; sessions: string[]; fromS: number; toS: number }[],
  endS: number,
): string {
  const rowH = 14;
  const h = PAD.t + sessions.length * (rowH + 4) + PAD.b;
  const x = (v: number) => PAD.l + (Math.min(v, endS) / Math.max(1, endS)) * (W - PAD.l - PAD.r);
  const parts: string[] = [];
  for (const f of faults) {
    parts.push(`<rect x="${x(f.fromS).toFixed(1)}" y="${PAD.t - 4}" width="${Math.max(1, x(f.toS) - x(f.fromS)).toFixed(1)}" height="${h - PAD.t - PAD.b + 6}" class="fault"><title>${escapeHtml(f.label)}</title></rect>`);
    parts.push(`<text x="${x(f.fromS).toFixed(1)}" y="${h - 16}" class="faultlabel">${escapeHtml(f.label.split(' ')[0]!)}</text>`);
  }
  sessions.forEach((s, i) => {
    const y = PAD.t + i * (rowH + 4);
    parts.push(`<text x="${PAD.l - 6}" y="${y + 11}" text-anchor="end">${escapeHtml(s)}</text>`);
    const mine = transitions.filter((t) => t[0] === s).sort((a, b) => a[1] - b[1]);
    mine.forEach((t, j) => {
      const end = mine[j + 1]?.[1] ?? endS;
      if (end <= t[1]) return;
      parts.push(`<rect x="${x(t[1]).toFixed(1)}" y="${y}" width="${Math.max(0.5, x(end) - x(t[1])).toFixed(1)}" height="${rowH}" fill="${STATE_COLORS[t[2]] ?? '#adb5bd'}"><title>${escapeHtml(`${s} ${t[2]} ${num(t[1])}s-${num(end)}s`)}</title></rect>`);
    });
  });
  for (const t of ticks(endS)) parts.push(`<text x="${x(t).toFixed(1)}" y="${h - 4}" text-anchor="middle">${num(t, 0)}s</text>`);
  const legend = Object.entries(STATE_COLORS).map(([k, c]) => `<span><i style="background:${c}"></i>${k}</span>`).join('') + '<span><i class="faultkey"></i>fault window</span>';
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${h}" role="img" aria-label="${escapeHtml(title)}">${parts.join('')}</svg><div class="legend">${legend}</div></figure>`;
}

/** A histogram of values per series, in shared bins. */
export function histogram(title: string, series: { label: string; color: string; values: number[] }[]): string {
  const all = series.flatMap((s) => s.values);
  if (all.length === 0) return `<figure><figcaption>${escapeHtml(title)}</figcaption><p class="empty">no reconnects in these runs</p></figure>`;
  const maxV = Math.max(...all) * 1.0001 || 1;
  const bins = 20;
  const width = maxV / bins;
  const counts = series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of s.values) c[Math.min(bins - 1, Math.floor(v / width))]!++;
    return c;
  });
  const maxC = Math.max(1, ...counts.flat());
  const x = (b: number) => PAD.l + (b / bins) * (W - PAD.l - PAD.r);
  const y = (c: number) => H - PAD.b - (c / maxC) * (H - PAD.t - PAD.b);
  const bw = (W - PAD.l - PAD.r) / bins / series.length;
  const parts: string[] = [];
  for (const t of ticks(maxC, 4, true)) parts.push(`<text x="${PAD.l - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${num(t, 0)}</text>`);
  series.forEach((s, si) =>
    counts[si]!.forEach((c, b) => {
      if (c > 0) parts.push(`<rect x="${(x(b) + si * bw).toFixed(1)}" y="${y(c).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(H - PAD.b - y(c)).toFixed(1)}" fill="${s.color}"><title>${escapeHtml(`${s.label}: ${c} in ${num(b * width)}-${num((b + 1) * width)} s`)}</title></rect>`);
    }),
  );
  for (let b = 0; b <= bins; b += 5) parts.push(`<text x="${x(b).toFixed(1)}" y="${H - 8}" text-anchor="middle">${num(b * width)}s</text>`);
  const legend = series.map((s) => `<span><i style="background:${s.color}"></i>${escapeHtml(s.label)} (n=${s.values.length})</span>`).join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${parts.join('')}</svg><div class="legend">${legend}</div></figure>`;
}
