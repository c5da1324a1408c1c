/**
 * The Rust core: the connection manager lives in crates/ssh-core (russh + tokio) and is reached
 * through the napi-rs addon (root index.js). This adapter only converts options, errors and events.
 */
import {
  type BindingExit,
  type BindingSessionOptions,
  type BindingStateEvent,
  NativePool,
  type NativeSession,
  type NativeShell,
} from '../../index.js';
import {
  ACTIVE_STATES,
  type AttemptEvent,
  type ExecOptions,
  type ExecResult,
  type Session,
  type SessionEvents,
  type SessionState,
  type Shell,
  type ShellExit,
  type ShellOptions,
  type StateEvent,
} from './contract.js';
import { TypedEmitter } from './emitter.js';
import { BasePool, type PoolLink } from './pool-base.js';
import { BaseShell } from './shell-base.js';
import { type ErrorCode, fromNativeError, isErrorCode, SshError } from './errors.js';
import {
  type ResolvedPoolOptions,
  type ResolvedSessionOptions,
  resolveExecOptions,
  resolveShellOptions,
} from './options.js';

/** Calls a user listener from a native callback; a throw becomes an uncaught exception, as from any Node event. */
function guarded<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  };
}

async function native<T>(p: () => Promise<T>): Promise<T> {
  try {
    return await p();
  } catch (err) {
    throw fromNativeError(err);
  }
}

function toBinding(o: ResolvedSessionOptions): BindingSessionOptions {
  const b: BindingSessionOptions = {
    targetId: o.targetId,
    host: o.host,
    port: o.port,
    username: o.username,
    hostKeyPolicy: o.hostKey.policy,
    connectTimeoutMs: o.connectTimeoutMs,
    keepaliveIntervalMs: o.keepaliveIntervalMs,
    keepaliveCountMax: o.keepaliveCountMax,
    degradedAfterMs: o.degradedAfterMs,
    probeTimeoutMs: o.probeTimeoutMs,
    reconnect: o.reconnect,
  };
  if (o.auth.kind === 'password') b.password = o.auth.password;
  else {
    if (o.auth.privateKeyPath) b.privateKeyPath = o.auth.privateKeyPath;
    if (o.auth.privateKey) b.privateKey = o.auth.privateKey;
    if (o.auth.passphrase) b.passphrase = o.auth.passphrase;
  }
  if (o.hostKey.policy === 'fingerprint') b.hostKeyFingerprint = o.hostKey.fingerprint;
  if (o.hostKey.policy === 'known-hosts') b.knownHostsPath = o.hostKey.path;
  if (o.hostKey.policy === 'accept-new' && o.hostKey.knownHostsPath) b.knownHostsPath = o.hostKey.knownHostsPath;
  if (o.ciphers) b.ciphers = o.ciphers;
  if (o.kex) b.kex = o.kex;
  return b;
}

function exitFrom(b: BindingExit): ShellExit {
  const exit: ShellExit = { code: b.code ?? null, signal: b.signal ?? null };
  if (b.errorCode) {
    const code: ErrorCode = isErrorCode(b.errorCode) ? b.errorCode : 'INTERNAL';
    exit.error = new SshError(code, b.errorMessage ?? b.errorCode);
  }
  return exit;
}

class RustShell extends BaseShell {
  #native: NativeShell | undefined;

  attach(shell: NativeShell): void {
    this.#native = shell;
  }

  onData = guarded((chunk: Buffer) => this.deliver(chunk));

  onExit = guarded((b: BindingExit) => this.end(exitFrom(b)));

  onReopen = guarded((atMs: number) => this.emit('reopen', { atMs }));

  protected writeRaw(data: Buffer): void {
    try {
      this.#native?.write(data);
    } catch (err) {
      throw fromNativeError(err);
    }
  }

  protected async resizeRaw(cols: number, rows: number): Promise<void> {
    await native(() => this.#native!.resize(cols, rows));
  }

  close(): void {
    this.#native?.close();
  }
}

class RustSession extends TypedEmitter<SessionEvents> implements Session {
  readonly core = 'rust' as const;
  readonly id: string;
  #native: NativeSession;
  #link: PoolLink;
  #hold: (delta: number) => void;
  #active = false;

  constructor(nativePool: NativePool, options: ResolvedSessionOptions, link: PoolLink, hold: (delta: number) => void) {
    super();
    this.#link = link;
    this.#hold = hold;
    try {
      this.#native = nativePool.createSession(toBinding(options), (e: BindingStateEvent) => this.#onState(e));
    } catch (err) {
      throw fromNativeError(err);
    }
    this.id = `rust-${this.#native.id}`;
  }

  #onState = guarded((b: BindingStateEvent) => {
    if (b.kind === 'attempt') {
      const attempt: AttemptEvent = { sessionId: this.id, attempt: b.attempt ?? 0, delayMs: b.delayMs ?? 0, atMs: b.atMs };
      this.emit('attempt', attempt);
      this.#link.attempt(attempt);
      return;
    }
    const event: StateEvent = {
      sessionId: this.id,
      state: b.state as SessionState,
      previous: b.previous as SessionState,
      atMs: b.atMs,
    };
    if (b.cause) event.cause = b.cause as StateEvent['cause'];
    if (b.code && isErrorCode(b.code)) event.code = b.code;
    if (b.message) event.message = b.message;
    this.#setActive(ACTIVE_STATES.has(event.state));
    this.emit('state', event);
    this.#link.state(event);
  });

  /** Like a socket, an active session keeps the process alive; a finished one does not. */
  #setActive(active: boolean): void {
    if (active !== this.#active) {
      this.#active = active;
      this.#hold(active ? 1 : -1);
    }
  }

  get state(): SessionState {
    return this.#native.state as SessionState;
  }

  async connect(): Promise<void> {
    this.#setActive(true);
    try {
      await native(() => this.#native.connect());
    } finally {
      this.#setActive(ACTIVE_STATES.has(this.state));
    }
  }

  async openShell(options?: ShellOptions): Promise<Shell> {
    const o = resolveShellOptions(options);
    const shell = new RustShell();
    const n = await native(() => this.#native.openShell(o, shell.onData, shell.onExit, shell.onReopen));
    shell.attach(n);
    return shell;
  }

  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    const o = resolveExecOptions(command, options);
    const r = await native(() =>
      this.#native.exec(
        command,
        { timeoutMs: o.timeoutMs },
        o.onStdout ? guarded(o.onStdout) : undefined,
        o.onStderr ? guarded(o.onStderr) : undefined,
      ),
    );
    return {
      stdout: r.stdout,
      stderr: r.stderr,
      exitCode: r.code ?? null,
      signal: r.signal ?? null,
      stdoutBytes: r.stdoutBytes,
      stderrBytes: r.stderrBytes,
    };
  }

  async reconnect(): Promise<void> {
    this.#setActive(true);
    try {
      await native(() => this.#native.reconnect());
    } finally {
      this.#setActive(ACTIVE_STATES.has(this.state));
    }
  }

  async close(): Promise<void> {
    await this.#native.close();
    this.#setActive(false);
  }
}

export class RustPool extends BasePool {
  readonly core = 'rust' as const;
  #native: NativePool;
  #holds = 0;
  #keepAlive: NodeJS.Timeout | undefined;

  constructor(o: ResolvedPoolOptions) {
    super(o.seed);
    try {
      this.#native = new NativePool({ ...o.rust, maxConcurrentHandshakes: o.maxConcurrentHandshakes, seed: o.seed });
    } catch (err) {
      throw fromNativeError(err);
    }
  }

  protected newSession(options: ResolvedSessionOptions, link: PoolLink): Session {
    return new RustSession(this.#native, options, link, (delta) => this.#hold(delta));
  }

  /** The native callbacks are weak; this timer is what keeps Node alive while sessions are active. */
  #hold(delta: number): void {
    this.#holds += delta;
    if (this.#holds > 0 && !this.#keepAlive) {
      this.#keepAlive = setInterval(() => {}, 1 << 30);
    } else if (this.#holds <= 0 && this.#keepAlive) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
  }
}
