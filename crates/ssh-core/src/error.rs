//! One error enum for the core. Every variant maps to a stable `code` that callers branch on and
//! to the plan's failure `cause` (network | auth | server | client): silence (timeouts) is the
//! network, an explicit refusal or teardown from the other end (FIN, RST, refused connect,
//! disconnect message) is the server. The TypeScript side keeps the
//! same table (`src/core/errors.ts`); a test compares the two through `errorCatalog()`.

use std::fmt;

/// The plan's failure-cause classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    Network,
    Auth,
    Server,
    Client,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Network => "network",
            Cause::Auth => "auth",
            Cause::Server => "server",
            Cause::Client => "client",
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    BadOption(String),
    #[error("cannot read private key file {path}: {reason}")]
    KeyUnreadable { path: String, reason: String },
    #[error("private key {what} is encrypted: give its passphrase")]
    KeyPassphraseRequired { what: String },
    #[error("wrong passphrase for private key {what}")]
    KeyPassphraseWrong { what: String },
    #[error("private key {what} is not a key this core can use: {reason}")]
    KeyInvalid { what: String, reason: String },
    #[error("{addr} did not complete {stage} within {timeout_ms} ms")]
    ConnectTimeout { addr: String, stage: &'static str, timeout_ms: u64 },
    #[error("connection to {addr} refused (nothing listens there)")]
    ConnectionRefused { addr: String },
    #[error("cannot reach {addr}: {reason}")]
    HostUnreachable { addr: String, reason: String },
    #[error("connection to {addr} reset: {reason}")]
    ConnectionReset { addr: String, reason: String },
    #[error("no reply from {addr} to {missed} keepalives sent {interval_ms} ms apart")]
    KeepaliveTimeout { addr: String, missed: u32, interval_ms: u64 },
    #[error("{addr} closed the connection{detail}")]
    DisconnectedByServer { addr: String, detail: String },
    #[error("authentication failed for {user}@{addr} with {method}")]
    AuthFailed { user: String, addr: String, method: &'static str },
    #[error("host key of {addr} does not match: {detail}")]
    HostKeyMismatch { addr: String, detail: String },
    #[error("SSH protocol error with {addr}: {detail}")]
    Protocol { addr: String, detail: String },
    #[error("command did not finish within {timeout_ms} ms")]
    ExecTimeout { timeout_ms: u64 },
    #[error("the server refused to open a channel: {0}")]
    ChannelRejected(String),
    #[error("the server refused the {0}")]
    RequestRejected(&'static str),
    #[error("the server did not answer the {what} within {timeout_ms} ms")]
    RequestTimeout { what: &'static str, timeout_ms: u64 },
    #[error("command output passed the limit of {limit} bytes; the command was stopped")]
    ExecOutputLimit { limit: u64 },
    /// The text is a whole sentence (see [`CoreError::closed`] and `SessionState::not_connected`).
    #[error("{0}")]
    NotConnected(&'static str),
    #[error("internal error: {0}")]
    Internal(String),
}

/// (code, cause) for every variant, in one place. Exposed to JS as `errorCatalog()`.
pub const CATALOG: &[(&str, Cause)] = &[
    ("BAD_OPTION", Cause::Client),
    ("KEY_UNREADABLE", Cause::Client),
    ("KEY_PASSPHRASE_REQUIRED", Cause::Client),
    ("KEY_PASSPHRASE_WRONG", Cause::Client),
    ("KEY_INVALID", Cause::Client),
    ("CONNECT_TIMEOUT", Cause::Network),
    ("CONNECTION_REFUSED", Cause::Server),
    ("HOST_UNREACHABLE", Cause::Network),
    ("CONNECTION_RESET", Cause::Server),
    ("KEEPALIVE_TIMEOUT", Cause::Network),
    ("DISCONNECTED_BY_SERVER", Cause::Server),
    ("AUTH_FAILED", Cause::Auth),
    ("HOST_KEY_MISMATCH", Cause::Auth),
    ("PROTOCOL_ERROR", Cause::Server),
    ("EXEC_TIMEOUT", Cause::Client),
    ("CHANNEL_REJECTED", Cause::Server),
    ("REQUEST_REJECTED", Cause::Server),
    ("REQUEST_TIMEOUT", Cause::Server),
    ("EXEC_OUTPUT_LIMIT", Cause::Client),
    ("NOT_CONNECTED", Cause::Client),
    ("INTERNAL", Cause::Client),
];

impl CoreError {
    /// The session was closed by its owner.
    pub fn closed() -> CoreError {
        CoreError::NotConnected("session is not connected (state closed)")
    }

    pub fn code(&self) -> &'static str {
        match self {
            CoreError::BadOption(_) => "BAD_OPTION",
            CoreError::KeyUnreadable { .. } => "KEY_UNREADABLE",
            CoreError::KeyPassphraseRequired { .. } => "KEY_PASSPHRASE_REQUIRED",
            CoreError::KeyPassphraseWrong { .. } => "KEY_PASSPHRASE_WRONG",
            CoreError::KeyInvalid { .. } => "KEY_INVALID",
            CoreError::ConnectTimeout { .. } => "CONNECT_TIMEOUT",
            CoreError::ConnectionRefused { .. } => "CONNECTION_REFUSED",
            CoreError::HostUnreachable { .. } => "HOST_UNREACHABLE",
            CoreError::ConnectionReset { .. } => "CONNECTION_RESET",
            CoreError::KeepaliveTimeout { .. } => "KEEPALIVE_TIMEOUT",
            CoreError::DisconnectedByServer { .. } => "DISCONNECTED_BY_SERVER",
            CoreError::AuthFailed { .. } => "AUTH_FAILED",
            CoreError::HostKeyMismatch { .. } => "HOST_KEY_MISMATCH",
            CoreError::Protocol { .. } => "PROTOCOL_ERROR",
            CoreError::ExecTimeout { .. } => "EXEC_TIMEOUT",
            CoreError::ChannelRejected(_) => "CHANNEL_REJECTED",
            CoreError::RequestRejected(_) => "REQUEST_REJECTED",
            CoreError::RequestTimeout { .. } => "REQUEST_TIMEOUT",
            CoreError::ExecOutputLimit { .. } => "EXEC_OUTPUT_LIMIT",
            CoreError::NotConnected(_) => "NOT_CONNECTED",
            CoreError::Internal(_) => "INTERNAL",
        }
    }

    pub fn cause(&self) -> Cause {
        let code = self.code();
        CATALOG.iter().find(|(c, _)| *c == code).map(|(_, cause)| *cause).unwrap_or(Cause::Client)
    }

    /// Whether a new connection attempt could succeed without the user changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self.cause(), Cause::Network | Cause::Server)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_in_the_catalog_once() {
        let samples = [
            CoreError::BadOption(String::new()),
            CoreError::KeyUnreadable { path: String::new(), reason: String::new() },
            CoreError::KeyPassphraseRequired { what: String::new() },
            CoreError::KeyPassphraseWrong { what: String::new() },
            CoreError::KeyInvalid { what: String::new(), reason: String::new() },
            CoreError::ConnectTimeout { addr: String::new(), stage: "", timeout_ms: 0 },
            CoreError::ConnectionRefused { addr: String::new() },
            CoreError::HostUnreachable { addr: String::new(), reason: String::new() },
            CoreError::ConnectionReset { addr: String::new(), reason: String::new() },
            CoreError::KeepaliveTimeout { addr: String::new(), missed: 0, interval_ms: 0 },
            CoreError::DisconnectedByServer { addr: String::new(), detail: String::new() },
            CoreError::AuthFailed { user: String::new(), addr: String::new(), method: "" },
            CoreError::HostKeyMismatch { addr: String::new(), detail: String::new() },
            CoreError::Protocol { addr: String::new(), detail: String::new() },
            CoreError::ExecTimeout { timeout_ms: 0 },
            CoreError::ChannelRejected(String::new()),
            CoreError::RequestRejected(""),
            CoreError::RequestTimeout { what: "", timeout_ms: 0 },
            CoreError::ExecOutputLimit { limit: 0 },
            CoreError::NotConnected(""),
            CoreError::Internal(String::new()),
        ];
        assert_eq!(samples.len(), CATALOG.len());
        for (sample, (code, _)) in samples.iter().zip(CATALOG) {
            assert_eq!(sample.code(), *code);
        }
    }

    #[test]
    fn auth_and_host_key_failures_are_not_transient() {
        let auth = CoreError::AuthFailed { user: "u".into(), addr: "a".into(), method: "password" };
        assert!(!auth.is_transient());
        let refused = CoreError::ConnectionRefused { addr: "a".into() };
        assert!(refused.is_transient());
    }
}
