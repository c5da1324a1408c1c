//! The embedded lab server for JS (runs in the lab process, never in the client worker).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use ssh_lab::{keys, LabConfig, LabServer};

use crate::bad_option;

#[napi(object)]
pub struct BindingLabOptions {
    pub host: String,
    /// 0 picks a free port; read it back from `port`.
    pub port: u32,
    pub username: String,
    pub password: Option<String>,
    /// authorized_keys lines.
    pub authorized_keys: Vec<String>,
    /// OpenSSH private key text; a new Ed25519 key when absent.
    pub host_key: Option<String>,
    pub auth_rejection_ms: u32,
    pub window_bytes: u32,
    pub max_packet_bytes: u32,
}

#[napi(object)]
pub struct BindingLabStats {
    pub connections_accepted: f64,
    pub connections_active: f64,
    pub auth_successes: f64,
    pub auth_failures: f64,
    pub auth_attempts_while_revoked: f64,
    pub channels_opened: f64,
    pub channels_active: f64,
    pub bytes_sent: f64,
    pub unauthenticated: f64,
    pub unauthenticated_peak: f64,
}

#[napi]
pub struct NativeLabServer {
    server: Arc<LabServer>,
    host_fingerprint: String,
    host_public_key: String,
}

fn lab_err(e: impl std::fmt::Display) -> napi::Error {
    napi::Error::new(Status::GenericFailure, format!("[LAB] {e}"))
}

/// Starts an embedded lab server.
#[napi]
pub async fn start_lab_server(options: BindingLabOptions) -> Result<NativeLabServer> {
    let ip: IpAddr = options
        .host
        .parse()
        .map_err(|_| bad_option(format!("lab host must be an IP address, got '{}'", options.host)))?;
    let port = u16::try_from(options.port)
        .map_err(|_| bad_option(format!("lab port must be 0..65535, got {}", options.port)))?;
    let host_key = match &options.host_key {
        Some(pem) => russh::keys::decode_secret_key(pem, None).map_err(|e| bad_option(format!("lab host key: {e}")))?,
        None => keys::generate_ed25519().map_err(lab_err)?,
    };
    let authorized_keys = options
        .authorized_keys
        .iter()
        .map(|line| keys::parse_public(line))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad_option(format!("lab authorized key: {e}")))?;
    let host_fingerprint = keys::fingerprint_sha256(host_key.public_key());
    let host_public_key = keys::public_openssh(host_key.public_key()).map_err(lab_err)?;
    let server = LabServer::start(LabConfig {
        bind: SocketAddr::new(ip, port),
        host_key,
        username: options.username,
        password: options.password,
        authorized_keys,
        auth_rejection_time: Duration::from_millis(options.auth_rejection_ms as u64),
        window_bytes: options.window_bytes,
        max_packet_bytes: options.max_packet_bytes,
    })
    .await
    .map_err(lab_err)?;
    Ok(NativeLabServer { server: Arc::new(server), host_fingerprint, host_public_key })
}

#[napi]
impl NativeLabServer {
    #[napi(getter, catch_unwind)]
    pub fn host(&self) -> String {
        self.server.local_addr().ip().to_string()
    }

    #[napi(getter, catch_unwind)]
    pub fn port(&self) -> u32 {
        self.server.local_addr().port() as u32
    }

    #[napi(getter, catch_unwind)]
    pub fn host_fingerprint(&self) -> String {
        self.host_fingerprint.clone()
    }

    #[napi(getter, catch_unwind)]
    pub fn host_public_key(&self) -> String {
        self.host_public_key.clone()
    }

    /// New connections are refused until `resumeListening`.
    #[napi(catch_unwind)]
    pub fn stop_listening(&self) {
        self.server.stop_listening();
    }

    #[napi]
    pub async fn resume_listening(&self) -> Result<()> {
        self.server.resume_listening().await.map_err(lab_err)
    }

    /// Ends every live connection as a dying server would; returns how many.
    #[napi(catch_unwind)]
    pub fn kill_connections(&self) -> u32 {
        self.server.kill_connections() as u32
    }

    #[napi(catch_unwind)]
    pub fn stop(&self) {
        self.server.stop();
    }

    #[napi(catch_unwind)]
    pub fn set_auth_revoked(&self, revoked: bool) {
        self.server.set_auth_revoked(revoked);
    }

    #[napi(catch_unwind)]
    pub fn stats(&self) -> BindingLabStats {
        let s = self.server.stats();
        BindingLabStats {
            connections_accepted: s.connections_accepted as f64,
            connections_active: s.connections_active as f64,
            auth_successes: s.auth_successes as f64,
            auth_failures: s.auth_failures as f64,
            auth_attempts_while_revoked: s.auth_attempts_while_revoked as f64,
            channels_opened: s.channels_opened as f64,
            channels_active: s.channels_active as f64,
            bytes_sent: s.bytes_sent as f64,
            unauthenticated: s.unauthenticated as f64,
            unauthenticated_peak: s.unauthenticated_peak as f64,
        }
    }
}

#[napi(object)]
pub struct BindingKeyPair {
    /// OpenSSH private key text (encrypted when a passphrase was given).
    pub private_key: String,
    /// authorized_keys line.
    pub public_key: String,
    pub fingerprint: String,
}

/// A new Ed25519 key pair for the lab and tests.
#[napi(catch_unwind)]
pub fn generate_key_pair(passphrase: Option<String>) -> Result<BindingKeyPair> {
    let key = keys::generate_ed25519().map_err(lab_err)?;
    Ok(BindingKeyPair {
        private_key: keys::private_openssh(&key, passphrase.as_deref()).map_err(lab_err)?,
        public_key: keys::public_openssh(key.public_key()).map_err(lab_err)?,
        fingerprint: keys::fingerprint_sha256(key.public_key()),
    })
}
