//! Helpers shared by the integration tests: a lab server, a pool, recording sinks.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Mutex;
use std::time::Duration;

use russh::keys::PrivateKey;
pub use ssh_core::AttemptEvent;
use ssh_core::{
    AuthConfig, ChannelEvents, ChannelExit, CoalesceConfig, HealthPolicy, HostKeyPolicy, Pool, PoolPolicy, PoolTuning,
    ReconnectPolicy, SessionConfig, SessionEvents, SessionState, StateEvent,
};
use ssh_lab::{keys, LabConfig, LabServer};

pub const USER: &str = "lab";
pub const PASSWORD: &str = "lab-password";

pub struct Lab {
    pub server: LabServer,
    pub host_fp: String,
    pub client_key: PrivateKey,
}

pub async fn lab() -> Lab {
    let host_key = keys::generate_ed25519().unwrap();
    let client_key = keys::generate_ed25519().unwrap();
    let host_fp = keys::fingerprint_sha256(host_key.public_key());
    let server = LabServer::start(LabConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        host_key,
        username: USER.into(),
        password: Some(PASSWORD.into()),
        authorized_keys: vec![client_key.public_key().clone()],
        auth_rejection_time: Duration::from_millis(10),
        window_bytes: 2 * 1024 * 1024,
        max_packet_bytes: 32 * 1024,
    })
    .await
    .unwrap();
    Lab { server, host_fp, client_key }
}

pub fn pool() -> Pool {
    Pool::new(
        PoolTuning {
            coalesce: CoalesceConfig { window: Duration::from_millis(4), max_bytes: 64 * 1024 },
            window_bytes: 4 * 1024 * 1024,
            max_packet_bytes: 32 * 1024,
            channel_buffer: 256,
        },
        PoolPolicy { max_concurrent_handshakes: 6, seed: 1 },
    )
}

pub fn config(lab: &Lab, auth: AuthConfig) -> SessionConfig {
    SessionConfig {
        target_id: format!("lab:{}", lab.server.local_addr().port()),
        host: "127.0.0.1".into(),
        port: lab.server.local_addr().port(),
        username: USER.into(),
        auth,
        host_key: HostKeyPolicy::Fingerprint(lab.host_fp.clone()),
        host_key_alias: None,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(5),
        ciphers: None,
        kex: None,
        health: HealthPolicy {
            keepalive_interval: Duration::from_secs(2),
            keepalive_count_max: 3,
            degraded_after: Duration::from_secs(3),
            probe_timeout: Duration::from_secs(2),
        },
        reconnect: ReconnectPolicy {
            enabled: false,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_attempts: 5,
            budget: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(2),
            gate_time: Duration::from_secs(1),
        },
    }
}

#[derive(Default)]
pub struct States(pub Mutex<Vec<StateEvent>>, pub Mutex<Vec<AttemptEvent>>);
impl SessionEvents for States {
    fn state(&self, event: StateEvent) {
        self.0.lock().unwrap().push(event);
    }
    fn attempt(&self, event: AttemptEvent) {
        self.1.lock().unwrap().push(event);
    }
}
impl States {
    pub fn names(&self) -> Vec<&'static str> {
        self.0.lock().unwrap().iter().map(|e| e.state.as_str()).collect()
    }
}

#[derive(Default)]
pub struct Output {
    pub data: Mutex<Vec<u8>>,
    pub exit: Mutex<Option<ChannelExit>>,
    pub reopened: std::sync::atomic::AtomicU32,
}
impl ChannelEvents for Output {
    fn data(&self, chunk: Vec<u8>) {
        self.data.lock().unwrap().extend_from_slice(&chunk);
    }
    fn exit(&self, exit: ChannelExit) {
        *self.exit.lock().unwrap() = Some(exit);
    }
    fn reopened(&self) {
        self.reopened.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Waits up to 1 s for the lab to have no channel open (a closed or stopped one is freed).
pub async fn wait_channels_idle(lab: &Lab) {
    for _ in 0..100 {
        if lab.server.stats().channels_active == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(lab.server.stats().channels_active, 0, "a channel is still open on the lab");
}

pub async fn wait_state(session: &ssh_core::Session, want: SessionState) {
    for _ in 0..1000 {
        if session.state() == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("session never reached {want:?}; it is {:?}", session.state());
}
impl Output {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data.lock().unwrap()).into_owned()
    }
    pub async fn wait_for(&self, needle: &str) -> String {
        for _ in 0..500 {
            let t = self.text();
            if t.contains(needle) {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("never saw {needle:?}; got {:?}", self.text());
    }
}

/// Exec bounds for the tests: `timeout`, a 64 MiB output cap, a 1 s kill grace.
pub fn limits(timeout: Duration) -> ssh_core::channel::ExecLimits {
    ssh_core::channel::ExecLimits { timeout, max_output_bytes: 64 << 20, kill_grace: Duration::from_secs(1) }
}
