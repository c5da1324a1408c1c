import type { Fault } from './types.js';

/** The listener is down for the window; live connections are untouched. */
export const refuse: Fault<{ durationMs: number }> = {
  name: 'refuse',
  description: 'listener down for the window; live connections untouched',
  async apply({ routes }) {
    for (const r of routes) r.stopListening();
    return async () => {
      for (const r of routes) await r.resumeListening();
    };
  },
};
