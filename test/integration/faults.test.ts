/**
 * The fault scenarios F1-F5 of the plan on both cores, with compressed timings (a dead link is
 * noticed after 1 s instead of 8 s; budgets of seconds). Same checks, same numbers, both cores.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AttemptEvent, createPool, type Pool, type Session, type SessionOptions, type SessionState, type StateEvent } from '../../src/index.js';
import { EmbeddedLab } from '../../src/lab/embedded.js';
import { FaultLab, type LabTarget, type Routed } from '../../src/lab/fault-lab.js';
import { SshdTarget, sshdUnavailableReason } from '../../src/lab/sshd.js';
import { sessionOptions, streamCommand } from '../../src/lab/target.js';
import { SeqChecker } from '../../src/workload/seq.js';
import { CORES, collect, eventually, FAST_POLICY } from '../helpers.js';

interface Watched {
  session: Session;
  routed: Routed;
  states: StateEvent[];
  attempts: AttemptEvent[];
}

async function fleet(pool: Pool, faults: FaultLab, target: LabTarget, n: number, extra: Partial<SessionOptions> = {}): Promise<Watched[]> {
  const out: Watched[] = [];
  for (let i = 0; i < n; i++) {
    const routed = await faults.route(target);
    const session = pool.createSession({ ...sessionOptions(routed.info), ...FAST_POLICY, targetId: target.control.name, ...extra });
    const w: Watched = { session, routed, states: [], attempts: [] };
    session.on('state', (e) => w.states.push(e));
    session.on('attempt', (e) => w.attempts.push(e));
    out.push(w);
  }
  await Promise.all(out.map((w) => w.session.connect()));
  return out;
}

/** Waits for the session's latest state event (events, not the getter: they are what reports use). */
function reached(w: Watched, state: SessionState, timeoutMs = 10_000): Promise<boolean> {
  return eventually(() => w.states.at(-1)?.state === state, timeoutMs);
}

function names(w: Watched): string[] {
  return w.states.map((e) => (e.code ? `${e.state}:${e.code}` : e.state));
}

const targets: { kind: 'embedded' | 'openssh'; unavailable?: string }[] = [{ kind: 'embedded' }, { kind: 'openssh', unavailable: sshdUnavailableReason() }];

for (const { kind, unavailable } of targets) {
  describe.skipIf(unavailable)(`faults against the ${kind} target`, () => {
    let target: LabTarget;
    let embedded: EmbeddedLab | undefined;
    let sshd: SshdTarget | undefined;
    let stop: () => Promise<void>;
    beforeAll(async () => {
      if (kind === 'embedded') {
        embedded = await EmbeddedLab.start();
        target = { info: embedded.info, control: embedded };
        stop = async () => embedded!.stop();
      } else {
        // OpenSSH's own default MaxStartups: F5 must come back without tripping it.
        sshd = await SshdTarget.start({ maxStartups: '10:30:100' });
        target = { info: sshd.info, control: sshd };
        stop = () => sshd!.stop();
      }
    });
    afterAll(async () => stop?.());

    for (const core of CORES) {
      describe(`${core} core`, () => {
        let pool: Pool;
        let faults: FaultLab;
        beforeAll(() => {
          pool = createPool({ core, seed: 42 });
        });
        afterEach(async () => {
          await pool.close();
          await faults?.stop();
          pool = createPool({ core, seed: 42 });
        });
        afterAll(async () => pool.close());
        const lab = () => (faults = new FaultLab());

        it('F1: a short stall degrades the sessions and they recover without a reconnect', async () => {
          const f = lab();
          const all = await fleet(pool, f, target, 3);
          const shell = await all[0]!.session.openShell();
          const reopened: number[] = [];
          shell.on('reopen', (e) => reopened.push(e.atMs));
          await f.inject('stall', { durationMs: 700 });
          for (const w of all) expect(await reached(w, 'degraded', 2_000)).toBe(true);
          for (const w of all) expect(await reached(w, 'ready', 3_000)).toBe(true);
          for (const w of all) expect(names(w)).toEqual(['connecting', 'ready', 'degraded', 'ready']);
          expect(reopened).toEqual([]);
          const out = collect(shell);
          shell.write('echo same-shell\r');
          await out.waitFor('same-shell\r\n');
        });

        it('F1: a stall longer than the keepalive limit ends in a reconnect, within the bound', async () => {
          const f = lab();
          const all = await fleet(pool, f, target, 3);
          const started = Date.now();
          await f.inject('stall', { durationMs: 1_800 });
          for (const w of all) expect(await reached(w, 'reconnecting', 3_000)).toBe(true);
          for (const w of all) expect(await reached(w, 'ready', 6_000)).toBe(true);
          // 1.8 s outage + detection + reconnect, well inside the scaled 15 s of the plan
          expect(Date.now() - started).toBeLessThan(5_000);
          for (const w of all) expect(w.states.find((e) => e.state === 'reconnecting')).toMatchObject({ cause: 'network', code: 'KEEPALIVE_TIMEOUT' });
        });

        it('F1: a short cut is detected by keepalive; every session reconnects and its shell streams in order again', async () => {
          const f = lab();
          const all = await fleet(pool, f, target, 3);
          const shells = await Promise.all(all.map((w) => w.session.openShell()));
          const reopened = shells.map((s) => new Promise<number>((r) => s.on('reopen', (e) => r(e.atMs))));
          const inflight = all[0]!.session.exec('sleep 30', { timeoutMs: 20_000 }).then(
            () => 'resolved',
            (e: { code: string }) => e.code,
          );
          const fault = await f.inject('cut', { durationMs: 1_500 });
          for (const w of all) expect(await reached(w, 'reconnecting', 3_000)).toBe(true);
          // work in flight fails with the cause of the loss; it is not lost or hung
          expect(await inflight).toBe('KEEPALIVE_TIMEOUT');
          for (const w of all) expect(await reached(w, 'ready', 6_000)).toBe(true);
          await Promise.all(reopened);
          for (const w of all) {
            const lost = w.states.find((e) => e.state === 'reconnecting')!;
            const back = w.states.findLast((e) => e.state === 'ready')!;
            expect(lost).toMatchObject({ cause: 'network', code: 'KEEPALIVE_TIMEOUT' });
            expect(back.atMs - lost.atMs).toBeLessThan(5_000);
            expect(lost.atMs).toBeGreaterThanOrEqual(fault.appliedAtMs);
          }
          const checker = new SeqChecker();
          shells[0]!.on('data', (c) => checker.push(c));
          const out = collect(shells[0]!);
          shells[0]!.write(`${streamCommand(target.info, 'high', 1000)}\r`);
          await out.waitFor('SEQ 00001000', 15_000);
          expect(checker.intact).toBe(true);
        });

        it('F2: a long cut spends the budget; the session waits in manual_reconnect_required until reconnect()', async () => {
          const f = lab();
          const [w] = await fleet(pool, f, target, 1, { reconnect: { ...FAST_POLICY.reconnect, budgetMs: 1_500 } });
          const shell = await w!.session.openShell();
          const fault = await f.inject('cut', { durationMs: 4_000 });
          expect(await reached(w!, 'manual_reconnect_required', 6_000)).toBe(true);
          const attempts = w!.attempts.length;
          expect(attempts).toBeGreaterThan(0);
          await new Promise((r) => setTimeout(r, 500));
          expect(w!.session.state).toBe('manual_reconnect_required');
          expect(w!.attempts.length).toBe(attempts);
          expect(() => shell.write('x')).toThrow(/not connected/);
          await f.healed(fault.id);
          const reopened = new Promise((r) => shell.once('reopen', r));
          await w!.session.reconnect();
          expect(w!.session.state).toBe('ready');
          await reopened;
          const out = collect(shell);
          shell.write('echo back-again\r');
          await out.waitFor('back-again\r\n');
        });

        it('F3: a server restart is noticed at once, with cause server, and every session returns', async () => {
          const f = lab();
          const all = await fleet(pool, f, target, 4, { keepaliveIntervalMs: 5_000, degradedAfterMs: 7_000 });
          const fault = await f.inject('restart', { durationMs: 1_000 });
          for (const w of all) expect(await reached(w, 'reconnecting', 2_000)).toBe(true);
          for (const w of all) {
            const lost = w.states.find((e) => e.state === 'reconnecting')!;
            expect(lost.cause).toBe('server');
            // a FIN, not 25 s of keepalive silence
            expect(lost.atMs - fault.appliedAtMs).toBeLessThan(1_500);
          }
          for (const w of all) expect(await reached(w, 'ready', 8_000)).toBe(true);
          for (const w of all) expect((await w.session.exec('echo up')).stdout.toString()).toBe('up\n');
        });

        it('F4: revoked credentials stop the retries at once: auth_failed, one login reaches the server, none after', async () => {
          const f = lab();
          const all = await fleet(pool, f, target, 2);
          const before = kind === 'embedded' ? embedded!.stats().authAttemptsWhileRevoked : sshd!.logLines(/Connection from/).length;
          await f.inject('auth-revoke', { durationMs: 3_000 });
          await f.inject('reset', { durationMs: 100 });
          for (const w of all) expect(await reached(w, 'auth_failed', 5_000)).toBe(true);
          await new Promise((r) => setTimeout(r, 1_000));
          for (const w of all) {
            expect(w.session.state).toBe('auth_failed');
            const failed = w.states.at(-1)!;
            expect(failed).toMatchObject({ state: 'auth_failed', cause: 'auth', code: 'AUTH_FAILED' });
            // attempts refused while the reset window lasted may precede it; none follows it
            expect(w.attempts.filter((a) => a.atMs > failed.atMs)).toEqual([]);
          }
          const after = kind === 'embedded' ? embedded!.stats().authAttemptsWhileRevoked : sshd!.logLines(/Connection from/).length;
          expect(after - before).toBe(all.length);
        });

        it('a server that comes back with another host key is HOST_KEY_MISMATCH, with no retry', async () => {
          const f = lab();
          const [w] = await fleet(pool, f, target, 1);
          const other = await EmbeddedLab.start();
          try {
            f.retarget(w!.routed.routeId, { info: other.info, control: other });
            await f.inject('reset', { durationMs: 50 });
            expect(await reached(w!, 'host_key_mismatch', 5_000)).toBe(true);
            expect(w!.states.at(-1)).toMatchObject({ cause: 'auth', code: 'HOST_KEY_MISMATCH' });
            const attempts = w!.attempts.length;
            await new Promise((r) => setTimeout(r, 800));
            expect(w!.attempts.length).toBe(attempts);
            expect(other.stats().authSuccesses + other.stats().authFailures).toBe(0);
          } finally {
            other.stop();
          }
        });

        it('when one session loses its link, its siblings on the same target are probed at once', async () => {
          const f = lab();
          const [first] = await fleet(pool, f, target, 1);
          // alone, this one would need 4 x 5 s of silence to notice
          const [slow] = await fleet(pool, f, target, 1, { keepaliveIntervalMs: 5_000, degradedAfterMs: 7_000 });
          const fault = await f.inject('cut', { durationMs: 3_000 });
          expect(await reached(first!, 'reconnecting', 3_000)).toBe(true);
          expect(await reached(slow!, 'reconnecting', 3_000)).toBe(true);
          const lost = slow!.states.find((e) => e.state === 'reconnecting')!;
          expect(lost.atMs - fault.appliedAtMs).toBeLessThan(3_000);
          expect(lost).toMatchObject({ cause: 'network', code: 'KEEPALIVE_TIMEOUT' });
        });

        it('F5: many sessions cut at once all come back, spread out, without tripping MaxStartups', async () => {
          const f = lab();
          const n = kind === 'openssh' ? 50 : 30;
          const all = await fleet(pool, f, target, n);
          const dropsBefore = sshd ? sshd.logLines(/MaxStartups/).length : 0;
          await f.inject('cut', { durationMs: 1_200 });
          for (const w of all) expect(await reached(w, 'reconnecting', 4_000)).toBe(true);
          for (const w of all) expect(await reached(w, 'ready', 15_000)).toBe(true);
          if (sshd) expect(sshd.logLines(/MaxStartups/).length - dropsBefore).toBe(0);
          if (embedded) expect(embedded.stats().unauthenticatedPeak).toBeLessThanOrEqual(6);
          const firsts = all.map((w) => w.attempts[0]!.atMs);
          expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(30);
          for (const w of all) expect(w.states.filter((e) => e.state === 'reconnecting')).toHaveLength(1);
        }, 60_000);
      });
    }
  });
  if (unavailable) it(`faults against the ${kind} target are skipped: ${unavailable}`, (ctx) => ctx.skip(unavailable));
}
