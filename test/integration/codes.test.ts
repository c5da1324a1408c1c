/**
 * One event, one code: each thing that can go wrong, the code both cores give for it (a table,
 * run on each core), and the pool's own lifecycle. Messages name only states that exist.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool, type SessionOptions, SshError } from '../../src/index.js';
import type { SessionState } from '../../src/core/contract.js';
import { EmbeddedLab } from '../../src/lab/embedded.js';
import { SshdTarget, sshdUnavailableReason } from '../../src/lab/sshd.js';
import { sessionOptions } from '../../src/lab/target.js';
import { type HostileMode, startHostile } from '../hostile/server.js';
import { CORES, rejection } from '../helpers.js';

const STATES: SessionState[] = ['connecting', 'ready', 'degraded', 'reconnecting', 'manual_reconnect_required', 'auth_failed', 'host_key_mismatch', 'closed'];

let lab: EmbeddedLab;
let scratch: string;
beforeAll(async () => {
  lab = await EmbeddedLab.start();
  scratch = mkdtempSync(join(tmpdir(), 'ssh-spike-codes-'));
});
afterAll(() => lab.stop());

/** Connects to a hostile server in `mode` and returns the connect error. */
async function hostileConnect(pool: Pool, mode: HostileMode): Promise<SshError> {
  const server = await startHostile(mode);
  try {
    return await rejection(pool.open(server.options({ connectTimeoutMs: 2_000 })));
  } finally {
    await server.stop();
  }
}

type Case = [event: string, code: string, run: (pool: Pool) => Promise<SshError>];

const CASES: Case[] = [
  ['a server that answers, not in SSH (HTTP), and closes', 'DISCONNECTED_BY_SERVER', (p) => hostileConnect(p, 'not-ssh')],
  ['a server that closes before sending its version', 'DISCONNECTED_BY_SERVER', (p) => hostileConnect(p, 'close-at-once')],
  ['a server that sends random bytes', 'PROTOCOL_ERROR', (p) => hostileConnect(p, 'garbage')],
  [
    'a key file of random bytes',
    'KEY_INVALID',
    (p) => {
      const path = join(scratch, 'garbage-key');
      writeFileSync(path, randomBytes(600));
      return rejection(p.open({ ...sessionOptions(lab.info), privateKeyPath: path }));
    },
  ],
  [
    'an empty key file',
    'KEY_INVALID',
    (p) => {
      const path = join(scratch, 'empty-key');
      writeFileSync(path, '');
      return rejection(p.open({ ...sessionOptions(lab.info), privateKeyPath: path }));
    },
  ],
  [
    'shell.write(42)',
    'BAD_OPTION',
    async (p) => {
      const s = await p.open(sessionOptions(lab.info));
      const shell = await s.openShell();
      try {
        shell.write(42 as unknown as string);
      } catch (err) {
        return err as SshError;
      } finally {
        await s.close();
      }
      throw new Error('shell.write(42) did not throw');
    },
  ],
  [
    'a command longer than one SSH packet',
    'BAD_OPTION',
    async (p) => {
      const s = await p.open(sessionOptions(lab.info));
      try {
        return await rejection(s.exec('x'.repeat(300_000)));
      } finally {
        await s.close();
      }
    },
  ],
  [
    'exec on a closed session',
    'NOT_CONNECTED',
    async (p) => {
      const s = await p.open(sessionOptions(lab.info));
      await s.close();
      return rejection(s.exec('true'));
    },
  ],
];

for (const core of CORES) {
  describe(`${core} core: one code per event`, () => {
    let pool: Pool;
    beforeAll(() => {
      pool = createPool({ core });
    });
    afterAll(() => pool.close());

    for (const [event, code, run] of CASES) {
      it(`${event}: ${code}`, async () => {
        const err = await run(pool);
        expect(err).toBeInstanceOf(SshError);
        expect(err.code).toBe(code);
        // A message that names a state names one that exists.
        for (const m of err.message.matchAll(/state ([a-z_]+)/g)) expect(STATES).toContain(m[1]);
      });
    }

    it.skipIf(sshdUnavailableReason())('sshd dropping a connection past MaxStartups: DISCONNECTED_BY_SERVER', async () => {
      const sshd = await SshdTarget.start({ maxStartups: '1:100:1' });
      // One unauthenticated connection takes the only startup slot.
      const holder: Socket = connect({ host: sshd.info.host, port: sshd.info.port });
      await new Promise((r) => holder.once('data', r));
      try {
        const err = await rejection(pool.open(sessionOptions(sshd.info)));
        expect(err.code).toBe('DISCONNECTED_BY_SERVER');
      } finally {
        holder.destroy();
        await sshd.stop();
      }
    });
  });

  describe(`${core} core: the pool's lifecycle`, () => {
    it('closed sessions leave pool.sessions; a failed open is not kept', async () => {
      const pool = createPool({ core });
      const sessions = await Promise.all([0, 1, 2].map(() => pool.open(sessionOptions(lab.info))));
      expect(pool.sessions).toHaveLength(3);
      await sessions[1]!.close();
      expect(pool.sessions).toEqual([sessions[0], sessions[2]]);
      const wrong: SessionOptions = { ...sessionOptions(lab.info), port: 1 };
      for (let i = 0; i < 20; i++) await rejection(pool.open(wrong));
      expect(pool.sessions).toHaveLength(2);
      // createSession keeps what it made until its owner closes it.
      const made = pool.createSession(wrong);
      await rejection(made.connect());
      expect(pool.sessions).toContain(made);
      await made.close();
      expect(pool.sessions).toHaveLength(2);
      await pool.close();
      expect(pool.sessions).toHaveLength(0);
    });

    it('open and createSession after pool.close() fail with NOT_CONNECTED', async () => {
      const pool = createPool({ core });
      await pool.close();
      const err = await rejection(pool.open(sessionOptions(lab.info)));
      expect(err.code).toBe('NOT_CONNECTED');
      expect(err.message).toMatch(/pool is closed/);
      expect(() => pool.createSession(sessionOptions(lab.info))).toThrow(expect.objectContaining({ code: 'NOT_CONNECTED' }));
    });
  });
}
