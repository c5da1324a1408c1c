//! The pool, session and shell classes for JS; their options are in `options.rs`, the events
//! they send in `events.rs`.

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;

use super::events::JsSink;
use super::options::{BindingExecOptions, BindingPoolOptions, BindingSessionOptions, BindingShellOptions};
use super::outbox::{Drain, InputClock, Outbox};
use super::ui::{NativeUiLink, ShellSink};
use super::{count_crossing, to_napi, JsCallback};
use crate::channel::ExecLimits;
use crate::config::{PoolPolicy, PoolTuning, SessionConfig};
use crate::events::{ChannelEvents, SessionState};
use crate::pool::Pool;
use crate::session::Session;
use crate::shell::{Shell, ShellRequest};

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
        let req = ShellRequest::from(options);
        let input = Arc::new(InputClock::default());
        let events = Arc::new(ShellSink::new(JsSink { sink, input: Some(Arc::clone(&input)), ..self.events.clone() }));
        let shell =
            self.session.open_shell(req, Arc::clone(&events) as Arc<dyn ChannelEvents>).await.map_err(to_napi)?;
        Ok(NativeShell { shell, input, events })
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
        let limits = match ExecLimits::try_from(&options) {
            Ok(limits) => limits,
            Err(e) => {
                if let Some(s) = &stream {
                    s.end();
                }
                return Err(e);
            }
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
    events: Arc<ShellSink>,
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

    /// Flow control for the JS reader: while paused the server stops sending on this shell's
    /// channel once it has used the window it has, across reconnects; the output that still comes
    /// is delivered as usual (the JS shell keeps it for its reader). Recorded at once, in call
    /// order, and sent to the server from the runtime; false when the shell has ended.
    #[napi(catch_unwind)]
    pub fn set_paused(&self, paused: bool) -> bool {
        self.shell.request_paused(crate::shell::PauseBy::Reader, paused)
    }

    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.shell.close();
    }

    /// From now on the shell's output goes to the UI process over `link` as session `session`'s
    /// frames, with no JS hop, and the keys the UI types into that session come straight here. JS
    /// still gets the shell's reopen and exit.
    #[napi(catch_unwind)]
    pub fn route_to_ui(&self, link: &NativeUiLink, session: u32) -> Result<()> {
        if link.link.is_ended() {
            return Err(to_napi(crate::error::CoreError::NotConnected("the UI link is closed")));
        }
        // The sink first, so an exit from here on unroutes the link; one that came before is
        // seen below (a routed shell holds the link, whose route holds the shell).
        self.events.route(Arc::clone(&link.link), session);
        link.link.route(session, self.shell.clone());
        if self.shell.slot.is_ended() {
            link.link.unroute(session);
        }
        Ok(())
    }
}
