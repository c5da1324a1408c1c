//! The core's own configuration types. They carry no defaults: the TypeScript edge resolves every
//! option from one constants module and passes complete values, so both cores use the same numbers.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::CoreError;
pub use crate::policy::{HealthPolicy, ReconnectPolicy};

#[derive(Clone)]
pub enum AuthConfig {
    Password(String),
    /// A private key from a file or given inline (OpenSSH or PEM text).
    PrivateKey {
        path: Option<PathBuf>,
        text: Option<String>,
        passphrase: Option<String>,
    },
}

impl AuthConfig {
    pub fn method_name(&self) -> &'static str {
        match self {
            AuthConfig::Password(_) => "password",
            AuthConfig::PrivateKey { .. } => "publickey",
        }
    }
}

// Never print secrets, even in debug output.
impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthConfig::Password(_) => f.write_str("Password(<redacted>)"),
            AuthConfig::PrivateKey { path, text, passphrase } => f
                .debug_struct("PrivateKey")
                .field("path", path)
                .field("text", &text.as_ref().map(|_| "<redacted>"))
                .field("passphrase", &passphrase.as_ref().map(|_| "<redacted>"))
                .finish(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum HostKeyPolicy {
    /// Only a key with this `SHA256:...` fingerprint is accepted.
    Fingerprint(String),
    /// The key must be listed for the host in this known_hosts file.
    KnownHosts(PathBuf),
    /// First key seen for host:port in this pool is pinned; later connections must match it.
    /// When a file is given, keys listed there are enforced and new ones appended.
    AcceptNew(Option<PathBuf>),
}

#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// Sessions with the same target id share the handshake limit and correlated detection; it
    /// names the server behind any proxy (default `host:port`).
    pub target_id: String,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub auth: AuthConfig,
    pub host_key: HostKeyPolicy,
    /// Check the host key as this host and port's, not the ones connected to (OpenSSH's
    /// HostKeyAlias): for a connection through a proxy or a tunnel.
    pub host_key_alias: Option<(String, u16)>,
    /// Covers TCP connect, SSH handshake and authentication of the first connection.
    pub connect_timeout: Duration,
    /// A channel open, or a channel request that wants a reply (pty, shell, exec), not answered
    /// within this time fails with REQUEST_TIMEOUT; so does a resize the channel cannot send.
    pub request_timeout: Duration,
    /// Cipher names in preference order; None keeps the library's safe defaults.
    pub ciphers: Option<Vec<String>>,
    /// Key-exchange names in preference order; None keeps the library's defaults.
    pub kex: Option<Vec<String>>,
    pub health: HealthPolicy,
    pub reconnect: ReconnectPolicy,
}

impl SessionConfig {
    /// `host:port` (`[v6]:port`), also the key sessions to one target share.
    pub fn addr(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// How channel data is batched before it crosses to the caller.
#[derive(Clone, Copy, Debug)]
pub struct CoalesceConfig {
    /// At most one delivery per channel per window, on a process-wide grid so busy channels
    /// cross together; the first chunk after a quiet window goes at once, so keystroke echoes are
    /// not delayed.
    pub window: Duration,
    /// A buffer this large is delivered at once.
    pub max_bytes: usize,
}

/// Pool-wide tuning of the Rust core (not part of the shared contract).
#[derive(Clone, Copy, Debug)]
pub struct PoolTuning {
    pub coalesce: CoalesceConfig,
    /// SSH channel window this client grants, and its maximum packet size.
    pub window_bytes: u32,
    pub max_packet_bytes: u32,
    /// Messages buffered per channel before backpressure reaches the TCP stream.
    pub channel_buffer: usize,
}

/// Pool-wide policy shared by both cores (the same option names and defaults).
#[derive(Clone, Copy, Debug)]
pub struct PoolPolicy {
    /// At most this many connections per target may be between TCP connect and authenticated,
    /// so a reconnect storm never trips a server's unauthenticated-connection limit (MaxStartups).
    pub max_concurrent_handshakes: usize,
    /// Seed of the backoff jitter, so a run can be replayed.
    pub seed: u64,
}

/// Checks cipher names against what this core supports.
pub fn resolve_ciphers(names: &[String]) -> Result<Vec<russh::cipher::Name>, CoreError> {
    let supported = supported_ciphers();
    names
        .iter()
        .map(|n| {
            russh::cipher::Name::try_from(n.as_str()).ok().filter(|c| supported.contains(&c.as_ref())).ok_or_else(
                || CoreError::BadOption(format!("unknown cipher '{n}': this core supports {}", supported.join(", "))),
            )
        })
        .collect()
}

/// The key exchanges this core offers when asked.
pub fn supported_kex() -> Vec<&'static str> {
    use russh::kex::*;
    [
        MLKEM768X25519_SHA256,
        CURVE25519,
        CURVE25519_PRE_RFC_8731,
        ECDH_SHA2_NISTP256,
        ECDH_SHA2_NISTP384,
        ECDH_SHA2_NISTP521,
        DH_GEX_SHA256,
        DH_G14_SHA256,
        DH_G16_SHA512,
    ]
    .iter()
    .map(|n| n.as_ref())
    .collect()
}

/// Checks key-exchange names; the protocol extensions (ext-info, strict kex) are always added.
pub fn resolve_kex(names: &[String]) -> Result<Vec<russh::kex::Name>, CoreError> {
    let supported = supported_kex();
    let mut out = names
        .iter()
        .map(|n| {
            russh::kex::Name::try_from(n.as_str()).ok().filter(|k| supported.contains(&k.as_ref())).ok_or_else(|| {
                CoreError::BadOption(format!("unknown key exchange '{n}': this core supports {}", supported.join(", ")))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.push(russh::kex::EXTENSION_SUPPORT_AS_CLIENT);
    out.push(russh::kex::EXTENSION_OPENSSH_STRICT_KEX_AS_CLIENT);
    Ok(out)
}

/// The ciphers this core offers when asked (no `none`/`clear`).
pub fn supported_ciphers() -> Vec<&'static str> {
    [
        russh::cipher::CHACHA20_POLY1305,
        russh::cipher::AES_128_GCM,
        russh::cipher::AES_256_GCM,
        russh::cipher::AES_128_CTR,
        russh::cipher::AES_192_CTR,
        russh::cipher::AES_256_CTR,
    ]
    .iter()
    .map(|n| n.as_ref())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_cipher_names_are_rejected_with_the_supported_list() {
        let err = resolve_ciphers(&["aes128-gcm@openssh.com".into(), "rot13".into()]);
        match err {
            Err(CoreError::BadOption(msg)) => {
                assert!(msg.contains("'rot13'"), "{msg}");
                assert!(msg.contains("chacha20-poly1305@openssh.com"), "{msg}");
            }
            other => panic!("expected BadOption, got {other:?}"),
        }
    }

    #[test]
    fn debug_output_hides_secrets() {
        let auth = AuthConfig::PrivateKey { path: None, text: Some("KEY".into()), passphrase: Some("pw".into()) };
        let shown = format!("{auth:?} {:?}", AuthConfig::Password("hunter2".into()));
        assert!(!shown.contains("KEY") && !shown.contains("pw\"") && !shown.contains("hunter2"), "{shown}");
    }
}
