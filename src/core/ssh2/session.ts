/**
 * The ssh2 core's session: the same connection manager as crates/ssh-core (session.rs and
 * supervisor.rs), written in TypeScript over ssh2. Same states, error codes, policy and defaults.
 */
import type { ClientChannel } from 'ssh2';
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
import { backoffDelayMs, type HealthState, healthLook, nextLookMs } from '../policy.js';
import type { PoolLink } from '../pool-base.js';
import { connect, type Connection } from './connect.js';
import type { PinnedKeys } from './hostkey.js';
import type { Semaphore } from './limiter.js';
import { setup, stop, unanswered } from './channel.js';
import { openShellStream, Ssh2Shell } from './shell.js';

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

function asSshError(err: unknown): SshError {
  return err instanceof SshError ? err : new SshError('INTERNAL', `ssh2 core: ${(err as Error)?.message ?? String(err)}`);
}

const transient = (e: SshError) => e.cause === 'network' || e.cause === 'server';
const CLOSED = () => new SshError('NOT_CONNECTED', 'session is not connected (state closed)');

type Cycle = { conn: Connection } | { state: SessionState; err: SshError } | 'closed';

/** What a reconnect cycle has spent: attempts, and time since the loss. */
interface Budget {
  started: number;
  attempts: number;
  last: SshError | undefined;
}

const freshBudget = (): Budget => ({ started: performance.now(), attempts: 0, last: undefined });

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
    void this.#supervise();
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
        shell.terminate({ code: null, signal: null, error: asSshError(err) });
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

  async #supervise(): Promise<void> {
    // The budget of the last loss, while the connection that ended it has not yet lasted the
    // gate time: a loss within it goes on spending that budget instead of starting afresh.
    let carried: Budget | undefined;
    for (;;) {
      const conn = this.#conn;
      if (!conn) return;
      const upSince = performance.now();
      const reason = await this.#health(conn);
      if (!this.#lost(conn, reason)) return;
      let budget = freshBudget();
      if (carried && performance.now() - upSince < this.#o.reconnect.gateTimeMs) {
        budget = carried;
        budget.last = reason;
      }
      carried = undefined;
      let automatic = this.#o.reconnect.enabled;
      if (!automatic) this.#giveUp('closed', reason);
      for (;;) {
        if (!automatic) {
          if (!(await this.#waitForReconnectRequest()) || this.#closedByUser) return;
          this.#transition('reconnecting', 'client');
          budget = freshBudget();
        }
        const outcome = await this.#cycle(budget);
        if (outcome === 'closed') return;
        if ('conn' in outcome) {
          if (!(await this.#install(outcome.conn, true))) return;
          carried = budget;
          break;
        }
        this.#giveUp(outcome.state, outcome.err);
        automatic = false;
      }
    }
  }

  /**
   * Watches the link until it is lost; resolves with why. Any inbound byte counts as life; a
   * keepalive goes out when the link has been quiet for an interval. Like the Rust core's
   * supervisor (`health` in supervisor.rs), each look is the shared step (`healthLook` and
   * `nextLookMs`, the twins of `HealthPolicy::look` and `next_look`), and it sleeps until the
   * next thing that can fall due (a keepalive, `degraded`, the dead line, a probe's answer), so a
   * link with traffic costs about one wake-up per keepalive interval; while degraded it checks on
   * the short tick so recovery shows at once.
   */
  #health(conn: Connection): Promise<SshError> {
    const o = this.#o;
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    // The step works on times since this origin, as the Rust core's does.
    const origin = Math.min(conn.lastInbound(), performance.now());
    const since = (t: number) => Math.max(0, t - origin);
    let state: HealthState = { lastPingMs: since(performance.now()), probeAtMs: null, degraded: false };
    const schedule = () => {
      if (ended) return;
      const now = since(performance.now());
      timer = setTimeout(() => look(false), Math.max(0, nextLookMs(o, state, now, since(conn.lastInbound())) - now));
    };
    const look = (probed: boolean) => {
      timer = undefined;
      if (ended) return;
      const step = healthLook(o, state, since(performance.now()), since(conn.lastInbound()), probed);
      state = step.state;
      if (step.action === 'dead') {
        conn.kill(
          new SshError('KEEPALIVE_TIMEOUT', `no reply from ${conn.addr} to ${o.keepaliveCountMax + 1} keepalives sent ${o.keepaliveIntervalMs} ms apart`),
        );
        return;
      }
      if (step.action === 'ping') conn.ping();
      this.#setDegraded(conn, state.degraded);
      schedule();
    };
    schedule();
    this.#probe = () => {
      clearTimeout(timer);
      look(true);
    };
    return conn.ended.then((reason) => {
      ended = true;
      clearTimeout(timer);
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
    for (const shell of this.#shells) shell.detach();
    this.#transition(this.#o.reconnect.enabled ? 'reconnecting' : 'closed', reason.cause, reason);
    if (reason.cause === 'network') this.#deps.probeSiblings(this.#o.targetId, this.id);
    return true;
  }

  /** Attempts until one succeeds or the budget is spent. */
  async #cycle(budget: Budget): Promise<Cycle> {
    const p = this.#o.reconnect;
    for (;;) {
      const elapsed = performance.now() - budget.started;
      if (budget.attempts >= p.maxAttempts || elapsed >= p.budgetMs) {
        return {
          state: 'manual_reconnect_required',
          err: budget.last ?? new SshError('NOT_CONNECTED', 'session is not connected: the reconnect budget was spent'),
        };
      }
      const delayMs = backoffDelayMs(p.baseDelayMs, p.maxDelayMs, budget.attempts, this.#deps.nextUnit());
      if (!(await this.#sleep(Math.min(delayMs, p.budgetMs - elapsed)))) return 'closed';
      const left = p.budgetMs - (performance.now() - budget.started);
      if (left <= 0) continue;
      budget.attempts++;
      const event: AttemptEvent = { sessionId: this.id, attempt: budget.attempts, delayMs, atMs: Date.now() };
      this.emit('attempt', event);
      this.#deps.link.attempt(event);
      try {
        const conn = await connect(this.#o, { ...this.#attempt(), timeoutMs: Math.min(p.attemptTimeoutMs, left) });
        if (this.#closedByUser) {
          conn.kill(CLOSED());
          return 'closed';
        }
        return { conn };
      } catch (err) {
        const e = asSshError(err);
        if (e.code === 'AUTH_FAILED') return { state: 'auth_failed', err: e };
        if (e.code === 'HOST_KEY_MISMATCH') return { state: 'host_key_mismatch', err: e };
        if (!transient(e)) return { state: 'manual_reconnect_required', err: e };
        budget.last = e;
      }
    }
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
      shell.terminate({ code: null, signal: null, error: CLOSED() });
      throw CLOSED();
    }
    for (const s of this.#shells) if (s.ended) this.#shells.delete(s);
    this.#shells.add(shell);
    return shell;
  }

  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    const o = resolveExecOptions(command, options);
    const conn = this.#live();
    const started = performance.now();
    const timedOut = () => new SshError('EXEC_TIMEOUT', `command did not finish within ${o.timeoutMs} ms`);
    // The setup has the session's request bound, unless the exec's own deadline comes first.
    const requestMs = this.#o.requestTimeoutMs;
    const late = requestMs < o.timeoutMs ? unanswered('channel open and exec request', requestMs) : timedOut;
    // Listeners go on in ssh2's callback (see `setup`), so the outcome may be known before setup
    // resolves: it settles `result`, which is returned once the setup went through.
    let resolveResult!: (r: ExecResult) => void;
    let rejectResult!: (e: SshError) => void;
    const result = new Promise<ExecResult>((resolve, reject) => {
      resolveResult = resolve;
      rejectResult = reject;
    });
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let stream: ClientChannel | undefined;
    const finish = (outcome: { ok: ExecResult } | { err: SshError }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if ('ok' in outcome) resolveResult(outcome.ok);
      else rejectResult(outcome.err);
    };
    // Given up on: the command is stopped in the background so it frees its channel slot.
    const giveUp = (e: SshError) => {
      if (done) return;
      finish({ err: e });
      if (stream) stop(stream, o.killGraceMs);
    };
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let collected = 0;
    let exit: { code: number | null; signal: string | null } | undefined;
    const keep = (into: Buffer[], chunk: Buffer) => {
      if (collected + chunk.length > o.maxOutputBytes) {
        giveUp(new SshError('EXEC_OUTPUT_LIMIT', `command output passed the limit of ${o.maxOutputBytes} bytes; the command was stopped`));
        return;
      }
      collected += chunk.length;
      into.push(chunk);
    };
    const listen = (s: ClientChannel) => {
      stream = s;
      s.on('data', (chunk: Buffer) => {
        if (done) return;
        stdoutBytes += chunk.length;
        if (o.onStdout) o.onStdout(chunk);
        else keep(stdout, chunk);
      });
      s.stderr.on('data', (chunk: Buffer) => {
        if (done) return;
        stderrBytes += chunk.length;
        if (o.onStderr) o.onStderr(chunk);
        else keep(stderr, chunk);
      });
      s.on('exit', (code: number | null, signal?: string) => {
        exit = { code: code ?? null, signal: signal ?? null };
      });
      s.on('error', () => {});
      s.on('close', () => {
        if (!exit && conn.lost) {
          finish({ err: conn.lost });
          return;
        }
        finish({
          ok: {
            stdout: Buffer.concat(stdout),
            stderr: Buffer.concat(stderr),
            exitCode: exit?.code ?? null,
            signal: exit?.signal ?? null,
            stdoutBytes,
            stderrBytes,
          },
        });
      });
    };
    try {
      await setup(
        conn,
        Math.min(requestMs, o.timeoutMs),
        late,
        (cb) => conn.client.exec(command, cb),
        listen,
        (s) =>
          // Unanswered in time: the command may be running all the same, so it is stopped.
          stop(s, o.killGraceMs),
      );
    } catch (err) {
      this.#noteChannels(conn, err);
      throw err;
    }
    this.#noteChannels(conn);
    if (!done) timer = setTimeout(() => giveUp(timedOut()), Math.max(0, o.timeoutMs - (performance.now() - started)));
    return result;
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
    for (const shell of this.#shells) if (!shell.ended) shell.terminate({ code: null, signal: null, error: CLOSED() });
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
