//! Batching of channel data before it crosses to the caller.
//!
//! Policy: at most one delivery per channel per `window`; the first chunk after a quiet window is
//! delivered at once (a keystroke echo is never held back), later chunks inside the window are
//! merged, and a buffer reaching `max_bytes` goes out at once.

use std::time::Duration;

use tokio::time::Instant;

use crate::config::CoalesceConfig;

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
            Some(last) if now < last + self.config.window => Next::WaitUntil(last + self.config.window),
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
        assert_eq!(c.push(b"bc", t1), Next::WaitUntil(t0 + Duration::from_millis(4)));
        assert_eq!(c.push(b"d", t1), Next::WaitUntil(t0 + Duration::from_millis(4)));
        assert_eq!(c.take(t0 + Duration::from_millis(4)), Some(b"bcd".to_vec()));
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
