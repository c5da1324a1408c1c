//! The pool: every session of one owner, what they share (tuning, policy, keys pinned by
//! accept-new), the per-target handshake limiter, the seeded jitter, and the per-target registry
//! that lets one session's lost link get its siblings probed at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::Semaphore;

use crate::config::{PoolPolicy, PoolTuning, SessionConfig};
use crate::events::SessionEvents;
use crate::hostkey::PinnedKeys;
use crate::policy::Jitter;
use crate::session::{Inner, Session};

pub(crate) struct PoolShared {
    pub tuning: PoolTuning,
    pub policy: PoolPolicy,
    pub pinned: PinnedKeys,
    handshakes: Mutex<HashMap<String, Arc<Semaphore>>>,
    jitter: Mutex<Jitter>,
    targets: Mutex<HashMap<String, Vec<Weak<Inner>>>>,
}

impl PoolShared {
    /// The handshake slots of one target (storm control).
    pub fn handshake_slots(&self, target: &str) -> Arc<Semaphore> {
        let Ok(mut map) = self.handshakes.lock() else {
            return Arc::new(Semaphore::new(self.policy.max_concurrent_handshakes));
        };
        Arc::clone(
            map.entry(target.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(self.policy.max_concurrent_handshakes))),
        )
    }

    /// A uniform draw in [0, 1) from the pool's seeded jitter.
    pub fn next_unit(&self) -> f64 {
        self.jitter.lock().map(|mut j| j.next_unit()).unwrap_or(0.5)
    }

    fn register(&self, target: &str, inner: &Arc<Inner>) {
        if let Ok(mut map) = self.targets.lock() {
            let list = map.entry(target.to_string()).or_default();
            list.retain(|w| w.strong_count() > 0);
            list.push(Arc::downgrade(inner));
        }
    }

    /// Correlated detection: one session to `target` lost its link, so probe its siblings now
    /// instead of waiting for their own keepalives.
    pub fn probe_siblings(&self, target: &str, except: u64) {
        let siblings: Vec<Arc<Inner>> = match self.targets.lock() {
            Ok(map) => map.get(target).map(|l| l.iter().filter_map(Weak::upgrade).collect()).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        for s in siblings.iter().filter(|s| s.id != except) {
            s.request_probe();
        }
    }
}

pub struct Pool {
    shared: Arc<PoolShared>,
    /// Sessions not yet closed by their owner (closed ones are dropped on the next create).
    sessions: Mutex<Vec<Session>>,
    next_id: AtomicU64,
}

impl Pool {
    pub fn new(tuning: PoolTuning, policy: PoolPolicy) -> Pool {
        Pool {
            shared: Arc::new(PoolShared {
                tuning,
                policy,
                pinned: PinnedKeys::default(),
                handshakes: Mutex::new(HashMap::new()),
                jitter: Mutex::new(Jitter::new(policy.seed)),
                targets: Mutex::new(HashMap::new()),
            }),
            sessions: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
        }
    }

    /// A new session (not yet connected; call [`Session::connect`]).
    pub fn create_session(&self, config: SessionConfig, events: Arc<dyn SessionEvents>) -> Session {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let target = config.target_id.clone();
        let session = Session::new(id, config, Arc::clone(&self.shared), events);
        self.shared.register(&target, session.inner());
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.retain(Session::is_open);
            sessions.push(session.clone());
        }
        session
    }

    /// Sessions not yet closed by their owner.
    pub fn open_sessions(&self) -> usize {
        self.sessions.lock().map(|s| s.iter().filter(|s| s.is_open()).count()).unwrap_or(0)
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
