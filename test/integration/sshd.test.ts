/** The OpenSSH target starts from its own config and stops cleanly, listener and children. */
import { expect, it } from 'vitest';
import { createPool, sessionOptions, type StateEvent } from '../../src/index.js';
import { SshdTarget, sshdUnavailableReason } from '../../src/lab/sshd.js';

const unavailable = sshdUnavailableReason();

it.skipIf(unavailable)('stopping sshd ends the listener and every per-connection process; it can start again', async () => {
  const sshd = await SshdTarget.start({ maxStartups: '20:30:60', maxSessions: 4 });
  const pool = createPool({ core: 'ssh2' });
  try {
    expect(sshd.configPath.startsWith('/')).toBe(true);
    const sessions = await Promise.all([1, 2, 3].map(() => pool.open(sessionOptions(sshd.info))));
    expect(sshd.connectionProcesses()).toBeGreaterThanOrEqual(3);
    const lost = sessions.map((s) => new Promise<StateEvent>((r) => s.on('state', (e) => e.state === 'reconnecting' && r(e))));
    await sshd.stopServer();
    expect(sshd.connectionProcesses()).toBe(0);
    const events = await Promise.all(lost);
    expect(events.map((e) => e.cause)).toEqual(['server', 'server', 'server']);
    await sshd.startServer();
    const back = await Promise.all(sessions.map((s) => new Promise((r) => s.on('state', (e) => e.state === 'ready' && r(e)))));
    expect(back).toHaveLength(3);
    expect((await sessions[0]!.exec('echo back')).stdout.toString()).toBe('back\n');
  } finally {
    await pool.close();
    await sshd.stop();
  }
});

if (unavailable) it(`OpenSSH target is skipped: ${unavailable}`, (ctx) => ctx.skip(unavailable));
