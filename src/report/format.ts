/** Number and duration formats shared by the renderers. */

/** `n` to `digits` places; `missing` when there is no finite figure. */
export function num(n: number | null | undefined, digits = 1, missing = '-'): string {
  return n === null || n === undefined || !Number.isFinite(n) ? missing : n.toFixed(digits);
}

/** A figure as bench:compare shows it: two places, or n/a. */
export const figure = (n: number | null | undefined, digits = 2): string => num(n, digits, 'n/a');

export function dur(seconds: number): string {
  const s = Math.round(seconds);
  if (s % 60 === 0 && s >= 60) return `${s / 60}m`;
  if (s < 120) return `${s}s`;
  return `${Math.floor(s / 60)}m${s % 60}s`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
