/**
 * The connection manager's loop for one ssh2 session, the twin of the Rust core's supervisor.rs:
 * watch the link, and after a loss reconnect with full-jitter backoff inside a budget, never
 * retrying what a retry cannot fix (authentication, host key). The session (session.ts) owns the
 * state and hands the loop what it may do through `Supervised`, as the Rust core's `Inner` does.
 */
import type { SessionState } from '../contract.js';
import { type FailureCause, SshError } from '../errors.js';
import type { ResolvedSessionOptions } from '../options.js';
import { backoffDelayMs } from '../policy.js';
import type { Connection } from './connect.js';
import { asSshError, closedError as CLOSED } from './errors.js';

/** What the loop may see and do of its session. */
export interface Supervised {
  readonly options: ResolvedSessionOptions;
  /** The current connection, if the session has one. */
  current(): Connection | undefined;
  /** Watches `conn` until it is lost; resolves with why. */
  health(conn: Connection): Promise<SshError>;
  /** Takes note of the loss of `conn`; false when it no longer matters (closed, or replaced). */
  lost(conn: Connection, reason: SshError): boolean;
  /** Reopens the shells on `conn` and makes it current; false when the session was closed meanwhile. */
  install(conn: Connection, afterLoss: boolean): Promise<boolean>;
  /** Stops reconnecting: the session goes to `state` until the user acts. */
  giveUp(state: SessionState, err: SshError): void;
  /** Resolves true when the user asks for reconnect(), false when the session is closed instead. */
  waitForReconnectRequest(): Promise<boolean>;
  closedByUser(): boolean;
  transition(state: SessionState, cause?: FailureCause): void;
  /** Resolves true after `ms`, or false at once if the session is closed meanwhile. */
  sleep(ms: number): Promise<boolean>;
  /** A reconnect attempt about to start. */
  attempt(attempt: number, delayMs: number): void;
  /** One connection attempt, bounded by `timeoutMs`. */
  connect(timeoutMs: number): Promise<Connection>;
  /** The next jitter unit of the pool's seeded generator. */
  nextUnit(): number;
}

type Cycle = { conn: Connection } | { state: SessionState; err: SshError } | 'closed';

/** What a reconnect cycle has spent: attempts, and time since the loss. */
interface Budget {
  started: number;
  attempts: number;
  last: SshError | undefined;
}

const freshBudget = (): Budget => ({ started: performance.now(), attempts: 0, last: undefined });
const transient = (e: SshError) => e.cause === 'network' || e.cause === 'server';

export async function supervise(h: Supervised): Promise<void> {
  // The budget of the last loss, while the connection that ended it has not yet lasted the
  // gate time: a loss within it goes on spending that budget instead of starting afresh.
  let carried: Budget | undefined;
  for (;;) {
    const conn = h.current();
    if (!conn) return;
    const upSince = performance.now();
    const reason = await h.health(conn);
    if (!h.lost(conn, reason)) return;
    let budget = freshBudget();
    if (carried && performance.now() - upSince < h.options.reconnect.gateTimeMs) {
      budget = carried;
      budget.last = reason;
    }
    carried = undefined;
    let automatic = h.options.reconnect.enabled;
    if (!automatic) h.giveUp('closed', reason);
    for (;;) {
      if (!automatic) {
        if (!(await h.waitForReconnectRequest()) || h.closedByUser()) return;
        h.transition('reconnecting', 'client');
        budget = freshBudget();
      }
      const outcome = await cycle(h, budget);
      if (outcome === 'closed') return;
      if ('conn' in outcome) {
        if (!(await h.install(outcome.conn, true))) return;
        carried = budget;
        break;
      }
      h.giveUp(outcome.state, outcome.err);
      automatic = false;
    }
  }
}

/** Attempts until one succeeds or the budget is spent. */
async function cycle(h: Supervised, budget: Budget): Promise<Cycle> {
  const p = h.options.reconnect;
  for (;;) {
    const elapsed = performance.now() - budget.started;
    if (budget.attempts >= p.maxAttempts || elapsed >= p.budgetMs) {
      return {
        state: 'manual_reconnect_required',
        err: budget.last ?? new SshError('NOT_CONNECTED', 'session is not connected: the reconnect budget was spent'),
      };
    }
    const delayMs = backoffDelayMs(p.baseDelayMs, p.maxDelayMs, budget.attempts, h.nextUnit());
    if (!(await h.sleep(Math.min(delayMs, p.budgetMs - elapsed)))) return 'closed';
    const left = p.budgetMs - (performance.now() - budget.started);
    if (left <= 0) continue;
    budget.attempts++;
    h.attempt(budget.attempts, delayMs);
    try {
      const conn = await h.connect(Math.min(p.attemptTimeoutMs, left));
      if (h.closedByUser()) {
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
