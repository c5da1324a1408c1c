//! A managed SSH session: its state machine, its current connection, and its channels.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::channel::{self, ExecOutput, Shell, ShellRequest};
use crate::config::SessionConfig;
use crate::error::{Cause, CoreError};
use crate::events::{now_ms, ChannelEvents, SessionEvents, SessionState, StateEvent};
use crate::pool::PoolShared;
use crate::transport::{self, Connection};

/// A cheap handle; clones refer to the same session.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    id: u64,
    config: SessionConfig,
    pool: Arc<PoolShared>,
    cell: Mutex<Cell>,
}

struct Cell {
    state: SessionState,
    conn: Option<Arc<Connection>>,
    /// Bumped for every connection, so a late loss report of an old one is ignored.
    epoch: u64,
    connecting: bool,
    closed_by_user: bool,
    events: Option<Arc<dyn SessionEvents>>,
}

/// The state a failed connection attempt leaves the session in.
fn failure_state(e: &CoreError) -> SessionState {
    match e {
        CoreError::AuthFailed { .. } => SessionState::AuthFailed,
        CoreError::HostKeyMismatch { .. } => SessionState::HostKeyMismatch,
        _ => SessionState::Closed,
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Cell> {
        match self.cell.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

}

fn transition(cell: &mut Cell, to: SessionState, cause: Option<Cause>, error: Option<CoreError>) {
    let previous = cell.state;
    cell.state = to;
    if let Some(events) = &cell.events {
        events.state(StateEvent { state: to, previous, cause, error, at_ms: now_ms() });
    }
}

impl Session {
    pub(crate) fn new(id: u64, config: SessionConfig, pool: Arc<PoolShared>, events: Arc<dyn SessionEvents>) -> Self {
        let cell = Cell {
            state: SessionState::Closed,
            conn: None,
            epoch: 0,
            connecting: false,
            closed_by_user: false,
            events: Some(events),
        };
        Session { inner: Arc::new(Inner { id, config, pool, cell: Mutex::new(cell) }) }
    }

    /// False once the owner has closed the session.
    pub fn is_open(&self) -> bool {
        !self.inner.lock().closed_by_user
    }

    pub fn id(&self) -> u64 {
        self.inner.id
    }

    pub fn state(&self) -> SessionState {
        self.inner.lock().state
    }

    /// Connects and authenticates. Resolves when the session is `ready`; on failure the session
    /// is left in `auth_failed`, `host_key_mismatch` or `closed` and the error says why.
    pub async fn connect(&self) -> Result<(), CoreError> {
        {
            let mut cell = self.inner.lock();
            if cell.closed_by_user {
                return Err(CoreError::NotConnected("closed"));
            }
            if cell.connecting {
                return Err(CoreError::BadOption("connect() is already in progress for this session".into()));
            }
            if cell.conn.is_some() {
                return Ok(());
            }
            cell.connecting = true;
            transition(&mut cell, SessionState::Connecting, None, None);
        }
        let pool = &self.inner.pool;
        let result = transport::connect(&self.inner.config, &pool.tuning, Arc::clone(&pool.pinned)).await;
        let conn = match result {
            Ok(conn) => Arc::new(conn),
            Err(e) => {
                let mut cell = self.inner.lock();
                cell.connecting = false;
                if !cell.closed_by_user {
                    transition(&mut cell, failure_state(&e), Some(e.cause()), Some(e.clone()));
                }
                return Err(e);
            }
        };
        let closed_meanwhile = {
            let mut cell = self.inner.lock();
            cell.connecting = false;
            if cell.closed_by_user {
                true
            } else {
                cell.epoch += 1;
                cell.conn = Some(Arc::clone(&conn));
                transition(&mut cell, SessionState::Ready, None, None);
                tokio::spawn(watch(Arc::clone(&self.inner), Arc::clone(&conn), cell.epoch));
                false
            }
        };
        if closed_meanwhile {
            let _ = conn.handle.disconnect(russh::Disconnect::ByApplication, "", "").await;
            return Err(CoreError::NotConnected("closed"));
        }
        Ok(())
    }

    fn live(&self) -> Result<Arc<Connection>, CoreError> {
        let cell = self.inner.lock();
        cell.conn.clone().ok_or(CoreError::NotConnected(cell.state.as_str()))
    }

    pub async fn open_shell(&self, req: ShellRequest, sink: Arc<dyn ChannelEvents>) -> Result<Shell, CoreError> {
        let conn = self.live()?;
        channel::open_shell(conn, &req, self.inner.pool.tuning.coalesce, sink).await
    }

    pub async fn exec(
        &self,
        command: &str,
        timeout: Duration,
        stream: Option<Arc<dyn ChannelEvents>>,
    ) -> Result<ExecOutput, CoreError> {
        let conn = self.live()?;
        channel::exec(conn, command, timeout, self.inner.pool.tuning.coalesce, stream).await
    }

    /// Closes the session for good: the connection is ended and the state becomes `closed`.
    pub async fn close(&self) {
        let conn = {
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
            conn
        };
        if let Some(conn) = conn {
            let _ = conn.handle.disconnect(russh::Disconnect::ByApplication, "closed by client", "").await;
        }
    }
}

/// Waits for the connection to end and moves the session on.
async fn watch(inner: Arc<Inner>, conn: Arc<Connection>, epoch: u64) {
    let reason = conn.lost.wait().await;
    let mut cell = inner.lock();
    if cell.epoch != epoch || cell.conn.is_none() {
        return;
    }
    cell.conn = None;
    transition(&mut cell, SessionState::Closed, Some(reason.cause()), Some(reason));
}
