//! The connection manager's loop for one session: watch the link (keepalive, degraded, probes),
//! and after a loss reconnect with full-jitter backoff inside a budget, never retrying what a
//! retry cannot fix (authentication, host key).

use std::sync::Arc;

use tokio::time::Instant;

use crate::error::CoreError;
use crate::events::SessionState;
use crate::policy::{backoff_delay, HealthAction, HealthState};
use crate::session::Inner;
use crate::transport::{self, Attempt, Connection};

pub(crate) async fn supervise(inner: Arc<Inner>) {
    let mut closed = inner.closed.subscribe();
    let gate = inner.config.reconnect.gate_time;
    // The budget of the last loss, while the connection that ended it has not yet lasted the
    // gate time: a loss within it goes on spending that budget instead of starting afresh.
    let mut carried: Option<Budget> = None;
    loop {
        let Some(conn) = inner.current() else { return };
        let up_since = Instant::now();
        let reason = tokio::select! {
            r = health(&inner, &conn) => r,
            _ = closed.wait_for(|c| *c) => return,
        };
        if !inner.lost(&conn, &reason) {
            return;
        }
        let mut budget = match carried.take() {
            Some(mut b) if up_since.elapsed() < gate => {
                b.last = Some(reason.clone());
                b
            }
            _ => Budget::new(),
        };
        let mut automatic = inner.config.reconnect.enabled;
        if !automatic {
            inner.give_up(SessionState::Closed, reason);
        }
        loop {
            if !automatic {
                tokio::select! {
                    () = inner.reconnect_request.notified() => {}
                    _ = closed.wait_for(|c| *c) => return,
                }
                if !inner.begin_manual_cycle() {
                    return;
                }
                budget = Budget::new();
            }
            let outcome = tokio::select! {
                o = reconnect_cycle(&inner, &mut budget) => o,
                _ = closed.wait_for(|c| *c) => return,
            };
            match outcome {
                Ok(conn) => {
                    if !inner.install(conn, true).await {
                        return;
                    }
                    carried = Some(budget);
                    break;
                }
                Err((state, err)) => {
                    inner.give_up(state, err);
                    automatic = false;
                }
            }
        }
    }
}

/// What a reconnect cycle has spent: attempts, and time since the loss.
struct Budget {
    started: Instant,
    attempts: u32,
    last: Option<CoreError>,
}

impl Budget {
    fn new() -> Budget {
        Budget { started: Instant::now(), attempts: 0, last: None }
    }
}

/// Watches the link until it is lost; returns why. Any inbound byte counts as life; a keepalive
/// goes out when the link has been quiet for an interval. The loop sleeps until the next thing
/// that can fall due (a keepalive, `degraded`, the dead line, a probe's answer), so a link with
/// traffic costs about one wakeup per keepalive interval; while degraded it checks on the short
/// tick so recovery shows at once.
async fn health(inner: &Inner, conn: &Arc<Connection>) -> CoreError {
    let policy = inner.config.health;
    let dead = || CoreError::KeepaliveTimeout {
        addr: conn.ctx.addr.clone(),
        missed: policy.keepalive_count_max + 1,
        interval_ms: policy.keepalive_interval.as_millis() as u64,
    };
    // The step function works on times since this origin (the last inbound byte can predate the watch).
    let origin = conn.inbound.last().min(Instant::now());
    let since = |t: Instant| t.saturating_duration_since(origin);
    let mut state = HealthState { last_ping: since(Instant::now()), probe: None, degraded: false };
    loop {
        let wake = origin + policy.next_look(&state, since(Instant::now()), since(conn.inbound.last()));
        let probed = tokio::select! {
            reason = conn.lost.wait() => return reason,
            () = tokio::time::sleep_until(wake) => false,
            () = inner.probe.notified() => true,
        };
        let step = policy.look(state, since(Instant::now()), since(conn.inbound.last()), probed);
        state = step.state;
        match step.action {
            HealthAction::Dead => {
                let err = dead();
                conn.kill(err.clone());
                return err;
            }
            HealthAction::Ping => conn.ping().await,
            HealthAction::None => {}
        }
        inner.set_degraded(conn, state.degraded);
    }
}

/// Attempts until one succeeds or the budget is spent. On giving up, the state to wait in and why.
async fn reconnect_cycle(inner: &Inner, budget: &mut Budget) -> Result<Arc<Connection>, (SessionState, CoreError)> {
    let policy = inner.config.reconnect;
    loop {
        let elapsed = budget.started.elapsed();
        if budget.attempts >= policy.max_attempts || elapsed >= policy.budget {
            let err = budget
                .last
                .clone()
                .unwrap_or(CoreError::NotConnected("session is not connected: the reconnect budget was spent"));
            return Err((SessionState::ManualReconnectRequired, err));
        }
        let delay = backoff_delay(&policy, budget.attempts, inner.pool.next_unit());
        let remaining = policy.budget - elapsed;
        tokio::time::sleep(delay.min(remaining)).await;
        let remaining = policy.budget.saturating_sub(budget.started.elapsed());
        if remaining.is_zero() {
            continue;
        }
        budget.attempts += 1;
        inner.attempt(budget.attempts, delay);
        let try_once = Attempt {
            tuning: &inner.pool.tuning,
            pinned: Arc::clone(&inner.pool.pinned),
            handshakes: inner.pool.handshake_slots(&inner.target),
            timeout: policy.attempt_timeout.min(remaining),
        };
        match transport::connect(&inner.config, try_once).await {
            Ok(conn) => return Ok(Arc::new(conn)),
            Err(e @ CoreError::AuthFailed { .. }) => return Err((SessionState::AuthFailed, e)),
            Err(e @ CoreError::HostKeyMismatch { .. }) => return Err((SessionState::HostKeyMismatch, e)),
            Err(e) if !e.is_transient() => return Err((SessionState::ManualReconnectRequired, e)),
            Err(e) => budget.last = Some(e),
        }
    }
}
