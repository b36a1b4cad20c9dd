//! A binary sidecar of a parsed native trace, so that reopening a large
//! trace skips parsing: the trials as columns, each distinct architecture,
//! edit and hash text stored once.
//!
//! The cache lives in the user's cache folder
//! (`$XDG_CACHE_HOME/nasviz/traces/`, else `~/.cache/nasviz/traces/`), one
//! file per trace path. It is never trusted blindly: its header records the
//! trace's length, modification time, a checksum of the trace's first 64 KiB
//! and of the 4 KiB before the length it covers, and a checksum of its own
//! body. A trace that only grew keeps its cache and parses just the new
//! lines; any other change, a damaged cache or one of another version is
//! rebuilt from the trace. The cache is written to a temporary file and
//! renamed into place; an unwritable cache folder only means no cache.
//! Only traces that end in a newline (not being written mid-line) and are
//! larger than [`MIN_BYTES`] are cached. `--no-cache` (or
//! `NASVIZ_NO_CACHE=1`) turns it off.

mod columns;
mod decode;
mod encode;
mod format;

pub(crate) use columns::{read_columns_with, ColumnRun};
use decode::decode;
use format::{fnv, Header};

use super::jsonl::{parse_line, read_trace, ReadStats, TraceBuilder};
use super::{Trace, TraceError};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
/// Traces smaller than this parse faster than a cache would help.
pub const MIN_BYTES: u64 = 8 << 20;

static DISABLED: AtomicBool = AtomicBool::new(false);

/// Turns the cache off for this process (`--no-cache`).
pub fn disable() {
    DISABLED.store(true, Ordering::Relaxed);
}

fn enabled() -> bool {
    !DISABLED.load(Ordering::Relaxed)
        && std::env::var("NASVIZ_NO_CACHE").map_or(true, |v| v.is_empty() || v == "0")
}

/// What the cache did for a read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheUse {
    /// Not used (off, a small trace, one being written mid-line).
    Off,
    /// The trace was parsed and the cache written.
    Written,
    /// Read from the cache.
    Hit,
    /// Read from the cache, and the lines appended since parsed.
    Grown { lines: u64 },
    /// The cache did not match the trace (said why) and was rebuilt.
    Rebuilt(String),
    /// The cache could not be written (said why); the trace was parsed.
    Unwritable(String),
}

/// Where caches go and which traces get one.
#[derive(Clone, Debug)]
pub struct CacheOptions {
    pub dir: Option<PathBuf>,
    pub min_bytes: u64,
}

impl Default for CacheOptions {
    fn default() -> Self {
        let dir = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|d| d.join("nasviz").join("traces"));
        CacheOptions {
            dir,
            min_bytes: MIN_BYTES,
        }
    }
}

/// The checksum of `len` bytes of `path` from `start`.
fn range_hash(path: &Path, start: u64, len: u64) -> std::io::Result<u64> {
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::new();
    f.take(len).read_to_end(&mut buf)?;
    Ok(fnv(&buf))
}

/// The cache file of a trace.
fn cache_path(dir: &Path, trace: &Path) -> PathBuf {
    let canon = std::fs::canonicalize(trace).unwrap_or_else(|_| trace.to_path_buf());
    let name = canon.to_string_lossy();
    dir.join(format!("{:016x}.nvc", fnv(name.as_bytes())))
}

fn mtime_of(m: &std::fs::Metadata) -> (u64, u32) {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or((0, 0), |d| (d.as_secs(), d.subsec_nanos()))
}

fn header_of(path: &Path, len: u64, lines: u64, m: &std::fs::Metadata) -> std::io::Result<Header> {
    let b0 = len.saturating_sub(4096);
    Ok(Header {
        len,
        mtime: mtime_of(m),
        head: range_hash(path, 0, 64 << 10)?,
        boundary: range_hash(path, b0, len - b0)?,
        lines,
    })
}

/// Reads a native trace, through its cache when it has a valid one.
pub fn read_trace_cached(path: &Path) -> Result<(Trace, ReadStats, CacheUse), TraceError> {
    read_with(path, &CacheOptions::default())
}

/// [`read_trace_cached`] with the cache's options.
pub fn read_with(
    path: &Path,
    opts: &CacheOptions,
) -> Result<(Trace, ReadStats, CacheUse), TraceError> {
    let io = |source| TraceError::Io {
        path: path.display().to_string(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    let len = meta.len();
    super::memory::check(path, len)?;
    let dir = match &opts.dir {
        Some(d) if enabled() && len >= opts.min_bytes && ends_in_newline(path, len) => d,
        _ => {
            let (t, s) = read_trace(path)?;
            return Ok((t, s, CacheUse::Off));
        }
    };
    let cpath = cache_path(dir, path);
    let mut why = None;
    match map(&cpath) {
        Ok(bytes) => match decode_mapped(&bytes) {
            Ok((h, trace)) => {
                let now = header_of(path, h.len.min(len), h.lines, &meta).map_err(io)?;
                let same_prefix = h.len <= len && now.head == h.head && now.boundary == h.boundary;
                if same_prefix && h.len == len && now.mtime == h.mtime {
                    let stats = ReadStats {
                        lines: h.lines,
                        partial_tail: false,
                    };
                    return Ok((trace, stats, CacheUse::Hit));
                }
                if same_prefix && h.len < len {
                    let (trace, lines) = parse_tail(path, trace, h.len, len, h.lines)?;
                    let stats = ReadStats {
                        lines: h.lines + lines,
                        partial_tail: false,
                    };
                    let use_ = match write(path, &cpath, &trace, len, stats.lines, &meta) {
                        Ok(()) => CacheUse::Grown { lines },
                        Err(e) => CacheUse::Unwritable(e),
                    };
                    return Ok((trace, stats, use_));
                }
                why = Some(if h.len > len {
                    "the trace is shorter than when cached".to_string()
                } else {
                    "the trace changed since it was cached".to_string()
                });
            }
            Err(e) => why = Some(e),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => why = Some(format!("cannot read the cache: {e}")),
    }
    let (trace, stats) = read_trace(path)?;
    if stats.partial_tail {
        return Ok((trace, stats, CacheUse::Off));
    }
    let use_ = match write(path, &cpath, &trace, len, stats.lines, &meta) {
        Err(e) => CacheUse::Unwritable(e),
        Ok(()) => match why {
            Some(w) => CacheUse::Rebuilt(w),
            None => CacheUse::Written,
        },
    };
    Ok((trace, stats, use_))
}

/// Reads the runs another format's file gives (an Optuna journal, whose
/// replay is the slow part), through a cache of those runs. Unlike a
/// native trace's, such a cache is used only while the file is exactly as
/// it was cached (length, modification time, checksums): any change, a
/// grown file too, has `derive` read it again and the cache written anew.
/// `salt` names the reading (a file read with a mapping of its metrics is
/// another reading). A reading that skipped lines (`derive` returned
/// notes) is not cached, so that a cache hit never hides what was said.
pub fn derived_cached(
    path: &Path,
    salt: &str,
    derive: impl FnOnce() -> Result<(Trace, Vec<String>), TraceError>,
) -> Result<(Trace, Vec<String>, CacheUse), TraceError> {
    derived_with(path, salt, &CacheOptions::default(), derive)
}

/// [`derived_cached`] with the cache's options.
pub fn derived_with(
    path: &Path,
    salt: &str,
    opts: &CacheOptions,
    derive: impl FnOnce() -> Result<(Trace, Vec<String>), TraceError>,
) -> Result<(Trace, Vec<String>, CacheUse), TraceError> {
    let io = |source| TraceError::Io {
        path: path.display().to_string(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    let len = meta.len();
    let dir = match &opts.dir {
        Some(d) if enabled() && len >= opts.min_bytes && ends_in_newline(path, len) => d,
        _ => {
            let (t, notes) = derive()?;
            return Ok((t, notes, CacheUse::Off));
        }
    };
    let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let cpath = dir.join(format!(
        "{:016x}.nvc",
        fnv(format!("{}\0{salt}", canon.to_string_lossy()).as_bytes())
    ));
    let mut why = None;
    match map(&cpath) {
        Ok(bytes) => match decode_mapped(&bytes) {
            Ok((h, trace)) => {
                let same = h.len == len && header_of(path, len, h.lines, &meta).map_err(io)? == h;
                if same {
                    return Ok((trace, Vec::new(), CacheUse::Hit));
                }
                why = Some("the file changed since it was cached".to_string());
            }
            Err(e) => why = Some(e),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => why = Some(format!("cannot read the cache: {e}")),
    }
    let (trace, notes) = derive()?;
    // the file may have changed while it was read: cache only what was
    // read of a file that is still as it was at the start
    let still = std::fs::metadata(path).map_err(io)?;
    if !notes.is_empty() || still.len() != len || mtime_of(&still) != mtime_of(&meta) {
        return Ok((trace, notes, CacheUse::Off));
    }
    let use_ = match write(path, &cpath, &trace, len, 0, &meta) {
        Err(e) => CacheUse::Unwritable(e),
        Ok(()) => match why {
            Some(w) => CacheUse::Rebuilt(w),
            None => CacheUse::Written,
        },
    };
    Ok((trace, notes, use_))
}

/// The cache file's bytes, mapped: caches are replaced by renaming a new
/// file into place, never written in place, so the mapped file does not
/// change under the reader.
#[cfg(not(target_arch = "wasm32"))]
fn map(path: &Path) -> std::io::Result<memmap2::Mmap> {
    let f = std::fs::File::open(path)?;
    // SAFETY: nasviz writes caches only to a temporary file renamed into
    // place, so the inode mapped here is never modified; its contents are
    // checked (checksum, bounds) before use.
    unsafe { memmap2::Mmap::map(&f) }
}

/// A mapped cache decoded, its pages dropped as they are read (in steps
/// of a few megabytes): the cache is never resident whole beside the
/// trials made of it.
#[cfg(not(target_arch = "wasm32"))]
fn decode_mapped(m: &memmap2::Mmap) -> Result<(format::Header, Trace), String> {
    const PAGE: usize = 4096;
    const STEP: usize = 4 << 20;
    let mut done = 0usize;
    let mut release = |off: usize, len: usize| {
        let end = (off + len) / PAGE * PAGE;
        if end >= done + STEP {
            // SAFETY: the mapping is private and read-only, of a file that
            // is never written in place (see `map`); dropping its pages
            // only has them read from the file again if touched.
            let _ = unsafe {
                m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, done, end - done)
            };
            done = end;
        }
    };
    decode(m, &mut release)
}

/// A cache read whole (the browser build never has one).
#[cfg(target_arch = "wasm32")]
fn decode_mapped(bytes: &[u8]) -> Result<(format::Header, Trace), String> {
    decode(bytes, &mut |_, _| {})
}

/// A page has no files to map: read (the browser build never has a cache).
#[cfg(target_arch = "wasm32")]
fn map(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

fn ends_in_newline(path: &Path, len: u64) -> bool {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(_) => return false,
    };
    let mut b = [0u8; 1];
    len > 0
        && f.seek(SeekFrom::Start(len - 1)).is_ok()
        && f.read_exact(&mut b).is_ok()
        && b[0] == b'\n'
}

/// Parses the lines of `path` from byte `from` to `to` onto `trace`.
fn parse_tail(
    path: &Path,
    trace: Trace,
    from: u64,
    to: u64,
    lines_before: u64,
) -> Result<(Trace, u64), TraceError> {
    let name = path.display().to_string();
    let io = |source| TraceError::Io {
        path: name.clone(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    f.seek(SeekFrom::Start(from)).map_err(io)?;
    let mut text = String::new();
    f.take(to - from).read_to_string(&mut text).map_err(io)?;
    let mut b = TraceBuilder::from_trace(trace);
    let mut n = 0;
    for line in text.lines() {
        n += 1;
        let no = lines_before + n;
        let place = || format!("{name}:{no}");
        if line.trim().is_empty() {
            continue;
        }
        let ev = parse_line(line, &place)?;
        b.apply(ev, &place)?;
    }
    Ok((b.finish(), n))
}

/// Writes the cache of `trace` (from `len` bytes, `lines` lines of `path`).
fn write(
    path: &Path,
    cpath: &Path,
    trace: &Trace,
    len: u64,
    lines: u64,
    meta: &std::fs::Metadata,
) -> Result<(), String> {
    let h = header_of(path, len, lines, meta).map_err(|e| e.to_string())?;
    if let Some(d) = cpath.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    // Written beside, then renamed into place (a mapped cache never changes
    // under its reader). Not synced: a cache cut short by a crash fails its
    // checksum and is rebuilt.
    crate::fsutil::write_atomic_with(cpath, false, |f| encode::write_cache(f, &h, trace))
        .map_err(|e| format!("{}: {e}", cpath.display()))
}

#[cfg(test)]
mod tests {
    use super::format::{body_sum, BodySum};
    use super::*;

    /// A whole cache file's bytes (header and body).
    fn encode(h: &Header, trace: &Trace) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        match encode::write_cache(&mut out, h, trace) {
            Ok(()) => out.into_inner(),
            Err(e) => panic!("writing to memory: {e}"),
        }
    }

    #[test]
    fn the_checksum_of_pieces_is_the_checksum_of_the_whole() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let whole = body_sum(&bytes);
        for cuts in [
            vec![],
            vec![0],
            vec![1],
            vec![31, 32, 33],
            vec![5, 100, 101, 999],
        ] {
            let mut s = BodySum::default();
            let mut at = 0;
            for c in cuts.iter().copied().chain([bytes.len()]) {
                s.update(&bytes[at..c]);
                at = c;
            }
            assert_eq!(s.finish(), whole, "{cuts:?}");
        }
        assert_ne!(body_sum(&bytes[..999]), whole);
    }

    #[test]
    fn a_damaged_cache_is_refused_not_trusted() {
        let h = Header {
            len: 10,
            mtime: (1, 2),
            head: 3,
            boundary: 4,
            lines: 5,
        };
        let trace = crate::export::demo_trace().expect("demo");
        let bytes = encode(&h, &trace);
        // the body is read once, in order, and all of it is released
        let mut told = Vec::new();
        let (h2, back) = decode(&bytes, &mut |off, len| told.push((off, len))).expect("decode");
        assert_eq!(h2, h);
        assert_eq!(back, trace);
        assert!(told.len() > 10, "released in steps: {told:?}");
        assert_eq!(told[0].0, format::HEADER_LEN);
        for w in told.windows(2) {
            assert_eq!(w[0].0 + w[0].1, w[1].0, "contiguous: {told:?}");
        }
        let (last, len) = told[told.len() - 1];
        assert_eq!(last + len, bytes.len(), "to the end");
        // every flipped byte and every cut is caught
        for i in (0..bytes.len()).step_by(997) {
            let mut b = bytes.clone();
            b[i] ^= 0x5a;
            assert!(decode(&b, &mut |_, _| {}).is_err(), "flip at {i}");
        }
        for cut in [0, 7, 30, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                decode(&bytes[..cut], &mut |_, _| {}).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn graph_texts_are_written_and_read_as_json_would() {
        use crate::arch::nbgraph::{GnnOp, GraphArch};
        use crate::arch::Arch;
        for k in 0..24 * 6561 {
            let (mut l, mut o) = (k / 6561, k % 6561);
            let mut links = [0u8; 4];
            for (i, x) in links.iter_mut().enumerate().skip(1).rev() {
                *x = (l % (i + 1)) as u8;
                l /= i + 1;
            }
            let mut ops = [GnnOp::Skip; 4];
            for x in ops.iter_mut().rev() {
                *x = GnnOp::ALL[o % 9];
                o /= 9;
            }
            // every place of the table, valid architecture or not
            let a = Arch::NbGraph(GraphArch { links, ops });
            assert_eq!(encode::graph_slot(&a), Some(k));
            let text = encode::arch_text(&a);
            assert_eq!(text, serde_json::to_string(&a.to_json()).expect("json"));
            assert_eq!(
                decode::parse_arch(&text),
                decode::json_arch(&text),
                "{text}"
            );
        }
        let links = [0, 2, 0, 0];
        let a = Arch::NbGraph(GraphArch {
            links,
            ops: [GnnOp::Gcn; 4],
        });
        assert_eq!(encode::graph_slot(&a), None);
        for text in [
            r#"{"space":"nbgraph","links":[0,2,0,0],"ops":["gcn","gcn","gcn","gcn"]}"#,
            r#"{"space":"nbgraph","links":[0,01,0,0],"ops":["gcn","gcn","gcn","gcn"]}"#,
            r#"{"space":"nbgraph","links":[0,256,0,0],"ops":["gcn","gcn","gcn","gcn"]}"#,
            r#"{"space":"nbgraph","links":[0,-1,0,0],"ops":["gcn","gcn","gcn","gcn"]}"#,
            r#"{"space":"nbgraph","links":[0,1,0],"ops":["gcn","gcn","gcn","gcn"]}"#,
            r#"{"space":"nbgraph","links":[0,1,0,0,0],"ops":["gcn","gcn","gcn","gcn"]}"#,
            r#"{"space":"nbgraph","links":[0,1,0,0],"ops":["gcn","gcn","gcn"]}"#,
            r#"{"space":"nbgraph","links":[0,1,0,0],"ops":["gcn","gcn","gcn","gcn","gcn"]}"#,
            r#"{"space":"nbgraph","links":[0,1,0,0],"ops":["g\u0063n","gcn","gcn","gcn"]}"#,
            r#"{"space":"nbgraph","links":[0,1,0,0],"ops":["GCN","gcn","x","gcn"]}"#,
            r#"{"space":"nbgraph","links":[0,1,0,0],"ops":["skip","skip","skip","skip"]}"#,
            r#"{"space":"nbgraph","links":[,1,0,0],"ops":["gcn","gcn","gcn","gcn"]}"#,
            r#"{"space":"nbgraph", "links":[0,1,0,0],"ops":["gcn","gcn","gcn","gcn"]}"#,
        ] {
            assert_eq!(decode::parse_arch(text), decode::json_arch(text), "{text}");
        }
    }
}
