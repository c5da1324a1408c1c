import type { Fault } from './types.js';

/** Forwarded bytes limited to rateKBps, each way. */
export const bandwidth: Fault<{ durationMs: number; rateKBps: number }> = {
  name: 'bandwidth',
  description: 'forwarded bytes limited to rateKBps, each way',
  async apply({ routes }, { rateKBps }) {
    for (const r of routes) r.setShaping(0, rateKBps * 1000);
    return async () => {
      for (const r of routes) r.setShaping(0);
    };
  },
};
