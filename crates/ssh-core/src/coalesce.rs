//! Batching of channel data before it crosses to the caller.
//!
//! Policy: at most one delivery per channel per `window`; the first chunk after a quiet window is
//! delivered at once (a keystroke echo is never held back), later chunks inside the window are
//! merged, and a buffer reaching `max_bytes` goes out at once.

use std::time::Duration;

use tokio::time::Instant;

use crate::config::CoalesceConfig;

/// The next instant after `now` on a process-wide grid of `window`: busy channels deliver on the
/// same ticks, so the JS thread wakes once for all of them instead of once per channel.
fn aligned_tick(now: Instant, window: Duration) -> Instant {
    static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let origin = *ORIGIN.get_or_init(Instant::now);
    let w = window.as_nanos().max(1);
    let since = now.saturating_duration_since(origin).as_nanos();
    let ticks = since / w + 1;
    origin + Duration::from_nanos((ticks * w).min(u64::MAX as u128) as u64)
}

pub struct Coalescer {
    config: CoalesceConfig,
    buf: Vec<u8>,
    last_delivery: Option<Instant>,
}

/// What the pump should do after pushing data.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Deliver the buffer now.
    Deliver,
    /// Deliver at this instant unless more data fills the buffer first.
    WaitUntil(Instant),
}

impl Coalescer {
    pub fn new(config: CoalesceConfig) -> Self {
        Coalescer { config, buf: Vec::new(), last_delivery: None }
    }

    pub fn push(&mut self, data: &[u8], now: Instant) -> Next {
        if self.buf.is_empty() && self.buf.capacity() < data.len() {
            self.buf.reserve(data.len().min(self.config.max_bytes));
        }
        self.buf.extend_from_slice(data);
        self.next(now)
    }

    pub fn next(&self, now: Instant) -> Next {
        if self.buf.len() >= self.config.max_bytes || self.config.window == Duration::ZERO {
            return Next::Deliver;
        }
        match self.last_delivery {
            Some(last) if now < last + self.config.window => Next::WaitUntil(aligned_tick(now, self.config.window)),
            _ => Next::Deliver,
        }
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Takes the buffered bytes (None when empty) and starts a new window.
    pub fn take(&mut self, now: Instant) -> Option<Vec<u8>> {
        if self.buf.is_empty() {
            return None;
        }
        self.last_delivery = Some(now);
        Some(std::mem::take(&mut self.buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(window_ms: u64, max_bytes: usize) -> CoalesceConfig {
        CoalesceConfig { window: Duration::from_millis(window_ms), max_bytes }
    }

    #[test]
    fn the_first_chunk_after_a_quiet_window_goes_at_once() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(4, 65536));
        assert_eq!(c.push(b"k", t0), Next::Deliver);
        assert_eq!(c.take(t0), Some(b"k".to_vec()));
        let later = t0 + Duration::from_millis(10);
        assert_eq!(c.push(b"e", later), Next::Deliver);
    }

    #[test]
    fn chunks_inside_a_window_are_merged() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(4, 65536));
        c.push(b"a", t0);
        c.take(t0);
        let t1 = t0 + Duration::from_millis(1);
        let Next::WaitUntil(at) = c.push(b"bc", t1) else { panic!("should wait") };
        assert!(at > t1 && at <= t1 + Duration::from_millis(4), "{:?}", at - t1);
        assert_eq!(c.push(b"d", t1), Next::WaitUntil(at));
        assert_eq!(c.take(at), Some(b"bcd".to_vec()));
    }

    #[test]
    fn a_full_buffer_goes_at_once() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(4, 8));
        c.push(b"a", t0);
        c.take(t0);
        assert_eq!(c.push(&[0u8; 8], t0), Next::Deliver);
    }

    #[test]
    fn a_zero_window_never_waits() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(0, 65536));
        c.push(b"a", t0);
        c.take(t0);
        assert_eq!(c.push(b"b", t0), Next::Deliver);
    }
}
