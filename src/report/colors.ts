/** One colour per core on every page (report.html and compare.html), so a reader learns it once. */
import type { Contender } from '../core/errors.js';

export const CORE_COLORS: Record<Contender, string> = { rust: '#e8590c', ssh2: '#1c7ed6', 'russh-napi': '#5f3dc4' };

/** A core's colour; anything else (a core this build does not know) in grey. */
export function coreColor(core: string): string {
  return (CORE_COLORS as Record<string, string>)[core] ?? '#495057';
}
