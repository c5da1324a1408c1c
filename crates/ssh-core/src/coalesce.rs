//! Batching of channel data before it crosses to the caller.
//!
//! Policy: a chunk that arrives after the channel was quiet for `window` (a keystroke echo, a
//! prompt) is delivered at once, and so is output within a window of the first chunk that
//! follows input written to the channel (its echo, on a busy terminal too: a typist's keys can
//! come faster than the window, and an echo may come as more than one chunk); chunks that follow closely (a stream) are merged and delivered
//! on a process-wide grid of `window`, so the JS thread wakes once per tick for every busy channel;
//! a buffer reaching `max_bytes` goes out at once. Small chunks are merged by copying; a large one
//! (a full packet of a bulk stream) is kept as it arrived and crosses beside the others.

use std::time::Duration;

use bytes::Bytes;
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

/// A chunk at least this large is handed over as it came, never copied into a batch: a full
/// SSH packet of a bulk stream costs a copy per byte to merge, and saves only one of the
/// crossings that a tick's batch shares anyway.
pub const ZERO_COPY_MIN_BYTES: usize = 8 * 1024;

pub struct Coalescer {
    config: CoalesceConfig,
    /// Buffered bytes in arrival order: runs of small chunks copied together, large chunks alone.
    parts: Vec<Vec<u8>>,
    len: usize,
    last_arrival: Option<Instant>,
    /// Input was written since the last chunk: the next one opens `typed_until`.
    typed: bool,
    /// Chunks before this instant go at once: they follow input.
    typed_until: Option<Instant>,
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
        Coalescer { config, parts: Vec::new(), len: 0, last_arrival: None, typed: false, typed_until: None }
    }

    /// Input was written to the channel: the next chunk (its echo) and any within a window of it
    /// are delivered at once, with whatever is buffered before them.
    pub fn input(&mut self) {
        self.typed = true;
    }

    /// Buffers `data` and says when to deliver.
    pub fn push(&mut self, data: Bytes, now: Instant) -> Next {
        let w = self.config.window;
        let quiet = self.last_arrival.is_none_or(|t| now >= t + w);
        let was_empty = self.len == 0;
        if std::mem::take(&mut self.typed) {
            self.typed_until = Some(now + w);
        }
        let typed = self.typed_until.is_some_and(|t| now < t);
        self.last_arrival = Some(now);
        self.len += data.len();
        let small_run = self.parts.last_mut().filter(|p| p.len() < ZERO_COPY_MIN_BYTES);
        match small_run {
            _ if data.is_empty() => {}
            Some(run) if data.len() < ZERO_COPY_MIN_BYTES => run.extend_from_slice(&data),
            // No copy when the caller holds the only reference (russh hands each packet over so).
            _ => self.parts.push(Vec::from(data)),
        }
        if self.len >= self.config.max_bytes || w == Duration::ZERO || (quiet && was_empty) || typed {
            Next::Deliver
        } else {
            Next::WaitUntil(aligned_tick(now, w))
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Takes the buffered bytes, in order, as one or more chunks (empty when nothing is buffered).
    pub fn take(&mut self) -> Vec<Vec<u8>> {
        self.len = 0;
        std::mem::take(&mut self.parts)
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
        assert_eq!(c.push(Bytes::from_static(b"k"), t0), Next::Deliver);
        assert_eq!(c.take(), vec![b"k".to_vec()]);
        assert_eq!(c.push(Bytes::from_static(b"e"), t0 + Duration::from_millis(20)), Next::Deliver);
    }

    #[test]
    fn chunks_that_follow_closely_wait_for_the_shared_tick() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(16, 65536));
        c.push(Bytes::from_static(b"a"), t0);
        c.take();
        let t1 = t0 + Duration::from_millis(1);
        let Next::WaitUntil(at) = c.push(Bytes::from_static(b"bc"), t1) else { panic!("should wait") };
        assert!(at > t1 && at <= t1 + Duration::from_millis(16), "{:?}", at - t1);
        assert_eq!(c.push(Bytes::from_static(b"d"), t1), Next::WaitUntil(at));
        assert_eq!(c.take(), vec![b"bcd".to_vec()]);
    }

    #[test]
    fn quiet_is_counted_from_the_last_arrival_not_the_last_delivery() {
        // A keystroke echo, then its erase 1 ms later (held), then the next key 20 ms after that.
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(16, 65536));
        assert_eq!(c.push(Bytes::from_static(b"Z"), t0), Next::Deliver);
        c.take();
        assert!(matches!(c.push(Bytes::from_static(b"\x08 \x08"), t0 + Duration::from_millis(1)), Next::WaitUntil(_)));
        c.take();
        assert_eq!(c.push(Bytes::from_static(b"Z"), t0 + Duration::from_millis(21)), Next::Deliver);
    }

    #[test]
    fn output_that_follows_input_goes_at_once_however_busy_the_channel() {
        // A stream keeps the channel busy; a key typed into it: its echo is not held for the tick.
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(16, 65536));
        c.push(Bytes::from_static(b"line 1\r\n"), t0);
        c.take();
        let t1 = t0 + Duration::from_millis(2);
        assert!(matches!(c.push(Bytes::from_static(b"line 2\r\n"), t1), Next::WaitUntil(_)));
        c.input();
        assert_eq!(c.push(Bytes::from_static(b"Z"), t1 + Duration::from_millis(1)), Next::Deliver);
        assert_eq!(c.take(), vec![b"line 2\r\nZ".to_vec()]);
        // An echo in two chunks (an erase, then the next key) goes at once too, within a window of
        // the first; after that the stream waits for the tick again.
        assert_eq!(c.push(Bytes::from_static(b"\x08 \x08"), t1 + Duration::from_millis(5)), Next::Deliver);
        c.take();
        assert!(matches!(
            c.push(Bytes::from_static(b"line 3\r\n"), t1 + Duration::from_millis(18)),
            Next::WaitUntil(_)
        ));
    }

    #[test]
    fn a_full_buffer_goes_at_once() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(16, 8));
        c.push(Bytes::from_static(b"a"), t0);
        c.take();
        assert_eq!(c.push(Bytes::from_static(&[0u8; 8]), t0), Next::Deliver);
    }

    #[test]
    fn large_chunks_cross_as_they_came_and_small_ones_are_merged() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(16, 1 << 20));
        c.push(Bytes::from_static(b"q"), t0);
        c.take();
        let big = vec![7u8; ZERO_COPY_MIN_BYTES];
        let big_ptr = big.as_ptr();
        let t1 = t0 + Duration::from_millis(1);
        c.push(Bytes::from_static(b"ab"), t1);
        c.push(Bytes::from_static(b"c"), t1);
        c.push(Bytes::from(big), t1);
        c.push(Bytes::from_static(b"d"), t1);
        assert_eq!(c.len(), 3 + ZERO_COPY_MIN_BYTES + 1);
        let parts = c.take();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], b"abc");
        assert_eq!(parts[1].as_ptr(), big_ptr, "a large chunk is not copied");
        assert_eq!(parts[2], b"d");
        assert!(c.is_empty() && c.take().is_empty());
    }

    #[test]
    fn an_empty_packet_delivers_nothing() {
        let mut c = Coalescer::new(cfg(16, 1024));
        assert_eq!(c.push(Bytes::new(), Instant::now()), Next::Deliver);
        assert!(c.is_empty() && c.take().is_empty());
    }

    #[test]
    fn a_zero_window_never_waits() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(cfg(0, 65536));
        c.push(Bytes::from_static(b"a"), t0);
        c.take();
        assert_eq!(c.push(Bytes::from_static(b"b"), t0), Next::Deliver);
    }
}
