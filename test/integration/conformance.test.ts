/**
 * The conformance suite: the same behaviour, checked the same way, on both cores against both
 * targets (the embedded lab and the machine's sshd).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type SessionOptions, type StateEvent, SshError } from '../../src/index.js';
import { sessionOptions, streamCommand, type TargetInfo } from '../../src/lab/target.js';
import { SeqChecker } from '../../src/workload/seq.js';
import { CORES, collect, eventually, poolPerSuite, rejection, targetPerSuite, targetUnavailable } from '../helpers.js';

for (const kind of ['embedded', 'openssh'] as const) {
  const unavailable = targetUnavailable(kind);
  describe.skipIf(unavailable)(`${kind} target`, () => {
    const target = targetPerSuite(kind);
    let t: TargetInfo;
    beforeAll(() => {
      t = target().info;
    });

    for (const core of CORES) {
      describe(`${core} core`, () => {
        const pool = poolPerSuite(core);

        it('connects with a private key and reports connecting then ready', async () => {
          const session = pool().createSession(sessionOptions(t));
          const states: StateEvent[] = [];
          session.on('state', (e) => states.push(e));
          await session.connect();
          expect(session.state).toBe('ready');
          expect(states.map((e) => e.state)).toEqual(['connecting', 'ready']);
          expect(states.every((e) => e.sessionId === session.id && e.atMs > 0)).toBe(true);
          await session.close();
          expect(session.state).toBe('closed');
          expect(states.at(-1)).toMatchObject({ state: 'closed', cause: 'client' });
        });

        it('connects with an encrypted key and its passphrase', async () => {
          const session = await pool().open({
            ...sessionOptions(t),
            privateKeyPath: t.encryptedKeyPath,
            passphrase: t.passphrase,
          });
          expect(session.state).toBe('ready');
          await session.close();
        });

        it('connects with a password', async (ctx) => {
          if (t.password === undefined) ctx.skip('password auth against sshd needs root to create its test user');
          const session = await pool().open(sessionOptions(t, 'password'));
          expect((await session.exec('echo pw')).stdout.toString()).toBe('pw\n');
          await session.close();
        });

        it('a wrong password is AUTH_FAILED and the session ends in auth_failed', async (ctx) => {
          if (t.password === undefined) ctx.skip('password auth against sshd needs root to create its test user');
          const session = pool().createSession({ ...sessionOptions(t, 'password'), password: 'not-the-password' });
          const err = await rejection(session.connect());
          expect(err.code).toBe('AUTH_FAILED');
          expect(err.cause).toBe('auth');
          expect(err.message).not.toContain('not-the-password');
          expect(session.state).toBe('auth_failed');
        });

        it('a key the server does not know is AUTH_FAILED', async () => {
          const { generateKeyPair } = await import('../../lab-addon/index.js');
          const stranger = generateKeyPair().privateKey;
          const opts: SessionOptions = { ...sessionOptions(t), privateKey: stranger };
          delete opts.privateKeyPath;
          const err = await rejection(pool().open(opts));
          expect(err.code).toBe('AUTH_FAILED');
        });

        it('a changed host key is HOST_KEY_MISMATCH', async () => {
          const { generateKeyPair } = await import('../../lab-addon/index.js');
          const other = generateKeyPair().fingerprint;
          const session = pool().createSession({ ...sessionOptions(t), hostKey: { policy: 'fingerprint', fingerprint: other } });
          const err = await rejection(session.connect());
          expect(err.code).toBe('HOST_KEY_MISMATCH');
          expect(err.message).toContain(t.hostFingerprint);
          expect(session.state).toBe('host_key_mismatch');
        });

        it('checks the host key against a known_hosts file', async () => {
          const session = await pool().open({ ...sessionOptions(t), hostKey: { policy: 'known-hosts', path: t.knownHostsPath } });
          expect(session.state).toBe('ready');
          await session.close();
        });

        it('exec returns stdout, stderr and the exit code', async () => {
          const session = await pool().open(sessionOptions(t));
          const r = await session.exec('echo out; echo err >&2; exit 3');
          expect(r.stdout.toString()).toBe('out\n');
          expect(r.stderr.toString()).toBe('err\n');
          expect(r.exitCode).toBe(3);
          expect((await session.exec('true')).exitCode).toBe(0);
          const poll = await session.exec('cat /proc/stat /proc/meminfo /proc/loadavg');
          expect(poll.stdout.toString()).toMatch(/^cpu /m);
          expect(poll.stdoutBytes).toBeGreaterThan(500);
          await session.close();
        });

        it('exec gives up at its timeout and the session stays usable', async () => {
          const session = await pool().open(sessionOptions(t));
          const started = Date.now();
          const err = await rejection(session.exec('sleep 5', { timeoutMs: 300 }));
          expect(err.code).toBe('EXEC_TIMEOUT');
          expect(Date.now() - started).toBeLessThan(4_000);
          const channelsActive = target().channelsActive;
          if (channelsActive) {
            // The hung command's channel is closed, not left holding one of the server's slots.
            expect(await eventually(() => channelsActive() === 0)).toBe(true);
          }
          expect((await session.exec('echo still-here')).stdout.toString()).toBe('still-here\n');
          await session.close();
        });

        it('exec can stream its output instead of collecting it', async () => {
          const session = await pool().open(sessionOptions(t));
          let streamed = 0;
          const r = await session.exec('head -c 300000 /dev/zero', { onStdout: (c) => (streamed += c.length) });
          expect(streamed).toBe(300_000);
          expect(r.stdoutBytes).toBe(300_000);
          expect(r.stdout.length).toBe(0);
          // A streamed exec that times out settles too, with what it streamed before delivered.
          let early = '';
          const err = await rejection(session.exec('echo first; sleep 5', { timeoutMs: 500, onStdout: (c) => (early += c.toString()) }));
          expect(err.code).toBe('EXEC_TIMEOUT');
          expect(early).toBe('first\n');
          await session.close();
        });

        it('the PTY echoes input and follows a resize', async () => {
          const session = await pool().open(sessionOptions(t));
          const shell = await session.openShell({ cols: 80, rows: 24 });
          const out = collect(shell);
          shell.write('stty size\r');
          await out.waitFor(/24 80\r?\n/);
          await shell.resize(132, 43);
          shell.write('stty size\r');
          await out.waitFor(/43 132\r?\n/);
          expect(out.text()).toContain('stty size');
          shell.write('exit 5\r');
          const exit = await shell.exited;
          expect(exit.code).toBe(5);
          expect(() => shell.write('x')).toThrow(SshError);
          await session.close();
        });

        it('the PTY stream arrives complete and in order', async () => {
          const session = await pool().open(sessionOptions(t));
          const shell = await session.openShell();
          const checker = new SeqChecker();
          shell.on('data', (c) => checker.push(c));
          const out = collect(shell);
          shell.write(`${streamCommand(t, 'high', 3000)}\r`);
          await out.waitFor('SEQ 00003000', 20_000);
          expect(checker.report).toMatchObject({ lines: 3000, last: 3000, missing: 0, reordered: 0, corrupt: 0 });
          await session.close();
        });

        it('runs 10 sessions at once, each with a shell and 3 concurrent execs', async () => {
          const sessions = await Promise.all(Array.from({ length: 10 }, () => pool().open(sessionOptions(t))));
          await Promise.all(
            sessions.map(async (s, i) => {
              const shell = await s.openShell();
              const out = collect(shell);
              shell.write(`echo shell-${i}\r`);
              const execs = await Promise.all([0, 1, 2].map((j) => s.exec(`echo exec-${i}-${j}`)));
              for (const [j, r] of execs.entries()) expect(r.stdout.toString()).toBe(`exec-${i}-${j}\n`);
              await out.waitFor(`shell-${i}\r\n`);
            }),
          );
          await Promise.all(sessions.map((s) => s.close()));
          expect(sessions.every((s) => s.state === 'closed')).toBe(true);
        });

        it('shell.close() ends the shell at once: exited resolves, exit fires, later writes throw', async () => {
          const session = await pool().open(sessionOptions(t));
          const shell = await session.openShell();
          const out = collect(shell);
          shell.write('echo before-close\r');
          await out.waitFor('before-close\r\n');
          let exitEvents = 0;
          shell.on('exit', () => exitEvents++);
          const started = performance.now();
          shell.close();
          expect(await shell.exited).toEqual({ code: null, signal: null });
          expect(performance.now() - started).toBeLessThan(1_000);
          expect(exitEvents).toBe(1);
          expect(() => shell.write('x')).toThrow(expect.objectContaining({ code: 'NOT_CONNECTED' }));
          await expect(shell.resize(100, 30)).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
          shell.close(); // twice is harmless
          expect((await session.exec('echo still-here')).stdout.toString()).toBe('still-here\n');
          const channelsActive = target().channelsActive;
          if (channelsActive) expect(await eventually(() => channelsActive() === 0)).toBe(true);
          await session.close();
        });

        it('shell.write of something other than a string or Buffer is BAD_OPTION', async () => {
          const session = await pool().open(sessionOptions(t));
          const shell = await session.openShell();
          for (const bad of [42, null, undefined, { a: 1 }]) {
            expect(() => shell.write(bad as unknown as string)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
          }
          shell.write('echo ok\r');
          await collect(shell).waitFor('ok\r\n');
          await session.close();
        });

        it('ten timed-out execs do not starve the session: each command is stopped and its channel freed', async () => {
          // Against OpenSSH (MaxSessions 10) the eleventh exec would be refused if any were left.
          const session = await pool().open(sessionOptions(t));
          const started = performance.now();
          const results = await Promise.allSettled(Array.from({ length: 10 }, () => session.exec('sleep 60', { timeoutMs: 400, killGraceMs: 1_000 })));
          expect(results.map((r) => (r.status === 'rejected' ? (r.reason as SshError).code : 'ok'))).toEqual(Array(10).fill('EXEC_TIMEOUT'));
          expect(performance.now() - started).toBeLessThan(2_000);
          // The slots free as the commands end (one round trip after TERM for `sleep`); an exec
          // made meanwhile may still be refused, so give them a moment: far less than the 60 s
          // the commands would have held them.
          let after: string | undefined;
          const deadline = performance.now() + 3_000;
          while (after === undefined && performance.now() < deadline) {
            after = await session.exec('echo after', { timeoutMs: 5_000 }).then(
              (r) => r.stdout.toString(),
              async () => {
                await new Promise((r) => setTimeout(r, 100));
                return undefined;
              },
            );
          }
          expect(after).toBe('after\n');
          const shell = await session.openShell();
          shell.close();
          const channelsActive = target().channelsActive;
          if (channelsActive) expect(await eventually(() => channelsActive() === 0)).toBe(true);
          expect(session.state).toBe('ready');
          await session.close();
        });

        it('a command longer than one SSH packet is BAD_OPTION before anything is sent; the session and its shells stay', async () => {
          const session = await pool().open(sessionOptions(t));
          const states: StateEvent[] = [];
          session.on('state', (e) => states.push(e));
          const shell = await session.openShell();
          const out = collect(shell);
          const err = await rejection(session.exec(`echo ${'x'.repeat(300_000)}`));
          expect(err.code).toBe('BAD_OPTION');
          expect(err.message).toContain('300005 bytes');
          // The limit is the packet, not a round number: a 200 kB command runs.
          const big = await session.exec(`echo ${'y'.repeat(200_000)} | head -c 3`, { timeoutMs: 10_000 }).catch((e) => e);
          expect(big instanceof SshError ? big.code : 'ran').not.toBe('BAD_OPTION');
          shell.write('echo shell-alive\r');
          await out.waitFor('shell-alive\r\n');
          expect(states).toEqual([]);
          expect(session.state).toBe('ready');
          await session.close();
        });

        it('close ends open shells', async () => {
          const session = await pool().open(sessionOptions(t));
          const shell = await session.openShell();
          await session.close();
          const exit = await shell.exited;
          expect(exit.code === null || typeof exit.code === 'number').toBe(true);
          await expect(session.exec('echo no')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
        });
      });
    }
  });
  if (unavailable) {
    it(`${kind} target is skipped: ${unavailable}`, (ctx) => ctx.skip(unavailable));
  }
}
