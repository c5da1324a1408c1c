//! The pool's one way to JS: events queue here and the JS thread is woken once to take them all.
//!
//! A wake-up of the JS thread, not the bytes, is what a crossing costs (DESIGN.md): one
//! thread-safe call per chunk made a bulk stream wake it tens of thousands of times a second and
//! 1,000 quiet sessions once per line each. Here the first event after a drain schedules one
//! wake-up, and that wake-up carries everything queued until the JS thread runs it: the queue is
//! drained when the wake-up's argument is made, on the JS thread.
//!
//! Wake-ups for channel data are paced: one that would follow the last by less than `pace` (the
//! pool's `wakeIntervalMs`) waits for it to pass. 1,000 sessions with a line a second each are a
//! wake-up per line without it, as the lines come one by one. Data after a quieter spell goes at
//! once, and so does data on a shell that was written to within [`INTERACTIVE`] (a keystroke's
//! echo, the first output of a command) and every other event (state, exit, end), each with the
//! data queued before it.
//!
//! The callback gets the events as its argument and holds no reference back to the pool's JS
//! object: a thread-safe function is a GC root, so a callback that reached the pool would keep
//! every closed pool alive.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use napi::bindgen_prelude::{Result, ToNapiValue};
use napi::threadsafe_function::ThreadsafeFunctionCallMode::NonBlocking;
use napi::{sys, Status};

use super::chunk::{self, Event};
use super::events::EventKind;
use super::{count_crossing, JsCallback};

/// A wake-up of JS: becomes the queued events, laid out as [`chunk::to_js`] says, when the JS
/// thread runs it.
pub struct Drain(Arc<Outbox>);

impl ToNapiValue for Drain {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        // SAFETY: the caller's env is valid (the ToNapiValue contract).
        unsafe { chunk::to_js(env, val.0.drain()) }
    }
}

/// Pacing is for many small events: once this much data waits, the wake-up goes at once (a bulk
/// stream's batches already carry enough to pay for their wake-ups, and held chunks are memory).
const PACE_MAX_BYTES: usize = 256 * 1024;

/// Output of a shell written to within this long is somebody waiting for it: it is never paced.
pub(crate) const INTERACTIVE: Duration = Duration::from_secs(1);

/// When a shell was last written to, shared by its writer (the JS thread) and its sink.
#[derive(Default)]
pub(crate) struct InputClock(AtomicU64);

fn since_origin(t: Instant) -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    let origin = *ORIGIN.get_or_init(Instant::now);
    t.saturating_duration_since(origin).as_nanos() as u64 + 1
}

impl InputClock {
    pub(crate) fn mark(&self) {
        self.0.store(since_origin(Instant::now()), Ordering::Relaxed);
    }

    /// Written to within [`INTERACTIVE`].
    pub(crate) fn recent(&self) -> bool {
        let at = self.0.load(Ordering::Relaxed);
        at != 0 && since_origin(Instant::now()).saturating_sub(at) < INTERACTIVE.as_nanos() as u64
    }
}

struct Deferred {
    due: Instant,
    timer: tokio::task::AbortHandle,
}

#[derive(Default)]
struct Queue {
    events: Vec<Event>,
    bytes: usize,
    /// A wake-up is on its way, or waits for its time, and has not drained yet.
    woken: bool,
    /// The wake-up that waits for its time.
    deferred: Option<Deferred>,
    /// When the last wake-up was sent.
    last: Option<Instant>,
}

pub(crate) struct Outbox {
    queue: Mutex<Queue>,
    wake: JsCallback<Drain>,
    /// The shortest time between two wake-ups of JS for channel data; data within it waits for its end.
    pace: Duration,
}

impl Outbox {
    pub(crate) fn new(wake: JsCallback<Drain>, pace: Duration) -> Self {
        Outbox { queue: Mutex::new(Queue::default()), wake, pace }
    }

    /// Queues an event; wakes the JS thread unless a wake-up is already pending. Only data that is
    /// not `urgent` waits for the pace: a state, exit or end event goes at once and takes the data
    /// queued before it along, so a caller who awaited `connect()` has seen its `ready` event.
    pub(crate) fn push(self: &Arc<Self>, event: Event, bytes: usize, urgent: bool) {
        let data = matches!(event.kind, EventKind::Data | EventKind::Stderr);
        let now = Instant::now();
        let Ok(mut q) = self.queue.lock() else { return };
        q.events.push(event);
        q.bytes += bytes;
        let urgent = urgent || !data || q.bytes >= PACE_MAX_BYTES;
        if q.woken {
            // A wake-up that waits for its time goes now when this event may not wait, or when its
            // time has passed anyway: the core's thread is awake for this event, and its timer
            // need not wake it again.
            let Some(deferred) = q.deferred.take_if(|d| urgent || now >= d.due) else { return };
            drop(q);
            deferred.timer.abort();
            self.send(now);
            return;
        }
        q.woken = true;
        let rt = match tokio::runtime::Handle::try_current() {
            // An urgent event goes before anything else the core sends JS (a call's result comes
            // through a queue of its own), and so does one from a JS call, off the runtime.
            Ok(rt) if !urgent => rt,
            _ => {
                drop(q);
                self.send(now);
                return;
            }
        };
        let due = q.last.map(|t| t + self.pace).filter(|&due| due > now);
        if let Some(due) = due {
            // The timer only ends a burst: while events keep coming, one of them sends it first.
            let me = Arc::clone(self);
            let timer = rt.spawn(async move {
                tokio::time::sleep_until(due.into()).await;
                let Ok(mut q) = me.queue.lock() else { return };
                if q.deferred.take().is_some() {
                    drop(q);
                    me.send(Instant::now());
                }
            });
            q.deferred = Some(Deferred { due, timer: timer.abort_handle() });
            return;
        }
        drop(q);
        // Sent once the tasks that are ready now have run (yield_now defers to the end of the
        // runtime's tick): the pumps of one grid tick, woken by one timer, share one wake-up.
        let me = Arc::clone(self);
        rt.spawn(async move {
            tokio::task::yield_now().await;
            me.send(Instant::now());
        });
    }

    fn send(self: &Arc<Self>, now: Instant) {
        if let Ok(mut q) = self.queue.lock() {
            q.last = Some(now);
        }
        if self.wake.call(Drain(Arc::clone(self)), NonBlocking) != Status::Ok {
            // The JS side is going away; a later push tries again.
            if let Ok(mut q) = self.queue.lock() {
                q.woken = false;
            }
        }
    }

    /// Everything queued since the last drain, in order. Counts one crossing when non-empty.
    fn drain(&self) -> Vec<Event> {
        let Ok(mut q) = self.queue.lock() else {
            return Vec::new();
        };
        q.woken = false;
        let bytes = std::mem::take(&mut q.bytes);
        let events = std::mem::take(&mut q.events);
        drop(q);
        if !events.is_empty() {
            count_crossing(bytes);
        }
        events
    }
}
