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

use super::jsonl::{parse_line, read_trace, ReadStats, TraceBuilder};
use super::{Parents, Run, RunInfo, Source, Steer, Trace, TraceError, Trial, TrialMetrics};
use crate::arch::{Arch, ArchJson, Mutation};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const MAGIC: &[u8; 8] = b"NVZTRC02";
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

/// FNV-1a, 64 bits.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A checksum of a cache's body: four independent lanes over 8-byte
/// words (a gigabyte a second and more; FNV's byte at a time is ten times
/// slower), then the tail bytes.
fn body_sum(bytes: &[u8]) -> u64 {
    let mut s = BodySum::default();
    s.update(bytes);
    s.finish()
}

/// [`body_sum`] over bytes given in pieces.
struct BodySum {
    lanes: [u64; 4],
    /// Bytes short of a whole 32-byte block, carried to the next piece.
    pending: Vec<u8>,
    len: u64,
}

impl Default for BodySum {
    fn default() -> Self {
        BodySum {
            lanes: [1, 2, 3, 4],
            pending: Vec::with_capacity(32),
            len: 0,
        }
    }
}

impl BodySum {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    fn block(&mut self, c: &[u8]) {
        for (l, w) in self.lanes.iter_mut().zip(c.chunks_exact(8)) {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            *l = (*l ^ u64::from_le_bytes(a))
                .wrapping_mul(Self::K)
                .rotate_left(29);
        }
    }

    fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if !self.pending.is_empty() {
            let take = (32 - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() < 32 {
                return;
            }
            let block = std::mem::take(&mut self.pending);
            self.block(&block);
            self.pending = block;
            self.pending.clear();
        }
        let mut chunks = bytes.chunks_exact(32);
        for c in &mut chunks {
            self.block(c);
        }
        self.pending.extend_from_slice(chunks.remainder());
    }

    fn finish(&self) -> u64 {
        let mut h = fnv(&self.pending) ^ self.len;
        for l in self.lanes {
            h = (h ^ l).wrapping_mul(Self::K).rotate_left(31);
        }
        h
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

/// What a cache says of the trace it was made from.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Header {
    len: u64,
    mtime: (u64, u32),
    head: u64,
    boundary: u64,
    lines: u64,
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
        Ok(bytes) => match decode(&bytes) {
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
        Ok(bytes) => match decode(&bytes) {
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
    let body = encode_body(trace);
    let head = header_bytes(&h, &body);
    if let Some(d) = cpath.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    // Written beside, then renamed into place (a mapped cache never changes
    // under its reader). Not synced: a cache cut short by a crash fails its
    // checksum and is rebuilt.
    crate::fsutil::write_atomic_with(cpath, false, |f| {
        use std::io::Write;
        f.write_all(&head)?;
        f.write_all(&body.strings)?;
        f.write_all(&body.cols)
    })
    .map_err(|e| format!("{}: {e}", cpath.display()))
}

/// Strings stored once, referred to by index.
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: super::scan::FxMap<String, u32>,
}

const NONE: u32 = u32::MAX;

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.index.insert(s.to_string(), i);
        self.list.push(s.to_string());
        i
    }

    /// The id of a shared text, remembered by its address: trials that
    /// share one `Arc` are looked up once.
    fn shared<T: ?Sized>(
        &mut self,
        memo: &mut super::scan::FxMap<usize, u32>,
        x: &Arc<T>,
        text: impl FnOnce(&T) -> String,
    ) -> u32 {
        let at = Arc::as_ptr(x) as *const u8 as usize;
        if let Some(&i) = memo.get(&at) {
            return i;
        }
        let i = self.id(&text(x));
        memo.insert(at, i);
        i
    }

    /// [`Strings::shared`] of a text a trial may lack (`NONE` then).
    fn shared_or_none<T: ?Sized>(
        &mut self,
        memo: &mut super::scan::FxMap<usize, u32>,
        x: Option<&Arc<T>>,
        text: impl FnOnce(&T) -> String,
    ) -> u32 {
        x.map_or(NONE, |x| self.shared(memo, x, text))
    }
}

fn put_u32(out: &mut Vec<u8>, x: u32) {
    out.extend_from_slice(&x.to_le_bytes());
}
fn put_u64(out: &mut Vec<u8>, x: u64) {
    out.extend_from_slice(&x.to_le_bytes());
}
fn put_f64(out: &mut Vec<u8>, x: f64) {
    out.extend_from_slice(&x.to_le_bytes());
}

/// A cache's body in its two parts: the table of strings, then the
/// columns of every run.
struct Body {
    strings: Vec<u8>,
    cols: Vec<u8>,
}

impl Body {
    fn len(&self) -> usize {
        self.strings.len() + self.cols.len()
    }

    fn sum(&self) -> u64 {
        let mut s = BodySum::default();
        s.update(&self.strings);
        s.update(&self.cols);
        s.finish()
    }
}

/// The header of a cache whose body is `body`.
fn header_bytes(h: &Header, body: &Body) -> Vec<u8> {
    let mut out = Vec::with_capacity(80);
    out.extend_from_slice(MAGIC);
    put_u64(&mut out, h.len);
    put_u64(&mut out, h.mtime.0);
    put_u32(&mut out, h.mtime.1);
    put_u64(&mut out, h.head);
    put_u64(&mut out, h.boundary);
    put_u64(&mut out, h.lines);
    put_u64(&mut out, body.len() as u64);
    put_u64(&mut out, body.sum());
    out
}

/// A whole cache file's bytes (header and body).
#[cfg(test)]
fn encode(h: &Header, trace: &Trace) -> Vec<u8> {
    let body = encode_body(trace);
    let mut out = header_bytes(h, &body);
    out.extend_from_slice(&body.strings);
    out.extend_from_slice(&body.cols);
    out
}

fn encode_body(trace: &Trace) -> Body {
    let mut strings = Strings::default();
    let mut arch_text: super::scan::FxMap<Arch, u32> = Default::default();
    let mut memo: super::scan::FxMap<usize, u32> = Default::default();
    let n_all: usize = trace.runs.iter().map(|r| r.trials.len()).sum();
    // 85 bytes a trial and its parents
    let mut cols = Vec::with_capacity(n_all * 85 + 64);
    put_u32(&mut cols, trace.runs.len() as u32);
    for run in &trace.runs {
        let info = serde_json::to_string(&run.info).unwrap_or_default();
        put_u32(&mut cols, strings.id(&info));
        let n = run.trials.len();
        put_u64(&mut cols, n as u64);
        let opt = |x: Option<f64>| x.unwrap_or(f64::NAN);
        for t in &run.trials {
            put_u64(&mut cols, t.trial_id);
        }
        for t in &run.trials {
            put_u64(&mut cols, t.step);
        }
        for t in &run.trials {
            put_f64(&mut cols, opt(t.time_s));
        }
        for t in &run.trials {
            let m = &t.metrics;
            put_f64(&mut cols, m.val_acc);
            put_f64(&mut cols, m.test_acc);
            put_f64(&mut cols, opt(m.train_time_s));
            put_f64(&mut cols, opt(m.params));
            put_f64(&mut cols, opt(m.flops));
            put_f64(&mut cols, opt(m.latency_s));
        }
        for t in &run.trials {
            cols.push(match t.source {
                Source::Search => 0,
                Source::User => 1,
                Source::Import => 2,
            });
        }
        for t in &run.trials {
            let id = match arch_text.get(&t.arch) {
                Some(&i) => i,
                None => {
                    let text = serde_json::to_string(&t.arch.to_json()).unwrap_or_default();
                    let i = strings.id(&text);
                    arch_text.insert(t.arch.clone(), i);
                    i
                }
            };
            put_u32(&mut cols, id);
        }
        for t in &run.trials {
            put_u32(
                &mut cols,
                strings.shared_or_none(&mut memo, t.hash.as_ref(), str::to_string),
            );
        }
        for t in &run.trials {
            let m = t.mutation.as_ref();
            let json = |m: &Mutation| serde_json::to_string(m).unwrap_or_default();
            put_u32(&mut cols, strings.shared_or_none(&mut memo, m, json));
        }
        for t in &run.trials {
            put_u32(
                &mut cols,
                strings.shared_or_none(&mut memo, t.worker.as_ref(), str::to_string),
            );
        }
        for t in &run.trials {
            put_u32(&mut cols, t.parents.len() as u32);
            for &p in &t.parents {
                put_u64(&mut cols, p);
            }
        }
        put_u32(&mut cols, run.steers.len() as u32);
        for s in &run.steers {
            put_u32(
                &mut cols,
                strings.id(&serde_json::to_string(s).unwrap_or_default()),
            );
        }
    }
    let text_bytes: usize = strings.list.iter().map(|s| s.len() + 4).sum();
    let mut table = Vec::with_capacity(text_bytes + 4);
    put_u32(&mut table, strings.list.len() as u32);
    for s in &strings.list {
        put_u32(&mut table, s.len() as u32);
        table.extend_from_slice(s.as_bytes());
    }
    Body {
        strings: table,
        cols,
    }
}

/// A cursor over a cache's bytes; every read is bounds-checked.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.i.checked_add(n).filter(|&e| e <= self.b.len());
        let end = end.ok_or_else(|| "the cache is cut short".to_string())?;
        let s = &self.b[self.i..end];
        self.i = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn u64(&mut self) -> Result<u64, String> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(u64::from_le_bytes(a))
    }
    /// A column of `n` values of `W` bytes, checked to be there, read in
    /// place.
    fn col<const W: usize>(&mut self, n: usize) -> Result<Col<'a, W>, String> {
        let bytes = self.take(n.checked_mul(W).ok_or("the cache is damaged")?)?;
        Ok(Col(bytes))
    }
    fn u64s(&mut self, n: usize) -> Result<Vec<u64>, String> {
        let c = self.col::<8>(n)?;
        Ok((0..n).map(|i| c.u64(i)).collect())
    }
}

/// A column of fixed-width little-endian values, in the cache's bytes.
struct Col<'a, const W: usize>(&'a [u8]);

impl<const W: usize> Col<'_, W> {
    /// The 8 bytes at `offset` in value `i`.
    fn u64_at(&self, i: usize, offset: usize) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&self.0[i * W + offset..i * W + offset + 8]);
        u64::from_le_bytes(a)
    }
    fn u64(&self, i: usize) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&self.0[i * W..i * W + 8]);
        u64::from_le_bytes(a)
    }
    fn u32(&self, i: usize) -> u32 {
        let s = &self.0[i * W..i * W + 4];
        u32::from_le_bytes([s[0], s[1], s[2], s[3]])
    }
}

fn decode(bytes: &[u8]) -> Result<(Header, Trace), String> {
    let mut c = Cur { b: bytes, i: 0 };
    if c.take(8)? != MAGIC {
        return Err("the cache is of another version".into());
    }
    let h = Header {
        len: c.u64()?,
        mtime: (c.u64()?, c.u32()?),
        head: c.u64()?,
        boundary: c.u64()?,
        lines: c.u64()?,
    };
    let body_len = usize::try_from(c.u64()?).map_err(|_| "the cache is damaged")?;
    let sum = c.u64()?;
    let body = c.take(body_len)?;
    if body_sum(body) != sum || c.i != bytes.len() {
        return Err("the cache is damaged (its checksum does not match)".into());
    }
    let mut c = Cur { b: body, i: 0 };
    let n_strings = c.u32()? as usize;
    let mut strings = Vec::with_capacity(n_strings.min(body.len() / 4));
    for _ in 0..n_strings {
        let n = c.u32()? as usize;
        let s = std::str::from_utf8(c.take(n)?).map_err(|_| "the cache is damaged")?;
        strings.push(s);
    }
    let string = |i: u32| -> Result<&str, String> {
        strings
            .get(i as usize)
            .copied()
            .ok_or_else(|| "the cache is damaged".to_string())
    };
    // each distinct text parsed once, found by its index
    let mut tables = Tables::new(strings.len());
    let bad = |e: String| format!("the cache is damaged: {e}");
    let n_runs = c.u32()? as usize;
    let mut trace = Trace::default();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    for _ in 0..n_runs {
        let info: RunInfo =
            serde_json::from_str(string(c.u32()?)?).map_err(|e| bad(e.to_string()))?;
        let n = usize::try_from(c.u64()?).map_err(|_| "the cache is damaged")?;
        if n > body.len() {
            return Err("the cache is damaged".into());
        }
        let cols = Columns {
            ids: c.col::<8>(n)?,
            steps: c.col::<8>(n)?,
            times: c.col::<8>(n)?,
            metrics: c.col::<48>(n)?,
            sources: c.take(n)?,
            archs: c.col::<4>(n)?,
            hashes: c.col::<4>(n)?,
            muts: c.col::<4>(n)?,
            workers: c.col::<4>(n)?,
        };
        // the parents (a count, then the ids, trial after trial): checked
        // whole, and where each part of the trials starts in them
        let parts = if n >= 1 << 16 { threads } else { 1 };
        let bounds: Vec<usize> = (0..=parts).map(|k| n * k / parts).collect();
        let mut starts = Vec::with_capacity(parts);
        for i in 0..n {
            while starts.len() < parts && bounds[starts.len()] == i {
                starts.push(c.i);
            }
            let k = c.u32()? as usize;
            c.take(k.checked_mul(8).ok_or("the cache is damaged")?)?;
        }
        while starts.len() < parts {
            starts.push(c.i);
        }
        // every text the run names, parsed before the trials are built
        for i in 0..n {
            tables.resolve(&cols, i, &strings).map_err(bad)?;
        }
        let trials = build_trials(&cols, body, &bounds, &starts, &tables).map_err(bad)?;
        let mut run = Run::new(info);
        run.adopt(trials).map_err(bad)?;
        let n_steers = c.u32()? as usize;
        for _ in 0..n_steers {
            let s: Steer =
                serde_json::from_str(string(c.u32()?)?).map_err(|e| bad(e.to_string()))?;
            run.push_steer(s).map_err(bad)?;
        }
        trace.runs.push(run);
    }
    Ok((h, trace))
}

/// The per-trial columns of one run, in the cache's bytes.
struct Columns<'a> {
    ids: Col<'a, 8>,
    steps: Col<'a, 8>,
    times: Col<'a, 8>,
    metrics: Col<'a, 48>,
    sources: &'a [u8],
    archs: Col<'a, 4>,
    hashes: Col<'a, 4>,
    muts: Col<'a, 4>,
    workers: Col<'a, 4>,
}

/// The distinct texts of a cache, parsed: by index into its table of
/// strings, whichever kind each one is.
#[derive(Clone)]
struct Tables {
    archs: Vec<Option<Arch>>,
    muts: Vec<Option<Arc<Mutation>>>,
    keys: Vec<Option<Arc<str>>>,
    workers: Vec<Option<Arc<str>>>,
}

impl Tables {
    fn new(n: usize) -> Tables {
        Tables {
            archs: vec![None; n],
            muts: vec![None; n],
            keys: vec![None; n],
            workers: vec![None; n],
        }
    }

    /// Parses the texts trial `i` names that are not parsed yet.
    fn resolve(&mut self, cols: &Columns<'_>, i: usize, strings: &[&str]) -> Result<(), String> {
        let text = |k: u32| strings.get(k as usize).copied().ok_or("no such text");
        let a = cols.archs.u32(i);
        match self.archs.get_mut(a as usize) {
            Some(Some(_)) => {}
            Some(slot) => {
                let j: ArchJson = serde_json::from_str(text(a)?).map_err(|e| e.to_string())?;
                *slot = Some(j.to_arch().map_err(|e| e.to_string())?);
            }
            None => return Err("no such architecture".into()),
        }
        let m = cols.muts.u32(i);
        if m != NONE {
            match self.muts.get_mut(m as usize) {
                Some(Some(_)) => {}
                Some(slot) => {
                    let x: Mutation = serde_json::from_str(text(m)?).map_err(|e| e.to_string())?;
                    *slot = Some(Arc::new(x));
                }
                None => return Err("no such edit".into()),
            }
        }
        for (k, table) in [
            (cols.hashes.u32(i), &mut self.keys),
            (cols.workers.u32(i), &mut self.workers),
        ] {
            if k != NONE {
                match table.get_mut(k as usize) {
                    Some(Some(_)) => {}
                    Some(slot) => *slot = Some(text(k)?.into()),
                    None => return Err("no such text".into()),
                }
            }
        }
        Ok(())
    }

    /// A copy sharing nothing with `self`: a thread building trials from it
    /// counts references on its own (no cache line bounced between cores).
    fn detached(&self) -> Tables {
        let deep = |v: &[Option<Arc<str>>]| -> Vec<Option<Arc<str>>> {
            v.iter().map(|x| x.as_deref().map(Arc::from)).collect()
        };
        Tables {
            archs: self.archs.clone(),
            muts: self
                .muts
                .iter()
                .map(|x| x.as_deref().map(|m| Arc::new(m.clone())))
                .collect(),
            keys: deep(&self.keys),
            workers: deep(&self.workers),
        }
    }

    /// Trial `i` of `cols`, its parents read at `parents`.
    fn trial(&self, cols: &Columns<'_>, i: usize, parents: &mut Cur<'_>) -> Result<Trial, String> {
        let f = |x: u64| f64::from_bits(x);
        let opt = |x: u64| Some(f64::from_bits(x)).filter(|v| !v.is_nan());
        let k = parents.u32()? as usize;
        let parents = match k {
            0 => Parents::none(),
            1 => Parents::one(parents.u64()?),
            _ => Parents::from(parents.u64s(k)?),
        };
        let shared = |table: &[Option<Arc<str>>], k: u32| -> Result<Option<Arc<str>>, String> {
            match k {
                NONE => Ok(None),
                k => table
                    .get(k as usize)
                    .cloned()
                    .flatten()
                    .map(Some)
                    .ok_or_else(|| "a text is missing".to_string()),
            }
        };
        let mutation = match cols.muts.u32(i) {
            NONE => None,
            m => Some(
                self.muts
                    .get(m as usize)
                    .cloned()
                    .flatten()
                    .ok_or("an edit is missing")?,
            ),
        };
        let arch = self
            .archs
            .get(cols.archs.u32(i) as usize)
            .cloned()
            .flatten()
            .ok_or("an architecture is missing")?;
        let m = |k: usize| cols.metrics.u64_at(i, k * 8);
        Ok(Trial {
            trial_id: cols.ids.u64(i),
            step: cols.steps.u64(i),
            time_s: opt(cols.times.u64(i)),
            parents,
            mutation,
            arch,
            hash: shared(&self.keys, cols.hashes.u32(i))?,
            metrics: TrialMetrics {
                val_acc: f(m(0)),
                test_acc: f(m(1)),
                train_time_s: opt(m(2)),
                params: opt(m(3)),
                flops: opt(m(4)),
                latency_s: opt(m(5)),
            },
            source: match cols.sources.get(i) {
                Some(1) => Source::User,
                Some(2) => Source::Import,
                _ => Source::Search,
            },
            worker: shared(&self.workers, cols.workers.u32(i))?,
        })
    }
}

/// The trials of a run, built part by part (`bounds`, their parents
/// starting at `starts` in `body`) on as many threads, straight into one
/// array.
fn build_trials(
    cols: &Columns<'_>,
    body: &[u8],
    bounds: &[usize],
    starts: &[usize],
    tables: &Tables,
) -> Result<Vec<Trial>, String> {
    let n = bounds.last().copied().unwrap_or(0);
    let mut trials: Vec<Trial> = Vec::with_capacity(n);
    super::memory::advise_huge_pages(&mut trials);
    let parts = starts.len();
    let copies: Vec<Tables> = (1..parts).map(|_| tables.detached()).collect();
    let results: Vec<Result<(), String>> = {
        let mut rest = &mut trials.spare_capacity_mut()[..n];
        let mut jobs = Vec::with_capacity(parts);
        for k in 0..parts {
            let (mine, more) = rest.split_at_mut(bounds[k + 1] - bounds[k]);
            rest = more;
            let t = if k == 0 { tables } else { &copies[k - 1] };
            jobs.push((
                mine,
                bounds[k],
                Cur {
                    b: body,
                    i: starts[k],
                },
                t,
            ));
        }
        let fill = |(slots, first, mut cur, t): (
            &mut [std::mem::MaybeUninit<Trial>],
            usize,
            Cur<'_>,
            &Tables,
        )| {
            for (j, slot) in slots.iter_mut().enumerate() {
                slot.write(t.trial(cols, first + j, &mut cur)?);
            }
            Ok(())
        };
        if jobs.len() == 1 {
            jobs.into_iter().map(fill).collect()
        } else {
            std::thread::scope(|sc| {
                let handles: Vec<_> = jobs
                    .into_iter()
                    .map(|job| sc.spawn(move || fill(job)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err("a reader failed".into())))
                    .collect()
            })
        }
    };
    // On an error the trials written so far are leaked, never read: the
    // array's length stays 0.
    results.into_iter().collect::<Result<(), String>>()?;
    // SAFETY: every part succeeded, so each of the first `n` slots (the
    // parts cover 0..n: bounds run from 0 to n) was written exactly once.
    unsafe { trials.set_len(n) };
    Ok(trials)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let (h2, back) = decode(&bytes).expect("decode");
        assert_eq!(h2, h);
        assert_eq!(back, trace);
        // every flipped byte and every cut is caught
        for i in (0..bytes.len()).step_by(997) {
            let mut b = bytes.clone();
            b[i] ^= 0x5a;
            assert!(decode(&b).is_err(), "flip at {i}");
        }
        for cut in [0, 7, 30, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }
}
