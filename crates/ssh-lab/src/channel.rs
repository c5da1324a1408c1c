//! One SSH session channel of the lab: a simulated PTY shell or an exec command.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use russh::server::{Handle, Msg};
use russh::{Channel, ChannelMsg, ChannelWriteHalf};
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

use crate::command::{parse_line, Command};
use crate::poller::proc_file;
use crate::seqstream::{push_line, Rate};
use crate::server::Shared;

const PROMPT: &[u8] = b"lab$ ";
const BULK_CHUNK: usize = 256 * 1024;
static ZEROS: [u8; BULK_CHUNK] = [0u8; BULK_CHUNK];

/// The terminal size of a PTY channel, updated by window-change requests.
struct PtySize {
    cols: AtomicU32,
    rows: AtomicU32,
}

#[derive(Clone)]
struct Output {
    tx: Arc<ChannelWriteHalf<Msg>>,
    shared: Arc<Shared>,
    pty: Option<Arc<PtySize>>,
    /// Notified when this side has closed the channel: russh then forgets it, so the client's
    /// answering close never reaches the channel task, which must end by itself.
    closed: Arc<Notify>,
}

type WriteResult = Result<(), russh::Error>;

impl Output {
    async fn raw(&self, data: Bytes) -> WriteResult {
        let n = data.len() as u64;
        self.tx.data_bytes(data).await?;
        self.shared.counters.bytes_sent.fetch_add(n, Ordering::Relaxed);
        Ok(())
    }

    /// Text with `\n` line ends; on a PTY they become `\r\n` and stderr shares the terminal.
    async fn text(&self, text: &str, to_stderr: bool) -> WriteResult {
        if self.pty.is_some() {
            return self.raw(Bytes::from(text.replace('\n', "\r\n"))).await;
        }
        let data = Bytes::from(text.to_owned());
        if to_stderr {
            let n = data.len() as u64;
            self.tx.extended_data_bytes(1, data).await?;
            self.shared.counters.bytes_sent.fetch_add(n, Ordering::Relaxed);
            Ok(())
        } else {
            self.raw(data).await
        }
    }

    fn newline(&self) -> &'static [u8] {
        if self.pty.is_some() {
            b"\r\n"
        } else {
            b"\n"
        }
    }

    async fn finish(&self, status: u32) {
        let _ = self.tx.exit_status(status).await;
        let _ = self.tx.eof().await;
        let _ = self.tx.close().await;
        self.closed.notify_one();
    }
}

/// How a command list ended.
enum Flow {
    /// Ran to its end; the last command's status.
    Status(u32),
    /// `exit N`: the shell or exec ends with N.
    Exit(u32),
}

pub(crate) async fn run_channel(channel: Channel<Msg>, shared: Arc<Shared>, session: Handle) {
    shared.counters.channels_active.fetch_add(1, Ordering::Relaxed);
    let id = channel.id();
    let (mut rx, tx) = channel.split();
    let tx = Arc::new(tx);
    let mut pty: Option<Arc<PtySize>> = None;
    let mut shell_input: Option<mpsc::UnboundedSender<Option<Bytes>>> = None;
    let mut jobs: Vec<JoinHandle<()>> = Vec::new();
    let closed = Arc::new(Notify::new());
    loop {
        let msg = tokio::select! {
            msg = rx.wait() => match msg {
                Some(msg) => msg,
                None => break,
            },
            () = closed.notified() => break,
        };
        match msg {
            ChannelMsg::RequestPty { col_width, row_height, .. } => {
                pty = Some(Arc::new(PtySize { cols: AtomicU32::new(col_width), rows: AtomicU32::new(row_height) }));
            }
            ChannelMsg::WindowChange { col_width, row_height, .. } => {
                if let Some(size) = &pty {
                    size.cols.store(col_width, Ordering::Relaxed);
                    size.rows.store(row_height, Ordering::Relaxed);
                }
            }
            ChannelMsg::RequestShell { .. } => {
                let (input_tx, input_rx) = mpsc::unbounded_channel();
                shell_input = Some(input_tx);
                let out = Output {
                    tx: Arc::clone(&tx),
                    shared: Arc::clone(&shared),
                    pty: pty.clone(),
                    closed: Arc::clone(&closed),
                };
                jobs.push(tokio::spawn(shell(out, input_rx)));
            }
            ChannelMsg::Exec { command, .. } => {
                let out = Output {
                    tx: Arc::clone(&tx),
                    shared: Arc::clone(&shared),
                    pty: pty.clone(),
                    closed: Arc::clone(&closed),
                };
                let line = String::from_utf8_lossy(&command).into_owned();
                jobs.push(tokio::spawn(async move {
                    let status = match run_list(&out, &line).await {
                        Ok(Flow::Status(s)) | Ok(Flow::Exit(s)) => s,
                        Err(_) => return,
                    };
                    out.finish(status).await;
                }));
            }
            ChannelMsg::Data { data } => {
                if let Some(input) = &shell_input {
                    let _ = input.send(Some(data));
                }
            }
            ChannelMsg::Eof => {
                if let Some(input) = &shell_input {
                    let _ = input.send(None);
                }
            }
            ChannelMsg::Signal { signal } => {
                // Like sshd: the signal reaches the command (here: ends it), which then reports
                // exit-signal and its channel closes. An idle channel ignores it.
                if jobs.iter().all(|j| j.is_finished()) {
                    continue;
                }
                for job in jobs.drain(..) {
                    job.abort();
                }
                let _ = session.exit_signal_request(id, signal, false, String::new(), String::new()).await;
                let _ = tx.eof().await;
                let _ = tx.close().await;
                break;
            }
            ChannelMsg::Close => break,
            _ => {}
        }
    }
    for job in jobs {
        job.abort();
    }
    shared.counters.channels_active.fetch_sub(1, Ordering::Relaxed);
}

/// The simulated interactive shell. Input is echoed on a PTY (as a terminal in cooked mode would),
/// a line runs on Enter, Ctrl-C interrupts the running command, lines typed meanwhile wait.
async fn shell(out: Output, mut input: mpsc::UnboundedReceiver<Option<Bytes>>) {
    let interactive = out.pty.is_some();
    if interactive && out.raw(Bytes::from_static(PROMPT)).await.is_err() {
        return;
    }
    let mut line: Vec<u8> = Vec::new();
    let mut pending: VecDeque<String> = VecDeque::new();
    let mut job: Option<JoinHandle<Result<Flow, russh::Error>>> = None;
    loop {
        tokio::select! {
            event = input.recv() => {
                let Some(Some(data)) = event else {
                    // EOF on the shell's input (or the channel went away): the shell exits.
                    if let Some(j) = job.take() { j.abort(); }
                    out.finish(0).await;
                    return;
                };
                let mut echo: Vec<u8> = Vec::with_capacity(data.len() + 8);
                for &b in data.iter() {
                    match b {
                        0x03 => {
                            if let Some(j) = job.take() { j.abort(); }
                            pending.clear();
                            line.clear();
                            echo.extend_from_slice(b"^C\r\n");
                            echo.extend_from_slice(PROMPT);
                        }
                        b'\r' | b'\n' => {
                            echo.extend_from_slice(b"\r\n");
                            pending.push_back(String::from_utf8_lossy(&std::mem::take(&mut line)).into_owned());
                        }
                        0x7f | 0x08 => {
                            if line.pop().is_some() {
                                echo.extend_from_slice(b"\x08 \x08");
                            }
                        }
                        _ => {
                            line.push(b);
                            echo.push(b);
                        }
                    }
                }
                if interactive && !echo.is_empty() && out.raw(Bytes::from(echo)).await.is_err() {
                    return;
                }
            }
            done = async { match job.as_mut() { Some(j) => j.await, None => std::future::pending().await } }, if job.is_some() => {
                job = None;
                match done {
                    Ok(Ok(Flow::Exit(code))) => {
                        out.finish(code).await;
                        return;
                    }
                    Ok(Ok(Flow::Status(_))) => {
                        if interactive && pending.is_empty() && out.raw(Bytes::from_static(PROMPT)).await.is_err() {
                            return;
                        }
                    }
                    Ok(Err(_)) => return,
                    Err(_) => {}
                }
            }
        }
        if job.is_none() {
            while let Some(next) = pending.pop_front() {
                if next.trim().is_empty() {
                    if interactive && out.raw(Bytes::from_static(PROMPT)).await.is_err() {
                        return;
                    }
                    continue;
                }
                let job_out = out.clone();
                job = Some(tokio::spawn(async move { run_list(&job_out, &next).await }));
                break;
            }
        }
    }
}

async fn run_list(out: &Output, line: &str) -> Result<Flow, russh::Error> {
    let mut status = 0;
    for cmd in parse_line(line) {
        match run_command(out, cmd).await? {
            Flow::Status(s) => status = s,
            exit @ Flow::Exit(_) => return Ok(exit),
        }
    }
    Ok(Flow::Status(status))
}

async fn run_command(out: &Output, cmd: Command) -> Result<Flow, russh::Error> {
    let status = match cmd {
        Command::Echo { text, to_stderr } => {
            out.text(&format!("{text}\n"), to_stderr).await?;
            0
        }
        Command::Exit(code) => return Ok(Flow::Exit(code)),
        Command::Sleep { millis } => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            0
        }
        Command::Status(s) => s,
        Command::Bulk { bytes, zeros } => {
            bulk(out, bytes, zeros).await?;
            0
        }
        Command::Cat { files } => {
            let mut status = 0;
            for file in files {
                match proc_file(&file) {
                    Some(text) => out.text(&text, false).await?,
                    None => {
                        out.text(&format!("cat: {file}: No such file or directory\n"), true).await?;
                        status = 1;
                    }
                }
            }
            status
        }
        Command::SttySize => match &out.pty {
            Some(size) => {
                let rows = size.rows.load(Ordering::Relaxed);
                let cols = size.cols.load(Ordering::Relaxed);
                out.text(&format!("{rows} {cols}\n"), false).await?;
                0
            }
            None => {
                out.text("stty: 'standard input': Inappropriate ioctl for device\n", true).await?;
                1
            }
        },
        Command::Stream { rate, count } => {
            stream(out, rate, count).await?;
            0
        }
        Command::Fail { message, status } => {
            out.text(&format!("{message}\n"), true).await?;
            status
        }
    };
    Ok(Flow::Status(status))
}

async fn bulk(out: &Output, bytes: u64, zeros: bool) -> WriteResult {
    let mut left = bytes;
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    while left > 0 {
        let n = left.min(BULK_CHUNK as u64) as usize;
        let chunk = if zeros {
            Bytes::from_static(&ZEROS[..n])
        } else {
            let mut buf = Vec::with_capacity(n + 8);
            while buf.len() < n {
                // xorshift64*: fast filler, not cryptographic
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                buf.extend_from_slice(&state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
            }
            buf.truncate(n);
            Bytes::from(buf)
        };
        out.raw(chunk).await?;
        left -= n as u64;
    }
    Ok(())
}

async fn stream(out: &Output, rate: Rate, count: u64) -> WriteResult {
    let (period_ms, per_tick) = rate.schedule();
    let mut ticker = (period_ms > 0).then(|| {
        let mut t = tokio::time::interval(Duration::from_millis(period_ms));
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    let newline = out.newline();
    let mut seq: u64 = 1;
    loop {
        match ticker.as_mut() {
            Some(t) => {
                t.tick().await;
            }
            // A flood waits only for the window (in `raw`); yield so other sessions get their turn.
            None => tokio::task::yield_now().await,
        }
        let mut buf = Vec::with_capacity(per_tick as usize * 101);
        for _ in 0..per_tick {
            if count != 0 && seq > count {
                break;
            }
            push_line(&mut buf, seq, newline);
            seq += 1;
        }
        if !buf.is_empty() {
            out.raw(Bytes::from(buf)).await?;
        }
        if count != 0 && seq > count {
            return Ok(());
        }
    }
}
