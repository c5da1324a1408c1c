//! The logical PTY shell of a session. It outlives connections: after a reconnect the session
//! reopens it with the same term and size on the new connection and tells the owner the remote
//! shell is new. Writes go through a writer task so the caller never blocks.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use russh::client::Msg;
use russh::ChannelWriteHalf;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::channel::{open_pty_shell, pump, SetupSeen};
use crate::config::CoalesceConfig;
use crate::error::CoreError;
use crate::events::{ChannelEvents, ChannelExit};
use crate::transport::Connection;

/// What the PTY shell asks for; kept so a reconnect can reopen the same terminal.
#[derive(Clone, Debug)]
pub struct ShellRequest {
    pub term: String,
    pub cols: u32,
    pub rows: u32,
}

enum ShellOp {
    Attach(Arc<ChannelWriteHalf<Msg>>),
    Data(Bytes),
    Close,
}

pub(crate) struct ShellSlot {
    request: Mutex<ShellRequest>,
    sink: Arc<dyn ChannelEvents>,
    ops: mpsc::UnboundedSender<ShellOp>,
    /// Which channel is current; a pump of an older one must not touch the slot.
    generation: AtomicU64,
    attached: AtomicBool,
    ended: AtomicBool,
    /// Set when the shell ends, so the pump of its channel stops too: russh forgets a channel
    /// once this side closes it, so the server's answering close never reaches the pump.
    stopped: watch::Sender<bool>,
    /// The session's bound on a request the channel has to send (a resize).
    request_timeout: Duration,
    /// The current channel's write half, for a resize: it goes out at once, ahead of input the
    /// server's window still holds back in the writer (as ssh2 sends it).
    current: Mutex<Option<Arc<ChannelWriteHalf<Msg>>>>,
    /// Flow control: who wants the shell paused ([`PauseBy`] bits). While any does, the current
    /// channel (and any reopened one) grants the server no more window. Set in call order, by the
    /// caller's own thread; applying it to the channel happens later, in `apply_pause`.
    want_paused: AtomicU8,
    /// What the current channel was last told, once the server side has it (held or not). The
    /// lock orders the holds, so the last one a channel gets reflects the latest `want_paused`.
    held: tokio::sync::Mutex<bool>,
    /// Where a pause asked for from outside the runtime (the JS thread) is applied.
    rt: tokio::runtime::Handle,
    /// Writes so far: output that follows one (an echo, a command's first output) crosses at once
    /// rather than on the coalescing grid, however busy the channel was.
    writes: AtomicU64,
}

/// Who paused a shell: its JS reader, or the UI link it is routed to. Each lifts only its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PauseBy {
    Reader = 1,
    UiLink = 2,
}

impl ShellSlot {
    pub(crate) fn is_ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }

    /// Delivers the shell's end once.
    pub(crate) fn end(&self, exit: ChannelExit) {
        self.attached.store(false, Ordering::SeqCst);
        self.set_current(None);
        if !self.ended.swap(true, Ordering::SeqCst) {
            let _ = self.ops.send(ShellOp::Close);
            self.stopped.send_replace(true);
            self.sink.exit(exit);
        }
    }

    pub(crate) fn detach(&self) {
        self.attached.store(false, Ordering::SeqCst);
        self.set_current(None);
    }

    fn set_current(&self, w: Option<Arc<ChannelWriteHalf<Msg>>>) {
        if let Ok(mut c) = self.current.lock() {
            *c = w;
        }
    }

    pub(crate) fn reopened(&self) {
        self.sink.reopened();
    }

    /// Records that `by` wants the shell paused (or no longer does), at once and in call order;
    /// the channel's window is held while anyone wants it, and released when no one does.
    fn want(&self, by: PauseBy, paused: bool) {
        if paused {
            self.want_paused.fetch_or(by as u8, Ordering::SeqCst);
        } else {
            self.want_paused.fetch_and(!(by as u8), Ordering::SeqCst);
        }
    }

    /// Tells the current channel the latest wish. A hold or release that fails (the connection
    /// going) leaves `held` as it was, so the next call tries again. Sent on the channel directly,
    /// never queued behind the shell's input in its writer: a server that waits for this release
    /// may have stopped taking input.
    async fn apply_pause(&self) -> Result<(), CoreError> {
        let mut held = self.held.lock().await;
        let want = self.want_paused.load(Ordering::SeqCst) != 0;
        if *held == want {
            return Ok(());
        }
        let current = self.current.lock().ok().and_then(|c| c.clone());
        let Some(w) = current else { return Ok(()) };
        self.hold(&w, want).await?;
        *held = want;
        Ok(())
    }

    async fn hold(&self, w: &ChannelWriteHalf<Msg>, held: bool) -> Result<(), CoreError> {
        match tokio::time::timeout(self.request_timeout, w.hold_window(held)).await {
            Ok(r) => r.map_err(|_| CoreError::closed()),
            Err(_) => Err(CoreError::RequestTimeout {
                what: if held { "window hold" } else { "window release" },
                timeout_ms: self.request_timeout.as_millis() as u64,
            }),
        }
    }

    /// Opens the shell's channel on `conn` and starts reading it.
    pub(crate) async fn attach(
        self: &Arc<Self>,
        conn: Arc<Connection>,
        coalesce: CoalesceConfig,
        seen: SetupSeen<'_>,
    ) -> Result<(), CoreError> {
        let req = self.request.lock().map(|r| r.clone()).map_err(|_| CoreError::Internal("shell lock".into()))?;
        let (channel, early) = open_pty_shell(&conn, &req, seen).await?;
        let (mut read, write) = channel.split();
        let write = Arc::new(write);
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.ops.send(ShellOp::Attach(Arc::clone(&write))).map_err(|_| CoreError::closed())?;
        if self.is_ended() {
            // Closed by its owner while the channel opened (a reopen after a reconnect): the
            // close that end() queued went before this channel's Attach, so close it now.
            let _ = self.ops.send(ShellOp::Close);
            return Ok(());
        }
        {
            // A paused shell's new channel is held before its output is read: the server gets
            // about the window the channel opened with, no more. The hold fails only when the
            // connection is going (its loop gone or stuck past the request bound), which the pump
            // then sees; `held` stays false, so a later call tries again.
            let mut held = self.held.lock().await;
            *held = self.want_paused.load(Ordering::SeqCst) != 0 && self.hold(&write, true).await.is_ok();
            self.set_current(Some(write));
        }
        self.attached.store(true, Ordering::SeqCst);
        let slot = Arc::clone(self);
        let mut stopped = self.stopped.subscribe();
        tokio::spawn(async move {
            let exit = tokio::select! {
                exit = pump(&mut read, early, coalesce, slot.sink.as_ref(), &conn, Some(&slot.writes)) => exit,
                _ = stopped.wait_for(|s| *s) => return,
            };
            if slot.generation.load(Ordering::SeqCst) != generation {
                return;
            }
            if exit.error.is_some() {
                // The connection ended under the shell: the session reopens or ends it.
                slot.detach();
            } else {
                slot.end(exit);
            }
        });
        Ok(())
    }
}

/// Opens a new logical shell on `conn`.
pub(crate) async fn open_shell(
    conn: Arc<Connection>,
    request: ShellRequest,
    request_timeout: Duration,
    coalesce: CoalesceConfig,
    sink: Arc<dyn ChannelEvents>,
    seen: SetupSeen<'_>,
) -> Result<Arc<ShellSlot>, CoreError> {
    let (ops, ops_rx) = mpsc::unbounded_channel();
    let slot = Arc::new(ShellSlot {
        request: Mutex::new(request),
        sink,
        ops,
        generation: AtomicU64::new(0),
        attached: AtomicBool::new(false),
        ended: AtomicBool::new(false),
        stopped: watch::channel(false).0,
        request_timeout,
        current: Mutex::new(None),
        want_paused: AtomicU8::new(0),
        held: tokio::sync::Mutex::new(false),
        rt: tokio::runtime::Handle::current(),
        writes: AtomicU64::new(0),
    });
    tokio::spawn(writer(ops_rx, slot.stopped.subscribe()));
    if let Err(e) = slot.attach(conn, coalesce, seen).await {
        slot.ended.store(true, Ordering::SeqCst);
        let _ = slot.ops.send(ShellOp::Close);
        return Err(e);
    }
    Ok(slot)
}

/// The caller's handle on a logical shell; a clone is another handle on the same shell.
#[derive(Clone)]
pub struct Shell {
    pub(crate) slot: Arc<ShellSlot>,
}

impl Shell {
    /// Queues input for the remote terminal; an error while the session is reconnecting (the
    /// remote shell the input was meant for is gone) or after the shell ended.
    pub fn write(&self, data: Vec<u8>) -> Result<(), CoreError> {
        if self.slot.is_ended() {
            return Err(CoreError::closed());
        }
        if !self.slot.attached.load(Ordering::SeqCst) {
            return Err(CoreError::NotConnected("session is not connected (state reconnecting)"));
        }
        // Counted before it goes, so its echo cannot reach the pump first.
        self.slot.writes.fetch_add(1, Ordering::SeqCst);
        self.slot.ops.send(ShellOp::Data(Bytes::from(data))).map_err(|_| CoreError::closed())
    }

    /// Resizes the terminal; while reconnecting the new size is kept for the reopened shell.
    pub async fn resize(&self, cols: u32, rows: u32) -> Result<(), CoreError> {
        if self.slot.is_ended() {
            return Err(CoreError::closed());
        }
        if let Ok(mut r) = self.slot.request.lock() {
            r.cols = cols;
            r.rows = rows;
        }
        let current = self.slot.current.lock().ok().and_then(|c| c.clone());
        let Some(w) = current else { return Ok(()) };
        match tokio::time::timeout(self.slot.request_timeout, w.window_change(cols, rows, 0, 0)).await {
            Ok(r) => r.map_err(|_| CoreError::closed()),
            Err(_) => Err(CoreError::RequestTimeout {
                what: "window change",
                timeout_ms: self.slot.request_timeout.as_millis() as u64,
            }),
        }
    }

    /// Flow control for a reader that draws slower than the server sends: while paused (by
    /// anyone), the server stops sending on this shell's channel once it has used the window it
    /// has (at most about the pool's `window_bytes` more output comes), and a channel reopened
    /// after a reconnect starts held; the connection's other channels and keepalives go on. `by`
    /// lifts only its own pause. Resolves once the hold (or release) is on its way to the server;
    /// keeping the output that still comes until the reader resumes is the caller's part.
    pub async fn set_paused(&self, by: PauseBy, paused: bool) -> Result<(), CoreError> {
        if self.slot.is_ended() {
            return Err(CoreError::closed());
        }
        self.slot.want(by, paused);
        self.slot.apply_pause().await
    }

    /// [`Self::set_paused`] for a caller that must not wait (the JS thread, the UI link under its
    /// lock): the wish is recorded now, in call order, and applied on the runtime. False when the
    /// shell has ended (there is nothing left to hold).
    pub fn request_paused(&self, by: PauseBy, paused: bool) -> bool {
        if self.slot.is_ended() {
            return false;
        }
        self.slot.want(by, paused);
        let slot = Arc::clone(&self.slot);
        self.slot.rt.spawn(async move {
            let _ = slot.apply_pause().await;
        });
        true
    }

    /// Sends EOF and closes the channel. The shell ends at once (no exit status: the remote
    /// side's answer is not waited for) and later writes fail.
    pub fn close(&self) {
        self.slot.end(ChannelExit::default());
    }
}

/// Sends a shell's input in order. Input the server's window holds back is dropped when the shell
/// ends (`stopped`), so the close behind it always goes out.
async fn writer(mut ops: mpsc::UnboundedReceiver<ShellOp>, mut stopped: watch::Receiver<bool>) {
    let mut write: Option<Arc<ChannelWriteHalf<Msg>>> = None;
    let mut next: Option<ShellOp> = None;
    loop {
        let op = match next.take() {
            Some(op) => op,
            None => match ops.recv().await {
                Some(op) => op,
                None => break,
            },
        };
        match op {
            ShellOp::Attach(w) => write = Some(w),
            ShellOp::Data(first) => {
                // Merge writes that queued up meanwhile into one packet.
                let mut merged: Option<Vec<u8>> = None;
                while let Ok(op) = ops.try_recv() {
                    match op {
                        ShellOp::Data(more) => merged.get_or_insert_with(|| first.to_vec()).extend_from_slice(&more),
                        other => {
                            next = Some(other);
                            break;
                        }
                    }
                }
                if let Some(w) = &write {
                    let data = merged.map(Bytes::from).unwrap_or(first);
                    let failed = tokio::select! {
                        r = w.data_bytes(data) => r.is_err(),
                        _ = stopped.wait_for(|s| *s) => false,
                    };
                    if failed {
                        write = None;
                    }
                }
            }
            ShellOp::Close => {
                if let Some(w) = write.take() {
                    let _ = w.eof().await;
                    let _ = w.close().await;
                }
            }
        }
    }
}
