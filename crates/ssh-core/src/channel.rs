//! Channels of a session: opening them, exec, and the pump that routes each channel's output,
//! in Rust, through a [`Coalescer`] to that channel's own sink.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use russh::client::Msg;
use russh::{Channel, ChannelMsg, ChannelReadHalf, ChannelWriteHalf, Sig};
use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;

use crate::coalesce::{Coalescer, Next};
use crate::config::CoalesceConfig;
use crate::error::CoreError;
use crate::events::{ChannelEvents, ChannelExit};
use crate::shell::ShellRequest;
use crate::transport::Connection;

/// Where a wait on the server ends: the connection's request bound, or the caller's earlier
/// deadline (an exec's own timeout), whichever comes first.
struct Bound {
    at: Instant,
    by_request: bool,
    request_ms: u64,
}

impl Bound {
    fn new(conn: &Connection, deadline: Option<Instant>) -> Bound {
        let request = Instant::now() + conn.request_timeout;
        let request_ms = conn.request_timeout.as_millis() as u64;
        match deadline {
            Some(d) if d <= request => Bound { at: d, by_request: false, request_ms },
            _ => Bound { at: request, by_request: true, request_ms },
        }
    }

    fn elapsed(&self, what: &'static str, deadline_error: &(dyn Fn() -> CoreError + Sync)) -> CoreError {
        if self.by_request {
            CoreError::RequestTimeout { what, timeout_ms: self.request_ms }
        } else {
            deadline_error()
        }
    }
}

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
            // A server that closes the channel instead of answering refused the request (as
            // ssh2 reports it too), unless the whole connection went.
            Some(ChannelMsg::Close) | None => return Err(conn.lost.get().unwrap_or(CoreError::RequestRejected(what))),
            Some(other) => early.push_back(Some(other)),
        }
    }
}

/// A channel request that wants a reply.
enum Request<'a> {
    Pty(&'a ShellRequest),
    Shell,
    Exec(&'a str),
}

impl Request<'_> {
    fn name(&self) -> &'static str {
        match self {
            Request::Pty(_) => "pty request",
            Request::Shell => "shell request",
            Request::Exec(_) => "exec request",
        }
    }
}

/// Sends a request that wants a reply and waits for the answer within the setup's `bound`. The
/// caller closes (or stops) the channel when it fails.
async fn request(
    conn: &Connection,
    channel: &mut Channel<Msg>,
    req: Request<'_>,
    early: &mut VecDeque<Option<ChannelMsg>>,
    bound: &Bound,
    deadline_error: &(dyn Fn() -> CoreError + Sync),
) -> Result<(), CoreError> {
    let what = req.name();
    let asked = async {
        let sent = match req {
            Request::Pty(r) => channel.request_pty(true, &r.term, r.cols, r.rows, 0, 0, &[]).await,
            Request::Shell => channel.request_shell(true).await,
            Request::Exec(command) => channel.exec(true, command.as_bytes().to_vec()).await,
        };
        sent.map_err(|e| conn.explain(&e))?;
        await_reply(conn, channel, what, early).await
    };
    match tokio::time::timeout_at(bound.at, asked).await {
        Ok(result) => result,
        Err(_) => Err(bound.elapsed(what, deadline_error)),
    }
}

/// How a channel's setup ended, for the session's `channels` event: Ok, or why it failed.
pub(crate) type SetupSeen<'a> = &'a (dyn Fn(Result<(), &CoreError>) + Sync);

/// Opens a session channel within the setup's `bound`. A confirmation that comes after the caller
/// gave up closes the late channel, so it does not hold one of the server's channel slots.
async fn open(
    conn: &Arc<Connection>,
    bound: &Bound,
    deadline_error: &(dyn Fn() -> CoreError + Sync),
) -> Result<Channel<Msg>, CoreError> {
    let (tx, rx) = oneshot::channel();
    let c = Arc::clone(conn);
    tokio::spawn(async move {
        let opened = c.handle.channel_open_session().await.map_err(|e| match e {
            russh::Error::ChannelOpenFailure(reason) => CoreError::ChannelRejected(format!("{reason:?}")),
            other => c.explain(&other),
        });
        if let Err(Ok(late)) = tx.send(opened) {
            let _ = late.close().await;
        }
    });
    match tokio::time::timeout_at(bound.at, rx).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(CoreError::Internal("the channel open task ended without an answer".into())),
        Err(_) => Err(bound.elapsed("channel open", deadline_error)),
    }
}

/// Opens a session channel with a PTY and a shell on it; the three answers must come within the
/// request bound. Output that arrives before the answers is returned with the channel.
pub(crate) async fn open_pty_shell(
    conn: &Arc<Connection>,
    req: &ShellRequest,
    seen: SetupSeen<'_>,
) -> Result<(Channel<Msg>, VecDeque<Option<ChannelMsg>>), CoreError> {
    let never = || CoreError::Internal("no deadline".into());
    let bound = Bound::new(conn, None);
    let opened = open(conn, &bound, &never).await;
    let mut channel = opened.inspect_err(|e| seen(Err(e)))?;
    let mut early = VecDeque::new();
    for r in [Request::Pty(req), Request::Shell] {
        if let Err(e) = request(conn, &mut channel, r, &mut early, &bound, &never).await {
            seen(Err(&e));
            let _ = channel.close().await;
            return Err(e);
        }
    }
    seen(Ok(()));
    Ok((channel, early))
}

/// Reads a channel to its end, delivering coalesced output to `sink`. `writes` counts what was
/// written to the channel (a shell's input): output after a new write crosses at once.
pub(crate) async fn pump(
    read: &mut ChannelReadHalf,
    mut pending: VecDeque<Option<ChannelMsg>>,
    coalesce: CoalesceConfig,
    sink: &dyn ChannelEvents,
    conn: &Connection,
    writes: Option<&AtomicU64>,
) -> ChannelExit {
    let mut out = Coalescer::new(coalesce);
    let mut err = Coalescer::new(coalesce);
    let mut writes_seen = writes.map_or(0, |w| w.load(Ordering::SeqCst));
    let mut exit = ChannelExit::default();
    let mut deadline: Option<Instant> = None;
    // One timer for the pump's life, moved only when the deadline moves: packets that fall in the
    // same tick leave it where it is (a new timer per packet took the timer wheel's lock twice).
    let tick = tokio::time::sleep_until(Instant::now());
    tokio::pin!(tick);
    loop {
        let msg = if let Some(m) = pending.pop_front() {
            m
        } else if deadline.is_some() {
            tokio::select! {
                m = read.wait() => m,
                () = &mut tick => {
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
            exit.error = Some(
                conn.lost
                    .get()
                    .unwrap_or(CoreError::DisconnectedByServer { addr: conn.ctx.addr.clone(), detail: String::new() }),
            );
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
        if let Some(w) = writes {
            let n = w.load(Ordering::SeqCst);
            if n != writes_seen {
                writes_seen = n;
                c.input();
            }
        }
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
                let next = deadline.map_or(at, |d| d.min(at));
                if deadline != Some(next) {
                    tick.as_mut().reset(next);
                }
                deadline = Some(next);
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

/// The bounds of one exec.
#[derive(Clone, Copy, Debug)]
pub struct ExecLimits {
    /// The whole exec: channel open, request, run, output.
    pub timeout: Duration,
    /// Collected stdout plus stderr beyond this fails the exec (streamed output is not collected).
    pub max_output_bytes: u64,
    /// A command given up on gets TERM, then KILL after this long, then its channel is closed.
    pub kill_grace: Duration,
}

/// The longest command an exec request may carry: a request is one SSH packet, and a server
/// drops the connection over a packet longer than its limit (OpenSSH: 256 KiB in all).
pub const MAX_COMMAND_BYTES: usize = 255 * 1024;

#[derive(Default)]
struct Collected {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    stdout_bytes: u64,
    stderr_bytes: u64,
}

/// Collects output up to a limit, or forwards it to a caller's stream sink while counting it.
struct ExecSink {
    collected: Mutex<Collected>,
    stream: Option<Arc<dyn ChannelEvents>>,
    limit: u64,
    /// Set, and notified, when collected output would pass `limit`.
    exceeded: AtomicBool,
    over: Notify,
}

impl ExecSink {
    fn take(&self, chunk: Vec<u8>, is_err: bool) {
        let Ok(mut c) = self.collected.lock() else { return };
        if is_err {
            c.stderr_bytes += chunk.len() as u64;
        } else {
            c.stdout_bytes += chunk.len() as u64;
        }
        if let Some(s) = &self.stream {
            drop(c);
            if is_err {
                s.stderr(chunk)
            } else {
                s.data(chunk)
            }
            return;
        }
        if self.exceeded.load(Ordering::Relaxed) || (c.stdout.len() + c.stderr.len() + chunk.len()) as u64 > self.limit
        {
            self.exceeded.store(true, Ordering::Relaxed);
            self.over.notify_one();
            return;
        }
        let buf = if is_err { &mut c.stderr } else { &mut c.stdout };
        if buf.is_empty() {
            *buf = chunk;
        } else {
            buf.extend_from_slice(&chunk);
        }
    }
}

impl ChannelEvents for ExecSink {
    fn data(&self, chunk: Vec<u8>) {
        self.take(chunk, false);
    }
    fn stderr(&self, chunk: Vec<u8>) {
        self.take(chunk, true);
    }
    fn exit(&self, _exit: ChannelExit) {}
}

/// Runs one command. With `stream`, output goes to it (coalesced) instead of being collected.
/// A command given up on (timeout, output limit) is stopped in the background (see [`stop`]),
/// so it does not hold a channel slot of the server.
pub async fn exec(
    conn: Arc<Connection>,
    command: &str,
    limits: ExecLimits,
    coalesce: CoalesceConfig,
    stream: Option<Arc<dyn ChannelEvents>>,
    seen: SetupSeen<'_>,
) -> Result<ExecOutput, CoreError> {
    if command.len() > MAX_COMMAND_BYTES {
        return Err(CoreError::BadOption(format!(
            "the command is {} bytes; an exec request carries at most {MAX_COMMAND_BYTES} (one SSH packet): \
             send long input on stdin or in a file instead",
            command.len()
        )));
    }
    let deadline = Instant::now() + limits.timeout;
    let timed_out = || CoreError::ExecTimeout { timeout_ms: limits.timeout.as_millis() as u64 };
    let bound = Bound::new(&conn, Some(deadline));
    let opened = open(&conn, &bound, &timed_out).await;
    let mut channel = opened.inspect_err(|e| seen(Err(e)))?;
    let mut early = VecDeque::new();
    if let Err(e) = request(&conn, &mut channel, Request::Exec(command), &mut early, &bound, &timed_out).await {
        seen(Err(&e));
        if matches!(e, CoreError::RequestTimeout { .. } | CoreError::ExecTimeout { .. }) {
            // Unanswered: the command may be running all the same, so it is stopped, not only closed.
            let (read, write) = channel.split();
            tokio::spawn(stop(read, write, limits.kill_grace));
        } else {
            let _ = channel.close().await;
        }
        return Err(e);
    }
    seen(Ok(()));
    let collect_window = if stream.is_some() {
        coalesce
    } else {
        CoalesceConfig { window: Duration::ZERO, max_bytes: coalesce.max_bytes }
    };
    let sink = ExecSink {
        collected: Mutex::new(Collected::default()),
        stream,
        limit: limits.max_output_bytes,
        exceeded: AtomicBool::new(false),
        over: Notify::new(),
    };
    let (mut read, write) = channel.split();
    let over_limit = || CoreError::ExecOutputLimit { limit: limits.max_output_bytes };
    let ran = tokio::select! {
        exit = pump(&mut read, early, collect_window, &sink, &conn, None) => {
            // The whole reply may have come in one go, past the limit.
            if sink.exceeded.load(Ordering::Relaxed) { Err(over_limit()) } else { Ok(exit) }
        }
        () = tokio::time::sleep_until(deadline) => Err(timed_out()),
        () = sink.over.notified() => Err(over_limit()),
    };
    let exit = match ran {
        Ok(exit) => exit,
        Err(e) => {
            tokio::spawn(stop(read, write, limits.kill_grace));
            return Err(e);
        }
    };
    if let Some(e) = exit.error {
        return Err(e);
    }
    let c = sink.collected.into_inner().unwrap_or_default();
    Ok(ExecOutput {
        stdout: c.stdout,
        stderr: c.stderr,
        code: exit.code,
        signal: exit.signal,
        stdout_bytes: c.stdout_bytes,
        stderr_bytes: c.stderr_bytes,
    })
}

/// Stops a command the caller gave up on: TERM, then KILL after `grace`, then the channel is
/// closed. Closing alone is not enough: OpenSSH keeps a session channel, and its MaxSessions slot,
/// until the command ends. Output that still arrives is dropped; this takes at most 2 x `grace`.
async fn stop(mut read: ChannelReadHalf, write: ChannelWriteHalf<Msg>, grace: Duration) {
    for sig in [Sig::TERM, Sig::KILL] {
        if write.signal(sig).await.is_err() {
            break;
        }
        if ended_within(&mut read, grace).await {
            return;
        }
    }
    let _ = write.close().await;
}

/// True when the server closes the channel within `grace`.
async fn ended_within(read: &mut ChannelReadHalf, grace: Duration) -> bool {
    let deadline = Instant::now() + grace;
    loop {
        match tokio::time::timeout_at(deadline, read.wait()).await {
            Ok(Some(ChannelMsg::Close)) | Ok(None) => return true,
            Ok(Some(_)) => {}
            Err(_) => return false,
        }
    }
}
