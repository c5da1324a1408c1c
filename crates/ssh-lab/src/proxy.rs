//! The fault proxy: TCP routes in front of a target. Each route listens on its own loopback port
//! and forwards to the target; the lab switches routes and their connections between modes to
//! inject faults. Contract: no byte is dropped unless dropping is the fault (Blackhole), and every
//! wait (Hold) ends when the mode changes.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

use crate::listener::{bind_reusing, AcceptSlot};

/// What a connection does with the bytes it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkMode {
    /// Forward (after any shaping).
    Pass,
    /// Stop reading and hold what was read; released when the mode changes (a stall).
    Hold,
    /// Read and discard, keep the connection open (packets lost for good).
    Blackhole,
}

/// Degradation applied to forwarded bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Shaping {
    /// Added before each forwarded chunk.
    pub latency: Duration,
    /// Bytes per second, both ways each; None is unlimited.
    pub rate_bytes_per_s: Option<u64>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct RouteStats {
    pub connections_accepted: u64,
    pub connections_active: u64,
    pub bytes_to_target: u64,
    pub bytes_from_target: u64,
}

struct Conn {
    mode: watch::Sender<LinkMode>,
    reset: Arc<Notify>,
}

#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    active: AtomicU64,
    up: AtomicU64,
    down: AtomicU64,
}

struct RouteShared {
    upstream: Mutex<SocketAddr>,
    new_mode: Mutex<LinkMode>,
    shaping: watch::Sender<Shaping>,
    conns: Mutex<HashMap<u64, Conn>>,
    next_conn: AtomicU64,
    counters: Counters,
}

/// One listening port forwarding to one target.
pub struct Route {
    local_addr: SocketAddr,
    shared: Arc<RouteShared>,
    accept_task: AcceptSlot,
}

impl Route {
    /// Listens on `listen` (port 0: a free one) and forwards every connection to `upstream`.
    pub async fn start(listen: SocketAddr, upstream: SocketAddr) -> std::io::Result<Route> {
        let listener = TcpListener::bind(listen).await?;
        let local_addr = listener.local_addr()?;
        let (shaping, _) = watch::channel(Shaping::default());
        let shared = Arc::new(RouteShared {
            upstream: Mutex::new(upstream),
            new_mode: Mutex::new(LinkMode::Pass),
            shaping,
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            counters: Counters::default(),
        });
        let route = Route { local_addr, shared, accept_task: AcceptSlot::default() };
        route.spawn_accept(listener);
        Ok(route)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn upstream(&self) -> SocketAddr {
        self.shared.upstream.lock().map(|u| *u).unwrap_or(self.local_addr)
    }

    /// Connections accepted from now on go to `upstream` (a server replaced behind the same name).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        if let Ok(mut u) = self.shared.upstream.lock() {
            *u = upstream;
        }
    }

    fn spawn_accept(&self, listener: TcpListener) {
        self.accept_task.run(tokio::spawn(accept_loop(listener, Arc::clone(&self.shared))));
    }

    /// New connections are refused (the port is closed) until `resume_listening`.
    pub fn stop_listening(&self) {
        self.accept_task.stop();
    }

    pub async fn resume_listening(&self) -> std::io::Result<()> {
        self.spawn_accept(bind_reusing(self.local_addr)?);
        Ok(())
    }

    /// Switches live connections now in mode `from` (any, when None) to `to`; returns how many.
    pub fn set_existing(&self, from: Option<LinkMode>, to: LinkMode) -> usize {
        let Ok(conns) = self.shared.conns.lock() else { return 0 };
        let mut n = 0;
        for conn in conns.values() {
            if from.is_none_or(|f| *conn.mode.borrow() == f) {
                conn.mode.send_replace(to);
                n += 1;
            }
        }
        n
    }

    /// The mode connections accepted from now on start in.
    pub fn set_new(&self, mode: LinkMode) {
        if let Ok(mut m) = self.shared.new_mode.lock() {
            *m = mode;
        }
    }

    /// Resets (RST) every live connection, both sides; returns how many.
    pub fn reset_existing(&self) -> usize {
        let Ok(conns) = self.shared.conns.lock() else { return 0 };
        for conn in conns.values() {
            conn.reset.notify_one();
        }
        conns.len()
    }

    pub fn set_shaping(&self, shaping: Shaping) {
        self.shared.shaping.send_replace(shaping);
    }

    pub fn stats(&self) -> RouteStats {
        let c = &self.shared.counters;
        RouteStats {
            connections_accepted: c.accepted.load(Ordering::Relaxed),
            connections_active: c.active.load(Ordering::Relaxed),
            bytes_to_target: c.up.load(Ordering::Relaxed),
            bytes_from_target: c.down.load(Ordering::Relaxed),
        }
    }

    /// Stops listening and resets every connection.
    pub fn close(&self) {
        self.stop_listening();
        self.reset_existing();
    }
}

impl Drop for Route {
    fn drop(&mut self) {
        self.close();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<RouteShared>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = client.set_nodelay(true);
        shared.counters.accepted.fetch_add(1, Ordering::Relaxed);
        let mode = shared.new_mode.lock().map(|m| *m).unwrap_or(LinkMode::Pass);
        let (mode_tx, mode_rx) = watch::channel(mode);
        let reset = Arc::new(Notify::new());
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut conns) = shared.conns.lock() {
            conns.insert(id, Conn { mode: mode_tx, reset: Arc::clone(&reset) });
        }
        let conn_shared = Arc::clone(&shared);
        tokio::spawn(async move {
            conn_shared.counters.active.fetch_add(1, Ordering::Relaxed);
            run_conn(client, &conn_shared, mode_rx, reset).await;
            conn_shared.counters.active.fetch_sub(1, Ordering::Relaxed);
            if let Ok(mut conns) = conn_shared.conns.lock() {
                conns.remove(&id);
            }
        });
    }
}

async fn run_conn(mut client: TcpStream, shared: &RouteShared, mode: watch::Receiver<LinkMode>, reset: Arc<Notify>) {
    let target = match shared.upstream.lock() {
        Ok(u) => *u,
        Err(_) => return,
    };
    let mut upstream = tokio::select! {
        r = TcpStream::connect(target) => match r {
            Ok(s) => s,
            Err(_) => {
                let _ = client.set_zero_linger();
                return;
            }
        },
        () = reset.notified() => {
            let _ = client.set_zero_linger();
            return;
        }
    };
    let _ = upstream.set_nodelay(true);
    let was_reset = {
        let (mut cr, mut cw) = client.split();
        let (mut ur, mut uw) = upstream.split();
        let up = pump(&mut cr, &mut uw, mode.clone(), shared.shaping.subscribe(), &shared.counters.up);
        let down = pump(&mut ur, &mut cw, mode, shared.shaping.subscribe(), &shared.counters.down);
        tokio::select! {
            _ = async { tokio::join!(up, down) } => false,
            () = reset.notified() => true,
        }
    };
    if was_reset {
        let _ = client.set_zero_linger();
        let _ = upstream.set_zero_linger();
    }
}

async fn pump(
    src: &mut tokio::net::tcp::ReadHalf<'_>,
    dst: &mut tokio::net::tcp::WriteHalf<'_>,
    mut mode: watch::Receiver<LinkMode>,
    shaping: watch::Receiver<Shaping>,
    counter: &AtomicU64,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        // While held, read nothing: the peer's TCP window fills as on a stalled link.
        while *mode.borrow_and_update() == LinkMode::Hold {
            if mode.changed().await.is_err() {
                return;
            }
        }
        let n = match src.read(&mut buf).await {
            Ok(0) | Err(_) => {
                let _ = dst.shutdown().await;
                return;
            }
            Ok(n) => n,
        };
        loop {
            let now = *mode.borrow_and_update();
            match now {
                LinkMode::Hold => {
                    if mode.changed().await.is_err() {
                        return;
                    }
                }
                LinkMode::Blackhole => break,
                LinkMode::Pass => {
                    let s = *shaping.borrow();
                    if !s.latency.is_zero() {
                        tokio::time::sleep(s.latency).await;
                    }
                    if let Some(rate) = s.rate_bytes_per_s.filter(|r| *r > 0) {
                        tokio::time::sleep(Duration::from_secs_f64(n as f64 / rate as f64)).await;
                    }
                    if dst.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                    counter.fetch_add(n as u64, Ordering::Relaxed);
                    break;
                }
            }
        }
    }
}
