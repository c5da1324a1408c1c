//! Batching of channel data before it crosses to the caller.
//!
//! Policy: a chunk that arrives after the channel was quiet for `window` (a keystroke echo, a
//! prompt) is delivered at once; chunks that follow closely (a stream) are merged and delivered
//! on a process-wide grid of `window`, so the JS thread wakes once per tick for every busy channel;
//! a buffer reaching `max_bytes` goes out at once.

use std::time::Duration;

use tokio::time::Instant;

use crate::config::CoalesceConfig;

/// The next instant after `now` on a process-wide grid of `window`.
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
    last_arrival: Option<Instant>,
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
        Coalescer { config, buf: Vec::new(), last_arrival: None }
    }

    pub fn push(&mut self, data: &[u8], now: Instant) -> Next {
        let w = self.config.window;
        let quiet = self.last_arrival.is_none_or(|t| now >= t + w);
        let was_empty = self.buf.is_empty();
        self.last_arrival = Some(now);
        if was_empty && self.buf.capacity() < data.len() {
            self.buf.reserve(data.len().min(self.config.max_bytes));
        }
        self.buf.extend_from_slice(data);
        if self.buf.len() >= self.config.max_bytes || w == Duration::ZERO || (quiet && was_empty) {
            Next::Deliver
        } else {
            Next::WaitUntil(aligned_tick(now, w))
        }
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Takes the buffered bytes (None when empty).
    pub fn take(&mut self) -> Option<Vec<u8>> {
        if self.buf.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.buf))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(window_ms: u64, max_bytes: usize) -> CoalesceConfig {
        CoalesceConfig { window: Duration::from_millis(window_ms), max_bytes }
    }

    #[test]
    fn a_chunk_after_a_quiet_window_goes_at_once() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(16, 65536));
        assert_eq!(c.push(b"k", t0), Next::Deliver);
        assert_eq!(c.take(), Some(b"k".to_vec()));
        assert_eq!(c.push(b"e", t0 + Duration::from_millis(20)), Next::Deliver);
    }

    #[test]
    fn chunks_that_follow_closely_wait_for_the_shared_tick() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(16, 65536));
        c.push(b"a", t0);
        c.take();
        let t1 = t0 + Duration::from_millis(1);
        let Next::WaitUntil(at) = c.push(b"bc", t1) else { panic!("should wait") };
        assert!(at > t1 && at <= t1 + Duration::from_millis(16), "{:?}", at - t1);
        assert_eq!(c.push(b"d", t1), Next::WaitUntil(at));
        assert_eq!(c.take(), Some(b"bcd".to_vec()));
    }

    #[test]
    fn quiet_is_counted_from_the_last_arrival_not_the_last_delivery() {
        // A keystroke echo, then its erase 1 ms later (held), then the next key 20 ms after that.
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(16, 65536));
        assert_eq!(c.push(b"Z", t0), Next::Deliver);
        c.take();
        assert!(matches!(c.push(b"\x08 \x08", t0 + Duration::from_millis(1)), Next::WaitUntil(_)));
        c.take();
        assert_eq!(c.push(b"Z", t0 + Duration::from_millis(21)), Next::Deliver);
    }

    #[test]
    fn a_full_buffer_goes_at_once() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(16, 8));
        c.push(b"a", t0);
        c.take();
        assert_eq!(c.push(&[0u8; 8], t0), Next::Deliver);
    }

    #[test]
    fn a_zero_window_never_waits() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(0, 65536));
        c.push(b"a", t0);
        c.take();
        assert_eq!(c.push(b"b", t0), Next::Deliver);
    }
}
