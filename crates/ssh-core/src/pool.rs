//! The pool: every session of one owner, the tuning they share, and keys pinned by accept-new.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::config::{PoolTuning, SessionConfig};
use crate::events::SessionEvents;
use crate::hostkey::PinnedKeys;
use crate::session::Session;

pub(crate) struct PoolShared {
    pub tuning: PoolTuning,
    pub pinned: PinnedKeys,
}

pub struct Pool {
    shared: Arc<PoolShared>,
    /// Sessions not yet closed by their owner (closed ones are dropped on the next create).
    sessions: Mutex<Vec<Session>>,
    next_id: AtomicU64,
}

impl Pool {
    pub fn new(tuning: PoolTuning) -> Pool {
        Pool {
            shared: Arc::new(PoolShared { tuning, pinned: PinnedKeys::default() }),
            sessions: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
        }
    }

    /// A new session (not yet connected; call [`Session::connect`]).
    pub fn create_session(&self, config: SessionConfig, events: Arc<dyn SessionEvents>) -> Session {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let session = Session::new(id, config, Arc::clone(&self.shared), events);
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.retain(Session::is_open);
            sessions.push(session.clone());
        }
        session
    }

    /// Sessions not yet closed by their owner.
    pub fn open_sessions(&self) -> usize {
        self.sessions
            .lock()
            .map(|s| s.iter().filter(|s| s.is_open()).count())
            .unwrap_or(0)
    }

    /// Closes every session of the pool.
    pub async fn close_all(&self) {
        let all: Vec<Session> = match self.sessions.lock() {
            Ok(mut s) => s.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        for session in all {
            session.close().await;
        }
    }
}
