//! What a session tells its owner: state transitions, channel data and channel ends.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Cause, CoreError};

/// The session states of DESIGN.md. Crosses to JS as its snake_case name, which index.d.ts types.
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    Connecting,
    Ready,
    Degraded,
    Reconnecting,
    ManualReconnectRequired,
    AuthFailed,
    HostKeyMismatch,
    Closed,
}

impl SessionState {
    /// Every state, in the order the tables list them.
    pub const ALL: [SessionState; 8] = [
        SessionState::Connecting,
        SessionState::Ready,
        SessionState::Degraded,
        SessionState::Reconnecting,
        SessionState::ManualReconnectRequired,
        SessionState::AuthFailed,
        SessionState::HostKeyMismatch,
        SessionState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Connecting => "connecting",
            SessionState::Ready => "ready",
            SessionState::Degraded => "degraded",
            SessionState::Reconnecting => "reconnecting",
            SessionState::ManualReconnectRequired => "manual_reconnect_required",
            SessionState::AuthFailed => "auth_failed",
            SessionState::HostKeyMismatch => "host_key_mismatch",
            SessionState::Closed => "closed",
        }
    }

    /// The NOT_CONNECTED message for an operation refused in this state.
    pub fn not_connected(self) -> &'static str {
        match self {
            SessionState::Connecting => "session is not connected (state connecting)",
            SessionState::Ready => "session is not connected (state ready)",
            SessionState::Degraded => "session is not connected (state degraded)",
            SessionState::Reconnecting => "session is not connected (state reconnecting)",
            SessionState::ManualReconnectRequired => "session is not connected (state manual_reconnect_required)",
            SessionState::AuthFailed => "session is not connected (state auth_failed)",
            SessionState::HostKeyMismatch => "session is not connected (state host_key_mismatch)",
            SessionState::Closed => "session is not connected (state closed)",
        }
    }

    /// States a session only leaves by an explicit user action.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            SessionState::ManualReconnectRequired
                | SessionState::AuthFailed
                | SessionState::HostKeyMismatch
                | SessionState::Closed
        )
    }
}

#[derive(Clone, Debug)]
pub struct StateEvent {
    pub state: SessionState,
    pub previous: SessionState,
    pub cause: Option<Cause>,
    pub error: Option<CoreError>,
    /// Wall-clock time of the transition, milliseconds since the Unix epoch.
    pub at_ms: f64,
}

pub fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

/// A reconnect attempt about to start.
#[derive(Clone, Debug)]
pub struct AttemptEvent {
    /// 1 for the first attempt after a loss.
    pub attempt: u32,
    /// The jittered wait that preceded it.
    pub delay_ms: f64,
    pub at_ms: f64,
}

/// The server stopped (or started again) giving channels on the session's connection.
#[derive(Clone, Debug)]
pub struct ChannelsEvent {
    pub available: bool,
    /// Why not: the refusal (CHANNEL_REJECTED) or the unanswered open (REQUEST_TIMEOUT).
    pub error: Option<CoreError>,
    pub at_ms: f64,
}

/// Receives a session's state transitions. Called from runtime threads; must not block.
pub trait SessionEvents: Send + Sync + 'static {
    fn state(&self, event: StateEvent);
    fn attempt(&self, event: AttemptEvent) {
        let _ = event;
    }
    fn channels(&self, event: ChannelsEvent) {
        let _ = event;
    }
}

/// How a channel ended.
#[derive(Clone, Debug, Default)]
pub struct ChannelExit {
    pub code: Option<u32>,
    pub signal: Option<String>,
    /// Set when the channel ended because the connection did.
    pub error: Option<CoreError>,
}

/// Receives one channel's output. Called from runtime threads; must not block.
pub trait ChannelEvents: Send + Sync + 'static {
    /// A coalesced batch of stdout bytes (a PTY merges stderr into it).
    fn data(&self, chunk: Vec<u8>);
    /// A coalesced batch of stderr bytes (exec channels only).
    fn stderr(&self, chunk: Vec<u8>) {
        let _ = chunk;
    }
    fn exit(&self, exit: ChannelExit);
    /// The shell was reopened on a new connection after a reconnect: the remote shell is new.
    fn reopened(&self) {}
}
