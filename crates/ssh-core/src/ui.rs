//! A direct way from shells to a UI process, with no JS hop (the plan's RISK-4, architecture 3):
//! a routed shell's output goes from the runtime thread straight onto a Unix socket the UI process
//! listens on, and the UI's keys come back on it and go straight into their shell. Only control
//! and state events still go through JS.
//!
//! The socket carries the frames of `src/ui/frames.ts`: `u32 length | u8 type | u32 session |
//! payload`, big-endian. This side sends data (raw bytes) and reopen frames; the UI sends key
//! (the key's UTF-8) and ack (`u32` bytes drawn) frames. Anything else, or a frame above
//! [`FRAME_MAX_BYTES`], ends the link: the stream is out of step.
//!
//! Flow control is xterm.js's, as the JS relay's (`src/ui/flow.ts`): per session, bytes sent and
//! not yet acked as drawn; above [`HIGH_WATERMARK_BYTES`] the session should pause until they fall
//! below [`LOW_WATERMARK_BYTES`]. Pausing holds the routed shell's channel window
//! ([`Shell::request_paused`]), so the server stops sending on that channel once the window it has is
//! used; the output already on its way (at most that window) waits here, in order with a reopen,
//! and goes on when the UI has drawn enough, as a paused JS shell keeps it for the relay. A session
//! with no shell routed cannot pause: its output goes on, and the link counts those pauses as
//! unavailable, as the relay does.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::UnixStream;
use tokio::sync::mpsc;

use crate::error::CoreError;
use crate::shell::{PauseBy, Shell};

/// Bytes before a frame's payload: length, type and session.
pub const FRAME_HEADER_BYTES: usize = 9;
/// The largest length field either side sends or accepts: 1 MiB.
pub const FRAME_MAX_BYTES: usize = 1024 * 1024;
/// The most payload a frame carries: the length field counts the type and session too.
const MAX_PAYLOAD_BYTES: usize = FRAME_MAX_BYTES - (FRAME_HEADER_BYTES - 4);
/// The flow gate's marks, the JS relay's defaults.
pub const HIGH_WATERMARK_BYTES: u64 = 1024 * 1024;
pub const LOW_WATERMARK_BYTES: u64 = 256 * 1024;

const DATA: u8 = 1;
const REOPEN: u8 = 2;
const KEY: u8 = 17;
const ACK: u8 = 18;
/// What the writer buffers before a write to the socket.
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

/// What a link did, as the JS relay counts it (`RelayStats`), plus its own queue.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UiLinkStats {
    pub bytes_sent: u64,
    pub frames_sent: u64,
    /// Most bytes sent and not yet acked as drawn, over every session at one time.
    pub peak_unacked_bytes: u64,
    /// Times a session went above the high watermark, and how many of those it could not pause
    /// (no shell routed to it).
    pub pauses: u64,
    pub pauses_unavailable: u64,
    pub keys_typed: u64,
    /// Keys for a session with no shell routed, or whose shell refused them (reconnecting).
    pub keys_lost: u64,
    /// Most bytes waiting for the socket at one time.
    pub peak_queued_bytes: u64,
    /// Why the link ended, when it ended by a failure.
    pub error: Option<String>,
}

enum Out {
    Frame { code: u8, session: u32, bytes: Vec<u8> },
    Close,
}

#[derive(Default)]
struct Route {
    shell: Option<Shell>,
    unacked: u64,
    /// Above the high watermark, not yet below the low one.
    paused: bool,
    /// The pause was made (a shell was routed): output waits in `held` until the UI draws enough.
    holding: bool,
    /// Frames (type and payload) that came while holding, in order.
    held: VecDeque<(u8, Vec<u8>)>,
}

#[derive(Default)]
struct State {
    routes: HashMap<u32, Route>,
    unacked: u64,
    queued: u64,
    stats: UiLinkStats,
}

pub struct UiLink {
    out: mpsc::UnboundedSender<Out>,
    state: Mutex<State>,
    ended: AtomicBool,
    reader: tokio::task::AbortHandle,
}

fn bad_frame(why: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why)
}

impl UiLink {
    /// Connects to the UI process's socket at `path` within `timeout`.
    pub async fn connect(path: &str, timeout: Duration) -> Result<Arc<UiLink>, CoreError> {
        if path.is_empty() {
            return Err(CoreError::BadOption("a UI link needs the path of the UI's socket".into()));
        }
        let addr = format!("unix:{path}");
        let stream = match tokio::time::timeout(timeout, UnixStream::connect(path)).await {
            Err(_) => {
                return Err(CoreError::ConnectTimeout {
                    addr,
                    stage: "UI socket",
                    timeout_ms: timeout.as_millis() as u64,
                })
            }
            Ok(Err(e)) if matches!(e.kind(), std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound) => {
                return Err(CoreError::ConnectionRefused { addr })
            }
            Ok(Err(e)) => return Err(CoreError::HostUnreachable { addr, reason: e.to_string() }),
            Ok(Ok(s)) => s,
        };
        let (read, write) = stream.into_split();
        let (out, out_rx) = mpsc::unbounded_channel();
        Ok(Arc::new_cyclic(|me: &std::sync::Weak<UiLink>| {
            let reader = tokio::spawn(read_frames(read, me.clone())).abort_handle();
            tokio::spawn(write_frames(write, out_rx, me.clone()));
            UiLink { out, state: Mutex::new(State::default()), ended: AtomicBool::new(false), reader }
        }))
    }

    /// Keys the UI types into `session` go to `shell`; its output comes here through [`Self::data`].
    pub fn route(&self, session: u32, shell: Shell) {
        if self.is_ended() {
            return;
        }
        if let Ok(mut s) = self.state.lock() {
            let route = s.routes.entry(session).or_default();
            if route.holding {
                // A new shell for a session the link holds: the pause moves to it.
                shell.request_paused(PauseBy::UiLink, true);
                if let Some(old) = route.shell.take() {
                    old.request_paused(PauseBy::UiLink, false);
                }
            }
            route.shell = Some(shell);
        }
    }

    /// The session's shell ended: keys for it are lost from now on.
    pub fn unroute(&self, session: u32) {
        if let Ok(mut s) = self.state.lock() {
            if let Some(r) = s.routes.get_mut(&session) {
                r.shell = None;
            }
        }
    }

    /// Output of `session`, on to the UI. Never blocks: the bytes queue for the socket, or wait
    /// behind the session's pause.
    pub fn data(&self, session: u32, bytes: Vec<u8>) {
        if !bytes.is_empty() {
            self.frame(session, DATA, bytes);
        }
    }

    /// `session`'s remote shell is new: the UI starts its stream check afresh.
    pub fn reopen(&self, session: u32) {
        self.frame(session, REOPEN, b"{}".to_vec());
    }

    fn frame(&self, session: u32, code: u8, bytes: Vec<u8>) {
        if self.is_ended() {
            return;
        }
        let Ok(mut guard) = self.state.lock() else { return };
        let route = guard.routes.entry(session).or_default();
        if route.holding || !route.held.is_empty() {
            route.held.push_back((code, bytes));
            return;
        }
        self.send(&mut guard, session, code, bytes);
    }

    /// Queues a frame for the socket (under the state's lock, so a session's frames keep their
    /// order, and pauses and resumes are asked for in the order they were decided), counting a
    /// data frame into the gate, which pauses the session's shell above the high watermark.
    fn send(&self, s: &mut State, session: u32, code: u8, bytes: Vec<u8>) {
        if code == DATA {
            let n = bytes.len() as u64;
            s.stats.bytes_sent += n;
            s.stats.frames_sent += bytes.len().div_ceil(MAX_PAYLOAD_BYTES) as u64;
            s.unacked += n;
            s.stats.peak_unacked_bytes = s.stats.peak_unacked_bytes.max(s.unacked);
            s.queued += n;
            s.stats.peak_queued_bytes = s.stats.peak_queued_bytes.max(s.queued);
            let route = s.routes.entry(session).or_default();
            route.unacked += n;
            if !route.paused && route.unacked > HIGH_WATERMARK_BYTES {
                route.paused = true;
                s.stats.pauses += 1;
                match &route.shell {
                    Some(shell) if shell.request_paused(PauseBy::UiLink, true) => route.holding = true,
                    _ => s.stats.pauses_unavailable += 1,
                }
            }
        }
        let _ = self.out.send(Out::Frame { code, session, bytes });
    }

    pub fn stats(&self) -> UiLinkStats {
        self.state.lock().map(|s| s.stats.clone()).unwrap_or_default()
    }

    pub fn is_ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }

    /// Sends what is queued, then closes the socket. Later output is dropped, and the link lets go
    /// of its shells (a routed shell's sink holds the link: the two would keep each other alive).
    pub fn close(&self) {
        self.forget_shells();
        if !self.ended.swap(true, Ordering::SeqCst) {
            let _ = self.out.send(Out::Close);
        }
    }

    fn fail(&self, why: String) {
        if let Ok(mut s) = self.state.lock() {
            s.stats.error.get_or_insert(why);
        }
        self.forget_shells();
        self.ended.store(true, Ordering::SeqCst);
        self.reader.abort();
        let _ = self.out.send(Out::Close);
    }

    /// Lets go of the routed shells; one the link paused is released first (its output has
    /// nowhere to go now, but its remote end must not stay blocked).
    fn forget_shells(&self) {
        if let Ok(mut s) = self.state.lock() {
            for r in s.routes.values_mut() {
                if let (true, Some(shell)) = (std::mem::take(&mut r.holding), r.shell.take()) {
                    shell.request_paused(PauseBy::UiLink, false);
                }
                r.held.clear();
            }
        }
    }

    fn written(&self, n: usize) {
        if let Ok(mut s) = self.state.lock() {
            s.queued = s.queued.saturating_sub(n as u64);
        }
    }

    fn key(&self, session: u32, key: &[u8]) {
        let Ok(mut s) = self.state.lock() else { return };
        s.stats.keys_typed += 1;
        let shell = s.routes.get(&session).and_then(|r| r.shell.clone());
        let written = shell.is_some_and(|sh| sh.write(key.to_vec()).is_ok());
        if !written {
            s.stats.keys_lost += 1;
        }
    }

    fn acked(&self, session: u32, bytes: u64) -> Result<(), String> {
        let Ok(mut guard) = self.state.lock() else { return Ok(()) };
        let s = &mut *guard;
        let Some(route) = s.routes.get_mut(&session) else {
            return Err(format!("the UI acked {bytes} bytes of session {session}, which was sent none"));
        };
        if bytes > route.unacked {
            return Err(format!(
                "the UI acked {bytes} bytes of session {session}, which has {} bytes unacked",
                route.unacked
            ));
        }
        route.unacked -= bytes;
        s.unacked -= bytes;
        if !(route.paused && route.unacked < LOW_WATERMARK_BYTES) {
            return Ok(());
        }
        route.paused = false;
        let was_holding = std::mem::take(&mut route.holding);
        // What waited goes on, in order, until it takes the session above the mark again (the
        // shell then stays paused).
        let mut repaused = false;
        while let Some((code, frame)) = s.routes.get_mut(&session).and_then(|r| r.held.pop_front()) {
            self.send(s, session, code, frame);
            if s.routes.get(&session).is_some_and(|r| r.holding) {
                repaused = true;
                break;
            }
        }
        if was_holding && !repaused {
            if let Some(shell) = s.routes.get(&session).and_then(|r| r.shell.as_ref()) {
                shell.request_paused(PauseBy::UiLink, false);
            }
        }
        Ok(())
    }
}

impl Drop for UiLink {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Writes queued frames, flushing when the queue runs dry; ends on close or a failed write.
async fn write_frames(
    write: tokio::net::unix::OwnedWriteHalf,
    mut out: mpsc::UnboundedReceiver<Out>,
    link: std::sync::Weak<UiLink>,
) {
    let mut w = BufWriter::with_capacity(WRITE_BUFFER_BYTES, write);
    let result: std::io::Result<()> = async {
        loop {
            let op = match out.try_recv() {
                Ok(op) => op,
                Err(mpsc::error::TryRecvError::Empty) => {
                    w.flush().await?;
                    match out.recv().await {
                        Some(op) => op,
                        None => return Ok(()),
                    }
                }
                Err(mpsc::error::TryRecvError::Disconnected) => return Ok(()),
            };
            let Out::Frame { code, session, bytes } = op else { return Ok(()) };
            for part in bytes.chunks(MAX_PAYLOAD_BYTES) {
                w.write_u32((FRAME_HEADER_BYTES - 4 + part.len()) as u32).await?;
                w.write_u8(code).await?;
                w.write_u32(session).await?;
                w.write_all(part).await?;
            }
            if code == DATA {
                if let Some(l) = link.upgrade() {
                    l.written(bytes.len());
                }
            }
        }
    }
    .await;
    let _ = w.flush().await;
    let _ = w.shutdown().await;
    if let (Err(e), Some(l)) = (result, link.upgrade()) {
        l.fail(format!("writing to the UI socket failed: {e}"));
    }
}

/// Reads the UI's key and ack frames until the socket ends; a bad frame ends the link.
async fn read_frames(mut read: tokio::net::unix::OwnedReadHalf, link: std::sync::Weak<UiLink>) {
    let mut body = Vec::new();
    let result: std::io::Result<()> = async {
        loop {
            let len = match read.read_u32().await {
                Ok(n) => n as usize,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    // The UI went away: nothing more can reach it.
                    if let Some(l) = link.upgrade() {
                        l.close();
                    }
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
            if !(FRAME_HEADER_BYTES - 4..=FRAME_MAX_BYTES).contains(&len) {
                return Err(bad_frame(format!(
                    "a frame of {len} bytes (frames are {}..={FRAME_MAX_BYTES})",
                    FRAME_HEADER_BYTES - 4
                )));
            }
            body.resize(len, 0);
            read.read_exact(&mut body).await?;
            let code = body[0];
            let session = u32::from_be_bytes([body[1], body[2], body[3], body[4]]);
            let payload = &body[FRAME_HEADER_BYTES - 4..];
            let Some(l) = link.upgrade() else { return Ok(()) };
            match code {
                KEY => l.key(session, payload),
                ACK => {
                    let n: [u8; 4] = payload
                        .try_into()
                        .map_err(|_| bad_frame(format!("an ack of {} bytes (acks are 4)", payload.len())))?;
                    l.acked(session, u64::from(u32::from_be_bytes(n))).map_err(bad_frame)?;
                }
                other => return Err(bad_frame(format!("a frame of type {other} (the UI sends keys and acks)"))),
            }
        }
    }
    .await;
    if let (Err(e), Some(l)) = (result, link.upgrade()) {
        l.fail(format!("the UI socket: {e}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::UnixListener;

    fn frame(code: u8, session: u32, payload: &[u8]) -> Vec<u8> {
        let mut f = ((FRAME_HEADER_BYTES - 4 + payload.len()) as u32).to_be_bytes().to_vec();
        f.push(code);
        f.extend_from_slice(&session.to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    async fn pair() -> (Arc<UiLink>, UnixStream, tempdir::Dir) {
        let dir = tempdir::Dir::new();
        let path = dir.path.join("ui.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let p = path.to_string_lossy().to_string();
        let (link, accepted) = tokio::join!(UiLink::connect(&p, Duration::from_secs(5)), listener.accept());
        (link.unwrap(), accepted.unwrap().0, dir)
    }

    mod tempdir {
        pub struct Dir {
            pub path: std::path::PathBuf,
        }
        impl Dir {
            pub fn new() -> Self {
                use std::sync::atomic::{AtomicU32, Ordering};
                static N: AtomicU32 = AtomicU32::new(0);
                let path = std::env::temp_dir().join(format!(
                    "ssh-core-ui-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                ));
                std::fs::create_dir_all(&path).unwrap();
                Dir { path }
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.path);
            }
        }
    }

    #[tokio::test]
    async fn sends_data_and_reopen_frames_in_order_and_counts_the_gate() {
        let (link, mut ui, _dir) = pair().await;
        link.data(3, b"hello".to_vec());
        link.reopen(3);
        link.data(4, vec![7u8; 2 * 1024 * 1024]);
        link.close();
        let mut got = Vec::new();
        ui.read_to_end(&mut got).await.unwrap();
        let mut expected = frame(DATA, 3, b"hello");
        expected.extend(frame(REOPEN, 3, b"{}"));
        // 2 MiB is two full frames (1 MiB less the header after the length) and 10 bytes.
        let max_payload = FRAME_MAX_BYTES - 5;
        expected.extend(frame(DATA, 4, &vec![7u8; max_payload]));
        expected.extend(frame(DATA, 4, &vec![7u8; max_payload]));
        expected.extend(frame(DATA, 4, &[7u8; 10]));
        assert_eq!(got.len(), expected.len());
        assert!(got == expected);
        let s = link.stats();
        assert_eq!(s.bytes_sent, 5 + 2 * 1024 * 1024);
        assert_eq!(s.frames_sent, 4);
        assert_eq!((s.pauses, s.pauses_unavailable), (1, 1));
        assert_eq!(s.peak_unacked_bytes, 5 + 2 * 1024 * 1024);
        assert_eq!(s.error, None);
    }

    #[tokio::test]
    async fn acks_release_the_gate_and_an_ack_beyond_what_was_sent_ends_the_link() {
        let (link, mut ui, _dir) = pair().await;
        link.data(1, vec![0u8; 1_100_000]);
        ui.write_all(&frame(ACK, 1, &1_000_000u32.to_be_bytes())).await.unwrap();
        // Let the link read the ack before more data goes out.
        tokio::time::sleep(Duration::from_millis(50)).await;
        link.data(1, vec![0u8; 1_000_000]);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(link.stats().pauses, 2, "paused above the mark, resumed below the low one, paused again");
        ui.write_all(&frame(ACK, 1, &5_000_000u32.to_be_bytes())).await.unwrap();
        for _ in 0..100 {
            if link.is_ended() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(link.is_ended());
        assert!(link.stats().error.unwrap().contains("which has 1100000 bytes unacked"));
    }

    #[tokio::test]
    async fn garbage_and_oversized_frames_end_the_link_with_a_reason() {
        let (link, mut ui, _dir) = pair().await;
        ui.write_all(&frame(DATA, 0, b"x")).await.unwrap();
        for _ in 0..100 {
            if link.is_ended() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(link.stats().error.unwrap().contains("a frame of type 1"));

        let (link, mut ui, _dir) = pair().await;
        ui.write_all(&(u32::MAX).to_be_bytes()).await.unwrap();
        for _ in 0..100 {
            if link.is_ended() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(link.stats().error.unwrap().contains("a frame of 4294967295 bytes"));
        link.data(0, b"dropped".to_vec());
        assert_eq!(link.stats().bytes_sent, 0);
    }

    #[tokio::test]
    async fn keys_for_a_session_without_a_shell_are_counted_lost() {
        let (link, mut ui, _dir) = pair().await;
        ui.write_all(&frame(KEY, 9, b"Z")).await.unwrap();
        for _ in 0..100 {
            if link.stats().keys_typed == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let s = link.stats();
        assert_eq!((s.keys_typed, s.keys_lost), (1, 1));
        assert_eq!(s.error, None);
    }

    #[tokio::test]
    async fn a_missing_socket_is_refused_and_an_empty_path_is_a_bad_option() {
        let dir = tempdir::Dir::new();
        let p = dir.path.join("none.sock").to_string_lossy().to_string();
        let e = UiLink::connect(&p, Duration::from_secs(1)).await.err().unwrap();
        assert_eq!(e.code(), "CONNECTION_REFUSED");
        let e = UiLink::connect("", Duration::from_secs(1)).await.err().unwrap();
        assert_eq!(e.code(), "BAD_OPTION");
    }
}
