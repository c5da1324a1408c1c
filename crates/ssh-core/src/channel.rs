//! Channels of a session: opening them, exec, and the pump that routes each channel's output,
//! in Rust, through a [`Coalescer`] to that channel's own sink.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use russh::client::Msg;
use russh::{Channel, ChannelMsg, ChannelReadHalf};
use tokio::time::Instant;

use crate::coalesce::{Coalescer, Next};
use crate::config::CoalesceConfig;
use crate::error::CoreError;
use crate::events::{ChannelEvents, ChannelExit};
use crate::shell::ShellRequest;
use crate::transport::Connection;

/// Waits for the server's answer to a request on `channel`. Messages that arrive before the
/// answer are kept in `early` so no output is lost.
async fn await_reply(
    conn: &Connection,
    channel: &mut Channel<Msg>,
    what: &'static str,
    early: &mut VecDeque<Option<ChannelMsg>>,
) -> Result<(), CoreError> {
    loop {
        match channel.wait().await {
            Some(ChannelMsg::Success) => return Ok(()),
            Some(ChannelMsg::Failure) => return Err(CoreError::RequestRejected(what)),
            Some(other) => early.push_back(Some(other)),
            None => {
                return Err(conn.lost.get().unwrap_or(CoreError::ChannelRejected(format!(
                    "the channel closed before the {what} request was answered"
                ))))
            }
        }
    }
}

async fn open(conn: &Connection) -> Result<Channel<Msg>, CoreError> {
    conn.handle.channel_open_session().await.map_err(|e| match e {
        russh::Error::ChannelOpenFailure(reason) => CoreError::ChannelRejected(format!("{reason:?}")),
        other => conn.explain(&other),
    })
}

/// Opens a session channel with a PTY and a shell on it. Output that arrives before the
/// answers is returned with the channel.
pub(crate) async fn open_pty_shell(
    conn: &Connection,
    req: &ShellRequest,
) -> Result<(Channel<Msg>, VecDeque<Option<ChannelMsg>>), CoreError> {
    let mut channel = open(conn).await?;
    let mut early = VecDeque::new();
    channel
        .request_pty(true, &req.term, req.cols, req.rows, 0, 0, &[])
        .await
        .map_err(|e| conn.explain(&e))?;
    await_reply(conn, &mut channel, "pty", &mut early).await?;
    channel.request_shell(true).await.map_err(|e| conn.explain(&e))?;
    await_reply(conn, &mut channel, "shell", &mut early).await?;
    Ok((channel, early))
}

/// Reads a channel to its end, delivering coalesced output to `sink`.
pub(crate) async fn pump(
    mut read: ChannelReadHalf,
    mut pending: VecDeque<Option<ChannelMsg>>,
    coalesce: CoalesceConfig,
    sink: &dyn ChannelEvents,
    conn: &Connection,
) -> ChannelExit {
    let mut out = Coalescer::new(coalesce);
    let mut err = Coalescer::new(coalesce);
    let mut exit = ChannelExit::default();
    let mut deadline: Option<Instant> = None;
    loop {
        let msg = if let Some(m) = pending.pop_front() {
            m
        } else if let Some(at) = deadline {
            tokio::select! {
                m = read.wait() => m,
                () = tokio::time::sleep_until(at) => {
                    deadline = None;
                    out.take().into_iter().for_each(|chunk| sink.data(chunk));
                    err.take().into_iter().for_each(|chunk| sink.stderr(chunk));
                    continue;
                }
            }
        } else {
            read.wait().await
        };
        let Some(msg) = msg else {
            // The sender went away without a Close: the connection ended under the channel.
            exit.error = Some(conn.lost.get().unwrap_or(CoreError::DisconnectedByServer {
                addr: conn.ctx.addr.clone(),
                detail: String::new(),
            }));
            break;
        };
        let now = Instant::now();
        let (data, is_err) = match msg {
            ChannelMsg::Data { data } => (data, false),
            ChannelMsg::ExtendedData { data, ext: 1 } => (data, true),
            ChannelMsg::ExitStatus { exit_status } => {
                exit.code = Some(exit_status);
                continue;
            }
            ChannelMsg::ExitSignal { signal_name, .. } => {
                exit.signal = Some(format!("{signal_name:?}"));
                continue;
            }
            ChannelMsg::Close => break,
            _ => continue,
        };
        let c = if is_err { &mut err } else { &mut out };
        match c.push(data, now) {
            Next::Deliver => {
                // Take what has already arrived for the same stream before crossing.
                while c.len() < coalesce.max_bytes {
                    match read.wait().now_or_never() {
                        Some(Some(ChannelMsg::Data { data })) if !is_err => {
                            c.push(data, now);
                        }
                        Some(Some(ChannelMsg::ExtendedData { data, ext: 1 })) if is_err => {
                            c.push(data, now);
                        }
                        Some(other) => {
                            pending.push_back(other);
                            break;
                        }
                        None => break,
                    }
                }
                for chunk in c.take() {
                    if is_err {
                        sink.stderr(chunk)
                    } else {
                        sink.data(chunk)
                    }
                }
            }
            Next::WaitUntil(at) => {
                deadline = Some(deadline.map_or(at, |d| d.min(at)));
            }
        }
    }
    out.take().into_iter().for_each(|chunk| sink.data(chunk));
    err.take().into_iter().for_each(|chunk| sink.stderr(chunk));
    exit
}

/// The result of a collected exec.
#[derive(Debug, Default)]
pub struct ExecOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: Option<u32>,
    pub signal: Option<String>,
    pub stdout_bytes: u64,
    pub stderr_bytes: u64,
}

/// Collects output, or forwards it to a caller's stream sink while counting it.
struct ExecSink {
    collected: Mutex<(Vec<u8>, Vec<u8>, u64, u64)>,
    stream: Option<Arc<dyn ChannelEvents>>,
}

impl ChannelEvents for ExecSink {
    fn data(&self, chunk: Vec<u8>) {
        if let Ok(mut c) = self.collected.lock() {
            c.2 += chunk.len() as u64;
            if self.stream.is_none() {
                if c.0.is_empty() {
                    c.0 = chunk;
                } else {
                    c.0.extend_from_slice(&chunk);
                }
                return;
            }
        }
        if let Some(s) = &self.stream {
            s.data(chunk);
        }
    }
    fn stderr(&self, chunk: Vec<u8>) {
        if let Ok(mut c) = self.collected.lock() {
            c.3 += chunk.len() as u64;
            if self.stream.is_none() {
                c.1.extend_from_slice(&chunk);
                return;
            }
        }
        if let Some(s) = &self.stream {
            s.stderr(chunk);
        }
    }
    fn exit(&self, _exit: ChannelExit) {}
}

/// Runs one command. With `stream`, output goes to it (coalesced) instead of being collected.
/// At the timeout the channel is closed, so a hung command does not hold a channel slot.
pub async fn exec(
    conn: Arc<Connection>,
    command: &str,
    timeout: Duration,
    coalesce: CoalesceConfig,
    stream: Option<Arc<dyn ChannelEvents>>,
) -> Result<ExecOutput, CoreError> {
    let deadline = Instant::now() + timeout;
    let timed_out = || CoreError::ExecTimeout { timeout_ms: timeout.as_millis() as u64 };
    let mut channel = tokio::time::timeout_at(deadline, open(&conn)).await.map_err(|_| timed_out())??;
    let mut early = VecDeque::new();
    let setup = async {
        channel.exec(true, command.as_bytes().to_vec()).await.map_err(|e| conn.explain(&e))?;
        await_reply(&conn, &mut channel, "exec", &mut early).await
    };
    let answered = tokio::time::timeout_at(deadline, setup).await;
    match answered {
        Ok(result) => result?,
        Err(_) => {
            let _ = channel.close().await;
            return Err(timed_out());
        }
    }
    let collect_window = if stream.is_some() {
        coalesce
    } else {
        CoalesceConfig { window: Duration::ZERO, max_bytes: coalesce.max_bytes }
    };
    let sink = ExecSink { collected: Mutex::new(Default::default()), stream };
    let (read, write) = channel.split();
    let exit = match tokio::time::timeout_at(deadline, pump(read, early, collect_window, &sink, &conn)).await {
        Ok(exit) => exit,
        Err(_) => {
            let _ = write.close().await;
            return Err(timed_out());
        }
    };
    if let Some(e) = exit.error {
        return Err(e);
    }
    let (stdout, stderr, stdout_bytes, stderr_bytes) = sink.collected.into_inner().unwrap_or_default();
    Ok(ExecOutput { stdout, stderr, code: exit.code, signal: exit.signal, stdout_bytes, stderr_bytes })
}
