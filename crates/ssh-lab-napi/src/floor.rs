//! The crypto floor for bench:compare: what opening SSH-packet-sized blocks costs on this CPU
//! with the same crypto library russh uses (aws-lc), and nothing else: no socket, no SSH framing,
//! no channel, no JS hop. Each round copies the sealed block into place (as a socket read copies
//! every byte) and opens it; a core can get close to this figure but not below it.
//!
//! The socket floor adds what no core can avoid either: the same sealed blocks arrive over a
//! loopback TCP connection (written by a thread of its own) and the reading thread copies each out
//! of the kernel before opening it. Only the reading thread's CPU time counts.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use aws_lc_rs::aead::{self, chacha20_poly1305_openssh as openssh, Aad, LessSafeKey, Nonce, UnboundKey};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::bad_option;

enum Opener {
    Gcm(LessSafeKey, Vec<u8>),
    ChaCha(Box<openssh::OpeningKey>, [u8; openssh::TAG_LEN]),
}

fn fail(what: &str) -> napi::Error {
    napi::Error::new(Status::GenericFailure, format!("[INTERNAL] crypto floor: {what}"))
}

fn sealed(cipher: &str, block: usize) -> Result<(Opener, Vec<u8>)> {
    let mut data = vec![0x5a_u8; block];
    let gcm = match cipher {
        "aes128-gcm@openssh.com" => Some(&aead::AES_128_GCM),
        "aes256-gcm@openssh.com" => Some(&aead::AES_256_GCM),
        "chacha20-poly1305@openssh.com" => None,
        other => return Err(bad_option(format!("no crypto floor for cipher '{other}'"))),
    };
    if let Some(alg) = gcm {
        let key_bytes = vec![7u8; alg.key_len()];
        let key = || UnboundKey::new(alg, &key_bytes).map(LessSafeKey::new).map_err(|_| fail("key"));
        let tag = key()?
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key([1; 12]), Aad::from([0u8; 4]), &mut data)
            .map_err(|_| fail("seal"))?;
        Ok((Opener::Gcm(key()?, tag.as_ref().to_vec()), data))
    } else {
        let key_bytes = [9u8; openssh::KEY_LEN];
        let mut tag = [0u8; openssh::TAG_LEN];
        openssh::SealingKey::new(&key_bytes).seal_in_place(3, &mut data, &mut tag);
        Ok((Opener::ChaCha(Box::new(openssh::OpeningKey::new(&key_bytes)), tag), data))
    }
}

impl Opener {
    fn open(&self, work: &mut [u8]) -> Result<()> {
        match self {
            Opener::Gcm(key, tag) => key
                .open_in_place_separate_tag(Nonce::assume_unique_for_key([1; 12]), Aad::from([0u8; 4]), tag, work)
                .map(|_| ())
                .map_err(|_| fail("open")),
            Opener::ChaCha(key, tag) => key.open_in_place(3, work, tag).map(|_| ()).map_err(|_| fail("open")),
        }
    }
}

/// Opens `blockBytes`-sized sealed blocks of `cipher` for about `seconds` on the calling thread
/// and returns how many bytes it opened; the caller times it with its own CPU clock.
#[napi(catch_unwind)]
pub fn crypto_floor(cipher: String, block_bytes: u32, seconds: f64) -> Result<f64> {
    let block = (block_bytes as usize).clamp(64, 1 << 20);
    let (opener, sealed) = sealed(&cipher, block)?;
    let mut work = vec![0u8; block];
    let mut bytes = 0u64;
    let started = Instant::now();
    while started.elapsed().as_secs_f64() < seconds {
        for _ in 0..16 {
            work.copy_from_slice(&sealed);
            opener.open(&mut work)?;
            bytes += block as u64;
        }
    }
    Ok(bytes as f64)
}

/// What the socket floor measured: bytes read and opened, and the reading thread's CPU and wall time.
#[napi(object)]
pub struct SocketFloor {
    pub bytes: f64,
    pub cpu_ms: f64,
    pub wall_ms: f64,
}

/// CPU time of the calling thread, in ms.
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec into memory we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return f64::NAN;
    }
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

/// Reads `blockBytes`-sized sealed blocks of `cipher` off a loopback TCP connection for about
/// `seconds` and opens each, on the calling thread; a second thread writes them. Returns the
/// calling thread's own CPU time, so the writer's does not count.
#[napi(catch_unwind)]
pub fn socket_floor(cipher: String, block_bytes: u32, seconds: f64) -> Result<SocketFloor> {
    let block = (block_bytes as usize).clamp(64, 1 << 20);
    let (opener, sealed) = sealed(&cipher, block)?;
    let io = |what: &str, e: std::io::Error| fail(&format!("{what}: {e}"));
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| io("bind", e))?;
    let addr = listener.local_addr().map_err(|e| io("local address", e))?;
    let stop = Arc::new(AtomicBool::new(false));
    let writer_stop = Arc::clone(&stop);
    let writer = std::thread::spawn(move || {
        if let Ok(mut s) = TcpStream::connect(addr) {
            // Ends when the reader closes its side (the write fails) or says stop.
            while !writer_stop.load(Ordering::Relaxed) && s.write_all(&sealed).is_ok() {}
        }
    });
    let measured = (|| {
        let (mut rx, _) = listener.accept().map_err(|e| io("accept", e))?;
        let mut work = vec![0u8; block];
        let mut bytes = 0u64;
        let cpu0 = thread_cpu_ms();
        let started = Instant::now();
        while started.elapsed().as_secs_f64() < seconds {
            for _ in 0..16 {
                rx.read_exact(&mut work).map_err(|e| io("read", e))?;
                opener.open(&mut work)?;
                bytes += block as u64;
            }
        }
        Ok(SocketFloor {
            bytes: bytes as f64,
            cpu_ms: thread_cpu_ms() - cpu0,
            wall_ms: started.elapsed().as_secs_f64() * 1e3,
        })
    })();
    stop.store(true, Ordering::Relaxed);
    // A connection never accepted is reset with the listener, so the writer cannot block on it.
    drop(listener);
    let _ = writer.join();
    measured
}
