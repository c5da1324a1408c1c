//! The logical PTY shell of a session. It outlives connections: after a reconnect the session
//! reopens it with the same term and size on the new connection and tells the owner the remote
//! shell is new. Writes go through a writer task so the caller never blocks.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
        self.set_current(Some(write));
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
