//! The options JS hands the core, fully resolved by the TypeScript edge (src/core/options.ts: no
//! defaults here), and their conversion into the core's types, refusing what is out of range.

use std::path::PathBuf;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use super::bad_option;
use crate::channel::ExecLimits;
use crate::config::{AuthConfig, CoalesceConfig, HostKeyPolicy, PoolPolicy, PoolTuning, SessionConfig};
use crate::policy::{HealthPolicy, ReconnectPolicy};
use crate::shell::ShellRequest;

/// The largest channel packet this core asks a server for (`RUST_MAX_PACKET_BYTES` in defaults.ts).
const MAX_PACKET_BYTES: u32 = 256 * 1024 - 256;

#[napi(object)]
pub struct BindingPoolOptions {
    pub coalesce_ms: f64,
    pub coalesce_bytes: u32,
    /// The shortest time between two wake-ups of JS by this pool (see `napi/outbox.rs`).
    pub wake_interval_ms: u32,
    pub window_bytes: u32,
    pub max_packet_bytes: u32,
    pub channel_buffer: u32,
    /// Channel data reaches JS as Buffers over the core's own memory (true), or as JS-owned
    /// copies (false: what an Electron app gets, whose V8 memory cage forbids external buffers).
    pub external_buffers: bool,
    pub max_concurrent_handshakes: u32,
    /// Seed of the backoff jitter (an integer below 2^53).
    pub seed: f64,
}

impl TryFrom<&BindingPoolOptions> for PoolPolicy {
    type Error = napi::Error;
    fn try_from(o: &BindingPoolOptions) -> Result<Self> {
        if o.max_concurrent_handshakes == 0 {
            return Err(bad_option("maxConcurrentHandshakes must be at least 1"));
        }
        if !(o.seed.is_finite() && o.seed >= 0.0 && o.seed.fract() == 0.0) {
            return Err(bad_option(format!("seed must be a non-negative integer, got {}", o.seed)));
        }
        Ok(PoolPolicy { max_concurrent_handshakes: o.max_concurrent_handshakes as usize, seed: o.seed as u64 })
    }
}

impl TryFrom<BindingPoolOptions> for PoolTuning {
    type Error = napi::Error;
    fn try_from(o: BindingPoolOptions) -> Result<Self> {
        if !(o.coalesce_ms.is_finite() && o.coalesce_ms >= 0.0) {
            return Err(bad_option(format!("coalesceMs must be a number >= 0, got {}", o.coalesce_ms)));
        }
        // russh reads packets of up to 256 KiB plus framing and 19 bytes of padding; a server may
        // pad with up to 255, so a data payload is kept 256 bytes below the limit.
        if o.max_packet_bytes < 1024 || o.max_packet_bytes > MAX_PACKET_BYTES {
            return Err(bad_option(format!(
                "maxPacketBytes must be 1024..{MAX_PACKET_BYTES}, got {}",
                o.max_packet_bytes
            )));
        }
        Ok(PoolTuning {
            coalesce: CoalesceConfig {
                window: Duration::from_secs_f64(o.coalesce_ms / 1000.0),
                max_bytes: o.coalesce_bytes.max(1) as usize,
            },
            window_bytes: o.window_bytes,
            max_packet_bytes: o.max_packet_bytes,
            channel_buffer: o.channel_buffer.max(1) as usize,
        })
    }
}

/// A session's options, fully resolved by the TypeScript edge (no defaults here).
#[napi(object)]
pub struct BindingSessionOptions {
    pub target_id: String,
    pub host: String,
    pub port: u32,
    pub username: String,
    pub password: Option<String>,
    pub private_key_path: Option<String>,
    pub private_key: Option<String>,
    pub passphrase: Option<String>,
    /// "fingerprint" | "known-hosts" | "accept-new"
    pub host_key_policy: String,
    pub host_key_fingerprint: Option<String>,
    pub known_hosts_path: Option<String>,
    /// Check the host key as this host's (OpenSSH's HostKeyAlias)...
    pub host_key_alias_host: Option<String>,
    /// ...and this port's.
    pub host_key_alias_port: Option<u32>,
    pub connect_timeout_ms: u32,
    pub request_timeout_ms: u32,
    pub keepalive_interval_ms: u32,
    pub keepalive_count_max: u32,
    pub degraded_after_ms: u32,
    pub probe_timeout_ms: u32,
    pub ciphers: Option<Vec<String>>,
    pub kex: Option<Vec<String>>,
    pub reconnect: BindingReconnectOptions,
}

#[napi(object)]
pub struct BindingReconnectOptions {
    pub enabled: bool,
    pub base_delay_ms: u32,
    pub max_delay_ms: u32,
    pub max_attempts: u32,
    pub budget_ms: u32,
    pub attempt_timeout_ms: u32,
    pub gate_time_ms: u32,
}

impl TryFrom<BindingSessionOptions> for SessionConfig {
    type Error = napi::Error;
    fn try_from(o: BindingSessionOptions) -> Result<Self> {
        let port = u16::try_from(o.port)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| bad_option(format!("port must be 1..65535, got {}", o.port)))?;
        let auth = match (o.password, o.private_key_path, o.private_key) {
            (Some(p), None, None) => AuthConfig::Password(p),
            (None, path, text) if path.is_some() || text.is_some() => {
                AuthConfig::PrivateKey { path: path.map(PathBuf::from), text, passphrase: o.passphrase }
            }
            _ => return Err(bad_option("give exactly one of password, privateKeyPath or privateKey")),
        };
        let host_key = match o.host_key_policy.as_str() {
            "fingerprint" => HostKeyPolicy::Fingerprint(
                o.host_key_fingerprint.ok_or_else(|| bad_option("hostKey 'fingerprint' needs a fingerprint"))?,
            ),
            "known-hosts" => HostKeyPolicy::KnownHosts(PathBuf::from(
                o.known_hosts_path.ok_or_else(|| bad_option("hostKey 'known-hosts' needs a knownHostsPath"))?,
            )),
            "accept-new" => HostKeyPolicy::AcceptNew(o.known_hosts_path.map(PathBuf::from)),
            other => return Err(bad_option(format!("unknown host-key policy '{other}'"))),
        };
        let host_key_alias = match (o.host_key_alias_host, o.host_key_alias_port) {
            (Some(h), p) => {
                let p = p.unwrap_or(port as u32);
                let p = u16::try_from(p)
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad_option(format!("hostKeyAlias port must be 1..65535, got {p}")))?;
                Some((h, p))
            }
            (None, None) => None,
            (None, Some(_)) => return Err(bad_option("hostKeyAlias needs a host")),
        };
        if o.keepalive_interval_ms == 0 {
            return Err(bad_option("keepaliveIntervalMs must be > 0"));
        }
        let ms = |v: u32| Duration::from_millis(v as u64);
        let r = &o.reconnect;
        Ok(SessionConfig {
            target_id: o.target_id,
            host: o.host,
            port,
            username: o.username,
            auth,
            host_key,
            host_key_alias,
            connect_timeout: ms(o.connect_timeout_ms),
            request_timeout: ms(o.request_timeout_ms),
            ciphers: o.ciphers,
            kex: o.kex,
            health: HealthPolicy {
                keepalive_interval: ms(o.keepalive_interval_ms),
                keepalive_count_max: o.keepalive_count_max,
                degraded_after: ms(o.degraded_after_ms),
                probe_timeout: ms(o.probe_timeout_ms),
            },
            reconnect: ReconnectPolicy {
                enabled: r.enabled,
                base_delay: ms(r.base_delay_ms),
                max_delay: ms(r.max_delay_ms),
                max_attempts: r.max_attempts,
                budget: ms(r.budget_ms),
                attempt_timeout: ms(r.attempt_timeout_ms),
                gate_time: ms(r.gate_time_ms),
            },
        })
    }
}

#[napi(object)]
pub struct BindingShellOptions {
    pub term: String,
    pub cols: u32,
    pub rows: u32,
}

#[napi(object)]
pub struct BindingExecOptions {
    pub timeout_ms: u32,
    /// Collected stdout plus stderr beyond this fail the exec (an integer below 2^53).
    pub max_output_bytes: f64,
    pub kill_grace_ms: u32,
}

impl From<BindingShellOptions> for ShellRequest {
    fn from(o: BindingShellOptions) -> Self {
        ShellRequest { term: o.term, cols: o.cols, rows: o.rows }
    }
}

impl TryFrom<&BindingExecOptions> for ExecLimits {
    type Error = napi::Error;

    fn try_from(o: &BindingExecOptions) -> napi::Result<Self> {
        if !(o.max_output_bytes.is_finite() && o.max_output_bytes >= 0.0) {
            return Err(bad_option(format!("maxOutputBytes must be a number >= 0, got {}", o.max_output_bytes)));
        }
        Ok(ExecLimits {
            timeout: Duration::from_millis(o.timeout_ms as u64),
            max_output_bytes: o.max_output_bytes as u64,
            kill_grace: Duration::from_millis(o.kill_grace_ms as u64),
        })
    }
}
