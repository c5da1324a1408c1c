import type { Fault } from './types.js';

/** The server rejects the sessions' credentials until healed (embedded: the key; sshd: authorized_keys emptied). */
export const authRevoke: Fault<{ durationMs: number }> = {
  name: 'auth-revoke',
  description: "the server rejects the sessions' credentials until healed",
  async apply({ targets }) {
    for (const t of targets) await t.setAuthRevoked(true);
    return async () => {
      for (const t of targets) await t.setAuthRevoked(false);
    };
  },
};
