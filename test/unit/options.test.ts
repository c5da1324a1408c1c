import { describe, expect, it } from 'vitest';
import { RUST_TUNING_DEFAULTS, SESSION_DEFAULTS } from '../../src/core/defaults.js';
import { SshError } from '../../src/core/errors.js';
import { resolveExecOptions, resolvePoolOptions, resolveSessionOptions, resolveShellOptions } from '../../src/core/options.js';

const FP = `SHA256:${'A'.repeat(43)}`;
const base = { host: 'h', username: 'u', privateKeyPath: '/k', hostKey: { policy: 'fingerprint', fingerprint: FP } };

function badOption(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SshError);
    expect((err as SshError).code).toBe('BAD_OPTION');
    return (err as SshError).message;
  }
  throw new Error('expected BAD_OPTION');
}

describe('session options', () => {
  it('fills every default from the one constants module', () => {
    const r = resolveSessionOptions(base);
    expect(r).toMatchObject({
      port: SESSION_DEFAULTS.port,
      connectTimeoutMs: SESSION_DEFAULTS.connectTimeoutMs,
      keepaliveIntervalMs: SESSION_DEFAULTS.keepaliveIntervalMs,
      keepaliveCountMax: SESSION_DEFAULTS.keepaliveCountMax,
      ciphers: null,
      auth: { kind: 'key', privateKeyPath: '/k' },
    });
  });

  it('notices a dead link within 10 s by default', () => {
    expect((SESSION_DEFAULTS.keepaliveCountMax + 1) * SESSION_DEFAULTS.keepaliveIntervalMs).toBeLessThanOrEqual(10_000);
  });

  it('names an unknown option and lists the known ones', () => {
    expect(badOption(() => resolveSessionOptions({ ...base, keepAliveIntervalMs: 5 }))).toMatch(
      /unknown session option 'keepAliveIntervalMs' \(known: host, port/,
    );
  });

  it('says what a wrongly typed option takes', () => {
    expect(badOption(() => resolveSessionOptions({ ...base, port: 70000 }))).toBe("session option 'port' must be an integer from 1 to 65535, got 70000");
    expect(badOption(() => resolveSessionOptions({ ...base, ciphers: 'aes128-ctr' }))).toMatch(/'ciphers' must be a non-empty array/);
    expect(badOption(() => resolveSessionOptions(null))).toBe('session options must be an object, got null');
  });

  it('never echoes a secret', () => {
    const msg = badOption(() => resolveSessionOptions({ ...base, privateKeyPath: undefined, password: 12345678 }));
    expect(msg).not.toContain('12345678');
  });

  it('wants exactly one way to authenticate', () => {
    expect(badOption(() => resolveSessionOptions({ ...base, password: 'p' }))).toMatch(/exactly one of/);
    expect(badOption(() => resolveSessionOptions({ ...base, privateKeyPath: undefined }))).toMatch(/exactly one of/);
    expect(badOption(() => resolveSessionOptions({ ...base, privateKeyPath: undefined, password: 'p', passphrase: 'x' }))).toMatch(
      /'passphrase' goes with a private key/,
    );
  });

  it('requires a host-key policy and checks its shape', () => {
    expect(badOption(() => resolveSessionOptions({ ...base, hostKey: undefined }))).toMatch(/'hostKey' is required/);
    expect(badOption(() => resolveSessionOptions({ ...base, hostKey: { policy: 'fingerprint', fingerprint: 'abc' } }))).toMatch(/must look like SHA256:/);
    expect(resolveSessionOptions({ ...base, hostKey: { policy: 'accept-new' } }).hostKey).toEqual({ policy: 'accept-new' });
    expect(badOption(() => resolveSessionOptions({ ...base, hostKey: { policy: 'known-hosts' } }))).toMatch(/'path' is required/);
  });
});

describe('shell, exec and pool options', () => {
  it('shell defaults and limits', () => {
    expect(resolveShellOptions()).toEqual({ term: 'xterm-256color', cols: 80, rows: 24 });
    expect(badOption(() => resolveShellOptions({ rows: 0 }))).toMatch(/'rows' must be an integer from 1/);
  });

  it('exec needs a command and takes functions for streaming', () => {
    expect(badOption(() => resolveExecOptions(''))).toMatch(/non-empty command/);
    expect(badOption(() => resolveExecOptions('ls', { onStdout: 'x' }))).toMatch(/'onStdout' must be a function/);
    expect(resolveExecOptions('ls').timeoutMs).toBe(30_000);
  });

  it('rust tuning applies to the rust core only', () => {
    expect(resolvePoolOptions({ core: 'rust' }).rust).toEqual(RUST_TUNING_DEFAULTS);
    expect(resolvePoolOptions({ core: 'rust', rust: { coalesceMs: 0 } }).rust.coalesceMs).toBe(0);
    expect(badOption(() => resolvePoolOptions({ core: 'ssh2', rust: { coalesceMs: 1 } }))).toMatch(/does not apply to core 'ssh2'/);
    expect(badOption(() => resolvePoolOptions({ core: 'rust', rust: { coalesce: 1 } }))).toMatch(/unknown rust option 'coalesce'/);
    expect(resolvePoolOptions({ core: 'rust', rust: { wakeIntervalMs: 0 } }).rust.wakeIntervalMs).toBe(0);
    expect(badOption(() => resolvePoolOptions({ core: 'rust', rust: { wakeIntervalMs: -1 } }))).toMatch(/wakeIntervalMs/);
    expect(badOption(() => resolvePoolOptions({ core: 'rust', rust: { wakeIntervalMs: 1.5 } }))).toMatch(/wakeIntervalMs/);
  });

  it('rust buffer handover is a boolean, external by default', () => {
    expect(resolvePoolOptions({ core: 'rust' }).rust.externalBuffers).toBe(true);
    expect(resolvePoolOptions({ core: 'rust', rust: { externalBuffers: false } }).rust.externalBuffers).toBe(false);
    expect(badOption(() => resolvePoolOptions({ core: 'rust', rust: { externalBuffers: 'no' } }))).toMatch(/'externalBuffers' must be true or false, got "no"/);
    expect(badOption(() => resolvePoolOptions({ core: 'rust', rust: { maxPacketBytes: 300_000 } }))).toMatch(/maxPacketBytes/);
  });
});

describe('reconnect and health options', () => {
  it('fills the policy defaults and names the target', () => {
    const r = resolveSessionOptions(base);
    expect(r.reconnect).toEqual({
      enabled: true,
      baseDelayMs: 500,
      maxDelayMs: 4_000,
      maxAttempts: 10,
      budgetMs: 20_000,
      attemptTimeoutMs: 5_000,
      gateTimeMs: 10_000,
    });
    expect(r.targetId).toBe('h:22');
    expect(r.degradedAfterMs).toBe(3_000);
  });

  it('rejects a degraded threshold at or past the dead-link limit', () => {
    expect(badOption(() => resolveSessionOptions({ ...base, keepaliveIntervalMs: 500, degradedAfterMs: 2_000 }))).toMatch(
      /'degradedAfterMs' \(2000\) must be below .* = 2000/,
    );
  });

  it('checks the reconnect object', () => {
    expect(badOption(() => resolveSessionOptions({ ...base, reconnect: { budget: 1 } }))).toMatch(/unknown reconnect option 'budget'/);
    expect(badOption(() => resolveSessionOptions({ ...base, reconnect: { baseDelayMs: 900, maxDelayMs: 100 } }))).toMatch(
      /'maxDelayMs' \(100\) must be at least 'baseDelayMs' \(900\)/,
    );
    expect(badOption(() => resolveSessionOptions({ ...base, reconnect: { enabled: 'yes' } }))).toMatch(/'enabled' must be true or false/);
  });

  it('pool policy: handshake cap and a reported seed', () => {
    expect(resolvePoolOptions({ core: 'ssh2' }).maxConcurrentHandshakes).toBe(6);
    expect(resolvePoolOptions({ core: 'ssh2', seed: 7 }).seed).toBe(7);
    expect(Number.isInteger(resolvePoolOptions({ core: 'ssh2' }).seed)).toBe(true);
  });
});

describe('bounds', () => {
  it('fills the request bound, the exec output cap and the kill grace, and checks their ranges', () => {
    expect(resolveSessionOptions(base).requestTimeoutMs).toBe(10_000);
    expect(resolveSessionOptions({ ...base, requestTimeoutMs: 250 }).requestTimeoutMs).toBe(250);
    expect(badOption(() => resolveSessionOptions({ ...base, requestTimeoutMs: 0 }))).toMatch(/'requestTimeoutMs' must be an integer from 1/);
    expect(resolveSessionOptions({ ...base, reconnect: { gateTimeMs: 0 } }).reconnect.gateTimeMs).toBe(0);
    expect(badOption(() => resolveSessionOptions({ ...base, reconnect: { gateTimeMs: -1 } }))).toMatch(/'gateTimeMs'/);
    const e = resolveExecOptions('true');
    expect([e.timeoutMs, e.maxOutputBytes, e.killGraceMs]).toEqual([30_000, 32 * 1024 * 1024, 2_000]);
    expect(badOption(() => resolveExecOptions('true', { maxOutputBytes: 1.5 }))).toMatch(/'maxOutputBytes' must be an integer/);
    expect(badOption(() => resolveExecOptions('true', { killGraceMs: -5 }))).toMatch(/'killGraceMs'/);
  });

  it('a command over one SSH packet is refused, saying its size and what to do instead', () => {
    expect(resolveExecOptions('x'.repeat(255 * 1024)).timeoutMs).toBe(30_000);
    const m = badOption(() => resolveExecOptions('x'.repeat(255 * 1024 + 1)));
    expect(m).toMatch(/the command is 261121 bytes; an exec request carries at most 261120/);
    expect(m).toMatch(/stdin or in a file/);
    // Bytes, not characters: 'é' is two bytes in UTF-8.
    expect(badOption(() => resolveExecOptions('é'.repeat(130 * 1024)))).toMatch(/266240 bytes/);
  });

  it('hostKeyAlias goes with known-hosts and accept-new, as a host and an optional port', () => {
    const kh = { policy: 'known-hosts', path: '/kh', hostKeyAlias: { host: 'vm1', port: 2200 } };
    expect(resolveSessionOptions({ ...base, hostKey: kh }).hostKey).toEqual(kh);
    expect(resolveSessionOptions({ ...base, hostKey: { policy: 'accept-new', hostKeyAlias: { host: 'vm1' } } }).hostKey).toEqual({
      policy: 'accept-new',
      hostKeyAlias: { host: 'vm1' },
    });
    expect(badOption(() => resolveSessionOptions({ ...base, hostKey: { policy: 'fingerprint', fingerprint: FP, hostKeyAlias: { host: 'x' } } }))).toMatch(
      /unknown hostKey option 'hostKeyAlias'/,
    );
    expect(badOption(() => resolveSessionOptions({ ...base, hostKey: { ...kh, hostKeyAlias: { host: 'vm1', port: 70000 } } }))).toMatch(
      /'port' must be an integer from 1 to 65535/,
    );
  });
});
