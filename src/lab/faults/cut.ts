import type { Fault } from './types.js';

/** Existing connections blackholed for good; new ones wait and work after the window (VPN/IP change). */
export const cut: Fault<{ durationMs: number }> = {
  name: 'cut',
  description: 'existing connections blackholed for good; new ones work after the window',
  async apply({ routes }) {
    for (const r of routes) {
      r.setNew('hold');
      r.setExisting(null, 'blackhole');
    }
    return async () => {
      for (const r of routes) {
        r.setNew('pass');
        // connections made during the window were held, not lost: release them
        r.setExisting('hold', 'pass');
      }
    };
  },
};
