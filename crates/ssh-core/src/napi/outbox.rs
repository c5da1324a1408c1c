//! The pool's one way to JS: events queue here and the JS thread is woken once to take them all.
//!
//! A wake-up of the JS thread, not the bytes, is what a crossing costs (DESIGN.md): one
//! thread-safe call per chunk made a bulk stream wake it tens of thousands of times a second and
//! 1,000 quiet sessions once per line each. Here the first event after a drain schedules one
//! wake-up, and that wake-up carries everything queued until the JS thread runs it: the queue is
//! drained when the wake-up's argument is made, on the JS thread.
//!
//! The callback gets the events as its argument and holds no reference back to the pool's JS
//! object: a thread-safe function is a GC root, so a callback that reached the pool would keep
//! every closed pool alive.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{Result, ToNapiValue};
use napi::threadsafe_function::ThreadsafeFunctionCallMode::NonBlocking;
use napi::{sys, Status};

use super::client::BindingEvent;
use super::{count_crossing, JsCallback};

/// A wake-up of JS: becomes the array of queued events when the JS thread runs it.
pub struct Drain(Arc<Outbox>);

impl ToNapiValue for Drain {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        // SAFETY: the caller's env is valid (the ToNapiValue contract).
        unsafe { Vec::<BindingEvent>::to_napi_value(env, val.0.drain()) }
    }
}

#[derive(Default)]
struct Queue {
    events: Vec<BindingEvent>,
    bytes: usize,
    /// A wake-up is on its way and has not drained yet.
    woken: bool,
}

pub(crate) struct Outbox {
    queue: Mutex<Queue>,
    wake: JsCallback<Drain>,
}

impl Outbox {
    pub(crate) fn new(wake: JsCallback<Drain>) -> Self {
        Outbox { queue: Mutex::new(Queue::default()), wake }
    }

    /// Queues an event; wakes the JS thread unless a wake-up is already pending.
    pub(crate) fn push(self: &Arc<Self>, event: BindingEvent, bytes: usize) {
        let Ok(mut q) = self.queue.lock() else { return };
        q.events.push(event);
        q.bytes += bytes;
        if q.woken {
            return;
        }
        q.woken = true;
        drop(q);
        if self.wake.call(Drain(Arc::clone(self)), NonBlocking) != Status::Ok {
            // The JS side is going away; a later push tries again.
            if let Ok(mut q) = self.queue.lock() {
                q.woken = false;
            }
        }
    }

    /// Everything queued since the last drain, in order. Counts one crossing when non-empty.
    fn drain(&self) -> Vec<BindingEvent> {
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
