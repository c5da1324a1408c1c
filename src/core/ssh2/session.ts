/**
 * The ssh2 core's session: the same connection manager as crates/ssh-core, written in TypeScript
 * over ssh2, with the same states, error codes, policy and defaults, and split the same way: the
 * session's state and operations here (session.rs), its supervisor loop in supervisor.ts
 * (supervisor.rs), the health watch in health.ts, and exec in exec.ts (channel.rs).
 */
import type {
  AttemptEvent,
  ChannelsEvent,
  ExecOptions,
  ExecResult,
  Session,
  SessionEvents,
  SessionState,
  Shell,
  ShellOptions,
  StateEvent,
} from '../contract.js';
import { TypedEmitter } from '../emitter.js';
import { type FailureCause, SshError } from '../errors.js';
import { type ResolvedSessionOptions, resolveExecOptions, resolveShellOptions } from '../options.js';
import type { PoolLink } from '../pool-base.js';
import { connect, type Connection } from './connect.js';
import { asSshError, closedError as CLOSED } from './errors.js';
import type { PinnedKeys } from './hostkey.js';
import type { Semaphore } from './limiter.js';
import { runExec } from './exec.js';
import { watchHealth } from './health.js';
import { openShellStream, Ssh2Shell } from './shell.js';
import { type Supervised, supervise } from './supervisor.js';

/** What a session gets from its pool. */
export interface SessionDeps {
  pinned: PinnedKeys;
  slots(targetId: string): Semaphore;
  nextUnit(): number;
  probeSiblings(targetId: string, exceptId: string): void;
  link: PoolLink;
}

function failureState(e: SshError): SessionState {
  if (e.code === 'AUTH_FAILED') return 'auth_failed';
  if (e.code === 'HOST_KEY_MISMATCH') return 'host_key_mismatch';
  return 'closed';
}

export class Ssh2Session extends TypedEmitter<SessionEvents> implements Session {
  readonly core = 'ssh2' as const;
  readonly id: string;
  #o: ResolvedSessionOptions;
  #deps: SessionDeps;
  #state: SessionState = 'closed';
  #conn: Connection | undefined;
  #connecting = false;
  #closedByUser = false;
  #supervised = false;
  #shells = new Set<Ssh2Shell>();
  /** Installed by the health loop: probe the link now (a sibling lost its own). */
  #probe: (() => void) | undefined;
  /** Wakes a backoff sleep or a wait for reconnect() when the session is closed. */
  #wakers = new Set<() => void>();
  #reconnectRequested = false;
  #onReconnectRequest: (() => void) | undefined;
  #outcome = 0;
  #outcomeWaiters: { seen: number; done: (err?: SshError) => void }[] = [];
  /** False after the server refused (or left unanswered) a channel setup on this connection. */
  #channelsAvailable = true;

  constructor(id: string, options: ResolvedSessionOptions, deps: SessionDeps) {
    super();
    this.id = id;
    this.#o = options;
    this.#deps = deps;
  }

  get state(): SessionState {
    return this.#state;
  }

  #transition(state: SessionState, cause?: FailureCause, error?: SshError): void {
    const event: StateEvent = { sessionId: this.id, state, previous: this.#state, atMs: Date.now() };
    if (cause) event.cause = cause;
    if (error) {
      event.code = error.code;
      event.message = error.message;
    }
    this.#state = state;
    this.emit('state', event);
    this.#deps.link.state(event);
  }

  #attempt(): Parameters<typeof connect>[1] {
    return { pinned: this.#deps.pinned, slots: this.#deps.slots(this.#o.targetId), timeoutMs: this.#o.connectTimeoutMs };
  }

  /** What the supervisor loop may see and do of this session (supervisor.ts). */
  #host(): Supervised {
    return {
      options: this.#o,
      current: () => this.#conn,
      health: (conn) => this.#health(conn),
      lost: (conn, reason) => this.#lost(conn, reason),
      install: (conn, afterLoss) => this.#install(conn, afterLoss),
      giveUp: (state, err) => this.#giveUp(state, err),
      waitForReconnectRequest: () => this.#waitForReconnectRequest(),
      closedByUser: () => this.#closedByUser,
      transition: (state, cause) => this.#transition(state, cause),
      sleep: (ms) => this.#sleep(ms),
      attempt: (attempt, delayMs) => {
        const event: AttemptEvent = { sessionId: this.id, attempt, delayMs, atMs: Date.now() };
        this.emit('attempt', event);
        this.#deps.link.attempt(event);
      },
      connect: (timeoutMs) => connect(this.#o, { ...this.#attempt(), timeoutMs }),
      nextUnit: () => this.#deps.nextUnit(),
    };
  }

  async connect(): Promise<void> {
    if (this.#closedByUser) throw CLOSED();
    if (this.#connecting) throw new SshError('BAD_OPTION', 'connect() is already in progress for this session');
    if (this.#conn || this.#supervised) return;
    this.#connecting = true;
    this.#transition('connecting');
    let conn: Connection;
    try {
      conn = await connect(this.#o, this.#attempt());
    } catch (err) {
      this.#connecting = false;
      const e = asSshError(err);
      if (!this.#closedByUser) this.#transition(failureState(e), e.cause, e);
      throw e;
    }
    this.#connecting = false;
    this.#supervised = true;
    if (!(await this.#install(conn, false))) throw CLOSED();
    void supervise(this.#host());
  }

  /** Reopens the logical shells on `conn`, then makes it current. */
  async #install(conn: Connection, afterLoss: boolean): Promise<boolean> {
    for (const shell of this.#shells) {
      if (shell.ended) continue;
      try {
        await openShellStream(conn, shell, this.#o.requestTimeoutMs);
        // A shell closed by its owner meanwhile is not reopened.
        if (!shell.ended) shell.reopened();
      } catch (err) {
        shell.terminate({ code: null, signal: null, error: asSshError(err) }, 'deliver');
      }
    }
    if (this.#closedByUser) {
      conn.kill(CLOSED());
      return false;
    }
    this.#conn = conn;
    this.#transition('ready');
    if (!this.#channelsAvailable) {
      // A new connection: its channels are judged afresh.
      this.#channelsAvailable = true;
      this.#emitChannels({ sessionId: this.id, available: true, atMs: Date.now() });
    }
    if (afterLoss) this.#publishOutcome();
    return true;
  }

  #emitChannels(event: ChannelsEvent): void {
    this.emit('channels', event);
    this.#deps.link.channels(event);
  }

  /** Tells the owner when the current connection stops, or starts again, giving channels. */
  #noteChannels(conn: Connection, err?: unknown): void {
    if (this.#conn !== conn) return;
    let available: boolean;
    if (err === undefined) available = true;
    else if (err instanceof SshError && (err.code === 'CHANNEL_REJECTED' || err.code === 'REQUEST_TIMEOUT')) available = false;
    else return;
    if (available === this.#channelsAvailable) return;
    this.#channelsAvailable = available;
    const event: ChannelsEvent = { sessionId: this.id, available, atMs: Date.now() };
    if (err instanceof SshError) {
      event.code = err.code;
      event.message = err.message;
    }
    this.#emitChannels(event);
  }

  /** Watches the link until it is lost (health.ts); resolves with why. */
  #health(conn: Connection): Promise<SshError> {
    const watch = watchHealth(conn, this.#o, (degraded) => this.#setDegraded(conn, degraded));
    this.#probe = watch.probe;
    return watch.lost.then((reason) => {
      this.#probe = undefined;
      return reason;
    });
  }

  /** @internal A sibling session to the same target lost its link. */
  probe(): void {
    this.#probe?.();
  }

  #setDegraded(conn: Connection, degraded: boolean): void {
    if (this.#conn !== conn) return;
    if (degraded && this.#state === 'ready') this.#transition('degraded', 'network');
    else if (!degraded && this.#state === 'degraded') this.#transition('ready');
  }

  #lost(conn: Connection, reason: SshError): boolean {
    if (this.#closedByUser || this.#conn !== conn) return false;
    this.#conn = undefined;
    for (const shell of this.#shells) shell.suspend();
    this.#transition(this.#o.reconnect.enabled ? 'reconnecting' : 'closed', reason.cause, reason);
    if (reason.cause === 'network') this.#deps.probeSiblings(this.#o.targetId, this.id);
    return true;
  }

  /** Resolves true after `ms`, or false at once if the session is closed meanwhile. */
  #sleep(ms: number): Promise<boolean> {
    if (this.#closedByUser) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(
        () => {
          this.#wakers.delete(wake);
          resolve(true);
        },
        Math.max(0, ms),
      );
      this.#wakers.add(wake);
    });
  }

  #waitForReconnectRequest(): Promise<boolean> {
    if (this.#reconnectRequested) {
      this.#reconnectRequested = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const wake = () => {
        this.#wakers.delete(wake);
        this.#onReconnectRequest = undefined;
        resolve(false);
      };
      this.#wakers.add(wake);
      this.#onReconnectRequest = () => {
        this.#wakers.delete(wake);
        this.#onReconnectRequest = undefined;
        resolve(true);
      };
    });
  }

  #giveUp(state: SessionState, err: SshError): void {
    if (this.#closedByUser) return;
    this.#transition(state, err.cause, err);
    this.#publishOutcome(err);
  }

  #publishOutcome(err?: SshError): void {
    this.#outcome++;
    const waiters = this.#outcomeWaiters.splice(0);
    for (const w of waiters) w.done(err);
  }

  async reconnect(): Promise<void> {
    if (this.#closedByUser) throw CLOSED();
    if (!this.#supervised) throw new SshError('NOT_CONNECTED', 'session is not connected (state never connected; call connect() first)');
    if (this.#state === 'ready' || this.#state === 'degraded') return;
    const seen = this.#outcome;
    const done = new Promise<void>((resolve, reject) => {
      this.#outcomeWaiters.push({ seen, done: (err) => (err ? reject(err) : resolve()) });
    });
    if (this.#state !== 'reconnecting' && this.#state !== 'connecting') {
      if (this.#onReconnectRequest) this.#onReconnectRequest();
      else this.#reconnectRequested = true;
    }
    await done;
  }

  #live(): Connection {
    if (!this.#conn) throw new SshError('NOT_CONNECTED', `session is not connected (state ${this.#state})`);
    return this.#conn;
  }

  async openShell(options?: ShellOptions): Promise<Shell> {
    const req = resolveShellOptions(options);
    const conn = this.#live();
    const shell = new Ssh2Shell(req);
    try {
      await openShellStream(conn, shell, this.#o.requestTimeoutMs);
    } catch (err) {
      this.#noteChannels(conn, err);
      throw err;
    }
    this.#noteChannels(conn);
    if (this.#closedByUser) {
      shell.terminate({ code: null, signal: null, error: CLOSED() }, 'discard');
      throw CLOSED();
    }
    for (const s of this.#shells) if (s.done) this.#shells.delete(s);
    this.#shells.add(shell);
    return shell;
  }

  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    const o = resolveExecOptions(command, options);
    const conn = this.#live();
    return runExec(conn, command, o, this.#o.requestTimeoutMs, (err) => this.#noteChannels(conn, err));
  }

  async close(): Promise<void> {
    if (this.#closedByUser) return;
    this.#closedByUser = true;
    this.#deps.link.closed();
    const conn = this.#conn;
    this.#conn = undefined;
    if (this.#state !== 'closed' || conn) this.#transition('closed', 'client');
    for (const wake of [...this.#wakers]) wake();
    this.#publishOutcome(CLOSED());
    // Output a paused shell still holds is dropped with it, an exit waiting behind a pause too.
    for (const shell of this.#shells) if (!shell.done) shell.terminate({ code: null, signal: null, error: CLOSED() }, 'discard');
    this.#shells.clear();
    if (conn) {
      conn.lost ??= CLOSED();
      await new Promise<void>((resolve) => {
        conn.client.once('close', () => resolve());
        conn.client.end();
        // A dead link may never confirm; do not wait on it.
        setTimeout(() => {
          conn.client.destroy();
          resolve();
        }, 1_000).unref();
      });
    }
  }
}
