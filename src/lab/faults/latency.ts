import type { Fault } from './types.js';

/** Every forwarded chunk waits latencyMs, each way. */
export const latency: Fault<{ durationMs: number; latencyMs: number }> = {
  name: 'latency',
  description: 'latencyMs added to every forwarded chunk, each way',
  async apply({ routes }, { latencyMs }) {
    for (const r of routes) r.setShaping(latencyMs);
    return async () => {
      for (const r of routes) r.setShaping(0);
    };
  },
};
