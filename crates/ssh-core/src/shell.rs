//! The logical PTY shell of a session. It outlives connections: after a reconnect the session
//! reopens it with the same term and size on the new connection and tells the owner the remote
//! shell is new. Writes go through a writer task so the caller never blocks.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use russh::client::Msg;
use russh::ChannelWriteHalf;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};

use crate::channel::{open_pty_shell, pump};
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
    Attach(ChannelWriteHalf<Msg>),
    Data(Bytes),
    Resize { cols: u32, rows: u32, done: oneshot::Sender<Result<(), CoreError>> },
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
}

impl ShellSlot {
    pub(crate) fn is_ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }

    /// Delivers the shell's end once.
    pub(crate) fn end(&self, exit: ChannelExit) {
        self.attached.store(false, Ordering::SeqCst);
        if !self.ended.swap(true, Ordering::SeqCst) {
            let _ = self.ops.send(ShellOp::Close);
            self.stopped.send_replace(true);
            self.sink.exit(exit);
        }
    }

    pub(crate) fn detach(&self) {
        self.attached.store(false, Ordering::SeqCst);
    }

    pub(crate) fn reopened(&self) {
        self.sink.reopened();
    }

    /// Opens the shell's channel on `conn` and starts reading it.
    pub(crate) async fn attach(self: &Arc<Self>, conn: Arc<Connection>, coalesce: CoalesceConfig) -> Result<(), CoreError> {
        let req = self.request.lock().map(|r| r.clone()).map_err(|_| CoreError::Internal("shell lock".into()))?;
        let (channel, early) = open_pty_shell(&conn, &req).await?;
        let (mut read, write) = channel.split();
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.ops.send(ShellOp::Attach(write)).map_err(|_| CoreError::closed())?;
        self.attached.store(true, Ordering::SeqCst);
        let slot = Arc::clone(self);
        let mut stopped = self.stopped.subscribe();
        tokio::spawn(async move {
            let exit = tokio::select! {
                exit = pump(&mut read, early, coalesce, slot.sink.as_ref(), &conn) => exit,
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
    });
    tokio::spawn(writer(ops_rx));
    if let Err(e) = slot.attach(conn, coalesce).await {
        slot.ended.store(true, Ordering::SeqCst);
        let _ = slot.ops.send(ShellOp::Close);
        return Err(e);
    }
    Ok(slot)
}

/// The caller's handle on a logical shell.
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
        if !self.slot.attached.load(Ordering::SeqCst) {
            return Ok(());
        }
        let (done, result) = oneshot::channel();
        self.slot
            .ops
            .send(ShellOp::Resize { cols, rows, done })
            .map_err(|_| CoreError::closed())?;
        // The writer sends in order, behind input still waiting for the server's window.
        match tokio::time::timeout(self.slot.request_timeout, result).await {
            Ok(r) => r.unwrap_or(Err(CoreError::closed())),
            Err(_) => Err(CoreError::RequestTimeout {
                what: "window change",
                timeout_ms: self.slot.request_timeout.as_millis() as u64,
            }),
        }
    }

    /// Sends EOF and closes the channel. The shell ends at once (no exit status: the remote
    /// side's answer is not waited for) and later writes fail.
    pub fn close(&self) {
        self.slot.end(ChannelExit::default());
    }
}

async fn writer(mut ops: mpsc::UnboundedReceiver<ShellOp>) {
    let mut write: Option<ChannelWriteHalf<Msg>> = None;
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
                    if w.data_bytes(merged.map(Bytes::from).unwrap_or(first)).await.is_err() {
                        write = None;
                    }
                }
            }
            ShellOp::Resize { cols, rows, done } => {
                let r = match &write {
                    Some(w) => w.window_change(cols, rows, 0, 0).await.map_err(|_| CoreError::closed()),
                    None => Ok(()),
                };
                let _ = done.send(r);
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
