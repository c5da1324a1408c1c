//! One SSH connection: TCP connect, handshake, host-key check, authentication, and the signal
//! that reports why it ended.

use std::borrow::Cow;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use russh::client::{DisconnectReason, Handle};
use russh::keys::{PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

use crate::config::{resolve_ciphers, resolve_kex, AuthConfig, PoolTuning, SessionConfig};
use crate::error::CoreError;
use crate::hostkey::{HostKeyVerifier, PinnedKeys};
use crate::keys::load_private_key;

/// Set once, when the connection ends, with the reason; wakes whoever waits for it.
#[derive(Default)]
pub struct LostSignal {
    reason: OnceLock<CoreError>,
    notify: Notify,
}

impl LostSignal {
    pub fn set(&self, err: CoreError) {
        if self.reason.set(err).is_ok() {
            self.notify.notify_waiters();
        }
    }

    pub fn get(&self) -> Option<CoreError> {
        self.reason.get().cloned()
    }

    pub async fn wait(&self) -> CoreError {
        loop {
            let notified = self.notify.notified();
            if let Some(reason) = self.get() {
                return reason;
            }
            notified.await;
        }
    }
}

/// Facts needed to turn a library error into a sentence about this connection.
#[derive(Clone)]
pub struct ErrorContext {
    pub addr: String,
    pub keepalive_interval_ms: u64,
    pub keepalive_count_max: u32,
    pub host_key_refusal: Arc<Mutex<Option<String>>>,
}

impl ErrorContext {
    pub fn map(&self, e: &russh::Error) -> CoreError {
        let addr = self.addr.clone();
        match e {
            russh::Error::IO(io) => map_io(io, &addr),
            russh::Error::KeepaliveTimeout | russh::Error::InactivityTimeout => CoreError::KeepaliveTimeout {
                addr,
                missed: self.keepalive_count_max + 1,
                interval_ms: self.keepalive_interval_ms,
            },
            russh::Error::UnknownKey => {
                let detail = self
                    .host_key_refusal
                    .lock()
                    .ok()
                    .and_then(|mut r| r.take())
                    .unwrap_or_else(|| "the key was refused".into());
                CoreError::HostKeyMismatch { addr, detail }
            }
            russh::Error::HUP | russh::Error::Disconnect | russh::Error::SendError => {
                CoreError::DisconnectedByServer { addr, detail: String::new() }
            }
            russh::Error::ConnectionTimeout | russh::Error::Elapsed(_) => {
                CoreError::ConnectTimeout { addr, stage: "the SSH handshake", timeout_ms: 0 }
            }
            other => CoreError::Protocol { addr, detail: other.to_string() },
        }
    }
}

pub fn map_io(io: &std::io::Error, addr: &str) -> CoreError {
    use std::io::ErrorKind as K;
    let addr = addr.to_string();
    let reason = io.to_string();
    match io.kind() {
        K::ConnectionRefused => CoreError::ConnectionRefused { addr },
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::TimedOut => {
            CoreError::ConnectionReset { addr, reason }
        }
        K::UnexpectedEof => CoreError::DisconnectedByServer { addr, detail: " (end of stream)".into() },
        K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable | K::NetworkDown => {
            CoreError::HostUnreachable { addr, reason }
        }
        _ if reason.contains("lookup") || reason.contains("resolve") => CoreError::HostUnreachable { addr, reason },
        _ => CoreError::ConnectionReset { addr, reason },
    }
}

pub struct ClientHandler {
    verifier: HostKeyVerifier,
    ctx: ErrorContext,
    lost: Arc<LostSignal>,
}

impl russh::client::Handler for ClientHandler {
    type Error = russh::Error;

    async fn check_server_key(&mut self, key: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let public = match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key,
            PublicKeyOrCertificate::Certificate(_) => {
                self.refuse("the server offered a certificate; this core verifies plain host keys".into());
                return Ok(false);
            }
        };
        match self.verifier.verify(public) {
            Ok(()) => Ok(true),
            Err(why) => {
                self.refuse(why);
                Ok(false)
            }
        }
    }

    async fn disconnected(&mut self, reason: DisconnectReason<Self::Error>) -> Result<(), Self::Error> {
        let err = match reason {
            DisconnectReason::ReceivedDisconnect(info) => CoreError::DisconnectedByServer {
                addr: self.ctx.addr.clone(),
                detail: if info.message.is_empty() {
                    format!(" ({:?})", info.reason_code)
                } else {
                    format!(" ({:?}: {})", info.reason_code, info.message)
                },
            },
            DisconnectReason::Error(e) => self.ctx.map(&e),
        };
        self.lost.set(err);
        Ok(())
    }
}

impl ClientHandler {
    fn refuse(&self, why: String) {
        if let Ok(mut slot) = self.ctx.host_key_refusal.lock() {
            *slot = Some(why);
        }
    }
}

/// When the last inbound byte of a connection arrived, for the health check: it can then sleep
/// until the exact moment something is due instead of polling every session on a tick.
#[derive(Debug)]
pub struct InboundClock(AtomicU64);

impl InboundClock {
    fn origin() -> Instant {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        *ORIGIN.get_or_init(Instant::now)
    }

    /// A clock that reads "just now".
    pub fn new() -> Self {
        let c = InboundClock(AtomicU64::new(0));
        c.mark();
        c
    }

    pub fn mark(&self) {
        let since = Instant::now().saturating_duration_since(Self::origin()).as_nanos() as u64;
        self.0.store(since, Ordering::Relaxed);
    }

    pub fn last(&self) -> Instant {
        Self::origin() + Duration::from_nanos(self.0.load(Ordering::Relaxed))
    }
}

impl Default for InboundClock {
    fn default() -> Self {
        Self::new()
    }
}

/// The first bytes a server sent, kept until its SSH version line is seen, to tell a server that
/// closed before saying anything from one that does not speak SSH (both cores apply one rule).
#[derive(Default)]
pub struct Greeting {
    bytes: Vec<u8>,
    done: bool,
}

impl Greeting {
    const KEEP: usize = 8 * 1024;

    fn feed(&mut self, data: &[u8]) {
        if self.done {
            return;
        }
        let room = Self::KEEP.saturating_sub(self.bytes.len());
        self.bytes.extend_from_slice(&data[..data.len().min(room)]);
        if self.ident_seen() || self.bytes.len() >= Self::KEEP {
            self.done = true;
        }
    }

    fn ident_seen(&self) -> bool {
        self.bytes.split(|b| *b == b'\n').any(|line| line.starts_with(b"SSH-"))
    }

    /// A connection that ended before the version line is the server closing it, whatever it
    /// said first (RFC 4253 lets a server send other lines before its version; sshd past
    /// MaxStartups says "Exceeded MaxStartups", an HTTP server its status line): the message
    /// shows what it said. A reset after text counts too. Other errors stay as they are.
    pub fn explain(&self, err: CoreError, addr: &str) -> CoreError {
        let ended = match &err {
            CoreError::DisconnectedByServer { .. } => true,
            CoreError::ConnectionReset { .. } => !self.bytes.is_empty(),
            _ => false,
        };
        if self.ident_seen() || !ended {
            return err;
        }
        let detail = if self.bytes.is_empty() {
            " before sending its SSH version".to_string()
        } else {
            let shown: String = String::from_utf8_lossy(&self.bytes).chars().take(60).collect();
            format!(" before sending its SSH version; it said {:?}", shown.trim_end())
        };
        CoreError::DisconnectedByServer { addr: addr.to_string(), detail }
    }
}

/// What one read of the socket asks for at most when russh asks for less.
const READ_AHEAD: usize = 4 * 1024;

/// The TCP stream under a connection. It notes when bytes arrive for the health check, and reads
/// ahead: russh reads each packet as two exact reads (its length, then the rest), so a small packet
/// cost two `read` calls and, since neither came up short, a third that only learnt the socket was
/// drained. Reading up to `READ_AHEAD` at once serves both from memory and comes up short, so tokio
/// waits for the socket instead of trying it again. A read at least that large goes straight to
/// the socket, so a bulk transfer's packets are not copied once more.
pub struct MeteredStream {
    inner: TcpStream,
    inbound: Arc<InboundClock>,
    /// Until the server's version line is seen; dropped then, so reads take no lock afterwards.
    greeting: Option<Arc<Mutex<Greeting>>>,
    /// Bytes read from the socket and not yet handed to russh: `ahead[start..end]`.
    ahead: Box<[u8]>,
    start: usize,
    end: usize,
}

impl MeteredStream {
    fn new(inner: TcpStream, inbound: Arc<InboundClock>, greeting: Arc<Mutex<Greeting>>) -> Self {
        MeteredStream {
            inner,
            inbound,
            greeting: Some(greeting),
            ahead: vec![0; READ_AHEAD].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }
}

/// Shows the bytes handed to russh to the greeting until the version line is among them.
fn greet(greeting: &mut Option<Arc<Mutex<Greeting>>>, handed: &[u8]) {
    let done = match greeting {
        Some(g) => g.lock().map_or(true, |mut g| {
            g.feed(handed);
            g.done
        }),
        None => return,
    };
    if done {
        *greeting = None;
    }
}

impl AsyncRead for MeteredStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if this.start == this.end {
            if buf.remaining() >= READ_AHEAD {
                let before = buf.filled().len();
                let r = Pin::new(&mut this.inner).poll_read(cx, buf);
                if buf.filled().len() > before {
                    this.inbound.mark();
                    greet(&mut this.greeting, &buf.filled()[before..]);
                }
                return r;
            }
            let mut ahead = ReadBuf::new(&mut this.ahead);
            match Pin::new(&mut this.inner).poll_read(cx, &mut ahead) {
                Poll::Ready(Ok(())) => {}
                other => return other,
            }
            let n = ahead.filled().len();
            if n == 0 {
                return Poll::Ready(Ok(())); // end of stream
            }
            this.inbound.mark();
            this.start = 0;
            this.end = n;
        }
        let n = buf.remaining().min(this.end - this.start);
        let (from, to) = (this.start, this.start + n);
        buf.put_slice(&this.ahead[from..to]);
        this.start = to;
        greet(&mut this.greeting, &this.ahead[from..to]);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for MeteredStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A live, authenticated connection.
pub struct Connection {
    pub handle: Handle<ClientHandler>,
    pub lost: Arc<LostSignal>,
    pub ctx: ErrorContext,
    /// When the last byte arrived (the health check watches it).
    pub inbound: Arc<InboundClock>,
    /// A second descriptor of the socket, to end the connection at once.
    killer: Option<std::net::TcpStream>,
    /// The session's bound on channel opens and requests.
    pub request_timeout: Duration,
}

impl Connection {
    /// The reason this connection ended, or the mapped error when it has not (yet) ended.
    pub fn explain(&self, e: &russh::Error) -> CoreError {
        self.lost.get().unwrap_or_else(|| self.ctx.map(e))
    }

    /// Sends a keepalive request that wants a reply (any reply counts as inbound traffic).
    pub async fn ping(&self) {
        let _ = tokio::time::timeout(Duration::from_millis(100), self.handle.send_keepalive(true)).await;
    }

    /// Ends the connection now, recording `reason` as why (unless it already ended).
    pub fn kill(&self, reason: CoreError) {
        self.lost.set(reason);
        if let Some(k) = &self.killer {
            let _ = k.shutdown(std::net::Shutdown::Both);
        }
    }
}

const STAGE_TCP: u8 = 0;
const STAGE_HANDSHAKE: u8 = 1;
const STAGE_AUTH: u8 = 2;

fn stage_name(stage: u8) -> &'static str {
    match stage {
        STAGE_TCP => "the TCP connect",
        STAGE_HANDSHAKE => "the SSH handshake",
        _ => "authentication",
    }
}

pub fn client_config(cfg: &SessionConfig, tuning: &PoolTuning) -> Result<russh::client::Config, CoreError> {
    let mut preferred = russh::Preferred::default();
    if let Some(names) = &cfg.ciphers {
        preferred.cipher = Cow::Owned(resolve_ciphers(names)?);
    }
    if let Some(names) = &cfg.kex {
        preferred.kex = Cow::Owned(resolve_kex(names)?);
    }
    Ok(russh::client::Config {
        window_size: tuning.window_bytes,
        maximum_packet_size: tuning.max_packet_bytes,
        channel_buffer_size: tuning.channel_buffer,
        // The session's own health check sends keepalives and judges the link (both cores alike).
        keepalive_interval: None,
        inactivity_timeout: None,
        nodelay: true,
        preferred,
        ..Default::default()
    })
}

/// What one connection attempt may use.
pub struct Attempt<'a> {
    pub tuning: &'a PoolTuning,
    pub pinned: PinnedKeys,
    /// The target's handshake slots (storm control); held until authenticated.
    pub handshakes: Arc<Semaphore>,
    /// Covers TCP connect, handshake and authentication, not the wait for a slot.
    pub timeout: Duration,
}

/// Opens and authenticates a connection. Key and option problems are reported before any
/// network traffic.
pub async fn connect(cfg: &SessionConfig, attempt: Attempt<'_>) -> Result<Connection, CoreError> {
    let key = load_private_key(&cfg.auth)?;
    let config = Arc::new(client_config(cfg, attempt.tuning)?);
    let ctx = ErrorContext {
        addr: cfg.addr(),
        keepalive_interval_ms: cfg.health.keepalive_interval.as_millis() as u64,
        keepalive_count_max: cfg.health.keepalive_count_max,
        host_key_refusal: Arc::new(Mutex::new(None)),
    };
    let _slot =
        attempt.handshakes.acquire_owned().await.map_err(|_| CoreError::Internal("handshake limiter closed".into()))?;
    let pinned = attempt.pinned;
    let stage = AtomicU8::new(STAGE_TCP);
    let inbound = Arc::new(InboundClock::new());
    let greeting = Arc::new(Mutex::new(Greeting::default()));
    let attempt_fut = async {
        let stream = TcpStream::connect((cfg.host.as_str(), cfg.port)).await.map_err(|e| map_io(&e, &ctx.addr))?;
        let _ = stream.set_nodelay(true);
        let killer = stream.as_fd().try_clone_to_owned().ok().map(std::net::TcpStream::from);
        let stream = MeteredStream::new(stream, Arc::clone(&inbound), Arc::clone(&greeting));
        stage.store(STAGE_HANDSHAKE, Ordering::Relaxed);
        let lost = Arc::new(LostSignal::default());
        let handler = ClientHandler {
            verifier: HostKeyVerifier {
                policy: cfg.host_key.clone(),
                host: cfg.host_key_alias.as_ref().map_or_else(|| cfg.host.clone(), |(h, _)| h.clone()),
                port: cfg.host_key_alias.as_ref().map_or(cfg.port, |(_, p)| *p),
                pinned,
            },
            ctx: ctx.clone(),
            lost: Arc::clone(&lost),
        };
        let mut handle = russh::client::connect_stream(config, stream, handler).await.map_err(|e| {
            let err = ctx.map(&e);
            greeting.lock().map(|g| g.explain(err.clone(), &ctx.addr)).unwrap_or(err)
        })?;
        stage.store(STAGE_AUTH, Ordering::Relaxed);
        let conn_err = |e: russh::Error| lost.get().unwrap_or_else(|| ctx.map(&e));
        let result = match (&cfg.auth, key) {
            (AuthConfig::Password(password), _) => {
                handle.authenticate_password(cfg.username.clone(), password.clone()).await.map_err(conn_err)?
            }
            (AuthConfig::PrivateKey { .. }, Some(key)) => {
                let hash = if key.algorithm().is_rsa() {
                    handle.best_supported_rsa_hash().await.map_err(conn_err)?.flatten()
                } else {
                    None
                };
                handle
                    .authenticate_publickey(cfg.username.clone(), PrivateKeyWithHashAlg::new(key, hash))
                    .await
                    .map_err(conn_err)?
            }
            (AuthConfig::PrivateKey { .. }, None) => {
                return Err(CoreError::Internal("private key missing after loading".into()))
            }
        };
        if !result.success() {
            let _ = handle.disconnect(russh::Disconnect::ByApplication, "", "").await;
            return Err(CoreError::AuthFailed {
                user: cfg.username.clone(),
                addr: ctx.addr.clone(),
                method: cfg.auth.method_name(),
            });
        }
        Ok(Connection {
            handle,
            lost,
            ctx: ctx.clone(),
            inbound: Arc::clone(&inbound),
            killer,
            request_timeout: cfg.request_timeout,
        })
    };
    match tokio::time::timeout(attempt.timeout, attempt_fut).await {
        Ok(result) => result,
        Err(_) => Err(CoreError::ConnectTimeout {
            addr: ctx.addr.clone(),
            stage: stage_name(stage.load(Ordering::Relaxed)),
            timeout_ms: attempt.timeout.as_millis() as u64,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// The read-ahead hands russh every byte once and in order, whatever the sizes on either side
    /// (reads smaller, equal to and larger than `READ_AHEAD`, writes that split and join them), and
    /// shows the greeting only what it handed over, up to the version line.
    #[tokio::test]
    async fn read_ahead_hands_over_every_byte_in_order() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut sent = b"a banner line\r\nSSH-2.0-test\r\n".to_vec();
        sent.extend((0..200_000u32).map(|i| (i * 7 + i / 251) as u8));
        let to_send = sent.clone();
        let server = tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut at = 0;
            for (i, size) in [5usize, 31, 4096, 1, 9000, 70_000, 3, 4095, 4097].iter().cycle().enumerate() {
                if at == to_send.len() {
                    break;
                }
                let end = (at + size).min(to_send.len());
                sock.write_all(&to_send[at..end]).await.unwrap();
                at = end;
                if i % 3 == 0 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        });
        let inbound = Arc::new(InboundClock::new());
        let greeting = Arc::new(Mutex::new(Greeting::default()));
        let tcp = TcpStream::connect(addr).await.unwrap();
        let mut stream = MeteredStream::new(tcp, Arc::clone(&inbound), Arc::clone(&greeting));
        let mut got = Vec::new();
        for size in [4usize, 1, 12, 4096, 100, 5000, 4, 20_000, 4095, 3, 64 * 1024].iter().cycle() {
            let want = (*size).min(sent.len() - got.len());
            if want == 0 {
                break;
            }
            let mut part = vec![0u8; want];
            stream.read_exact(&mut part).await.unwrap();
            got.extend_from_slice(&part);
        }
        assert_eq!(got.len(), sent.len());
        assert!(got == sent, "bytes differ from what the server sent");
        let mut rest = [0u8; 16];
        assert_eq!(stream.read(&mut rest).await.unwrap(), 0, "end of stream after the last byte");
        server.await.unwrap();
        assert!(stream.greeting.is_none(), "the greeting is let go once the version line was handed over");
        let g = greeting.lock().unwrap();
        assert!(g.done && g.ident_seen());
        assert!(g.bytes.starts_with(b"a banner line\r\nSSH-2.0-test"));
        assert!(g.bytes.len() <= Greeting::KEEP);
    }
}
