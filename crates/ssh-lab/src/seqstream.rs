//! The sequence-numbered output stream of the lab shell (`spike-stream RATE COUNT`).
//!
//! Every line is `LINE_BYTES` long including its `\n`: `SEQ <8-digit seq> <payload>\n`, where the
//! payload is derived from the sequence number so a client can check order and integrity without
//! any other state. The TypeScript checker (`src/workload/seq.ts`) implements the same format.

/// Bytes per line, newline included.
pub const LINE_BYTES: usize = 100;
const PREFIX_BYTES: usize = 13; // "SEQ 00000001 "
const PAYLOAD_BYTES: usize = LINE_BYTES - PREFIX_BYTES - 1;

/// Output rate levels of the plan's PTY workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rate {
    /// About one line per second.
    Low,
    /// About 10 KB/s (100 lines/s).
    Mid,
    /// About 1 MB/s (10,000 lines/s).
    High,
    /// As fast as the channel's window lets it go, 32 KB a write: the flood a UI must slow down.
    Flood,
}

impl Rate {
    pub fn parse(name: &str) -> Option<Rate> {
        match name {
            "low" => Some(Rate::Low),
            "mid" => Some(Rate::Mid),
            "high" => Some(Rate::High),
            "flood" => Some(Rate::Flood),
            _ => None,
        }
    }

    /// (tick period in milliseconds, lines per tick); a period of 0 writes the next lines as soon
    /// as the last ones went out.
    pub fn schedule(self) -> (u64, u64) {
        match self {
            Rate::Low => (1000, 1),
            Rate::Mid => (10, 1),
            Rate::High => (10, 100),
            Rate::Flood => (0, 320),
        }
    }
}

/// Appends line number `seq` to `out`, ending it with `newline` (`\n`, or `\r\n` on a PTY).
pub fn push_line(out: &mut Vec<u8>, seq: u64, newline: &[u8]) {
    out.extend_from_slice(format!("SEQ {:08} ", seq % 100_000_000).as_bytes());
    for i in 0..PAYLOAD_BYTES as u64 {
        out.push(b'a' + ((seq + i) % 26) as u8);
    }
    out.extend_from_slice(newline);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_line_bytes_long_and_names_its_sequence_number() {
        let mut out = Vec::new();
        push_line(&mut out, 42, b"\n");
        assert_eq!(out.len(), LINE_BYTES);
        assert!(out.starts_with(b"SEQ 00000042 qrst"));
        assert_eq!(out.last(), Some(&b'\n'));
    }

    #[test]
    fn rates_match_the_plan_levels() {
        let bytes_per_s = |r: Rate| {
            let (ms, lines) = r.schedule();
            (1000 / ms) * lines * LINE_BYTES as u64
        };
        assert_eq!(bytes_per_s(Rate::Low), 100);
        assert_eq!(bytes_per_s(Rate::Mid), 10_000);
        assert_eq!(bytes_per_s(Rate::High), 1_000_000);
    }
}
