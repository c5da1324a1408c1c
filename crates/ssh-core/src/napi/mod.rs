//! The napi-rs boundary: `Binding*` option structs converted into core types, classes that wrap
//! the pool, sessions and shells, and sinks that hand events to JS through thread-safe functions.
//!
//! Errors cross as `[CODE] message`; the TypeScript adapter turns them back into typed errors.

mod chunk;
mod client;
mod events;
mod options;
mod outbox;
mod ui;

use std::sync::atomic::{AtomicU64, Ordering};

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;

use crate::error::{CoreError, CATALOG};

/// A weak (unref'd) JS callback: our TS adapter decides what keeps the process alive.
pub(crate) type JsCallback<T> = ThreadsafeFunction<T, (), T, Status, false, true>;

pub(crate) fn to_napi(e: CoreError) -> napi::Error {
    napi::Error::new(Status::GenericFailure, format!("[{}] {}", e.code(), e))
}

pub(crate) fn bad_option(msg: impl Into<String>) -> napi::Error {
    to_napi(CoreError::BadOption(msg.into()))
}

/// Worker threads of the core's tokio runtime (env `SSH_CORE_THREADS`, default below). One
/// thread keeps a session's reader, its pumps and its timers on one core: no cross-thread wakeup
/// per packet. It is process-wide, so it is read once when the addon loads.
const DEFAULT_RUNTIME_THREADS: usize = 1;

#[napi_derive::module_init]
fn init() {
    let threads = std::env::var("SSH_CORE_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=64).contains(n))
        .unwrap_or(DEFAULT_RUNTIME_THREADS);
    let built = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("ssh-core")
        .enable_all()
        .build();
    if let Ok(rt) = built {
        napi::bindgen_prelude::create_custom_tokio_runtime(rt);
    }
}

static CROSSINGS: AtomicU64 = AtomicU64::new(0);
static CROSSING_BYTES: AtomicU64 = AtomicU64::new(0);

/// Counts one crossing to JS (a wake-up of the JS thread, or a call's result), with its payload size.
pub(crate) fn count_crossing(bytes: usize) {
    CROSSINGS.fetch_add(1, Ordering::Relaxed);
    CROSSING_BYTES.fetch_add(bytes as u64, Ordering::Relaxed);
}

#[napi(object)]
pub struct BindingErrorEntry {
    pub code: String,
    pub cause: String,
}

/// Every error code of the Rust core with its failure cause.
#[napi(catch_unwind)]
pub fn error_catalog() -> Vec<BindingErrorEntry> {
    CATALOG
        .iter()
        .map(|e| BindingErrorEntry { code: e.code.to_string(), cause: e.cause.as_str().to_string() })
        .collect()
}

/// Cipher names the Rust core accepts in `ciphers`.
#[napi(catch_unwind)]
pub fn supported_ciphers() -> Vec<String> {
    crate::config::supported_ciphers().into_iter().map(String::from).collect()
}

#[napi(object)]
pub struct BindingBoundaryStats {
    /// Events handed from Rust to JS since the addon loaded.
    pub crossings: f64,
    /// Payload bytes carried by those events.
    pub bytes: f64,
}

#[napi(catch_unwind)]
pub fn boundary_stats() -> BindingBoundaryStats {
    BindingBoundaryStats {
        crossings: CROSSINGS.load(Ordering::Relaxed) as f64,
        bytes: CROSSING_BYTES.load(Ordering::Relaxed) as f64,
    }
}

/// The full-jitter backoff delays (ms) of the first `count` attempts for a policy and seed:
/// lets a test check that both cores compute the same schedule.
#[napi(catch_unwind)]
pub fn backoff_delays(base_delay_ms: u32, max_delay_ms: u32, seed: f64, count: u32) -> Vec<f64> {
    let policy = crate::policy::ReconnectPolicy {
        enabled: true,
        base_delay: std::time::Duration::from_millis(base_delay_ms as u64),
        max_delay: std::time::Duration::from_millis(max_delay_ms as u64),
        max_attempts: count,
        budget: std::time::Duration::MAX,
        attempt_timeout: std::time::Duration::ZERO,
        gate_time: std::time::Duration::ZERO,
    };
    let mut jitter = crate::policy::Jitter::new(seed as u64);
    (0..count).map(|n| crate::policy::backoff_delay(&policy, n, jitter.next_unit()).as_millis() as f64).collect()
}

/// The health policy of a look, in ms.
#[napi(object)]
pub struct BindingHealthPolicy {
    pub keepalive_interval_ms: u32,
    pub keepalive_count_max: u32,
    pub degraded_after_ms: u32,
    pub probe_timeout_ms: u32,
}

/// What the health watch remembers between looks (ms from its origin; probe absent: none out).
#[napi(object)]
pub struct BindingHealthState {
    pub last_ping_ms: u32,
    pub probe_at_ms: Option<u32>,
    pub degraded: bool,
}

/// One look at a link: what the watch knew, and what it saw.
#[napi(object)]
pub struct BindingHealthLook {
    pub state: BindingHealthState,
    pub now_ms: u32,
    pub last_inbound_ms: u32,
    pub probed: bool,
}

/// A look's outcome: the action, the state kept, and when the watch would look next.
#[napi(object)]
pub struct BindingHealthStep {
    pub action: String,
    pub state: BindingHealthState,
    pub next_look_ms: u32,
}

/// The Rust core's health step over a table of looks: lets a test check both cores against one
/// shared table of cases (test/fixtures/health-steps.json).
#[napi(catch_unwind)]
pub fn health_steps(policy: BindingHealthPolicy, looks: Vec<BindingHealthLook>) -> Vec<BindingHealthStep> {
    use crate::policy::{HealthAction, HealthPolicy, HealthState};
    use std::time::Duration;
    let ms = |v: u32| Duration::from_millis(v as u64);
    let p = HealthPolicy {
        keepalive_interval: ms(policy.keepalive_interval_ms),
        keepalive_count_max: policy.keepalive_count_max,
        degraded_after: ms(policy.degraded_after_ms),
        probe_timeout: ms(policy.probe_timeout_ms),
    };
    looks
        .into_iter()
        .map(|l| {
            let s = HealthState {
                last_ping: ms(l.state.last_ping_ms),
                probe: l.state.probe_at_ms.map(ms),
                degraded: l.state.degraded,
            };
            let (now, last) = (ms(l.now_ms), ms(l.last_inbound_ms));
            let step = p.look(s, now, last, l.probed);
            let action = match step.action {
                HealthAction::None => "none",
                HealthAction::Ping => "ping",
                HealthAction::Dead => "dead",
            };
            BindingHealthStep {
                action: action.to_string(),
                next_look_ms: p.next_look(&step.state, now, last).as_millis() as u32,
                state: BindingHealthState {
                    last_ping_ms: step.state.last_ping.as_millis() as u32,
                    probe_at_ms: step.state.probe.map(|d| d.as_millis() as u32),
                    degraded: step.state.degraded,
                },
            }
        })
        .collect()
}
