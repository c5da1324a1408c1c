//! Pool, session and shell classes for JS.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;

use super::chunk::{Chunk, Event, Payload};
use super::outbox::{Drain, InputClock, Outbox};
use super::{bad_option, count_crossing, to_napi, JsCallback};
use crate::channel::ExecLimits;
use crate::config::{AuthConfig, CoalesceConfig, HostKeyPolicy, PoolPolicy, PoolTuning, SessionConfig};
use crate::error::Cause;
use crate::events::{AttemptEvent, ChannelEvents, ChannelExit, ChannelsEvent, SessionEvents, SessionState, StateEvent};
use crate::policy::{HealthPolicy, ReconnectPolicy};
use crate::pool::Pool;
use crate::session::Session;
use crate::shell::{Shell, ShellRequest};

/// The largest channel packet this core asks a server for (`RUST_MAX_PACKET_BYTES` in defaults.ts).
const MAX_PACKET_BYTES: u32 = 256 * 1024 - 256;

#[napi(object)]
pub struct BindingPoolOptions {
    pub coalesce_ms: f64,
    pub coalesce_bytes: u32,
    /// The shortest time between two wake-ups of JS by this pool (see `napi/outbox.rs`).
    pub wake_interval_ms: u32,
    pub window_bytes: u32,
    pub max_packet_bytes: u32,
    pub channel_buffer: u32,
    /// Channel data reaches JS as Buffers over the core's own memory (true), or as JS-owned
    /// copies (false: what an Electron app gets, whose V8 memory cage forbids external buffers).
    pub external_buffers: bool,
    pub max_concurrent_handshakes: u32,
    /// Seed of the backoff jitter (an integer below 2^53).
    pub seed: f64,
}

impl TryFrom<&BindingPoolOptions> for PoolPolicy {
    type Error = napi::Error;
    fn try_from(o: &BindingPoolOptions) -> Result<Self> {
        if o.max_concurrent_handshakes == 0 {
            return Err(bad_option("maxConcurrentHandshakes must be at least 1"));
        }
        if !(o.seed.is_finite() && o.seed >= 0.0 && o.seed.fract() == 0.0) {
            return Err(bad_option(format!("seed must be a non-negative integer, got {}", o.seed)));
        }
        Ok(PoolPolicy { max_concurrent_handshakes: o.max_concurrent_handshakes as usize, seed: o.seed as u64 })
    }
}

impl TryFrom<BindingPoolOptions> for PoolTuning {
    type Error = napi::Error;
    fn try_from(o: BindingPoolOptions) -> Result<Self> {
        if !(o.coalesce_ms.is_finite() && o.coalesce_ms >= 0.0) {
            return Err(bad_option(format!("coalesceMs must be a number >= 0, got {}", o.coalesce_ms)));
        }
        // russh reads packets of up to 256 KiB plus framing and 19 bytes of padding; a server may
        // pad with up to 255, so a data payload is kept 256 bytes below the limit.
        if o.max_packet_bytes < 1024 || o.max_packet_bytes > MAX_PACKET_BYTES {
            return Err(bad_option(format!(
                "maxPacketBytes must be 1024..{MAX_PACKET_BYTES}, got {}",
                o.max_packet_bytes
            )));
        }
        Ok(PoolTuning {
            coalesce: CoalesceConfig {
                window: Duration::from_secs_f64(o.coalesce_ms / 1000.0),
                max_bytes: o.coalesce_bytes.max(1) as usize,
            },
            window_bytes: o.window_bytes,
            max_packet_bytes: o.max_packet_bytes,
            channel_buffer: o.channel_buffer.max(1) as usize,
        })
    }
}

/// A session's options, fully resolved by the TypeScript edge (no defaults here).
#[napi(object)]
pub struct BindingSessionOptions {
    pub target_id: String,
    pub host: String,
    pub port: u32,
    pub username: String,
    pub password: Option<String>,
    pub private_key_path: Option<String>,
    pub private_key: Option<String>,
    pub passphrase: Option<String>,
    /// "fingerprint" | "known-hosts" | "accept-new"
    pub host_key_policy: String,
    pub host_key_fingerprint: Option<String>,
    pub known_hosts_path: Option<String>,
    /// Check the host key as this host's (OpenSSH's HostKeyAlias)...
    pub host_key_alias_host: Option<String>,
    /// ...and this port's.
    pub host_key_alias_port: Option<u32>,
    pub connect_timeout_ms: u32,
    pub request_timeout_ms: u32,
    pub keepalive_interval_ms: u32,
    pub keepalive_count_max: u32,
    pub degraded_after_ms: u32,
    pub probe_timeout_ms: u32,
    pub ciphers: Option<Vec<String>>,
    pub kex: Option<Vec<String>>,
    pub reconnect: BindingReconnectOptions,
}

#[napi(object)]
pub struct BindingReconnectOptions {
    pub enabled: bool,
    pub base_delay_ms: u32,
    pub max_delay_ms: u32,
    pub max_attempts: u32,
    pub budget_ms: u32,
    pub attempt_timeout_ms: u32,
    pub gate_time_ms: u32,
}

impl TryFrom<BindingSessionOptions> for SessionConfig {
    type Error = napi::Error;
    fn try_from(o: BindingSessionOptions) -> Result<Self> {
        let port = u16::try_from(o.port)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| bad_option(format!("port must be 1..65535, got {}", o.port)))?;
        let auth = match (o.password, o.private_key_path, o.private_key) {
            (Some(p), None, None) => AuthConfig::Password(p),
            (None, path, text) if path.is_some() || text.is_some() => {
                AuthConfig::PrivateKey { path: path.map(PathBuf::from), text, passphrase: o.passphrase }
            }
            _ => return Err(bad_option("give exactly one of password, privateKeyPath or privateKey")),
        };
        let host_key = match o.host_key_policy.as_str() {
            "fingerprint" => HostKeyPolicy::Fingerprint(
                o.host_key_fingerprint.ok_or_else(|| bad_option("hostKey 'fingerprint' needs a fingerprint"))?,
            ),
            "known-hosts" => HostKeyPolicy::KnownHosts(PathBuf::from(
                o.known_hosts_path.ok_or_else(|| bad_option("hostKey 'known-hosts' needs a knownHostsPath"))?,
            )),
            "accept-new" => HostKeyPolicy::AcceptNew(o.known_hosts_path.map(PathBuf::from)),
            other => return Err(bad_option(format!("unknown host-key policy '{other}'"))),
        };
        let host_key_alias = match (o.host_key_alias_host, o.host_key_alias_port) {
            (Some(h), p) => {
                let p = p.unwrap_or(port as u32);
                let p = u16::try_from(p)
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad_option(format!("hostKeyAlias port must be 1..65535, got {p}")))?;
                Some((h, p))
            }
            (None, None) => None,
            (None, Some(_)) => return Err(bad_option("hostKeyAlias needs a host")),
        };
        if o.keepalive_interval_ms == 0 {
            return Err(bad_option("keepaliveIntervalMs must be > 0"));
        }
        let ms = |v: u32| Duration::from_millis(v as u64);
        let r = &o.reconnect;
        Ok(SessionConfig {
            target_id: o.target_id,
            host: o.host,
            port,
            username: o.username,
            auth,
            host_key,
            host_key_alias,
            connect_timeout: ms(o.connect_timeout_ms),
            request_timeout: ms(o.request_timeout_ms),
            ciphers: o.ciphers,
            kex: o.kex,
            health: HealthPolicy {
                keepalive_interval: ms(o.keepalive_interval_ms),
                keepalive_count_max: o.keepalive_count_max,
                degraded_after: ms(o.degraded_after_ms),
                probe_timeout: ms(o.probe_timeout_ms),
            },
            reconnect: ReconnectPolicy {
                enabled: r.enabled,
                base_delay: ms(r.base_delay_ms),
                max_delay: ms(r.max_delay_ms),
                max_attempts: r.max_attempts,
                budget: ms(r.budget_ms),
                attempt_timeout: ms(r.attempt_timeout_ms),
                gate_time: ms(r.gate_time_ms),
            },
        })
    }
}

/// A state transition (event kind `State`: `state`, `previous`), a reconnect attempt about to
/// start (`Attempt`: `attempt`, `delayMs`), or the server stopping or starting again to give
/// channels (`Channels`: `available`). The event's [`EventKind`] says which.
#[napi(object)]
pub struct BindingStateEvent {
    pub available: Option<bool>,
    pub attempt: Option<u32>,
    pub delay_ms: Option<f64>,
    pub state: Option<SessionState>,
    pub previous: Option<SessionState>,
    pub cause: Option<Cause>,
    pub code: Option<String>,
    pub message: Option<String>,
    pub at_ms: f64,
}

/// What an event carries; it crosses as a number, not a string made per event.
#[napi]
pub enum EventKind {
    /// Channel output (`data`).
    Data,
    /// Exec stderr (`data`).
    Stderr,
    /// A shell's end (`exit`).
    Exit,
    /// A shell reopened after a reconnect (`atMs`).
    Reopen,
    /// A session state transition (`state`).
    State,
    /// A reconnect attempt about to start (`state`, whose kind is "attempt").
    Attempt,
    /// The server stopped or started again giving channels (`state`, whose kind is "channels").
    Channels,
    /// Nothing more comes for this sink.
    End,
}

/// The pool's way to JS, with the sink an event belongs to.
///
/// Every session, shell and streamed exec of a pool shares the pool's one [`Outbox`] and is told
/// apart by its sink, a number the TypeScript adapter chose when it asked for the object. One queue
/// per pool, not one per object: libuv walks every async handle of the loop on each wakeup, so a
/// handle per shell made 1,000 busy sessions cost O(n) per chunk, and one wake-up takes every event
/// queued meanwhile. One queue also keeps a channel's data, its exit and its end in order. How the
/// events cross is in `chunk.rs`.
#[derive(Clone)]
struct JsSink {
    out: Arc<Outbox>,
    sink: u32,
    /// Channel data is copied into JS-owned Buffers instead of handed over (see [`Chunk`]).
    copy: bool,
    /// A shell's input clock: its output is not paced while somebody types into it.
    input: Option<Arc<InputClock>>,
}

impl JsSink {
    fn send(&self, kind: EventKind, bytes: usize, payload: Payload) {
        let urgent = self.input.as_ref().is_some_and(|c| c.recent());
        self.out.push(Event { sink: self.sink, kind, payload }, bytes, urgent);
    }

    /// Nothing more will come for this sink: the adapter can forget it.
    fn end(&self) {
        self.send(EventKind::End, 0, Payload::None);
    }
}

impl SessionEvents for JsSink {
    fn state(&self, e: StateEvent) {
        self.send(
            EventKind::State,
            0,
            Payload::State(BindingStateEvent {
                available: None,
                attempt: None,
                delay_ms: None,
                state: Some(e.state),
                previous: Some(e.previous),
                cause: e.cause,
                code: e.error.as_ref().map(|e| e.code().into()),
                message: e.error.as_ref().map(|e| e.to_string()),
                at_ms: e.at_ms,
            }),
        );
    }

    fn attempt(&self, e: AttemptEvent) {
        self.send(
            EventKind::Attempt,
            0,
            Payload::State(BindingStateEvent {
                available: None,
                attempt: Some(e.attempt),
                delay_ms: Some(e.delay_ms),
                state: Some(SessionState::Reconnecting),
                previous: Some(SessionState::Reconnecting),
                cause: None,
                code: None,
                message: None,
                at_ms: e.at_ms,
            }),
        );
    }

    fn channels(&self, e: ChannelsEvent) {
        self.send(
            EventKind::Channels,
            0,
            Payload::State(BindingStateEvent {
                available: Some(e.available),
                attempt: None,
                delay_ms: None,
                state: None,
                previous: None,
                cause: e.error.as_ref().map(|e| e.cause()),
                code: e.error.as_ref().map(|e| e.code().into()),
                message: e.error.as_ref().map(|e| e.to_string()),
                at_ms: e.at_ms,
            }),
        );
    }
}

#[napi(object)]
pub struct BindingExit {
    pub code: Option<u32>,
    pub signal: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

impl ChannelEvents for JsSink {
    fn data(&self, chunk: Vec<u8>) {
        let copy = self.copy;
        self.send(EventKind::Data, chunk.len(), Payload::Data(Chunk { bytes: chunk, copy }));
    }
    fn stderr(&self, chunk: Vec<u8>) {
        let copy = self.copy;
        self.send(EventKind::Stderr, chunk.len(), Payload::Data(Chunk { bytes: chunk, copy }));
    }
    fn exit(&self, exit: ChannelExit) {
        self.send(
            EventKind::Exit,
            0,
            Payload::Exit(BindingExit {
                code: exit.code,
                signal: exit.signal,
                error_code: exit.error.as_ref().map(|e| e.code().into()),
                error_message: exit.error.as_ref().map(|e| e.to_string()),
            }),
        );
    }
    fn reopened(&self) {
        self.send(EventKind::Reopen, 0, Payload::AtMs(crate::events::now_ms()));
    }
}

#[napi]
pub struct NativePool {
    pool: Arc<Pool>,
    events: Arc<Outbox>,
    copy: bool,
}

#[napi]
impl NativePool {
    /// `onEvents` receives, in order and in batches (one call per wake-up of the JS thread),
    /// every event of every session, shell and streamed exec of the pool.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        options: BindingPoolOptions,
        #[napi(ts_arg_type = "(drain: Array<Buffer | number | BindingStateEvent | BindingExit | undefined>) => void")]
        on_events: ThreadsafeFunction<Drain, (), Drain, Status, false, true>,
    ) -> Result<Self> {
        let policy = PoolPolicy::try_from(&options)?;
        let copy = !options.external_buffers;
        let pace = Duration::from_millis(u64::from(options.wake_interval_ms));
        let on_events: JsCallback<Drain> = on_events;
        let pool = Arc::new(Pool::new(PoolTuning::try_from(options)?, policy));
        Ok(NativePool { pool, events: Arc::new(Outbox::new(on_events, pace)), copy })
    }

    /// A new, unconnected session whose state events go to `sink`.
    #[napi(catch_unwind)]
    pub fn create_session(&self, options: BindingSessionOptions, sink: u32) -> Result<NativeSession> {
        let config = SessionConfig::try_from(options)?;
        if let Some(names) = &config.ciphers {
            crate::config::resolve_ciphers(names).map_err(to_napi)?;
        }
        if let Some(names) = &config.kex {
            crate::config::resolve_kex(names).map_err(to_napi)?;
        }
        let events = JsSink { out: Arc::clone(&self.events), sink, copy: self.copy, input: None };
        let session = self.pool.create_session(config, Arc::new(events.clone()));
        Ok(NativeSession { session, events })
    }

    #[napi(getter, catch_unwind)]
    pub fn open_sessions(&self) -> u32 {
        self.pool.open_sessions() as u32
    }

    #[napi]
    pub async fn close_all(&self) {
        self.pool.close_all().await;
    }
}

#[napi(object)]
pub struct BindingShellOptions {
    pub term: String,
    pub cols: u32,
    pub rows: u32,
}

#[napi(object)]
pub struct BindingExecOptions {
    pub timeout_ms: u32,
    /// Collected stdout plus stderr beyond this fail the exec (an integer below 2^53).
    pub max_output_bytes: f64,
    pub kill_grace_ms: u32,
}

#[napi(object)]
pub struct BindingExecResult {
    pub stdout: Buffer,
    pub stderr: Buffer,
    pub code: Option<u32>,
    pub signal: Option<String>,
    pub stdout_bytes: f64,
    pub stderr_bytes: f64,
}

#[napi]
pub struct NativeSession {
    session: Session,
    /// The session's own sink; shells and streamed execs get sinks of their own on the same way out.
    events: JsSink,
}

#[napi]
impl NativeSession {
    #[napi(getter, catch_unwind)]
    pub fn id(&self) -> f64 {
        self.session.id() as f64
    }

    #[napi(getter, catch_unwind)]
    pub fn state(&self) -> SessionState {
        self.session.state()
    }

    #[napi]
    pub async fn connect(&self) -> Result<()> {
        self.session.connect().await.map_err(to_napi)
    }

    /// Opens a PTY shell whose data, exit and reopen events go to `sink`.
    #[napi]
    pub async fn open_shell(&self, options: BindingShellOptions, sink: u32) -> Result<NativeShell> {
        let req = ShellRequest { term: options.term, cols: options.cols, rows: options.rows };
        let input = Arc::new(InputClock::default());
        let events = Arc::new(JsSink { sink, input: Some(Arc::clone(&input)), ..self.events.clone() });
        let shell = self.session.open_shell(req, events).await.map_err(to_napi)?;
        Ok(NativeShell { shell, input })
    }

    /// Runs a command. With `streamSink`, output is streamed (coalesced) to it as data and stderr
    /// events, followed by one end event however the exec ends, and the result's buffers stay
    /// empty; the byte counts are always set.
    #[napi]
    pub async fn exec(
        &self,
        command: String,
        options: BindingExecOptions,
        stream_sink: Option<u32>,
    ) -> Result<BindingExecResult> {
        let stream = stream_sink.map(|sink| JsSink { sink, ..self.events.clone() });
        if !(options.max_output_bytes.is_finite() && options.max_output_bytes >= 0.0) {
            if let Some(s) = &stream {
                s.end();
            }
            return Err(bad_option(format!("maxOutputBytes must be a number >= 0, got {}", options.max_output_bytes)));
        }
        let limits = ExecLimits {
            timeout: Duration::from_millis(options.timeout_ms as u64),
            max_output_bytes: options.max_output_bytes as u64,
            kill_grace: Duration::from_millis(options.kill_grace_ms as u64),
        };
        let result =
            self.session.exec(&command, limits, stream.clone().map(|s| Arc::new(s) as Arc<dyn ChannelEvents>)).await;
        if let Some(s) = &stream {
            s.end();
        }
        let out = result.map_err(to_napi)?;
        count_crossing(out.stdout.len() + out.stderr.len());
        Ok(BindingExecResult {
            stdout: Buffer::from(out.stdout),
            stderr: Buffer::from(out.stderr),
            code: out.code,
            signal: out.signal,
            stdout_bytes: out.stdout_bytes as f64,
            stderr_bytes: out.stderr_bytes as f64,
        })
    }

    /// Leaves manual_reconnect_required (or another waiting state) with a fresh budget.
    #[napi]
    pub async fn reconnect(&self) -> Result<()> {
        self.session.reconnect().await.map_err(to_napi)
    }

    /// Closes the session; its last event is an end on its sink, after the closed state.
    #[napi]
    pub async fn close(&self) {
        self.session.close().await;
        self.events.end();
    }
}

#[napi]
pub struct NativeShell {
    shell: Shell,
    input: Arc<InputClock>,
}

#[napi]
impl NativeShell {
    /// Queues bytes for the remote terminal; never blocks.
    #[napi(catch_unwind)]
    pub fn write(&self, data: Buffer) -> Result<()> {
        self.input.mark();
        self.shell.write(data.to_vec()).map_err(to_napi)
    }

    #[napi]
    pub async fn resize(&self, cols: u32, rows: u32) -> Result<()> {
        self.shell.resize(cols, rows).await.map_err(to_napi)
    }

    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.shell.close();
    }
}
