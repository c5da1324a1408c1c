/**
 * Validation at the edge: every option object is checked here, once, for both cores. A wrong type
 * or an unknown name is a BAD_OPTION error that names the option and says what it takes; secret
 * values are never echoed.
 */
import type { ExecOptions, HostKeyAlias, HostKeyOptions, ReconnectOptions, SessionOptions } from './contract.js';
import {
  EXEC_DEFAULTS,
  MAX_COMMAND_BYTES,
  POOL_DEFAULTS,
  RECONNECT_DEFAULTS,
  RUST_MAX_PACKET_BYTES,
  RUST_TUNING_DEFAULTS,
  SESSION_DEFAULTS,
  SHELL_DEFAULTS,
} from './defaults.js';
import { type CoreName, SshError } from './errors.js';

const SECRET = new Set(['password', 'privateKey', 'passphrase']);

function bad(message: string): SshError {
  return new SshError('BAD_OPTION', message);
}

function show(key: string, value: unknown): string {
  if (SECRET.has(key)) return 'a value that is not shown';
  return JSON.stringify(value) ?? String(value);
}

function record(what: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(`${what} must be an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

function onlyKnown(what: string, obj: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      throw bad(`unknown ${what} option '${key}' (known: ${known.join(', ')})`);
    }
  }
}

function str(what: string, obj: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined) {
    if (required) throw bad(`${what} option '${key}' is required`);
    return undefined;
  }
  if (typeof v !== 'string' || v.length === 0) {
    throw bad(`${what} option '${key}' must be a non-empty string, got ${show(key, v)}`);
  }
  return v;
}

function int(what: string, obj: Record<string, unknown>, key: string, min: number, max: number, dflt: number): number {
  const v = obj[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw bad(`${what} option '${key}' must be an integer from ${min} to ${max}, got ${show(key, v)}`);
  }
  return v;
}

export type ResolvedAuth = { kind: 'password'; password: string } | { kind: 'key'; privateKeyPath?: string; privateKey?: string; passphrase?: string };

export type ResolvedReconnect = Required<ReconnectOptions>;

export interface ResolvedSessionOptions {
  targetId: string;
  host: string;
  port: number;
  username: string;
  auth: ResolvedAuth;
  hostKey: HostKeyOptions;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  degradedAfterMs: number;
  probeTimeoutMs: number;
  ciphers: string[] | null;
  kex: string[] | null;
  reconnect: ResolvedReconnect;
}

const SESSION_KEYS = [
  'host',
  'port',
  'username',
  'password',
  'privateKeyPath',
  'privateKey',
  'passphrase',
  'hostKey',
  'connectTimeoutMs',
  'requestTimeoutMs',
  'keepaliveIntervalMs',
  'keepaliveCountMax',
  'degradedAfterMs',
  'probeTimeoutMs',
  'ciphers',
  'kex',
  'reconnect',
  'targetId',
] as const satisfies readonly (keyof SessionOptions)[];

function resolveReconnect(value: unknown): ResolvedReconnect {
  const r = record("session option 'reconnect'", value ?? {});
  const what = 'reconnect';
  onlyKnown(what, r, Object.keys(RECONNECT_DEFAULTS));
  if (r.enabled !== undefined && typeof r.enabled !== 'boolean') {
    throw bad(`reconnect option 'enabled' must be true or false, got ${show('enabled', r.enabled)}`);
  }
  const d = RECONNECT_DEFAULTS;
  const baseDelayMs = int(what, r, 'baseDelayMs', 0, 600_000, d.baseDelayMs);
  const maxDelayMs = int(what, r, 'maxDelayMs', 0, 3_600_000, d.maxDelayMs);
  if (maxDelayMs < baseDelayMs) throw bad(`reconnect option 'maxDelayMs' (${maxDelayMs}) must be at least 'baseDelayMs' (${baseDelayMs})`);
  return {
    enabled: (r.enabled as boolean | undefined) ?? d.enabled,
    baseDelayMs,
    maxDelayMs,
    maxAttempts: int(what, r, 'maxAttempts', 1, 1_000_000, d.maxAttempts),
    budgetMs: int(what, r, 'budgetMs', 1, 86_400_000, d.budgetMs),
    attemptTimeoutMs: int(what, r, 'attemptTimeoutMs', 1, 600_000, d.attemptTimeoutMs),
    gateTimeMs: int(what, r, 'gateTimeMs', 0, 86_400_000, d.gateTimeMs),
  };
}

function resolveAlias(value: unknown): HostKeyAlias | undefined {
  if (value === undefined) return undefined;
  const a = record("hostKey option 'hostKeyAlias'", value);
  onlyKnown('hostKeyAlias', a, ['host', 'port']);
  const host = str('hostKeyAlias', a, 'host', true)!;
  if (a.port === undefined) return { host };
  return { host, port: int('hostKeyAlias', a, 'port', 1, 65535, 22) };
}

function resolveHostKey(value: unknown): HostKeyOptions {
  if (value === undefined) {
    throw bad("session option 'hostKey' is required: { policy: 'fingerprint', fingerprint }, " + "{ policy: 'known-hosts', path } or { policy: 'accept-new' }");
  }
  const hk = record("session option 'hostKey'", value);
  const what = 'hostKey';
  switch (hk.policy) {
    case 'fingerprint': {
      onlyKnown(what, hk, ['policy', 'fingerprint']);
      const fingerprint = str(what, hk, 'fingerprint', true)!;
      if (!/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(fingerprint)) {
        throw bad(`hostKey option 'fingerprint' must look like SHA256:<43 base64 characters>, got ${JSON.stringify(fingerprint)}`);
      }
      return { policy: 'fingerprint', fingerprint };
    }
    case 'known-hosts': {
      onlyKnown(what, hk, ['policy', 'path', 'hostKeyAlias']);
      const alias = resolveAlias(hk.hostKeyAlias);
      return { policy: 'known-hosts', path: str(what, hk, 'path', true)!, ...(alias ? { hostKeyAlias: alias } : {}) };
    }
    case 'accept-new': {
      onlyKnown(what, hk, ['policy', 'knownHostsPath', 'hostKeyAlias']);
      const knownHostsPath = str(what, hk, 'knownHostsPath', false);
      const alias = resolveAlias(hk.hostKeyAlias);
      return { policy: 'accept-new', ...(knownHostsPath ? { knownHostsPath } : {}), ...(alias ? { hostKeyAlias: alias } : {}) };
    }
    default:
      throw bad(`hostKey option 'policy' must be 'fingerprint', 'known-hosts' or 'accept-new', got ${JSON.stringify(hk.policy)}`);
  }
}

export function resolveSessionOptions(input: unknown): ResolvedSessionOptions {
  const o = record('session options', input);
  const what = 'session';
  onlyKnown(what, o, SESSION_KEYS);
  const password = str(what, o, 'password', false);
  const privateKeyPath = str(what, o, 'privateKeyPath', false);
  const privateKey = str(what, o, 'privateKey', false);
  const passphrase = str(what, o, 'passphrase', false);
  const methods = [password, privateKeyPath, privateKey].filter((x) => x !== undefined).length;
  if (methods !== 1) {
    throw bad(`give exactly one of 'password', 'privateKeyPath' or 'privateKey' (got ${methods})`);
  }
  if (password !== undefined && passphrase !== undefined) {
    throw bad("'passphrase' goes with a private key, not with 'password'");
  }
  let auth: ResolvedAuth;
  if (password !== undefined) {
    auth = { kind: 'password', password };
  } else {
    auth = { kind: 'key' };
    if (privateKeyPath !== undefined) auth.privateKeyPath = privateKeyPath;
    if (privateKey !== undefined) auth.privateKey = privateKey;
    if (passphrase !== undefined) auth.passphrase = passphrase;
  }
  const names = (key: 'ciphers' | 'kex', what: string): string[] | null => {
    const v = o[key];
    if (v === undefined) return null;
    if (!Array.isArray(v) || v.length === 0 || !v.every((c) => typeof c === 'string' && c)) {
      throw bad(`session option '${key}' must be a non-empty array of ${what} names, got ${show(key, v)}`);
    }
    return [...v] as string[];
  };
  const ciphers = names('ciphers', 'cipher');
  const kex = names('kex', 'key-exchange');
  const keepaliveIntervalMs = int(what, o, 'keepaliveIntervalMs', 10, 3_600_000, SESSION_DEFAULTS.keepaliveIntervalMs);
  const keepaliveCountMax = int(what, o, 'keepaliveCountMax', 1, 1000, SESSION_DEFAULTS.keepaliveCountMax);
  const degradedAfterMs = int(what, o, 'degradedAfterMs', 1, 86_400_000, SESSION_DEFAULTS.degradedAfterMs);
  const deadAfterMs = keepaliveIntervalMs * (keepaliveCountMax + 1);
  if (degradedAfterMs >= deadAfterMs) {
    throw bad(
      `session option 'degradedAfterMs' (${degradedAfterMs}) must be below the time a link is declared dead, ` +
        `(keepaliveCountMax + 1) x keepaliveIntervalMs = ${deadAfterMs}`,
    );
  }
  const host = str(what, o, 'host', true)!;
  const port = int(what, o, 'port', 1, 65535, SESSION_DEFAULTS.port);
  return {
    targetId: str(what, o, 'targetId', false) ?? `${host}:${port}`,
    host,
    port,
    username: str(what, o, 'username', true)!,
    auth,
    hostKey: resolveHostKey(o.hostKey),
    connectTimeoutMs: int(what, o, 'connectTimeoutMs', 1, 600_000, SESSION_DEFAULTS.connectTimeoutMs),
    requestTimeoutMs: int(what, o, 'requestTimeoutMs', 1, 600_000, SESSION_DEFAULTS.requestTimeoutMs),
    keepaliveIntervalMs,
    keepaliveCountMax,
    degradedAfterMs,
    probeTimeoutMs: int(what, o, 'probeTimeoutMs', 1, 600_000, SESSION_DEFAULTS.probeTimeoutMs),
    ciphers,
    kex,
    reconnect: resolveReconnect(o.reconnect),
  };
}

export interface ResolvedShellOptions {
  term: string;
  cols: number;
  rows: number;
}

export function resolveShellOptions(input: unknown = {}): ResolvedShellOptions {
  const o = record('shell options', input);
  onlyKnown('shell', o, ['term', 'cols', 'rows']);
  return {
    term: str('shell', o, 'term', false) ?? SHELL_DEFAULTS.term,
    cols: int('shell', o, 'cols', 1, 10_000, SHELL_DEFAULTS.cols),
    rows: int('shell', o, 'rows', 1, 10_000, SHELL_DEFAULTS.rows),
  };
}

export function checkSize(cols: unknown, rows: unknown): { cols: number; rows: number } {
  const r = resolveShellOptions({ cols, rows });
  return { cols: r.cols, rows: r.rows };
}

export interface ResolvedExecOptions {
  timeoutMs: number;
  maxOutputBytes: number;
  killGraceMs: number;
  onStdout: ((chunk: Buffer) => void) | undefined;
  onStderr: ((chunk: Buffer) => void) | undefined;
}

export function resolveExecOptions(command: unknown, input: unknown = {}): ResolvedExecOptions {
  if (typeof command !== 'string' || command.length === 0) {
    throw bad(`exec needs a non-empty command string, got ${command === undefined ? 'undefined' : (JSON.stringify(command)?.slice(0, 80) ?? typeof command)}`);
  }
  const bytes = Buffer.byteLength(command);
  if (bytes > MAX_COMMAND_BYTES) {
    throw bad(
      `the command is ${bytes} bytes; an exec request carries at most ${MAX_COMMAND_BYTES} (one SSH packet): ` +
        'send long input on stdin or in a file instead',
    );
  }
  const o = record('exec options', input);
  onlyKnown('exec', o, ['timeoutMs', 'maxOutputBytes', 'killGraceMs', 'onStdout', 'onStderr'] satisfies (keyof ExecOptions)[]);
  for (const key of ['onStdout', 'onStderr'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'function') {
      throw bad(`exec option '${key}' must be a function`);
    }
  }
  return {
    timeoutMs: int('exec', o, 'timeoutMs', 1, 86_400_000, EXEC_DEFAULTS.timeoutMs),
    maxOutputBytes: int('exec', o, 'maxOutputBytes', 0, Number.MAX_SAFE_INTEGER, EXEC_DEFAULTS.maxOutputBytes),
    killGraceMs: int('exec', o, 'killGraceMs', 0, 600_000, EXEC_DEFAULTS.killGraceMs),
    onStdout: o.onStdout as ResolvedExecOptions['onStdout'],
    onStderr: o.onStderr as ResolvedExecOptions['onStderr'],
  };
}

export type RustTuning = {
  -readonly [K in keyof typeof RUST_TUNING_DEFAULTS]: (typeof RUST_TUNING_DEFAULTS)[K] extends boolean ? boolean : number;
};

export interface PoolOptions {
  core: CoreName;
  /** Handshakes in flight per target (storm control). @default 6 */
  maxConcurrentHandshakes?: number;
  /** Seed of the reconnect jitter, so a run can be replayed. @default a random seed, reported as pool.seed */
  seed?: number;
  /** Tuning of the Rust core; an error with core 'ssh2', which has no boundary to tune. */
  rust?: Partial<RustTuning>;
}

export interface ResolvedPoolOptions {
  core: CoreName;
  maxConcurrentHandshakes: number;
  seed: number;
  rust: RustTuning;
}

export function resolvePoolOptions(input: unknown): ResolvedPoolOptions {
  const o = record('pool options', input);
  onlyKnown('pool', o, ['core', 'maxConcurrentHandshakes', 'seed', 'rust']);
  if (o.core !== 'rust' && o.core !== 'ssh2') {
    throw bad(`pool option 'core' must be 'rust' or 'ssh2', got ${JSON.stringify(o.core)}`);
  }
  const rust: RustTuning = { ...RUST_TUNING_DEFAULTS };
  if (o.rust !== undefined) {
    if (o.core !== 'rust') throw bad("pool option 'rust' tunes the Rust core; it does not apply to core 'ssh2'");
    const t = record("pool option 'rust'", o.rust);
    onlyKnown('rust', t, Object.keys(RUST_TUNING_DEFAULTS));
    rust.coalesceMs = int('rust', t, 'coalesceMs', 0, 1000, rust.coalesceMs);
    rust.wakeIntervalMs = int('rust', t, 'wakeIntervalMs', 0, 1000, rust.wakeIntervalMs);
    rust.coalesceBytes = int('rust', t, 'coalesceBytes', 1, 16 * 1024 * 1024, rust.coalesceBytes);
    rust.windowBytes = int('rust', t, 'windowBytes', 32 * 1024, 2 ** 31 - 1, rust.windowBytes);
    rust.maxPacketBytes = int('rust', t, 'maxPacketBytes', 1024, RUST_MAX_PACKET_BYTES, rust.maxPacketBytes);
    rust.channelBuffer = int('rust', t, 'channelBuffer', 1, 1_000_000, rust.channelBuffer);
    if (t.externalBuffers !== undefined) {
      if (typeof t.externalBuffers !== 'boolean')
        throw bad(`rust option 'externalBuffers' must be true or false, got ${show('externalBuffers', t.externalBuffers)}`);
      rust.externalBuffers = t.externalBuffers;
    }
  }
  return {
    core: o.core,
    maxConcurrentHandshakes: int('pool', o, 'maxConcurrentHandshakes', 1, 10_000, POOL_DEFAULTS.maxConcurrentHandshakes),
    seed: int('pool', o, 'seed', 0, Number.MAX_SAFE_INTEGER, Math.floor(Math.random() * 2 ** 32)),
    rust,
  };
}
