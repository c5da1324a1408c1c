/**
 * The Rust core: the connection manager lives in crates/ssh-core (russh + tokio) and is reached
 * through the napi-rs addon (root index.js). This adapter only converts options, errors and events.
 */
import {
  type BindingExecResult,
  type BindingExit,
  type BindingSessionOptions,
  type BindingStateEvent,
  EventKind,
  type NativePool,
  type NativeSession,
  type NativeShell,
  type NativeUiLink,
} from '../../index.js';
import {
  ACTIVE_STATES,
  type AttemptEvent,
  type ChannelsEvent,
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
import { native as addon } from './native.js';
import { BasePool, type PoolLink } from './pool-base.js';
import { BaseShell } from './shell-base.js';
import { closedError, type ErrorCode, fromNativeError, isErrorCode, SshError } from './errors.js';
import { type ResolvedPoolOptions, type ResolvedSessionOptions, resolveExecOptions, resolveShellOptions } from './options.js';

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
    requestTimeoutMs: o.requestTimeoutMs,
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
  if (o.hostKey.policy !== 'fingerprint' && o.hostKey.hostKeyAlias) {
    b.hostKeyAliasHost = o.hostKey.hostKeyAlias.host;
    b.hostKeyAliasPort = o.hostKey.hostKeyAlias.port ?? o.port;
  }
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

/** What one event carries: a data chunk, a state or exit object, a reopen's time, or nothing. */
type Payload = Buffer | BindingStateEvent | BindingExit | number | undefined;
type Route = (kind: EventKind, payload: Payload) => void;
type Drain = Array<Buffer | number | BindingStateEvent | BindingExit | undefined>;

/** Sink numbers stay below 2^29: the addon packs one with its event kind into one number. */
const SINK_LIMIT = 1 << 29;

/**
 * Every event of a pool arrives through one queue (see crates/ssh-core/src/napi/outbox.rs): each
 * wake-up of the JS thread brings everything queued, laid out flat as napi/chunk.rs describes:
 * `[joint, code, payload, ...]`, `code` = sink << 3 | kind, and a small data chunk given as where it
 * ends in `joint`. Each session, shell and streamed exec takes a sink number here before it asks the
 * addon for anything, so no event can arrive before its route exists.
 */
class Routes {
  #next = 1;
  #routes = new Map<number, Route>();

  add(route: Route): number {
    const sink = this.#next++;
    if (this.#next >= SINK_LIMIT) this.#next = 1;
    this.#routes.set(sink, route);
    return sink;
  }

  remove(sink: number): void {
    this.#routes.delete(sink);
  }

  /** One wake-up's events. Holds no reference to the pool: the native callback is a GC root. */
  dispatch = (drain: Drain): void => {
    const joint = drain[0] as Buffer | undefined;
    let start = 0;
    for (let i = 1; i < drain.length; i += 2) {
      const code = drain[i] as number;
      const kind = (code & 7) as EventKind;
      let payload = drain[i + 1];
      if (typeof payload === 'number' && (kind === EventKind.Data || kind === EventKind.Stderr)) {
        const end = payload;
        payload = joint!.subarray(start, end);
        start = end;
      }
      const sink = code >>> 3;
      const route = this.#routes.get(sink);
      if (!route) continue; // a late event of something already finished
      if (kind === EventKind.End) this.#routes.delete(sink);
      route(kind, payload);
    }
  };
}

/** Exported for the unit tests of its pause (test/unit/shell-pause.test.ts); not part of the API. */
export class RustShell extends BaseShell {
  #native: NativeShell | undefined;
  /**
   * True: the core holds the channel's window while paused (a small patch to russh, see
   * scripts/patch-russh.mjs), so the server stops sending on this channel once it has used the
   * window it has; the output already on its way waits here, in order, with any reopen and exit.
   */
  readonly canPause = true;
  /** Closed by its owner or its session: what it holds is dropped and its exit comes at once. */
  #discarding = false;
  /** The core's exit, once it came (it may wait behind a pause). */
  #exit: ShellExit | undefined;

  /**
   * The core records the wish at once, in call order, and holds every channel reopened for the
   * shell; it returns false only when the shell has ended, which its exit then says.
   */
  protected override holdSource(held: boolean): void {
    this.#native?.setPaused(held);
  }

  /**
   * Its own close or its session's: the output held is dropped, and the shell ends at once: with
   * `exit` when the core's exit already came (held behind a pause, it will not come again),
   * otherwise with the exit the core sends next, which is not held.
   */
  discard(exit: ShellExit): void {
    this.#discarding = true;
    this.dropHeld();
    if (this.#exit) this.end(exit);
  }

  attach(shell: NativeShell): void {
    this.#native = shell;
  }

  onEvent = guarded((kind: EventKind, payload: Payload) => {
    if (kind === EventKind.Exit) this.#exit = exitFrom(payload as BindingExit);
    if (this.#discarding) {
      if (this.#exit) this.end(this.#exit);
      return;
    }
    if (kind === EventKind.Data) this.arrive({ data: payload as Buffer });
    else if (kind === EventKind.Exit) this.arrive({ exit: this.#exit! });
    else if (kind === EventKind.Reopen) this.arrive({ reopenAtMs: (payload as number | undefined) ?? Date.now() });
  });

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

  protected closeRaw(): void {
    this.discard({ code: null, signal: null });
    this.#native?.close();
  }

  routeToUi(link: NativeUiLink, session: number): void {
    if (!this.#native) throw new SshError('NOT_CONNECTED', 'the shell is not open yet');
    try {
      this.#native.routeToUi(link, session);
    } catch (err) {
      throw fromNativeError(err);
    }
  }
}

/** What a UI link did (crates/ssh-core/src/ui.rs), counted as the JS relay counts (src/ui/relay.ts). */
export interface UiLinkStats {
  bytesSent: number;
  framesSent: number;
  peakUnackedBytes: number;
  pauses: number;
  /** Pauses the link could not make: a session with no shell routed to it. */
  pausesUnavailable: number;
  keysTyped: number;
  keysLost: number;
  peakQueuedBytes: number;
  /** Why the link ended, when a failure ended it. */
  error?: string;
}

/**
 * The Rust core's direct way to a UI process (Rust only, experimental): a routed shell's output
 * goes from the core's thread straight onto the Unix socket the UI listens on, and the UI's keys
 * come back on it, with no JS hop; the shell's reopen and exit still come to JS. The socket speaks
 * the frames of src/ui/frames.ts.
 */
export class RustUiLink {
  readonly #native: NativeUiLink;

  private constructor(native: NativeUiLink) {
    this.#native = native;
  }

  /** Connects to the UI's socket at `path`; fails with CONNECTION_REFUSED when nothing listens there. */
  static async connect(path: string, timeoutMs = 10_000): Promise<RustUiLink> {
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 0xffff_ffff) {
      throw new SshError('BAD_OPTION', `timeoutMs must be a positive integer of ms, got ${timeoutMs}`);
    }
    return new RustUiLink(await native(() => addon().connectUiLink(path, timeoutMs)));
  }

  /** From now on `shell`'s output goes to the UI as session `session`, and the UI's keys for that session into it. */
  route(shell: Shell, session: number): void {
    if (!(shell instanceof RustShell))
      throw new SshError('BAD_OPTION', "only a Rust-core shell can be routed to a UI link (the ssh2 core's output lives in JS)");
    if (!Number.isInteger(session) || session < 0 || session > 0xffff_ffff) throw new SshError('BAD_OPTION', `session must be a u32, got ${session}`);
    shell.routeToUi(this.#native, session);
  }

  stats(): UiLinkStats {
    const s = this.#native.stats();
    const out: UiLinkStats = {
      bytesSent: s.bytesSent,
      framesSent: s.framesSent,
      peakUnackedBytes: s.peakUnackedBytes,
      pauses: s.pauses,
      pausesUnavailable: s.pausesUnavailable,
      keysTyped: s.keysTyped,
      keysLost: s.keysLost,
      peakQueuedBytes: s.peakQueuedBytes,
    };
    if (s.error) out.error = s.error;
    return out;
  }

  /** Sends what is queued and closes the socket; routed shells' later output is dropped. */
  close(): void {
    this.#native.close();
  }
}

class RustSession extends TypedEmitter<SessionEvents> implements Session {
  readonly core = 'rust' as const;
  readonly id: string;
  #native: NativeSession;
  #link: PoolLink;
  #hold: (delta: number) => void;
  #routes: Routes;
  #active = false;
  /** Shells not yet ended, for a close that drops what they hold. */
  #shells = new Set<RustShell>();

  constructor(nativePool: NativePool, routes: Routes, options: ResolvedSessionOptions, link: PoolLink, hold: (delta: number) => void) {
    super();
    this.#link = link;
    this.#hold = hold;
    this.#routes = routes;
    const sink = routes.add((kind, payload) => {
      if (kind === EventKind.State || kind === EventKind.Attempt || kind === EventKind.Channels) {
        this.#onState(kind, payload as BindingStateEvent);
      }
    });
    try {
      this.#native = nativePool.createSession(toBinding(options), sink);
    } catch (err) {
      routes.remove(sink);
      throw fromNativeError(err);
    }
    this.id = `rust-${this.#native.id}`;
  }

  #onState = guarded((kind: EventKind, b: BindingStateEvent) => {
    if (kind === EventKind.Channels) {
      const event: ChannelsEvent = { sessionId: this.id, available: b.available ?? true, atMs: b.atMs };
      if (b.code && isErrorCode(b.code)) event.code = b.code;
      if (b.message) event.message = b.message;
      this.emit('channels', event);
      this.#link.channels(event);
      return;
    }
    if (kind === EventKind.Attempt) {
      const attempt: AttemptEvent = { sessionId: this.id, attempt: b.attempt ?? 0, delayMs: b.delayMs ?? 0, atMs: b.atMs };
      this.emit('attempt', attempt);
      this.#link.attempt(attempt);
      return;
    }
    const event: StateEvent = {
      sessionId: this.id,
      // a State event always carries both (BindingStateEvent in napi/client.rs)
      state: b.state!,
      previous: b.previous!,
      atMs: b.atMs,
    };
    if (b.cause) event.cause = b.cause;
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
    return this.#native.state;
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
    const sink = this.#routes.add((kind, payload) => {
      shell.onEvent(kind, payload);
      if (kind === EventKind.Exit) this.#routes.remove(sink);
    });
    // Until its exit is handed on (a paused shell's may wait): a session's close ends it at once.
    this.#shells.add(shell);
    void shell.exited.then(() => this.#shells.delete(shell));
    try {
      shell.attach(await native(() => this.#native.openShell(o, sink)));
    } catch (err) {
      this.#routes.remove(sink);
      this.#shells.delete(shell);
      throw err;
    }
    return shell;
  }

  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    const o = resolveExecOptions(command, options);
    let sink: number | undefined;
    // A streamed exec settles after its end event, so every chunk reaches the caller first.
    let ended: Promise<void> | undefined;
    if (o.onStdout || o.onStderr) {
      const onStdout = o.onStdout ? guarded(o.onStdout) : undefined;
      const onStderr = o.onStderr ? guarded(o.onStderr) : undefined;
      ended = new Promise((resolve) => {
        sink = this.#routes.add((kind, payload) => {
          if (kind === EventKind.Data) onStdout?.(payload as Buffer);
          else if (kind === EventKind.Stderr) onStderr?.(payload as Buffer);
          else if (kind === EventKind.End) resolve();
        });
      });
    }
    let pending: Promise<BindingExecResult>;
    try {
      pending = this.#native.exec(command, { timeoutMs: o.timeoutMs, maxOutputBytes: o.maxOutputBytes, killGraceMs: o.killGraceMs }, sink);
    } catch (err) {
      // Refused before it started: no end event will come.
      if (sink !== undefined) this.#routes.remove(sink);
      throw fromNativeError(err);
    }
    let r: BindingExecResult;
    try {
      r = await native(() => pending);
    } catch (err) {
      // The core sends the end however the exec ends; the bound only guards against a runtime
      // that rejected without running it.
      if (ended) await Promise.race([ended, new Promise((res) => setTimeout(res, 1000).unref())]);
      if (sink !== undefined) this.#routes.remove(sink);
      throw err;
    }
    await ended;
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

  /** The native close ends with an end event on the session's sink, which drops its route. */
  async close(): Promise<void> {
    // Output a paused shell still holds is dropped with it, an exit waiting behind a pause too.
    for (const shell of this.#shells) shell.discard({ code: null, signal: null, error: closedError() });
    this.#shells.clear();
    await this.#native.close();
    this.#setActive(false);
    this.#link.closed();
  }
}

export class RustPool extends BasePool {
  readonly core = 'rust' as const;
  #native: NativePool;
  #routes = new Routes();
  #holds = 0;
  #keepAlive: NodeJS.Timeout | undefined;

  constructor(o: ResolvedPoolOptions) {
    super(o.seed);
    try {
      this.#native = new (addon().NativePool)({ ...o.rust, maxConcurrentHandshakes: o.maxConcurrentHandshakes, seed: o.seed }, this.#routes.dispatch);
    } catch (err) {
      throw fromNativeError(err);
    }
  }

  protected newSession(options: ResolvedSessionOptions, link: PoolLink): Session {
    return new RustSession(this.#native, this.#routes, options, link, (delta) => this.#hold(delta));
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
