/**
 * The hostile-server suite: each misbehaviour of test/hostile/server.ts against both cores. What a
 * user would check: the call settles within its bound, with the expected code; the session's
 * state afterwards; nothing is left running on the server; the process exits by itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createPool, type Pool, type SessionOptions, type StateEvent } from '../../src/index.js';
import type { ChannelsEvent } from '../../src/core/contract.js';
import { type HostileMode, type HostileServer, startHostile } from '../hostile/server.js';
import { CORES, eventually, rejection, runNode } from '../helpers.js';

/** Short bounds so each case settles in about a second. */
const BOUNDS: Partial<SessionOptions> = {
  connectTimeoutMs: 1_500,
  requestTimeoutMs: 800,
  keepaliveIntervalMs: 250,
  keepaliveCountMax: 3,
  degradedAfterMs: 400,
  probeTimeoutMs: 400,
  reconnect: { baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 5, budgetMs: 3_000, attemptTimeoutMs: 1_000, gateTimeMs: 1_000 },
};

/** The code of each pre-auth misbehaviour: the same on both cores. */
const PRE_AUTH: [HostileMode, string][] = [
  ['silent', 'CONNECT_TIMEOUT'],
  ['banner-only', 'CONNECT_TIMEOUT'],
  ['garbage', 'PROTOCOL_ERROR'],
  ['not-ssh', 'DISCONNECTED_BY_SERVER'],
  ['close-after-banner', 'DISCONNECTED_BY_SERVER'],
  ['close-at-once', 'DISCONNECTED_BY_SERVER'],
  ['huge-packet', 'PROTOCOL_ERROR'],
];

let server: HostileServer | undefined;
let pool: Pool | undefined;
afterEach(async () => {
  await pool?.close();
  await server?.stop();
  pool = undefined;
  server = undefined;
});

async function against(mode: HostileMode, core: (typeof CORES)[number]) {
  server = await startHostile(mode);
  pool = createPool({ core });
  const states: StateEvent[] = [];
  const channels: ChannelsEvent[] = [];
  pool.on('state', (e) => states.push(e));
  pool.on('channels', (e) => channels.push(e));
  return { server, pool, states, channels, options: server.options(BOUNDS) };
}

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const v = await p;
  return [v, performance.now() - started];
}

for (const core of CORES) {
  describe(`${core} core against a hostile server`, () => {
    for (const [mode, code] of PRE_AUTH) {
      it(`${mode}: connect fails with ${code} within connectTimeoutMs, and the pool keeps nothing`, async () => {
        const h = await against(mode, core);
        const [err, ms] = await timed(rejection(h.pool.open(h.options)));
        expect(err.code).toBe(code);
        expect(ms).toBeLessThan(BOUNDS.connectTimeoutMs! + 1_000);
        expect(h.pool.sessions).toHaveLength(0);
      });
    }

    it('open-never-confirmed: shell and exec fail with REQUEST_TIMEOUT, the session says it gets no channels', async () => {
      const h = await against('open-never-confirmed', core);
      const session = await h.pool.open(h.options);
      const [shellErr, shellMs] = await timed(rejection(session.openShell()));
      expect(shellErr.code).toBe('REQUEST_TIMEOUT');
      expect(shellMs).toBeLessThan(BOUNDS.requestTimeoutMs! + 700);
      const [execErr, execMs] = await timed(rejection(session.exec('true', { timeoutMs: 10_000 })));
      expect(execErr.code).toBe('REQUEST_TIMEOUT');
      expect(execMs).toBeLessThan(BOUNDS.requestTimeoutMs! + 700);
      // An exec whose own timeout comes first fails with that.
      expect((await rejection(session.exec('true', { timeoutMs: 200 }))).code).toBe('EXEC_TIMEOUT');
      expect(h.channels).toMatchObject([{ sessionId: session.id, available: false, code: 'REQUEST_TIMEOUT' }]);
      expect(session.state).toBe('ready');
    });

    it('exec-never-exits: EXEC_TIMEOUT at the bound, then TERM stops the command', async () => {
      const h = await against('exec-never-exits', core);
      const session = await h.pool.open(h.options);
      const [err, ms] = await timed(rejection(session.exec('forever', { timeoutMs: 400, killGraceMs: 300 })));
      expect(err.code).toBe('EXEC_TIMEOUT');
      expect(ms).toBeLessThan(1_100);
      expect(await eventually(() => h.server.running() === 0, 2_000)).toBe(true);
      expect(h.server.signals()).toEqual(['TERM']);
      expect(session.state).toBe('ready');
    });

    it('exec-ignores-signals: TERM, then KILL, then the channel is closed', async () => {
      const h = await against('exec-ignores-signals', core);
      const session = await h.pool.open(h.options);
      expect((await rejection(session.exec('forever', { timeoutMs: 300, killGraceMs: 300 }))).code).toBe('EXEC_TIMEOUT');
      expect(await eventually(() => h.server.running() === 0, 3_000)).toBe(true);
      expect(h.server.signals()).toEqual(['TERM', 'KILL']);
      expect(session.state).toBe('ready');
    });

    it('data-past-window: collected output stops at maxOutputBytes, the session stays up', async () => {
      const h = await against('data-past-window', core);
      const session = await h.pool.open(h.options);
      const [err, ms] = await timed(rejection(session.exec('flood', { maxOutputBytes: 1 << 20, timeoutMs: 5_000 })));
      expect(err.code).toBe('EXEC_OUTPUT_LIMIT');
      expect(ms).toBeLessThan(5_000);
      expect(session.state).toBe('ready');
    });

    it('flood: EXEC_OUTPUT_LIMIT when collected, EXEC_TIMEOUT when streamed, the session stays up', async () => {
      const h = await against('flood', core);
      const session = await h.pool.open(h.options);
      expect((await rejection(session.exec('flood', { maxOutputBytes: 2 << 20 }))).code).toBe('EXEC_OUTPUT_LIMIT');
      let streamed = 0;
      const err = await rejection(session.exec('flood', { timeoutMs: 500, onStdout: (c) => (streamed += c.length) }));
      expect(err.code).toBe('EXEC_TIMEOUT');
      expect(streamed).toBeGreaterThan(1 << 20);
      expect(session.state).toBe('ready');
    });

    it('close-mid-exec: the exec resolves with what came and no exit code', async () => {
      const h = await against('close-mid-exec', core);
      const session = await h.pool.open(h.options);
      const r = await session.exec('partial');
      expect(r).toMatchObject({ exitCode: null, signal: null, stdoutBytes: 8 });
      expect(r.stdout.toString()).toBe('partial\n');
    });

    it('data-after-exit: the exit code and all the output until the channel closes', async () => {
      const h = await against('data-after-exit', core);
      const session = await h.pool.open(h.options);
      const r = await session.exec('x');
      expect(r.exitCode).toBe(0);
      expect(r.stdout.toString()).toBe('before\nafter\n');
    });

    it('pty-rejected: REQUEST_REJECTED, channels still available', async () => {
      const h = await against('pty-rejected', core);
      const session = await h.pool.open(h.options);
      const [err, ms] = await timed(rejection(session.openShell()));
      expect(err.code).toBe('REQUEST_REJECTED');
      expect(ms).toBeLessThan(BOUNDS.requestTimeoutMs!);
      expect(h.channels).toEqual([]);
      expect(session.state).toBe('ready');
    });

    it('close-before-reply: a channel closed instead of answered is REQUEST_REJECTED, channels still available', async () => {
      const h = await against('close-before-reply', core);
      const session = await h.pool.open(h.options);
      expect((await rejection(session.openShell())).code).toBe('REQUEST_REJECTED');
      expect((await rejection(session.exec('x'))).code).toBe('REQUEST_REJECTED');
      expect(h.channels).toEqual([]);
      expect(session.state).toBe('ready');
    });

    it('exec-request-unanswered: REQUEST_TIMEOUT, and the channel the server opened is given back', async () => {
      const h = await against('exec-request-unanswered', core);
      const session = await h.pool.open(h.options);
      const [err, ms] = await timed(rejection(session.exec('x', { killGraceMs: 200 })));
      expect(err.code).toBe('REQUEST_TIMEOUT');
      expect(ms).toBeLessThan(BOUNDS.requestTimeoutMs! + 700);
      // Stopped, as a command that may be running: TERM and KILL, then closed.
      expect(await eventually(() => h.server.openChannels() === 0, 2_000)).toBe(true);
      expect(h.server.signals()).toEqual(['TERM', 'KILL']);
      expect(h.channels).toMatchObject([{ available: false, code: 'REQUEST_TIMEOUT' }]);
    });

    it('shell-ignores-input: close() ends the shell and reaches the server although input is stuck behind the window', async () => {
      const h = await against('shell-ignores-input', core);
      const session = await h.pool.open(h.options);
      const shell = await session.openShell();
      const chunk = Buffer.alloc(64 * 1024, 0x78);
      for (let i = 0; i < 96; i++) shell.write(chunk); // 6 MiB: more than any window here
      await new Promise((r) => setTimeout(r, 300));
      const resize = await timed(
        shell.resize(100, 30).then(
          () => 'ok',
          (e) => e.code,
        ),
      );
      expect(resize[0]).toBe('ok'); // a resize goes out ahead of the stuck input
      shell.close();
      expect(await shell.exited).toEqual({ code: null, signal: null });
      expect(await eventually(() => h.server.openChannels() === 0, 2_000)).toBe(true);
      expect(session.state).toBe('ready');
    });

    for (const mode of ['disconnect-mid-shell', 'tcp-end-mid-shell'] as const) {
      it(`${mode}: the session reconnects (cause server) and, since every shell is dropped at once, gives up`, async () => {
        const h = await against(mode, core);
        const session = await h.pool.open(h.options);
        const shell = await session.openShell();
        let reopened = 0;
        shell.on('reopen', () => reopened++);
        expect(await eventually(() => h.states.at(-1)?.state === 'manual_reconnect_required', 8_000)).toBe(true);
        const lost = h.states.find((e) => e.state === 'reconnecting');
        expect(lost).toMatchObject({ cause: 'server', code: 'DISCONNECTED_BY_SERVER' });
        expect(reopened).toBeGreaterThan(0);
      });
    }

    it('drop-after-auth: a flapping server spends one budget and ends in manual_reconnect_required', async () => {
      const h = await against('drop-after-auth', core);
      const [_session, connectMs] = await timed(h.pool.open(h.options));
      expect(connectMs).toBeLessThan(BOUNDS.connectTimeoutMs!);
      const budget = BOUNDS.reconnect!.budgetMs!;
      expect(await eventually(() => h.states.at(-1)?.state === 'manual_reconnect_required', budget + 3_000)).toBe(true);
      // Not retried forever: at most the budget's attempts after the first connection.
      expect(h.server.connections()).toBeLessThanOrEqual(1 + BOUNDS.reconnect!.maxAttempts!);
      const last = h.states.at(-1)!;
      expect(last).toMatchObject({ state: 'manual_reconnect_required', code: 'DISCONNECTED_BY_SERVER' });
    });

    for (const [mode, outcome] of [
      ['open-never-confirmed', 'REQUEST_TIMEOUT REQUEST_TIMEOUT closed'],
      ['exec-ignores-signals', 'settled EXEC_TIMEOUT closed'],
      ['flood', 'settled EXEC_OUTPUT_LIMIT closed'],
    ] as const) {
      it(`${mode}: the process exits by itself after pool.close()`, async () => {
        const h = await against(mode, core);
        const r = await runNode(['--import', 'tsx', 'test/fixtures/hostile-client.ts', core, JSON.stringify(h.options)], 15_000);
        expect(r.err).toBe('');
        expect(r.out.trim()).toBe(outcome);
        expect(r.code).toBe(0);
      });
    }
  });
}
