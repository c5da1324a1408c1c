//! The events a pool hands JS (state transitions, reconnect attempts, channel availability,
//! channel data, exits and reopens), and the sink that queues them on the pool's outbox.

use std::sync::Arc;

use napi_derive::napi;

use super::chunk::{Chunk, Event, Payload};
use super::outbox::{InputClock, Outbox};
use crate::error::Cause;
use crate::events::{AttemptEvent, ChannelEvents, ChannelExit, ChannelsEvent, SessionEvents, SessionState, StateEvent};

/// A state transition (event kind `State`: `state`, `previous`), a reconnect attempt about to
/// start (`Attempt`: `attempt`, `delayMs`), or the server stopping or starting again to give
/// channels (`Channels`: `available`). The event's [`EventKind`] says which.
#[napi(object)]
pub struct BindingStateEvent {
    pub available: Option<bool>,
    pub attempt: Option<u32>,
    pub delay_ms: Option<f64>,
    pub state: Option<SessionState>,
    pub previous: Option<SessionState>,
    pub cause: Option<Cause>,
    pub code: Option<String>,
    pub message: Option<String>,
    pub at_ms: f64,
}

/// What an event carries; it crosses as a number, not a string made per event.
#[napi]
pub enum EventKind {
    /// Channel output (`data`).
    Data,
    /// Exec stderr (`data`).
    Stderr,
    /// A shell's end (`exit`).
    Exit,
    /// A shell reopened after a reconnect (`atMs`).
    Reopen,
    /// A session state transition (`state`).
    State,
    /// A reconnect attempt about to start (`state`, whose kind is "attempt").
    Attempt,
    /// The server stopped or started again giving channels (`state`, whose kind is "channels").
    Channels,
    /// Nothing more comes for this sink.
    End,
}

/// The pool's way to JS, with the sink an event belongs to.
///
/// Every session, shell and streamed exec of a pool shares the pool's one [`Outbox`] and is told
/// apart by its sink, a number the TypeScript adapter chose when it asked for the object. One queue
/// per pool, not one per object: libuv walks every async handle of the loop on each wakeup, so a
/// handle per shell made 1,000 busy sessions cost O(n) per chunk, and one wake-up takes every event
/// queued meanwhile. One queue also keeps a channel's data, its exit and its end in order. How the
/// events cross is in `chunk.rs`.
#[derive(Clone)]
pub(super) struct JsSink {
    pub(super) out: Arc<Outbox>,
    pub(super) sink: u32,
    /// Channel data is copied into JS-owned Buffers instead of handed over (see [`Chunk`]).
    pub(super) copy: bool,
    /// A shell's input clock: its output is not paced while somebody types into it.
    pub(super) input: Option<Arc<InputClock>>,
}

impl JsSink {
    pub(super) fn send(&self, kind: EventKind, bytes: usize, payload: Payload) {
        let urgent = self.input.as_ref().is_some_and(|c| c.recent());
        self.out.push(Event { sink: self.sink, kind, payload }, bytes, urgent);
    }

    /// Nothing more will come for this sink: the adapter can forget it.
    pub(super) fn end(&self) {
        self.send(EventKind::End, 0, Payload::None);
    }
}

impl SessionEvents for JsSink {
    fn state(&self, e: StateEvent) {
        self.send(
            EventKind::State,
            0,
            Payload::State(BindingStateEvent {
                available: None,
                attempt: None,
                delay_ms: None,
                state: Some(e.state),
                previous: Some(e.previous),
                cause: e.cause,
                code: e.error.as_ref().map(|e| e.code().into()),
                message: e.error.as_ref().map(|e| e.to_string()),
                at_ms: e.at_ms,
            }),
        );
    }

    fn attempt(&self, e: AttemptEvent) {
        self.send(
            EventKind::Attempt,
            0,
            Payload::State(BindingStateEvent {
                available: None,
                attempt: Some(e.attempt),
                delay_ms: Some(e.delay_ms),
                state: Some(SessionState::Reconnecting),
                previous: Some(SessionState::Reconnecting),
                cause: None,
                code: None,
                message: None,
                at_ms: e.at_ms,
            }),
        );
    }

    fn channels(&self, e: ChannelsEvent) {
        self.send(
            EventKind::Channels,
            0,
            Payload::State(BindingStateEvent {
                available: Some(e.available),
                attempt: None,
                delay_ms: None,
                state: None,
                previous: None,
                cause: e.error.as_ref().map(|e| e.cause()),
                code: e.error.as_ref().map(|e| e.code().into()),
                message: e.error.as_ref().map(|e| e.to_string()),
                at_ms: e.at_ms,
            }),
        );
    }
}

#[napi(object)]
pub struct BindingExit {
    pub code: Option<u32>,
    pub signal: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

impl ChannelEvents for JsSink {
    fn data(&self, chunk: Vec<u8>) {
        let copy = self.copy;
        self.send(EventKind::Data, chunk.len(), Payload::Data(Chunk { bytes: chunk, copy }));
    }
    fn stderr(&self, chunk: Vec<u8>) {
        let copy = self.copy;
        self.send(EventKind::Stderr, chunk.len(), Payload::Data(Chunk { bytes: chunk, copy }));
    }
    fn exit(&self, exit: ChannelExit) {
        self.send(
            EventKind::Exit,
            0,
            Payload::Exit(BindingExit {
                code: exit.code,
                signal: exit.signal,
                error_code: exit.error.as_ref().map(|e| e.code().into()),
                error_message: exit.error.as_ref().map(|e| e.to_string()),
            }),
        );
    }
    fn reopened(&self) {
        self.send(EventKind::Reopen, 0, Payload::AtMs(crate::events::now_ms()));
    }
}
