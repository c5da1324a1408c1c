/**
 * A third contender for the benchmarks only: the prebuilt russh binding on npm (package `russh`,
 * used by the Tabby terminal), installed as an optional dependency. It is wrapped in the core
 * contract so the same workloads run on it, but it is not a connection manager: no reconnect,
 * no degraded state, key auth only. It answers "should we just adopt that binding?".
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ExecOptions, ExecResult, Session, SessionEvents, SessionState, Shell, ShellOptions, StateEvent } from './contract.js';
import { TypedEmitter } from './emitter.js';
import { type FailureCause, SshError } from './errors.js';
import { type ResolvedPoolOptions, type ResolvedSessionOptions, resolveExecOptions, resolveShellOptions } from './options.js';
import { BasePool, type PoolLink } from './pool-base.js';
import { BaseShell } from './shell-base.js';

// The binding's own types are loose; only what is used here is described.
interface RnChannel {
  data$: { subscribe(f: (d: Uint8Array) => void): unknown };
  extendedData$: { subscribe(f: (d: [number, Uint8Array]) => void): unknown };
  closed$: { subscribe(o: { next?: () => void; complete?: () => void }): unknown };
  requestShell(): Promise<void>;
  requestExec(command: string): Promise<void>;
  requestPTY(term: string, size: { columns: number; rows: number; pixWidth: number; pixHeight: number }): Promise<void>;
  resizePTY(size: { columns: number; rows: number; pixWidth: number; pixHeight: number }): Promise<void>;
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
interface RnClient {
  openSessionChannel(): Promise<unknown>;
  activateChannel(ch: unknown): Promise<RnChannel>;
  disconnect(): Promise<void>;
  disconnect$: { subscribe(f: () => void): unknown };
}
interface RnModule {
  SshTransport: { newSocket(addr: string): Promise<unknown> };
  SSHClient: {
    connect(
      t: unknown,
      verify: (k: { fingerprint(): string }) => Promise<boolean>,
      config?: unknown,
    ): Promise<{
      authenticateWithKeyPair(user: string, kp: unknown, hash: null): Promise<RnClient | { remainingMethods: string[] }>;
      authenticateWithPassword(user: string, password: string): Promise<RnClient | { remainingMethods: string[] }>;
    }>;
  };
  KeyPair: { parse(data: string, passphrase?: string): Promise<unknown> };
}

let loaded: RnModule | undefined;
export function loadRusshNapi(): RnModule {
  if (!loaded) {
    try {
      loaded = createRequire(import.meta.url)('russh') as RnModule;
    } catch (err) {
      throw new SshError(
        'BAD_OPTION',
        `the russh-napi contender needs the npm package 'russh', a dev dependency of ssh-spike (npm install --save-dev russh@0.1.38): ${(err as Error).message}`,
      );
    }
  }
  return loaded;
}

class RnShell extends BaseShell {
  /** The binding hands data over as an rxjs stream with no backpressure: no pause. */
  readonly canPause = false;

  constructor(private readonly ch: RnChannel) {
    super();
    ch.data$.subscribe((d) => this.deliver(Buffer.from(d.buffer, d.byteOffset, d.byteLength)));
    ch.closed$.subscribe({ next: () => this.end({ code: null, signal: null }), complete: () => this.end({ code: null, signal: null }) });
  }
  protected writeRaw(data: Buffer): void {
    void this.ch.write(data).catch(() => {});
  }
  protected async resizeRaw(cols: number, rows: number): Promise<void> {
    await this.ch.resizePTY({ columns: cols, rows, pixWidth: 0, pixHeight: 0 });
  }
  protected closeRaw(): void {
    this.end({ code: null, signal: null });
    void this.ch.close().catch(() => {});
  }
}

class RnSession extends TypedEmitter<SessionEvents> implements Session {
  readonly core = 'russh-napi' as const;
  #state: SessionState = 'closed';
  #client: RnClient | undefined;

  constructor(
    readonly id: string,
    private readonly o: ResolvedSessionOptions,
    private readonly link: PoolLink,
  ) {
    super();
  }

  get state(): SessionState {
    return this.#state;
  }

  #to(state: SessionState, cause?: FailureCause, code?: SshError['code']): void {
    const e: StateEvent = { sessionId: this.id, state, previous: this.#state, atMs: Date.now() };
    if (cause) e.cause = cause;
    if (code) e.code = code;
    this.#state = state;
    this.emit('state', e);
    this.link.state(e);
  }

  async connect(): Promise<void> {
    const rn = loadRusshNapi();
    this.#to('connecting');
    try {
      const transport = await rn.SshTransport.newSocket(`${this.o.host}:${this.o.port}`);
      const expected = this.o.hostKey.policy === 'fingerprint' ? this.o.hostKey.fingerprint : undefined;
      const client = await rn.SSHClient.connect(transport, async (k) => expected === undefined || k.fingerprint() === expected, {
        preferred: { ...(this.o.ciphers ? { ciphers: this.o.ciphers } : {}), ...(this.o.kex ? { kex: this.o.kex } : {}) },
        connectionTimeoutSeconds: Math.ceil(this.o.connectTimeoutMs / 1000),
        keepaliveIntervalSeconds: Math.max(1, Math.round(this.o.keepaliveIntervalMs / 1000)),
        keepaliveCountMax: this.o.keepaliveCountMax,
      });
      const auth =
        this.o.auth.kind === 'password'
          ? await client.authenticateWithPassword(this.o.username, this.o.auth.password)
          : await client.authenticateWithKeyPair(
              this.o.username,
              await rn.KeyPair.parse(this.o.auth.privateKey ?? readFileSync(this.o.auth.privateKeyPath!, 'utf8'), this.o.auth.passphrase),
              null,
            );
      if (!('openSessionChannel' in auth)) throw new SshError('AUTH_FAILED', `authentication failed for ${this.o.username}`);
      this.#client = auth;
      auth.disconnect$.subscribe(() => {
        if (this.#state === 'ready') this.#to('closed', 'server', 'DISCONNECTED_BY_SERVER');
      });
      this.#to('ready');
    } catch (err) {
      const e = err instanceof SshError ? err : new SshError('PROTOCOL_ERROR', `russh-napi: ${(err as Error).message}`);
      this.#to(e.code === 'AUTH_FAILED' ? 'auth_failed' : 'closed', e.cause, e.code);
      throw e;
    }
  }

  #live(): RnClient {
    if (!this.#client || this.#state !== 'ready') throw new SshError('NOT_CONNECTED', `session is not connected (state ${this.#state})`);
    return this.#client;
  }

  async openShell(options?: ShellOptions): Promise<Shell> {
    const o = resolveShellOptions(options);
    const c = this.#live();
    const ch = await c.activateChannel(await c.openSessionChannel());
    await ch.requestPTY(o.term, { columns: o.cols, rows: o.rows, pixWidth: 0, pixHeight: 0 });
    const shell = new RnShell(ch);
    await ch.requestShell();
    return shell;
  }

  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    const o = resolveExecOptions(command, options);
    const c = this.#live();
    const ch = await c.activateChannel(await c.openSessionChannel());
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    ch.data$.subscribe((d) => {
      const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
      outBytes += b.length;
      if (o.onStdout) o.onStdout(b);
      else out.push(b);
    });
    ch.extendedData$.subscribe(([, d]) => {
      const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
      errBytes += b.length;
      if (o.onStderr) o.onStderr(b);
      else err.push(b);
    });
    const closed = new Promise<void>((resolve) => ch.closed$.subscribe({ next: resolve, complete: resolve }));
    await ch.requestExec(command);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void ch.close().catch(() => {});
        reject(new SshError('EXEC_TIMEOUT', `command did not finish within ${o.timeoutMs} ms`));
      }, o.timeoutMs);
    });
    try {
      await Promise.race([closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
    // The binding reports no exit status.
    return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: null, signal: null, stdoutBytes: outBytes, stderrBytes: errBytes };
  }

  async reconnect(): Promise<void> {
    throw new SshError('BAD_OPTION', 'the russh-napi contender has no reconnect manager');
  }

  async close(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    if (this.#state !== 'closed') this.#to('closed', 'client');
    this.link.closed();
    await c?.disconnect().catch(() => {});
  }
}

export class RusshNapiPool extends BasePool {
  readonly core = 'russh-napi' as const;
  #next = 1;

  constructor(o: ResolvedPoolOptions) {
    super(o.seed);
    loadRusshNapi();
  }

  protected newSession(options: ResolvedSessionOptions, link: PoolLink): Session {
    return new RnSession(`russh-napi-${this.#next++}`, options, link);
  }
}
