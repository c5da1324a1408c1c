/** Inline SVG charts for report.html (no script, no network: the page opens from disk). */
import { escapeHtml, num } from './format.js';

export interface Line {
  label: string;
  color: string;
  points: [number, number][];
  /** Drawn dashed (a second run of the same core, in the same colour). */
  dashed?: boolean;
}

/** A horizontal line across a chart: a limit of the plan. */
export interface Limit {
  label: string;
  value: number;
}

/** A shaded stretch of the time axis: a fault in force. */
export interface Window {
  label: string;
  fromS: number;
  toS: number;
}

const W = 760;
const H = 220;
const PAD = { l: 52, r: 12, t: 12, b: 28 };

/** The step of about `n` round ticks from 0 to `max`: 1, 2 or 5 times a power of ten. */
export function niceStep(max: number, n = 5, integer = false): number {
  if (!(max > 0)) return 1;
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  return integer ? Math.max(1, Math.round(step)) : step;
}

/** Round ticks from 0 that cover `max`: the last tick is at or above it. */
export function ticks(max: number, n = 5, integer = false): number[] {
  if (!(max > 0)) return [0];
  const step = niceStep(max, n, integer);
  const out: number[] = [];
  for (let i = 0; out.length === 0 || out.at(-1)! < max - 1e-9; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

/** Digits a tick label needs for its step (0.5 -> 1, 0.25 -> 2, 20 -> 0). */
function digitsFor(step: number): number {
  return step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step) - 1e-9));
}

export function lineChart(title: string, unit: string, lines: Line[], extra: { limits?: Limit[]; windows?: Window[]; windowLabel?: string } = {}): string {
  const all = lines.flatMap((l) => l.points);
  const limits = extra.limits ?? [];
  const windows = extra.windows ?? [];
  const maxX = Math.max(1, ...all.map((p) => p[0]));
  const yTicks = ticks(Math.max(1e-9, ...all.map((p) => p[1]), ...limits.map((l) => l.value)) * 1.05);
  const xTicks = ticks(maxX, 6);
  const maxY = yTicks.at(-1)!;
  const endX = xTicks.at(-1)!;
  const x = (v: number) => PAD.l + (Math.min(v, endX) / endX) * (W - PAD.l - PAD.r);
  const y = (v: number) => H - PAD.b - (v / maxY) * (H - PAD.t - PAD.b);
  const parts: string[] = [];
  for (const f of windows) {
    parts.push(
      `<rect x="${x(f.fromS).toFixed(1)}" y="${PAD.t}" width="${Math.max(1, x(f.toS) - x(f.fromS)).toFixed(1)}" height="${H - PAD.t - PAD.b}" class="fault"><title>${escapeHtml(f.label)}</title></rect>`,
    );
  }
  const yDigits = digitsFor(yTicks[1] ?? 1);
  for (const t of yTicks) {
    parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${PAD.l - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${num(t, yDigits)}</text>`);
  }
  for (const t of xTicks) parts.push(`<text x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="middle">${num(t, 0)}s</text>`);
  for (const l of lines) {
    if (l.points.length === 0) continue;
    const d = l.points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.5"${l.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
  }
  for (const l of limits) {
    parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(l.value).toFixed(1)}" y2="${y(l.value).toFixed(1)}" class="limit"/>`);
    parts.push(`<text x="${W - PAD.r - 4}" y="${(y(l.value) - 4).toFixed(1)}" text-anchor="end" class="limitlabel">${escapeHtml(l.label)}</text>`);
  }
  const legend =
    lines
      .map((l) => `<span><i style="background:${l.color}${l.dashed ? ';opacity:.6' : ''}"></i>${escapeHtml(l.label)}${l.dashed ? ' (dashed)' : ''}</span>`)
      .join('') + (windows.length ? `<span><i class="faultkey"></i>${escapeHtml(extra.windowLabel ?? 'fault window')}</span>` : '');
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
  windowLabel = 'fault window',
): string {
  const rowH = 14;
  const h = PAD.t + sessions.length * (rowH + 4) + PAD.b;
  const x = (v: number) => PAD.l + (Math.min(v, endS) / Math.max(1, endS)) * (W - PAD.l - PAD.r);
  const parts: string[] = [];
  for (const f of faults) {
    parts.push(
      `<rect x="${x(f.fromS).toFixed(1)}" y="${PAD.t - 4}" width="${Math.max(1, x(f.toS) - x(f.fromS)).toFixed(1)}" height="${h - PAD.t - PAD.b + 6}" class="fault"><title>${escapeHtml(f.label)}</title></rect>`,
    );
    parts.push(`<text x="${x(f.fromS).toFixed(1)}" y="${h - 16}" class="faultlabel">${escapeHtml(f.label.split(' ')[0]!)}</text>`);
  }
  sessions.forEach((s, i) => {
    const y = PAD.t + i * (rowH + 4);
    parts.push(`<text x="${PAD.l - 6}" y="${y + 11}" text-anchor="end">${escapeHtml(s)}</text>`);
    const mine = transitions.filter((t) => t[0] === s).sort((a, b) => a[1] - b[1]);
    mine.forEach((t, j) => {
      const end = mine[j + 1]?.[1] ?? endS;
      if (end <= t[1]) return;
      parts.push(
        `<rect x="${x(t[1]).toFixed(1)}" y="${y}" width="${Math.max(0.5, x(end) - x(t[1])).toFixed(1)}" height="${rowH}" fill="${STATE_COLORS[t[2]] ?? '#adb5bd'}"><title>${escapeHtml(`${s} ${t[2]} ${num(t[1])}s-${num(end)}s`)}</title></rect>`,
      );
    });
  });
  for (const t of ticks(endS, 6).filter((t) => t <= endS)) parts.push(`<text x="${x(t).toFixed(1)}" y="${h - 4}" text-anchor="middle">${num(t, 0)}s</text>`);
  const legend = `${Object.entries(STATE_COLORS)
    .map(([k, c]) => `<span><i style="background:${c}"></i>${k}</span>`)
    .join('')}<span><i class="faultkey"></i>${escapeHtml(windowLabel)}</span>`;
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${h}" role="img" aria-label="${escapeHtml(title)}">${parts.join('')}</svg><div class="legend">${legend}</div></figure>`;
}

/** A histogram of values per series, in shared bins. */
export function histogram(title: string, series: { label: string; color: string; values: number[] }[]): string {
  const all = series.flatMap((s) => s.values);
  if (all.length === 0) return `<figure><figcaption>${escapeHtml(title)}</figcaption><p class="empty">no reconnects in these runs</p></figure>`;
  // Bins over a round range, labelled at round values: 0, 10, 20, 30 s rather than 0, 7.5, 15 ...
  const xTicks = ticks(Math.max(...all), 4);
  const maxV = xTicks.at(-1)! || 1;
  const bins = 20;
  const width = maxV / bins;
  const counts = series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of s.values) c[Math.min(bins - 1, Math.floor(v / width))]!++;
    return c;
  });
  const cTicks = ticks(Math.max(1, ...counts.flat()), 4, true);
  const maxC = cTicks.at(-1)!;
  const x = (b: number) => PAD.l + (b / bins) * (W - PAD.l - PAD.r);
  const y = (c: number) => H - PAD.b - (c / maxC) * (H - PAD.t - PAD.b);
  const bw = (W - PAD.l - PAD.r) / bins / series.length;
  const parts: string[] = [];
  for (const t of cTicks) parts.push(`<text x="${PAD.l - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${num(t, 0)}</text>`);
  series.forEach((s, si) => {
    counts[si]!.forEach((c, b) => {
      if (c > 0)
        parts.push(
          `<rect x="${(x(b) + si * bw).toFixed(1)}" y="${y(c).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(H - PAD.b - y(c)).toFixed(1)}" fill="${s.color}"><title>${escapeHtml(`${s.label}: ${c} in ${num(b * width)}-${num((b + 1) * width)} s`)}</title></rect>`,
        );
    });
  });
  const xDigits = digitsFor(xTicks[1] ?? 1);
  for (const t of xTicks) parts.push(`<text x="${x(t / width).toFixed(1)}" y="${H - 8}" text-anchor="middle">${num(t, xDigits)}s</text>`);
  const legend = series.map((s) => `<span><i style="background:${s.color}"></i>${escapeHtml(s.label)} (n=${s.values.length})</span>`).join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${parts.join('')}</svg><div class="legend">${legend}</div></figure>`;
}
