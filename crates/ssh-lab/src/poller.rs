//! /proc-like text for the resource-poller look-alike (`cat /proc/stat /proc/meminfo ...`).

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// The contents the lab serves for a /proc file, or None when it does not simulate that file.
/// Numbers move with the clock so successive polls differ, as on a real host.
pub fn proc_file(path: &str) -> Option<String> {
    let tick = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64 / 10).unwrap_or(0);
    let mut s = String::new();
    match path {
        "/proc/stat" => {
            let _ = writeln!(s, "cpu  {} 0 {} {} 120 0 35 0 0 0", tick / 3, tick / 9, tick * 2);
            for cpu in 0..8u64 {
                let _ = writeln!(s, "cpu{cpu} {} 0 {} {} 15 0 {} 0 0 0", tick / 24 + cpu, tick / 72, tick / 4, cpu * 3);
            }
            let irqs: Vec<String> = (0..64u64).map(|i| ((tick + i * 7) % 997).to_string()).collect();
            let _ = writeln!(s, "intr {} {}", tick * 5, irqs.join(" "));
            let _ = writeln!(s, "ctxt {}", tick * 11);
            let _ = writeln!(s, "btime 1764460800");
            let _ = writeln!(s, "processes {}", 4000 + tick % 1000);
            let _ = writeln!(s, "procs_running {}", 1 + tick % 3);
            let _ = writeln!(s, "procs_blocked 0");
            let _ = writeln!(
                s,
                "softirq {} 0 {} 1 {} 0 0 {} {} 0 {}",
                tick,
                tick / 2,
                tick / 5,
                tick / 7,
                tick / 3,
                tick / 4
            );
        }
        "/proc/meminfo" => {
            let free = 8_000_000 + (tick % 50_000);
            let rows: [(&str, u64); 24] = [
                ("MemTotal", 24_576_000),
                ("MemFree", free),
                ("MemAvailable", free + 9_000_000),
                ("Buffers", 210_004),
                ("Cached", 6_100_000 + tick % 4096),
                ("SwapCached", 0),
                ("Active", 4_200_000),
                ("Inactive", 3_900_000),
                ("Active(anon)", 1_800_000),
                ("Inactive(anon)", 12_000),
                ("Active(file)", 2_400_000),
                ("Inactive(file)", 3_888_000),
                ("Unevictable", 0),
                ("Mlocked", 0),
                ("SwapTotal", 0),
                ("SwapFree", 0),
                ("Dirty", tick % 900),
                ("Writeback", 0),
                ("AnonPages", 1_790_000),
                ("Mapped", 420_000),
                ("Shmem", 30_000),
                ("Slab", 390_000),
                ("PageTables", 21_000),
                ("Committed_AS", 5_600_000),
            ];
            for (name, kb) in rows {
                let _ = writeln!(s, "{:<16}{:>8} kB", format!("{name}:"), kb);
            }
        }
        "/proc/loadavg" => {
            let l = (tick % 300) as f64 / 100.0;
            let _ = writeln!(s, "{l:.2} {:.2} {:.2} 1/{} {}", l * 0.8, l * 0.6, 400 + tick % 50, 90_000 + tick % 1000);
        }
        "/proc/uptime" => {
            let _ = writeln!(s, "{}.{:02} {}.00", tick / 100, tick % 100, tick / 50);
        }
        _ => return None,
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_poll_of_the_usual_files_is_a_few_kilobytes() {
        let total: usize = ["/proc/stat", "/proc/meminfo", "/proc/loadavg"]
            .iter()
            .filter_map(|p| super::proc_file(p))
            .map(|t| t.len())
            .sum();
        assert!((1_500..8_000).contains(&total), "poll is {total} bytes");
    }
}
