import type { Fault } from './types.js';

/** Existing connections get RST; new ones are refused during the window. */
export const reset: Fault<{ durationMs: number }> = {
  name: 'reset',
  description: 'existing connections get RST; new ones refused during the window',
  async apply({ routes }) {
    for (const r of routes) {
      r.stopListening();
      r.resetExisting();
    }
    return async () => {
      for (const r of routes) await r.resumeListening();
    };
  },
};
