/**
 * The health watch of one connection, the twin of `health` in the Rust core's supervisor.rs.
 */
import { SshError } from '../errors.js';
import type { ResolvedSessionOptions } from '../options.js';
import { type HealthState, healthLook, nextLookMs } from '../policy.js';
import type { Connection } from './connect.js';

export interface HealthWatch {
  /** Resolves with why the link was lost. */
  lost: Promise<SshError>;
  /** Looks at the link now and expects an answer (a sibling session to the same target lost its own). */
  probe: () => void;
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
export function watchHealth(conn: Connection, o: ResolvedSessionOptions, setDegraded: (degraded: boolean) => void): HealthWatch {
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
    setDegraded(state.degraded);
    schedule();
  };
  schedule();
  const lost = conn.ended.then((reason) => {
    ended = true;
    clearTimeout(timer);
    return reason;
  });
  const probe = () => {
    clearTimeout(timer);
    look(true);
  };
  return { lost, probe };
}
