//! The fault proxy's modes against a plain TCP echo server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ssh_lab::proxy::{LinkMode, Route, Shaping};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{timeout, Instant};

async fn echo_server() -> std::net::SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n) = s.read(&mut buf).await {
                    if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

async fn route() -> Route {
    Route::start("127.0.0.1:0".parse().unwrap(), echo_server().await).await.unwrap()
}

async fn roundtrip(s: &mut TcpStream, msg: &[u8], wait: Duration) -> Option<Vec<u8>> {
    s.write_all(msg).await.unwrap();
    let mut buf = vec![0u8; msg.len()];
    match timeout(wait, s.read_exact(&mut buf)).await {
        Ok(Ok(_)) => Some(buf),
        _ => None,
    }
}

#[tokio::test]
async fn passes_bytes_both_ways() {
    let r = route().await;
    let mut s = TcpStream::connect(r.local_addr()).await.unwrap();
    assert_eq!(roundtrip(&mut s, b"hello", Duration::from_secs(2)).await.as_deref(), Some(&b"hello"[..]));
    assert_eq!(r.stats().connections_active, 1);
}

#[tokio::test]
async fn a_hold_delays_bytes_until_healed_and_loses_none() {
    let r = route().await;
    let mut s = TcpStream::connect(r.local_addr()).await.unwrap();
    roundtrip(&mut s, b"warm", Duration::from_secs(2)).await.unwrap();
    assert_eq!(r.set_existing(None, LinkMode::Hold), 1);
    assert_eq!(roundtrip(&mut s, b"held", Duration::from_millis(300)).await, None);
    let healed = Instant::now();
    r.set_existing(Some(LinkMode::Hold), LinkMode::Pass);
    let mut buf = [0u8; 4];
    timeout(Duration::from_secs(2), s.read_exact(&mut buf)).await.unwrap().unwrap();
    assert_eq!(&buf, b"held");
    assert!(healed.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_blackhole_drops_bytes_but_keeps_the_connection_open() {
    let r = route().await;
    let mut s = TcpStream::connect(r.local_addr()).await.unwrap();
    roundtrip(&mut s, b"warm", Duration::from_secs(2)).await.unwrap();
    assert_eq!(r.set_existing(None, LinkMode::Blackhole), 1);
    assert_eq!(roundtrip(&mut s, b"lost", Duration::from_millis(300)).await, None);
    r.set_existing(None, LinkMode::Pass);
    // What was sent during the blackhole is gone for good; new bytes flow again.
    assert_eq!(roundtrip(&mut s, b"next", Duration::from_secs(2)).await.as_deref(), Some(&b"next"[..]));
}

#[tokio::test]
async fn new_connections_start_in_the_mode_set_for_them() {
    let r = route().await;
    r.set_new(LinkMode::Hold);
    let mut s = TcpStream::connect(r.local_addr()).await.unwrap();
    assert_eq!(roundtrip(&mut s, b"wait", Duration::from_millis(300)).await, None);
    r.set_new(LinkMode::Pass);
    r.set_existing(Some(LinkMode::Hold), LinkMode::Pass);
    let mut buf = [0u8; 4];
    timeout(Duration::from_secs(2), s.read_exact(&mut buf)).await.unwrap().unwrap();
    assert_eq!(&buf, b"wait");
}

#[tokio::test]
async fn a_reset_sends_rst() {
    let r = route().await;
    let mut s = TcpStream::connect(r.local_addr()).await.unwrap();
    roundtrip(&mut s, b"warm", Duration::from_secs(2)).await.unwrap();
    assert_eq!(r.reset_existing(), 1);
    let mut buf = [0u8; 8];
    let got = timeout(Duration::from_secs(2), s.read(&mut buf)).await.unwrap();
    assert_eq!(got.map_err(|e| e.kind()), Err(std::io::ErrorKind::ConnectionReset));
}

#[tokio::test]
async fn a_stopped_listener_refuses_and_comes_back() {
    let r = route().await;
    r.stop_listening();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let err = TcpStream::connect(r.local_addr()).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    r.resume_listening().await.unwrap();
    let mut s = TcpStream::connect(r.local_addr()).await.unwrap();
    assert!(roundtrip(&mut s, b"back", Duration::from_secs(2)).await.is_some());
}

#[tokio::test]
async fn shaping_adds_latency() {
    let r = route().await;
    r.set_shaping(Shaping { latency: Duration::from_millis(100), rate_bytes_per_s: None });
    let mut s = TcpStream::connect(r.local_addr()).await.unwrap();
    let t = Instant::now();
    roundtrip(&mut s, b"slow", Duration::from_secs(2)).await.unwrap();
    // one delay each way
    assert!(t.elapsed() >= Duration::from_millis(200), "{:?}", t.elapsed());
}
