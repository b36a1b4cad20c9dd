//! Whether a trace fits in memory, asked before it is read: a trace too
//! large for the machine is refused with the sizes, not read until the
//! system kills the process.

use super::TraceError;
use std::path::Path;

/// Memory a trace takes once read, per byte of its text: about one (a
/// trial of 300–400 bytes of JSON becomes a 216-byte trial plus its
/// analytics and the reader's buffers; measured peaks are 0.9–1.0).
const BYTES_PER_TEXT_BYTE: f64 = 1.0;

/// The memory this process may still use, in bytes: the system's available
/// memory and free swap, within the cgroup's limit when there is one; or
/// `NASVIZ_MEMORY_LIMIT` (bytes) when set. `None` when unknown.
pub fn available() -> Option<u64> {
    if let Some(v) = std::env::var("NASVIZ_MEMORY_LIMIT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
    {
        return Some(v);
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = meminfo.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    };
    let system = field("MemAvailable:")? + field("SwapFree:").unwrap_or(0);
    let cgroup = (|| {
        let read = |f: &str| std::fs::read_to_string(format!("/sys/fs/cgroup/{f}")).ok();
        let max: u64 = read("memory.max")?.trim().parse().ok()?;
        let current: u64 = read("memory.current")?.trim().parse().ok()?;
        Some(max.saturating_sub(current))
    })();
    Some(cgroup.map_or(system, |c| c.min(system)))
}

/// What reading `len` bytes of trace text with `available` bytes free
/// comes to: fine, or why not.
pub fn verdict(len: u64, available: Option<u64>) -> Result<(), String> {
    let need = (len as f64 * BYTES_PER_TEXT_BYTE) as u64;
    match available {
        Some(free) if need > free => Err(format!(
            "reading this trace needs about {} of memory and about {} are free; \
             free some memory, read it on a larger machine, or read part of it \
             (for example `head -n 1000000 TRACE > part.jsonl`); \
             NASVIZ_MEMORY_LIMIT=BYTES sets what nasviz takes as free",
            size(need),
            size(free)
        )),
        _ => Ok(()),
    }
}

/// Refuses a trace of `len` bytes at `path` that would not fit.
pub fn check(path: &Path, len: u64) -> Result<(), TraceError> {
    // small traces are read without asking
    if len < (64 << 20) && std::env::var_os("NASVIZ_MEMORY_LIMIT").is_none() {
        return Ok(());
    }
    verdict(len, available()).map_err(|what| TraceError::bad(path.display().to_string(), what))
}

fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.0} MB", (b / 1e6).max(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_larger_than_what_is_free_is_refused_with_both_sizes() {
        assert!(verdict(1 << 30, Some(8 << 30)).is_ok());
        assert!(verdict(1 << 30, None).is_ok());
        let e = verdict(6_000_000_000, Some(2_000_000_000)).unwrap_err();
        assert!(e.contains("6.0 GB") && e.contains("2.0 GB"), "{e}");
        assert!(verdict(0, Some(0)).is_ok());
    }

    #[test]
    fn this_machine_reports_what_is_free() {
        if std::env::var_os("NASVIZ_MEMORY_LIMIT").is_none() && cfg!(target_os = "linux") {
            assert!(available().is_some_and(|b| b > 0));
        }
    }
}
