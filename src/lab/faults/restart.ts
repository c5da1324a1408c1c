import type { Fault } from './types.js';

/** The SSH server (listener and per-connection processes) stops and comes back after the window. */
export const restart: Fault<{ durationMs: number }> = {
  name: 'restart',
  description: 'the SSH server stops (listener and connections) and comes back after the window',
  async apply({ targets }) {
    for (const t of targets) await t.stopServer();
    return async () => {
      for (const t of targets) await t.startServer();
    };
  },
};
