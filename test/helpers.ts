import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect } from 'vitest';
import { createPool, type PoolOptions } from '../src/core/index.js';
import type { Pool, SessionOptions, Shell } from '../src/core/contract.js';
import { type CoreName, SshError } from '../src/core/errors.js';
import { EmbeddedLab } from '../src/lab/embedded.js';
import { SshdTarget, sshdUnavailableReason } from '../src/lab/sshd.js';
import type { TargetInfo } from '../src/lab/target.js';

export const CORES = ['rust', 'ssh2'] as const;

export interface RunningTarget {
  info: TargetInfo;
  /** Open channels on the server, where the target can tell (the embedded lab). */
  channelsActive?: () => number;
  stop(): Promise<void>;
}

export async function startTarget(kind: 'embedded' | 'openssh'): Promise<RunningTarget> {
  if (kind === 'embedded') {
    const lab = await EmbeddedLab.start();
    return { info: lab.info, channelsActive: () => lab.stats().channelsActive, stop: async () => lab.stop() };
  }
  // Room for the tests' concurrent logins; OpenSSH's own default (10:30:100) is for F5.
  const sshd = await SshdTarget.start({ maxStartups: '100:30:200' });
  return { info: sshd.info, stop: () => sshd.stop() };
}

/** A target of `kind` for the enclosing describe block, stopped after it. */
export function targetPerSuite(kind: 'embedded' | 'openssh'): () => RunningTarget {
  let target: RunningTarget | undefined;
  beforeAll(async () => {
    target = await startTarget(kind);
  });
  afterAll(async () => {
    await target?.stop();
  });
  return () => target!;
}

export function targetUnavailable(kind: 'embedded' | 'openssh'): string | undefined {
  return kind === 'openssh' ? sshdUnavailableReason() : undefined;
}

/** Everything a shell printed, and a way to wait for some of it. */
export function collect(shell: Shell): { text: () => string; waitFor: (needle: string | RegExp, timeoutMs?: number) => Promise<string> } {
  let text = '';
  const waiters = new Set<() => void>();
  shell.on('data', (chunk) => {
    text += chunk.toString('latin1');
    for (const w of waiters) w();
  });
  const has = (n: string | RegExp) => (typeof n === 'string' ? text.includes(n) : n.test(text));
  return {
    text: () => text,
    waitFor: (needle, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!has(needle)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(text);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${String(needle)}; got ${JSON.stringify(text.slice(-500))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

export async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** A pool of `core` for the enclosing describe block, closed after it. */
export function poolPerSuite(core: CoreName, options: Omit<PoolOptions, 'core'> = {}): () => Pool {
  let pool: Pool | undefined;
  beforeAll(() => {
    pool = createPool({ ...options, core });
  });
  afterAll(async () => {
    await pool?.close();
  });
  return () => pool!;
}

/** The SshError a promise rejects with (and a failed test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<SshError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SshError);
    return err as SshError;
  }
  throw new Error('expected a rejection');
}

/** Compressed policy for fault tests: a dead link is noticed after 1 s, degraded after 0.4 s. */
export const FAST_POLICY: Partial<SessionOptions> = {
  keepaliveIntervalMs: 250,
  keepaliveCountMax: 3,
  degradedAfterMs: 400,
  probeTimeoutMs: 400,
  reconnect: { baseDelayMs: 100, maxDelayMs: 500, maxAttempts: 50, budgetMs: 3_000, attemptTimeoutMs: 1_000 },
};

/** Runs `node args...` to its end (SIGKILL after `timeoutMs`): exit code, stdout, stderr, duration. */
export function runNode(
  args: string[],
  timeoutMs: number,
  where: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...where });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, ms: Date.now() - started });
    });
  });
}
