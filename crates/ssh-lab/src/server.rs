//! The lab's SSH server: accept loop, authentication, and control (stop, restart, revoke auth).

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use russh::keys::{PrivateKey, PublicKey};
use russh::server::{Auth, Msg, Session};
use russh::{Channel, MethodKind, MethodSet};
use tokio::net::TcpListener;

use crate::channel::run_channel;
use crate::listener::{bind_reusing, AcceptSlot};

/// Every cipher a client of the lab may choose (the client's preference decides), so the
/// benchmarks can compare cores on the same cipher.
const LAB_CIPHERS: &[russh::cipher::Name] = &[
    russh::cipher::CHACHA20_POLY1305,
    russh::cipher::AES_128_GCM,
    russh::cipher::AES_256_GCM,
    russh::cipher::AES_128_CTR,
    russh::cipher::AES_192_CTR,
    russh::cipher::AES_256_CTR,
];

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the lab server is not running")]
    NotRunning,
}

/// What the lab server accepts and how it runs.
pub struct LabConfig {
    /// Where to listen; port 0 picks a free port (read it back with [`LabServer::local_addr`]).
    pub bind: SocketAddr,
    pub host_key: PrivateKey,
    pub username: String,
    /// Password auth is offered only when set.
    pub password: Option<String>,
    pub authorized_keys: Vec<PublicKey>,
    /// How long a rejected authentication takes (russh makes rejections constant-time).
    pub auth_rejection_time: Duration,
    /// SSH channel window the server grants, and its maximum packet size.
    pub window_bytes: u32,
    pub max_packet_bytes: u32,
}

/// Counters the lab reports about itself.
#[derive(Default)]
pub struct LabCounters {
    pub connections_accepted: AtomicU64,
    pub connections_active: AtomicU64,
    pub auth_successes: AtomicU64,
    pub auth_failures: AtomicU64,
    pub auth_attempts_while_revoked: AtomicU64,
    pub channels_opened: AtomicU64,
    pub channels_active: AtomicU64,
    pub bytes_sent: AtomicU64,
    /// Connections accepted and not (yet) authenticated, now and at most.
    pub unauthenticated: AtomicU64,
    pub unauthenticated_peak: AtomicU64,
}

/// A snapshot of [`LabCounters`].
#[derive(Clone, Copy, Debug, Default)]
pub struct LabStats {
    pub connections_accepted: u64,
    pub connections_active: u64,
    pub auth_successes: u64,
    pub auth_failures: u64,
    pub auth_attempts_while_revoked: u64,
    pub channels_opened: u64,
    pub channels_active: u64,
    pub bytes_sent: u64,
    pub unauthenticated: u64,
    pub unauthenticated_peak: u64,
}

pub(crate) struct Shared {
    config: Arc<russh::server::Config>,
    username: String,
    password: Option<String>,
    authorized_keys: RwLock<Vec<PublicKey>>,
    auth_revoked: AtomicBool,
    /// A duplicate of every live connection's socket, so `kill_connections` can shut it down the
    /// way a dying server process would (the client sees FIN).
    connections: Mutex<HashMap<u64, std::net::TcpStream>>,
    next_connection: AtomicU64,
    pub(crate) counters: LabCounters,
}

pub struct LabServer {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    accept_task: AcceptSlot,
}

impl LabServer {
    /// Binds and starts serving. Must be called inside a tokio runtime.
    pub async fn start(cfg: LabConfig) -> Result<LabServer, LabError> {
        let mut methods = MethodSet::empty();
        methods.push(MethodKind::PublicKey);
        if cfg.password.is_some() {
            methods.push(MethodKind::Password);
        }
        let config = russh::server::Config {
            methods,
            auth_rejection_time: cfg.auth_rejection_time,
            auth_rejection_time_initial: Some(Duration::ZERO),
            keys: vec![cfg.host_key],
            window_size: cfg.window_bytes,
            maximum_packet_size: cfg.max_packet_bytes,
            nodelay: true,
            preferred: russh::Preferred { cipher: Cow::Borrowed(LAB_CIPHERS), ..Default::default() },
            ..Default::default()
        };
        let shared = Arc::new(Shared {
            config: Arc::new(config),
            username: cfg.username,
            password: cfg.password,
            authorized_keys: RwLock::new(cfg.authorized_keys),
            auth_revoked: AtomicBool::new(false),
            connections: Mutex::new(HashMap::new()),
            next_connection: AtomicU64::new(1),
            counters: LabCounters::default(),
        });
        let listener = TcpListener::bind(cfg.bind).await.map_err(|source| LabError::Bind { addr: cfg.bind, source })?;
        let local_addr = listener.local_addr().map_err(|source| LabError::Bind { addr: cfg.bind, source })?;
        let server = LabServer { shared, local_addr, accept_task: AcceptSlot::default() };
        server.spawn_accept(listener);
        Ok(server)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    fn spawn_accept(&self, listener: TcpListener) {
        self.accept_task.run(tokio::spawn(accept_loop(listener, Arc::clone(&self.shared))));
    }

    /// Stops listening (new connections are refused) without touching live connections.
    pub fn stop_listening(&self) {
        self.accept_task.stop();
    }

    /// Listens again on the same address after [`stop_listening`](Self::stop_listening).
    pub async fn resume_listening(&self) -> Result<(), LabError> {
        let addr = self.local_addr;
        let listener = bind_reusing(addr).map_err(|source| LabError::Bind { addr, source })?;
        self.spawn_accept(listener);
        Ok(())
    }

    /// Shuts down every live connection as a dying server process would. Returns how many.
    pub fn kill_connections(&self) -> usize {
        let conns: Vec<std::net::TcpStream> = match self.shared.connections.lock() {
            Ok(mut map) => map.drain().map(|(_, s)| s).collect(),
            Err(_) => Vec::new(),
        };
        for sock in &conns {
            let _ = sock.shutdown(std::net::Shutdown::Both);
        }
        conns.len()
    }

    /// Stops listening and kills every connection.
    pub fn stop(&self) {
        self.stop_listening();
        self.kill_connections();
    }

    /// While revoked, every authentication is rejected (counted in `auth_attempts_while_revoked`).
    pub fn set_auth_revoked(&self, revoked: bool) {
        self.shared.auth_revoked.store(revoked, Ordering::SeqCst);
    }

    pub fn set_authorized_keys(&self, keys: Vec<PublicKey>) {
        if let Ok(mut slot) = self.shared.authorized_keys.write() {
            *slot = keys;
        }
    }

    pub fn stats(&self) -> LabStats {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        LabStats {
            connections_accepted: get(&c.connections_accepted),
            connections_active: get(&c.connections_active),
            auth_successes: get(&c.auth_successes),
            auth_failures: get(&c.auth_failures),
            auth_attempts_while_revoked: get(&c.auth_attempts_while_revoked),
            channels_opened: get(&c.channels_opened),
            channels_active: get(&c.channels_active),
            bytes_sent: get(&c.bytes_sent),
            unauthenticated: get(&c.unauthenticated),
            unauthenticated_peak: get(&c.unauthenticated_peak),
        }
    }
}

impl Drop for LabServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let (socket, _peer) = match listener.accept().await {
            Ok(pair) => pair,
            Err(_) => {
                // EMFILE and friends: back off briefly instead of spinning.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
        if let Ok(dup) = socket.as_fd().try_clone_to_owned() {
            if let Ok(mut map) = shared.connections.lock() {
                map.insert(id, std::net::TcpStream::from(dup));
            }
        }
        let c = &shared.counters;
        c.connections_accepted.fetch_add(1, Ordering::Relaxed);
        c.connections_active.fetch_add(1, Ordering::Relaxed);
        let unauth = c.unauthenticated.fetch_add(1, Ordering::SeqCst) + 1;
        c.unauthenticated_peak.fetch_max(unauth, Ordering::SeqCst);
        let conn_shared = Arc::clone(&shared);
        let authenticated = Arc::new(AtomicBool::new(false));
        tokio::spawn(async move {
            let handler = LabHandler { shared: Arc::clone(&conn_shared), authenticated: Arc::clone(&authenticated) };
            let config = Arc::clone(&conn_shared.config);
            if let Ok(session) = russh::server::run_stream(config, socket, handler).await {
                let _ = session.await;
            }
            if let Ok(mut map) = conn_shared.connections.lock() {
                map.remove(&id);
            }
            conn_shared.counters.connections_active.fetch_sub(1, Ordering::Relaxed);
            if !authenticated.load(Ordering::SeqCst) {
                conn_shared.counters.unauthenticated.fetch_sub(1, Ordering::SeqCst);
            }
        });
    }
}

struct LabHandler {
    shared: Arc<Shared>,
    authenticated: Arc<AtomicBool>,
}

impl LabHandler {
    fn decide(&self, user: &str, ok: bool) -> Auth {
        let c = &self.shared.counters;
        if self.shared.auth_revoked.load(Ordering::SeqCst) {
            c.auth_attempts_while_revoked.fetch_add(1, Ordering::Relaxed);
            c.auth_failures.fetch_add(1, Ordering::Relaxed);
            return Auth::reject();
        }
        if ok && user == self.shared.username {
            c.auth_successes.fetch_add(1, Ordering::Relaxed);
            if !self.authenticated.swap(true, Ordering::SeqCst) {
                c.unauthenticated.fetch_sub(1, Ordering::SeqCst);
            }
            Auth::Accept
        } else {
            c.auth_failures.fetch_add(1, Ordering::Relaxed);
            Auth::reject()
        }
    }

    fn key_is_authorized(&self, key: &PublicKey) -> bool {
        self.shared
            .authorized_keys
            .read()
            .map(|keys| keys.iter().any(|k| k.key_data() == key.key_data()))
            .unwrap_or(false)
    }
}

impl russh::server::Handler for LabHandler {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let ok = self.shared.password.as_deref() == Some(password);
        Ok(self.decide(user, ok))
    }

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.key_is_authorized(offer.public_key) && !self.shared.auth_revoked.load(Ordering::SeqCst) {
            Ok(Auth::Accept)
        } else {
            Ok(self.decide("", false))
        }
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: russh::server::VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let ok = self.key_is_authorized(key.public_key);
        Ok(self.decide(user, ok))
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.shared.counters.channels_opened.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(run_channel(channel, Arc::clone(&self.shared), session.handle()));
        reply.accept().await;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: russh::ChannelId,
        _term: &str,
        _cols: u32,
        _rows: u32,
        _pw: u32,
        _ph: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn shell_request(&mut self, channel: russh::ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn exec_request(
        &mut self,
        channel: russh::ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn window_change_request(
        &mut self,
        _channel: russh::ChannelId,
        _cols: u32,
        _rows: u32,
        _pw: u32,
        _ph: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The channel task applies the new size; window-change never wants a reply.
        Ok(())
    }
}
