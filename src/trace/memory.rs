//! Whether a trace fits in memory, asked before it is read: a trace too
//! large for the machine is refused with the sizes, not read until the
//! system kills the process. And how large trial arrays are backed.

use super::TraceError;
use std::path::Path;

/// Memory a trace takes once read, per byte of its text: about one (a
/// trial of 300–400 bytes of JSON becomes a 216-byte trial plus its
/// analytics and the reader's buffers; measured peaks are 0.9–1.0).
const BYTES_PER_TEXT_BYTE: f64 = 1.0;

/// A size in bytes, as `NASVIZ_MEMORY_LIMIT` takes it: a number, with an
/// optional `K`, `M`, `G` or `T` (powers of 1024; a trailing `B` or `iB`
/// is allowed).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_uppercase();
    let t = t
        .strip_suffix("IB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(&t);
    let (digits, shift) = match t.chars().last()? {
        'K' => (&t[..t.len() - 1], 10),
        'M' => (&t[..t.len() - 1], 20),
        'G' => (&t[..t.len() - 1], 30),
        'T' => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let n: u64 = digits.trim().parse().ok()?;
    n.checked_mul(1u64 << shift)
}

/// The limit `NASVIZ_MEMORY_LIMIT` sets, if any (an error when it is set
/// but not a size).
fn limit_from_env() -> Result<Option<u64>, String> {
    match std::env::var("NASVIZ_MEMORY_LIMIT") {
        Ok(v) => parse_size(&v).map(Some).ok_or_else(|| {
            format!("NASVIZ_MEMORY_LIMIT={v:?} is not a size (bytes, or with K, M, G or T)")
        }),
        Err(_) => Ok(None),
    }
}

/// The memory this process may still use, in bytes: the system's available
/// memory and free swap, within the room its cgroup (v2) leaves, counting
/// the cgroup's inactive file cache as room (the kernel reclaims it). `None`
/// when unknown.
pub fn available() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = meminfo.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    };
    let system = field("MemAvailable:")? + field("SwapFree:").unwrap_or(0);
    Some(cgroup_room().map_or(system, |c| c.min(system)))
}

/// The room left under this process's cgroup v2 memory limit, if it has one.
fn cgroup_room() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    // cgroup v2: the line `0::/path`
    let rel = own.lines().find_map(|l| l.strip_prefix("0::"))?.trim();
    let dir = std::path::Path::new("/sys/fs/cgroup").join(rel.trim_start_matches('/'));
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    // "max" (no limit) does not parse: no room to compute
    let max: u64 = read("memory.max")?.trim().parse().ok()?;
    let current: u64 = read("memory.current")?.trim().parse().ok()?;
    let inactive_file = read("memory.stat")
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("inactive_file "))
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
        .unwrap_or(0);
    Some(max.saturating_sub(current.saturating_sub(inactive_file)))
}

/// What reading `len` bytes of trace text with `available` bytes free
/// comes to: fine, or why not.
pub(crate) fn verdict(len: u64, available: Option<u64>) -> Result<(), String> {
    let need = (len as f64 * BYTES_PER_TEXT_BYTE) as u64;
    match available {
        Some(free) if need > free => Err(format!(
            "reading this trace needs about {} of memory and about {} are free; \
             free some memory, read it on a larger machine, or read part of it \
             (for example `head -n 1000000 TRACE > part.jsonl`); \
             NASVIZ_MEMORY_LIMIT=SIZE (such as 8G) sets what nasviz takes as free",
            size(need),
            size(free)
        )),
        _ => Ok(()),
    }
}

/// Refuses a trace of `len` bytes at `path` that would not fit.
pub fn check(path: &Path, len: u64) -> Result<(), TraceError> {
    let bad = |what| TraceError::bad(path.display().to_string(), what);
    let free = match limit_from_env().map_err(bad)? {
        Some(limit) => Some(limit),
        // small traces are read without asking
        None if len < (64 << 20) => return Ok(()),
        None => available(),
    };
    verdict(len, free).map_err(bad)
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
    fn sizes_read_with_or_without_a_unit() {
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size(" 8G"), Some(8 << 30));
        assert_eq!(parse_size("512m"), Some(512 << 20));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("4kb"), Some(4 << 10));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        for bad in [
            "",
            "G",
            "8 gigs",
            "-1",
            "1.5G",
            "99999999999999999999",
            "20000000T",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn this_machine_reports_what_is_free() {
        if std::env::var_os("NASVIZ_MEMORY_LIMIT").is_none() && cfg!(target_os = "linux") {
            assert!(available().is_some_and(|b| b > 0));
        }
    }
}
