//! A managed SSH session: its state machine, its current connection, and its logical shells.
//! The supervisor (supervisor.rs) watches the link and brings the session back after a loss.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{watch, Notify};

use crate::channel::{self, ExecLimits, ExecOutput};
use crate::config::SessionConfig;
use crate::error::{Cause, CoreError};
use crate::events::{
    now_ms, AttemptEvent, ChannelEvents, ChannelExit, ChannelsEvent, SessionEvents, SessionState, StateEvent,
};
use crate::pool::PoolShared;
use crate::shell::{self, Shell, ShellRequest, ShellSlot};
use crate::supervisor;
use crate::transport::{self, Attempt, Connection};

/// A cheap handle; clones refer to the same session.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) id: u64,
    pub(crate) config: SessionConfig,
    pub(crate) target: String,
    pub(crate) pool: Arc<PoolShared>,
    cell: Mutex<Cell>,
    /// A sibling lost its link: probe ours now.
    pub(crate) probe: Notify,
    /// `reconnect()` was called while the session waits in a terminal state.
    pub(crate) reconnect_request: Notify,
    pub(crate) closed: watch::Sender<bool>,
    /// (cycle number, outcome) of the latest reconnect cycle; `reconnect()` waits on it.
    pub(crate) outcome: watch::Sender<(u64, Option<CoreError>)>,
}

struct Cell {
    state: SessionState,
    conn: Option<Arc<Connection>>,
    connecting: bool,
    closed_by_user: bool,
    supervised: bool,
    events: Option<Arc<dyn SessionEvents>>,
    shells: Vec<Arc<ShellSlot>>,
    /// False after the server refused (or left unanswered) a channel open on this connection.
    channels_available: bool,
}

/// The state a failed connection attempt leaves the session in.
pub(crate) fn failure_state(e: &CoreError) -> SessionState {
    match e {
        CoreError::AuthFailed { .. } => SessionState::AuthFailed,
        CoreError::HostKeyMismatch { .. } => SessionState::HostKeyMismatch,
        _ => SessionState::Closed,
    }
}

fn transition(cell: &mut Cell, to: SessionState, cause: Option<Cause>, error: Option<CoreError>) {
    let previous = cell.state;
    cell.state = to;
    if let Some(events) = &cell.events {
        events.state(StateEvent { state: to, previous, cause, error, at_ms: now_ms() });
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Cell> {
        match self.cell.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub(crate) fn request_probe(&self) {
        self.probe.notify_one();
    }

    pub(crate) fn state(&self) -> SessionState {
        self.lock().state
    }

    pub(crate) fn current(&self) -> Option<Arc<Connection>> {
        self.lock().conn.clone()
    }

    pub(crate) fn attempt(&self, attempt: u32, delay: Duration) {
        if let Some(events) = &self.lock().events {
            events.attempt(AttemptEvent { attempt, delay_ms: delay.as_secs_f64() * 1000.0, at_ms: now_ms() });
        }
    }

    /// Tells the owner when the current connection stops, or starts again, giving channels: a
    /// refused or unanswered setup says it stopped, a setup that went through that it gives them.
    pub(crate) fn note_channels(&self, conn: &Arc<Connection>, setup: Result<(), &CoreError>) {
        let available = match setup {
            Ok(()) => true,
            Err(CoreError::ChannelRejected(_) | CoreError::RequestTimeout { .. }) => false,
            Err(_) => return,
        };
        let mut cell = self.lock();
        if available == cell.channels_available || !cell.conn.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
            return;
        }
        cell.channels_available = available;
        if let Some(events) = &cell.events {
            events.channels(ChannelsEvent { available, error: setup.err().cloned(), at_ms: now_ms() });
        }
    }

    /// `ready` <-> `degraded`, for the current connection only.
    pub(crate) fn set_degraded(&self, conn: &Arc<Connection>, degraded: bool) {
        let mut cell = self.lock();
        if !cell.conn.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
            return;
        }
        match (cell.state, degraded) {
            (SessionState::Ready, true) => transition(&mut cell, SessionState::Degraded, Some(Cause::Network), None),
            (SessionState::Degraded, false) => transition(&mut cell, SessionState::Ready, None, None),
            _ => {}
        }
    }

    /// The current connection ended with `reason`. Returns false when nothing more should happen
    /// (closed by the owner, or a stale connection).
    pub(crate) fn lost(&self, conn: &Arc<Connection>, reason: &CoreError) -> bool {
        {
            let mut cell = self.lock();
            if cell.closed_by_user || !cell.conn.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
                return false;
            }
            cell.conn = None;
            for shell in &cell.shells {
                shell.detach();
            }
            let to = if self.config.reconnect.enabled { SessionState::Reconnecting } else { SessionState::Closed };
            transition(&mut cell, to, Some(reason.cause()), Some(reason.clone()));
        }
        if reason.cause() == Cause::Network {
            self.pool.probe_siblings(&self.target, self.id);
        }
        true
    }

    /// Reopens the logical shells on `conn`, then makes it current. False if the owner closed
    /// the session meanwhile.
    pub(crate) async fn install(&self, conn: Arc<Connection>, after_loss: bool) -> bool {
        let shells: Vec<Arc<ShellSlot>> = self.lock().shells.iter().filter(|s| !s.is_ended()).cloned().collect();
        for slot in shells {
            match slot.attach(Arc::clone(&conn), self.pool.tuning.coalesce, &|_| {}).await {
                // A shell closed by its owner meanwhile is not reopened.
                Ok(()) if slot.is_ended() => {}
                Ok(()) => slot.reopened(),
                Err(e) => slot.end(ChannelExit { error: Some(e), ..Default::default() }),
            }
        }
        let mut cell = self.lock();
        if cell.closed_by_user {
            drop(cell);
            conn.kill(CoreError::closed());
            return false;
        }
        cell.conn = Some(Arc::clone(&conn));
        transition(&mut cell, SessionState::Ready, None, None);
        if !cell.channels_available {
            // A new connection: its channels are judged afresh.
            cell.channels_available = true;
            if let Some(events) = &cell.events {
                events.channels(ChannelsEvent { available: true, error: None, at_ms: now_ms() });
            }
        }
        if after_loss {
            self.publish_outcome(None);
        }
        true
    }

    /// A reconnect cycle gave up: wait in `state` for the owner.
    pub(crate) fn give_up(&self, state: SessionState, err: CoreError) {
        let mut cell = self.lock();
        if cell.closed_by_user {
            return;
        }
        transition(&mut cell, state, Some(err.cause()), Some(err.clone()));
        drop(cell);
        self.publish_outcome(Some(err));
    }

    /// Leaves a terminal state because the owner asked to reconnect.
    pub(crate) fn begin_manual_cycle(&self) -> bool {
        let mut cell = self.lock();
        if cell.closed_by_user {
            return false;
        }
        transition(&mut cell, SessionState::Reconnecting, Some(Cause::Client), None);
        true
    }

    fn publish_outcome(&self, err: Option<CoreError>) {
        self.outcome.send_modify(|(n, o)| {
            *n += 1;
            *o = err;
        });
    }
}

impl Session {
    pub(crate) fn new(id: u64, config: SessionConfig, pool: Arc<PoolShared>, events: Arc<dyn SessionEvents>) -> Self {
        let cell = Cell {
            state: SessionState::Closed,
            conn: None,
            connecting: false,
            closed_by_user: false,
            supervised: false,
            events: Some(events),
            shells: Vec::new(),
            channels_available: true,
        };
        let target = config.target_id.clone();
        Session {
            inner: Arc::new(Inner {
                id,
                config,
                target,
                pool,
                cell: Mutex::new(cell),
                probe: Notify::new(),
                reconnect_request: Notify::new(),
                closed: watch::channel(false).0,
                outcome: watch::channel((0, None)).0,
            }),
        }
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    pub fn id(&self) -> u64 {
        self.inner.id
    }

    pub fn state(&self) -> SessionState {
        self.inner.state()
    }

    /// False once the owner has closed the session.
    pub fn is_open(&self) -> bool {
        !self.inner.lock().closed_by_user
    }

    /// Connects and authenticates. Resolves when the session is `ready`; on failure the session
    /// is left in `auth_failed`, `host_key_mismatch` or `closed` and the error says why. From
    /// then on the session watches its link and reconnects by itself.
    pub async fn connect(&self) -> Result<(), CoreError> {
        {
            let mut cell = self.inner.lock();
            if cell.closed_by_user {
                return Err(CoreError::closed());
            }
            if cell.connecting {
                return Err(CoreError::BadOption("connect() is already in progress for this session".into()));
            }
            if cell.conn.is_some() || cell.supervised {
                return Ok(());
            }
            cell.connecting = true;
            transition(&mut cell, SessionState::Connecting, None, None);
        }
        let inner = &self.inner;
        let attempt = Attempt {
            tuning: &inner.pool.tuning,
            pinned: Arc::clone(&inner.pool.pinned),
            handshakes: inner.pool.handshake_slots(&inner.target),
            timeout: inner.config.connect_timeout,
        };
        let result = transport::connect(&inner.config, attempt).await;
        let conn = match result {
            Ok(conn) => Arc::new(conn),
            Err(e) => {
                let mut cell = inner.lock();
                cell.connecting = false;
                if !cell.closed_by_user {
                    transition(&mut cell, failure_state(&e), Some(e.cause()), Some(e.clone()));
                }
                return Err(e);
            }
        };
        {
            let mut cell = inner.lock();
            cell.connecting = false;
            cell.supervised = true;
        }
        if !inner.install(conn, false).await {
            return Err(CoreError::closed());
        }
        tokio::spawn(supervisor::supervise(Arc::clone(inner)));
        Ok(())
    }

    fn live(&self) -> Result<Arc<Connection>, CoreError> {
        let cell = self.inner.lock();
        cell.conn.clone().ok_or(CoreError::NotConnected(cell.state.not_connected()))
    }

    /// Opens a PTY shell. It survives reconnects: the session reopens it (same term and size) on
    /// the new connection and calls the sink's `reopened`.
    pub async fn open_shell(&self, req: ShellRequest, sink: Arc<dyn ChannelEvents>) -> Result<Shell, CoreError> {
        let conn = self.live()?;
        let seen = |setup: Result<(), &CoreError>| self.inner.note_channels(&conn, setup);
        let slot = shell::open_shell(
            Arc::clone(&conn),
            req,
            self.inner.config.request_timeout,
            self.inner.pool.tuning.coalesce,
            sink,
            &seen,
        )
        .await?;
        let mut cell = self.inner.lock();
        if cell.closed_by_user {
            drop(cell);
            slot.end(ChannelExit { error: Some(CoreError::closed()), ..Default::default() });
            return Err(CoreError::closed());
        }
        cell.shells.retain(|s| !s.is_ended());
        cell.shells.push(Arc::clone(&slot));
        Ok(Shell { slot })
    }

    /// Runs one command. Work in flight when the link dies fails with the reason of the loss.
    pub async fn exec(
        &self,
        command: &str,
        limits: ExecLimits,
        stream: Option<Arc<dyn ChannelEvents>>,
    ) -> Result<ExecOutput, CoreError> {
        let conn = self.live()?;
        let seen = |setup: Result<(), &CoreError>| self.inner.note_channels(&conn, setup);
        channel::exec(Arc::clone(&conn), command, limits, self.inner.pool.tuning.coalesce, stream, &seen).await
    }

    /// Leaves `manual_reconnect_required` (or `auth_failed`, `host_key_mismatch`, or a `closed`
    /// left by a lost link) with a fresh reconnect budget. Resolves when the session is ready
    /// again; rejects with the reason when this cycle gives up too.
    pub async fn reconnect(&self) -> Result<(), CoreError> {
        let mut outcome = self.inner.outcome.subscribe();
        let seen = outcome.borrow_and_update().0;
        {
            let cell = self.inner.lock();
            if cell.closed_by_user {
                return Err(CoreError::closed());
            }
            if !cell.supervised {
                return Err(CoreError::NotConnected(
                    "session is not connected (never connected; call connect() first)",
                ));
            }
            match cell.state {
                SessionState::Ready | SessionState::Degraded => return Ok(()),
                SessionState::Reconnecting | SessionState::Connecting => {}
                _ => self.inner.reconnect_request.notify_one(),
            }
        }
        loop {
            if outcome.changed().await.is_err() {
                return Err(CoreError::closed());
            }
            let (n, result) = outcome.borrow_and_update().clone();
            if n > seen {
                return match result {
                    None => Ok(()),
                    Some(e) => Err(e),
                };
            }
        }
    }

    /// Closes the session for good: the connection is ended, shells end, state `closed`.
    pub async fn close(&self) {
        let (conn, shells) = {
            let mut cell = self.inner.lock();
            if cell.closed_by_user {
                return;
            }
            cell.closed_by_user = true;
            let conn = cell.conn.take();
            if cell.state != SessionState::Closed || conn.is_some() {
                transition(&mut cell, SessionState::Closed, Some(Cause::Client), None);
            }
            cell.events = None;
            (conn, std::mem::take(&mut cell.shells))
        };
        self.inner.closed.send_replace(true);
        self.inner.outcome.send_modify(|(n, o)| {
            *n += 1;
            *o = Some(CoreError::closed());
        });
        for slot in shells {
            slot.end(ChannelExit { error: Some(CoreError::closed()), ..Default::default() });
        }
        if let Some(conn) = conn {
            conn.lost.set(CoreError::closed());
            let _ = conn.handle.disconnect(russh::Disconnect::ByApplication, "closed by client", "").await;
        }
    }
}
