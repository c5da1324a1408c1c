//! One error enum for the core. Every variant maps to a stable `code` that callers branch on and
//! to the plan's failure `cause` (network | auth | server | client): silence (timeouts) is the
//! network, an explicit refusal or teardown from the other end (FIN, RST, refused connect,
//! disconnect message) is the server. The TypeScript side's table
//! (`src/core/tables.ts`) is generated from [`CATALOG`] and checked by `cargo test`.

use std::fmt;

/// The plan's failure-cause classes. Cross to JS as their lowercase names, which index.d.ts types.
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "lowercase"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    Network,
    Auth,
    Server,
    Client,
}

impl Cause {
    /// Every cause, in the order the tables list them.
    pub const ALL: [Cause; 4] = [Cause::Network, Cause::Auth, Cause::Server, Cause::Client];

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

/// One error code: the plan's failure cause it belongs to, and what it means.
#[derive(Clone, Copy, Debug)]
pub struct CodeEntry {
    pub code: &'static str,
    pub cause: Cause,
    /// One sentence for the user; the TypeScript table carries it as the code's doc comment.
    pub doc: &'static str,
}

/// Every error code, in one place: the source of `src/core/tables.ts` (generated and checked by
/// `cargo test`, see `tests/tables.rs`) and of `errorCatalog()` for JS.
pub const CATALOG: &[CodeEntry] = &[
    CodeEntry { code: "BAD_OPTION", cause: Cause::Client, doc: "An option is missing, unknown or of the wrong type." },
    CodeEntry { code: "KEY_UNREADABLE", cause: Cause::Client, doc: "The private key file is missing or unreadable." },
    CodeEntry { code: "KEY_PASSPHRASE_REQUIRED", cause: Cause::Client, doc: "The private key is encrypted and no passphrase was given." },
    CodeEntry { code: "KEY_PASSPHRASE_WRONG", cause: Cause::Client, doc: "The passphrase does not decrypt the private key." },
    CodeEntry { code: "KEY_INVALID", cause: Cause::Client, doc: "The private key text is not a usable key." },
    CodeEntry { code: "CONNECT_TIMEOUT", cause: Cause::Network, doc: "TCP connect, handshake and authentication did not finish within connectTimeoutMs." },
    CodeEntry { code: "CONNECTION_REFUSED", cause: Cause::Server, doc: "Nothing listens on the port (RST on connect)." },
    CodeEntry { code: "HOST_UNREACHABLE", cause: Cause::Network, doc: "No route to the host, or its name does not resolve." },
    CodeEntry { code: "CONNECTION_RESET", cause: Cause::Server, doc: "The connection was reset (RST) or broke." },
    CodeEntry { code: "KEEPALIVE_TIMEOUT", cause: Cause::Network, doc: "keepaliveCountMax keepalives went unanswered." },
    CodeEntry { code: "DISCONNECTED_BY_SERVER", cause: Cause::Server, doc: "The server closed the connection (FIN, or an SSH disconnect message)." },
    CodeEntry { code: "AUTH_FAILED", cause: Cause::Auth, doc: "The server rejected the credentials." },
    CodeEntry { code: "HOST_KEY_MISMATCH", cause: Cause::Auth, doc: "The server's host key is not the expected one." },
    CodeEntry { code: "PROTOCOL_ERROR", cause: Cause::Server, doc: "The peer broke the SSH protocol (garbage, no common algorithm, bad MAC)." },
    CodeEntry { code: "EXEC_TIMEOUT", cause: Cause::Client, doc: "A command did not finish within its timeoutMs." },
    CodeEntry { code: "CHANNEL_REJECTED", cause: Cause::Server, doc: "The server refused to open a channel." },
    CodeEntry { code: "REQUEST_REJECTED", cause: Cause::Server, doc: "The server refused a channel request (pty, shell, exec)." },
    CodeEntry { code: "REQUEST_TIMEOUT", cause: Cause::Server, doc: "The server did not answer a channel open or a channel request (pty, shell, exec) within requestTimeoutMs (the Rust core also if a resize cannot even be queued in that time). The link itself is alive (its keepalives are answered, or the loss would be reported instead), so this is the server." },
    CodeEntry { code: "EXEC_OUTPUT_LIMIT", cause: Cause::Client, doc: "A command's collected output passed its maxOutputBytes; the command was stopped." },
    CodeEntry { code: "NOT_CONNECTED", cause: Cause::Client, doc: "The session has no live connection (closed, failed, or reconnecting)." },
    CodeEntry { code: "INTERNAL", cause: Cause::Client, doc: "A bug in a core." },
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
        CATALOG.iter().find(|e| e.code == code).map(|e| e.cause).unwrap_or(Cause::Client)
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
        for (sample, entry) in samples.iter().zip(CATALOG) {
            assert_eq!(sample.code(), entry.code);
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
