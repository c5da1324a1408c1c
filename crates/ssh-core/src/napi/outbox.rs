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
//! wake-up per line without it, as the lines come one by one; data after a quieter spell goes at
//! once, and so does every other event (state, exit, end), with the data queued before it.
//!
//! The callback gets the events as its argument and holds no reference back to the pool's JS
//! object: a thread-safe function is a GC root, so a callback that reached the pool would keep
//! every closed pool alive.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use napi::bindgen_prelude::{Result, ToNapiValue};
use napi::threadsafe_function::ThreadsafeFunctionCallMode::NonBlocking;
use napi::{sys, Status};

use super::chunk::{self, Event};
use super::client::EventKind;
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

#[derive(Default)]
struct Queue {
    events: Vec<Event>,
    bytes: usize,
    /// A wake-up is on its way, or waits for its time, and has not drained yet.
    woken: bool,
    /// The wake-up that waits for its time, by number: a timer whose number is gone has nothing to do.
    deferred: Option<u64>,
    deferrals: u64,
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

    /// Queues an event; wakes the JS thread unless a wake-up is already pending. Only channel data
    /// waits for the pace: a state, exit or end event goes at once and takes the data queued before
    /// it along, so a caller who awaited `connect()` has seen its `ready` event.
    pub(crate) fn push(self: &Arc<Self>, event: Event, bytes: usize) {
        let urgent = !matches!(event.kind, EventKind::Data | EventKind::Stderr);
        let Ok(mut q) = self.queue.lock() else { return };
        q.events.push(event);
        q.bytes += bytes;
        if q.woken && !(urgent && q.deferred.is_some()) {
            return;
        }
        q.woken = true;
        q.deferred = None;
        let now = Instant::now();
        let due = q.last.map(|t| t + self.pace).filter(|&due| due > now && !urgent);
        if let (Some(due), Ok(rt)) = (due, tokio::runtime::Handle::try_current()) {
            q.deferrals += 1;
            let number = q.deferrals;
            q.deferred = Some(number);
            drop(q);
            let me = Arc::clone(self);
            rt.spawn(async move {
                tokio::time::sleep_until(due.into()).await;
                let Ok(mut q) = me.queue.lock() else { return };
                if q.deferred == Some(number) {
                    q.deferred = None;
                    drop(q);
                    me.send(Instant::now());
                }
            });
            return;
        }
        drop(q);
        self.send(now);
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
