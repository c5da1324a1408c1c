import type { Fault } from './types.js';

/** Bytes held both ways, connections kept open; healing releases them (a short Wi-Fi drop). */
export const stall: Fault<{ durationMs: number }> = {
  name: 'stall',
  description: 'bytes held both ways, connections stay open; healing releases them',
  async apply({ routes }) {
    for (const r of routes) {
      r.setNew('hold');
      r.setExisting(null, 'hold');
    }
    return async () => {
      for (const r of routes) {
        r.setNew('pass');
        r.setExisting('hold', 'pass');
      }
    };
  },
};
