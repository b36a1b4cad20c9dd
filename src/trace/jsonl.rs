//! The native trace format: JSON Lines, one object per line, `kind` first.
//!
//! ```text
//! {"kind":"run","run_id":"re-0","strategy":"regularized_evolution","space":"nb101","benchmark":"...","seed":0}
//! {"kind":"trial","run_id":"re-0","trial_id":17,"step":17,"time_s":35120.5,"parents":[9],"mutation":{...},"arch":{...},"hash":"...","metrics":{"val_acc":0.9312,"test_acc":0.9288},"source":"search"}
//! {"kind":"steer","run_id":"re-0","step":42,"action":"remove_node","base":41,"trial_id":42}
//! ```
//!
//! A trial's `mutation` is the edit that made it from its first parent;
//! applying it to the parent gives the trial's `arch`:
//!
//! | `op` | fields | meaning |
//! |---|---|---|
//! | `change_op` | `node`, `from` (optional), `to` | node `node` gets op `to` |
//! | `add_edge` | `from`, `to` | the edge `from -> to` is added |
//! | `remove_edge` | `from`, `to` | the edge `from -> to` is removed |
//! | `add_node` | `layer`, `from`, `to` | a layer `layer` is inserted between `from` and `to` (split edge, or new branch); it becomes node `to` |
//! | `remove_node` | `node` | node `node` is deleted, its inputs joined to its outputs |
//! | `rewire` | `node`, `from`, `to` | node `node`'s single input moves from `from` to `to` (NAS-Bench-Graph) |
//!
//! Node numbers are each space's own (NB-101: the vertex; NB-201:
//! `change_op`'s `node` is the edge 0..=5, edge edits name the cell's nodes
//! 0..=3; NAS-Bench-Graph `change_op`: the computing node 0..=3; layer
//! lists: the position), except `rewire`,
//! which numbers the DAG the views draw (0 the raw input, 1..=4 the
//! computing nodes). Older NAS-Bench-Graph traces record a rewire as
//! `add_edge` with `to` the computing node and `from` its new input; it is
//! still read and applied.
//!
//! A `steer` event records what a user did to a live search, right after
//! the trial it made (if any): `action` is the edit's kind (`change_op`,
//! `add_node`, ...; the trial it made is `trial_id`, with `source:"user"`,
//! the trial edited `base`, and the `mutation`), `inject` (an architecture
//! given whole), `pause` and `resume` (at `step`), or `undo` (the user's
//! trial `trial_id` left the search; `base` is the trial it was made from).
//!
//! Readers stream (one line in memory at a time), read a file that is still
//! being written up to its last complete line, and report a bad line as
//! `file:line: what is wrong`.

use super::line::RawMutation;
pub use super::line::{parse_mutation, Event};
use super::scan::TrialScanner;
use super::{Run, RunInfo, Source, Steer, Trace, TraceError, Trial, TrialMetrics, TrialRef};
use crate::arch::{Arch, ArchJson, Mutation};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct RawLine<'a> {
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    run_id: Option<Cow<'a, str>>,
    // run
    #[serde(default)]
    strategy: Option<String>,
    #[serde(default)]
    space: Option<String>,
    #[serde(default)]
    benchmark: Option<String>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    objectives: Option<Vec<super::Objective>>,
    #[serde(default)]
    config: Option<serde_json::Value>,
    // trial
    #[serde(default)]
    trial_id: Option<u64>,
    #[serde(default)]
    step: Option<u64>,
    #[serde(default)]
    time_s: Option<f64>,
    #[serde(default)]
    parents: Option<Vec<u64>>,
    #[serde(default, borrow)]
    mutation: Option<RawMutation<'a>>,
    #[serde(default, borrow)]
    arch: Option<ArchJson<'a>>,
    #[serde(default)]
    hash: Option<String>,
    #[serde(default)]
    metrics: Option<TrialMetrics>,
    #[serde(default)]
    source: Option<Source>,
    #[serde(default)]
    worker: Option<String>,
    // steer
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    base: Option<u64>,
    #[serde(default)]
    note: Option<String>,
}

/// Parses one line. `place` is used in errors (`file:line`).
pub fn parse_line(line: &str, place: &dyn Fn() -> String) -> Result<Event, TraceError> {
    let raw: RawLine = serde_json::from_str(line).map_err(|e| {
        let what = if e.is_eof() {
            format!("incomplete JSON ({e})")
        } else {
            format!("malformed JSON: {e}")
        };
        TraceError::bad(place(), what)
    })?;
    let need =
        |field: &str| TraceError::bad(place(), format!("{} line without \"{field}\"", raw.kind));
    let mutation = match &raw.mutation {
        None => None,
        Some(m) => Some(m.to_mutation().map_err(|e| TraceError::bad(place(), e))?),
    };
    let run_id = raw
        .run_id
        .as_deref()
        .ok_or_else(|| need("run_id"))?
        .to_string();
    match raw.kind.as_ref() {
        "run" => Ok(Event::Run(RunInfo {
            run_id,
            strategy: raw.strategy.ok_or_else(|| need("strategy"))?,
            space: raw.space.ok_or_else(|| need("space"))?,
            benchmark: raw.benchmark.unwrap_or_default(),
            seed: raw.seed,
            objectives: raw.objectives.unwrap_or_default(),
            config: raw.config,
        })),
        "trial" => {
            let trial_id = raw.trial_id.ok_or_else(|| need("trial_id"))?;
            let arch = raw
                .arch
                .as_ref()
                .ok_or_else(|| need("arch"))?
                .to_arch()
                .map_err(|e| TraceError::bad(place(), format!("trial {trial_id}: arch: {e}")))?;
            let metrics = raw.metrics.ok_or_else(|| need("metrics"))?;
            metrics
                .check()
                .map_err(|e| TraceError::bad(place(), format!("trial {trial_id}: {e}")))?;
            if let Some(t) = raw.time_s {
                if !t.is_finite() || t < 0.0 {
                    return Err(TraceError::bad(
                        place(),
                        format!("trial {trial_id}: time_s is {t}: must be finite and >= 0"),
                    ));
                }
            }
            Ok(Event::Trial {
                run_id: run_id.into(),
                trial: Trial {
                    trial_id,
                    step: raw.step.unwrap_or(trial_id),
                    time_s: raw.time_s,
                    parents: raw.parents.unwrap_or_default().into(),
                    mutation: mutation.map(std::sync::Arc::new),
                    arch,
                    hash: raw.hash.map(Into::into),
                    metrics,
                    source: raw.source.unwrap_or_default(),
                    worker: raw.worker.map(Into::into),
                },
            })
        }
        "steer" => Ok(Event::Steer(Steer {
            run_id,
            step: raw.step.ok_or_else(|| need("step"))?,
            action: raw.action.ok_or_else(|| need("action"))?,
            base: raw.base,
            trial_id: raw.trial_id,
            mutation,
            note: raw.note,
        })),
        other => Err(TraceError::bad(
            place(),
            format!("unknown kind {other:?}: expected run, trial or steer"),
        )),
    }
}

/// Builds a [`Trace`] from events, checking that trials belong to a run
/// declared before them, trial ids are unique per run, and steer events
/// name trials that exist.
#[derive(Default)]
pub(crate) struct TraceBuilder {
    trace: Trace,
    runs: HashMap<String, usize>,
    last: Option<usize>,
    /// Trials the input may hold (from its size), reserved for the first
    /// run so that its list grows without copies.
    hint: usize,
}

impl TraceBuilder {
    /// A builder that goes on from `trace` (lines appended to a file
    /// already read).
    pub(crate) fn from_trace(trace: Trace) -> TraceBuilder {
        let runs = trace
            .runs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.info.run_id.clone(), i))
            .collect();
        TraceBuilder {
            trace,
            runs,
            last: None,
            hint: 0,
        }
    }

    pub fn apply(&mut self, ev: Event, place: &dyn Fn() -> String) -> Result<(), TraceError> {
        match ev {
            Event::Run(info) => {
                if self.runs.contains_key(&info.run_id) {
                    return Err(TraceError::bad(
                        place(),
                        format!("run {:?} is declared twice", info.run_id),
                    ));
                }
                self.runs.insert(info.run_id.clone(), self.trace.runs.len());
                let mut run = Run::new(info);
                if self.trace.runs.is_empty() {
                    // address space only: pages are touched as trials arrive
                    // (not asked for huge pages: on a virtual machine, their
                    // first touch in a fresh process cost more than they saved)
                    run.trials.reserve(std::mem::take(&mut self.hint));
                }
                self.trace.runs.push(run);
            }
            Event::Trial { run_id, trial } => {
                let run = self.run_mut(&run_id, place)?;
                run.push(trial).map_err(|e| TraceError::bad(place(), e))?;
            }
            Event::Steer(s) => {
                let run = self.run_mut(&s.run_id.clone(), place)?;
                run.push_steer(s).map_err(|e| TraceError::bad(place(), e))?;
            }
        }
        Ok(())
    }

    fn run_mut(
        &mut self,
        run_id: &str,
        place: &dyn Fn() -> String,
    ) -> Result<&mut Run, TraceError> {
        // consecutive lines of one run are the common case: skip the map
        if let Some(i) = self
            .last
            .filter(|&i| self.trace.runs[i].info.run_id == run_id)
        {
            return Ok(&mut self.trace.runs[i]);
        }
        let found = self.runs.get(run_id).copied();
        self.last = found;
        match found.as_ref() {
            Some(&i) => Ok(&mut self.trace.runs[i]),
            None => Err(TraceError::bad(
                place(),
                format!("names run {run_id:?}, which has no run line before it"),
            )),
        }
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    pub fn finish(self) -> Trace {
        self.trace
    }
}

/// What reading a file found besides the trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub lines: u64,
    /// The file ended in an unterminated line that was not (yet) a complete
    /// record; it was left for a later read.
    pub partial_tail: bool,
}

/// Reads a whole trace file (to its last complete line).
pub fn read_trace(path: &Path) -> Result<(Trace, ReadStats), TraceError> {
    let name = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|source| TraceError::Io {
        path: name.clone(),
        source,
    })?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    super::memory::check(path, len)?;
    // trial lines are rarely under 150 bytes
    let hint = (len / 150).min(1 << 26) as usize;
    read_trace_hinted(f, &name, hint)
}

/// A parsed line: its number, whether it ended in a newline, the event.
type ParsedLine = (u64, bool, Result<Event, TraceError>);

/// Reads a trace from any reader. Lines are parsed in blocks of a few
/// megabytes, on every core, and applied in order: memory stays bounded by
/// the block size plus the trace itself.
pub fn read_trace_from<R: Read>(reader: R, name: &str) -> Result<(Trace, ReadStats), TraceError> {
    read_trace_hinted(reader, name, 0)
}

/// [`read_trace_from`] for an input expected to hold about `hint` trials.
fn read_trace_hinted<R: Read>(
    mut reader: R,
    name: &str,
    hint: usize,
) -> Result<(Trace, ReadStats), TraceError> {
    const BLOCK: usize = 8 << 20;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let io = |source| TraceError::Io {
        path: name.to_string(),
        source,
    };
    let mut b = TraceBuilder {
        hint,
        ..TraceBuilder::default()
    };
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + (64 << 10));
    // one scanner per part, kept across blocks (architectures repeat)
    let mut scanners: Vec<TrialScanner> = (0..threads).map(|_| TrialScanner::new()).collect();
    let mut stats = ReadStats::default();
    let mut parsed: Vec<Vec<ParsedLine>> = Vec::new();
    let mut eof = false;
    let mut need_more = false;
    while !eof {
        // fill the block (and past it while a line is longer than a block)
        let target = if need_more { buf.len() + BLOCK } else { BLOCK };
        need_more = false;
        while buf.len() < target {
            let start = buf.len();
            buf.resize(start + (1 << 20), 0);
            let n = loop {
                match reader.read(&mut buf[start..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(io(e)),
                }
            };
            buf.truncate(start + n);
            if n == 0 {
                eof = true;
                break;
            }
        }
        let cut = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf) {
                Some(i) => i + 1,
                None => {
                    need_more = true; // a line longer than the block
                    continue;
                }
            }
        };
        stats.lines += parse_block(&buf[..cut], stats.lines, name, &mut scanners, &mut parsed);
        apply_parsed(&mut b, &mut stats, &mut parsed, name)?;
        buf.drain(..cut);
    }
    Ok((b.finish(), stats))
}

/// Runs `f` on every part, on its own thread when there are several parts
/// and enough bytes to pay for the threads.
fn on_parts<T: Send, S: Send>(
    parts: &[&[u8]],
    state: &mut [S],
    f: impl Fn(usize, &[u8], &mut S) -> T + Sync,
) -> Vec<Option<T>> {
    let bytes: usize = parts.iter().map(|p| p.len()).sum();
    if parts.len() > 1 && bytes > (256 << 10) {
        std::thread::scope(|sc| {
            let f = &f;
            let handles: Vec<_> = parts
                .iter()
                .zip(state.iter_mut())
                .enumerate()
                .map(|(k, (p, st))| sc.spawn(move || f(k, p, st)))
                .collect();
            handles.into_iter().map(|h| h.join().ok()).collect()
        })
    } else {
        parts
            .iter()
            .zip(state.iter_mut())
            .enumerate()
            .map(|(k, (p, st))| Some(f(k, p, st)))
            .collect()
    }
}

/// Parses `block` (whole lines, the first numbered `first_line + 1`) into
/// `out`, one list per part, on every core; returns the lines it held.
fn parse_block(
    block: &[u8],
    first_line: u64,
    name: &str,
    scanners: &mut [TrialScanner],
    out: &mut Vec<Vec<ParsedLine>>,
) -> u64 {
    let threads = scanners.len().max(1);
    // split into parts at line boundaries
    let mut bounds = vec![0usize];
    for k in 1..threads {
        let target = block.len() * k / threads;
        let prev = *bounds.last().unwrap_or(&0);
        let at = if target <= prev {
            prev
        } else {
            memchr::memchr(b'\n', &block[target..]).map_or(block.len(), |i| target + i + 1)
        };
        bounds.push(at);
    }
    bounds.push(block.len());
    let parts: Vec<&[u8]> = bounds.windows(2).map(|w| &block[w[0]..w[1]]).collect();
    let mut none = vec![(); parts.len()];
    let count = |p: &[u8]| {
        let nl = memchr::memchr_iter(b'\n', p).count() as u64;
        nl + u64::from(!p.is_empty() && !p.ends_with(b"\n"))
    };
    let line_counts: Vec<u64> = on_parts(&parts, &mut none, |_, p, _| count(p))
        .into_iter()
        .zip(&parts)
        .map(|(n, p)| n.unwrap_or_else(|| count(p)))
        .collect();
    let mut starts = Vec::with_capacity(parts.len());
    let mut acc = first_line;
    for c in &line_counts {
        starts.push(acc);
        acc += c;
    }
    out.resize_with(parts.len(), Vec::new);
    let mut state: Vec<(&mut TrialScanner, &mut Vec<ParsedLine>)> =
        scanners.iter_mut().zip(out.iter_mut()).collect();
    let failed = on_parts(&parts, &mut state, |k, part, (scanner, out)| {
        out.clear();
        let mut line_no = starts[k];
        let mut rest = part;
        while !rest.is_empty() {
            let raw;
            (raw, rest) = rest.split_at(memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1));
            line_no += 1;
            let complete = raw.ends_with(b"\n");
            let place = || format!("{name}:{line_no}");
            // the layout nasviz writes, fast (it checks UTF-8 itself);
            // anything else in full
            if let Some(ev) = scanner.scan(raw.trim_ascii()) {
                out.push((line_no, complete, Ok(ev)));
                continue;
            }
            let text = match std::str::from_utf8(raw) {
                Ok(t) => t.trim(),
                Err(e) => {
                    out.push((
                        line_no,
                        complete,
                        Err(TraceError::bad(place(), format!("not UTF-8: {e}"))),
                    ));
                    continue;
                }
            };
            if text.is_empty() {
                continue;
            }
            out.push((line_no, complete, parse_line(text, &place)));
        }
    });
    for (k, ok) in failed.iter().enumerate() {
        if ok.is_none() {
            if let Some(out) = out.get_mut(k) {
                out.clear();
                out.push((
                    starts[k] + 1,
                    true,
                    Err(TraceError::bad(name, "internal error while parsing")),
                ));
            }
        }
    }
    acc - first_line
}

/// Applies parsed lines in order; a line that failed to parse is an error
/// unless it is the unterminated last line (still being written).
fn apply_parsed(
    b: &mut TraceBuilder,
    stats: &mut ReadStats,
    parsed: &mut [Vec<ParsedLine>],
    name: &str,
) -> Result<(), TraceError> {
    for (line_no, complete, ev) in parsed.iter_mut().flat_map(|p| p.drain(..)) {
        let place = || format!("{name}:{line_no}");
        match ev {
            Ok(ev) => b.apply(ev, &place)?,
            Err(_) if !complete => {
                stats.partial_tail = true;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A file's device and inode, where the system has them.
fn file_identity(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        None
    }
}

/// Where a reader of a growing file is: the bytes read so far, and the
/// file's identity (device, inode) when first read, so that another file
/// put in its place or a file cut short is said, not read as new lines.
pub(crate) struct Tail {
    path: PathBuf,
    identity: Option<(u64, u64)>,
    pub(crate) offset: u64,
}

impl Tail {
    pub(crate) fn new(path: &Path) -> Tail {
        Tail {
            path: path.to_path_buf(),
            identity: None,
            offset: 0,
        }
    }

    /// A reader of what was appended since `offset` (the caller adds what
    /// it reads to `offset`).
    pub(crate) fn appended(&mut self) -> Result<std::io::Take<std::fs::File>, TraceError> {
        let name = self.path.display().to_string();
        let io = |source| TraceError::Io {
            path: name.clone(),
            source,
        };
        let mut f = std::fs::File::open(&self.path).map_err(io)?;
        let meta = f.metadata().map_err(io)?;
        let len = meta.len();
        let id = file_identity(&meta);
        match (self.identity, id) {
            (None, _) => self.identity = id,
            (Some(a), Some(b)) if a != b => {
                return Err(TraceError::bad(
                    name.clone(),
                    "another file was put in its place (replaced, not appended)".to_string(),
                ))
            }
            _ => {}
        }
        if len < self.offset {
            return Err(TraceError::bad(
                name.clone(),
                format!(
                    "the file shrank from {} to {len} bytes: it was replaced or truncated, not appended",
                    self.offset
                ),
            ));
        }
        f.seek(SeekFrom::Start(self.offset)).map_err(io)?;
        Ok(f.take(len - self.offset))
    }
}

/// Follows a trace file that another process is appending to: each
/// [`Follower::poll`] returns the events completed since the last one.
pub struct Follower {
    path: PathBuf,
    tail: Tail,
    line: u64,
    pending: Vec<u8>,
    builder: TraceBuilder,
}

impl Follower {
    pub fn new(path: &Path) -> Follower {
        Follower {
            path: path.to_path_buf(),
            tail: Tail::new(path),
            line: 0,
            pending: Vec::new(),
            builder: TraceBuilder::default(),
        }
    }

    /// Everything read so far.
    pub fn trace(&self) -> &Trace {
        self.builder.trace()
    }

    /// Reads what was appended since the last poll; a final line without
    /// its newline is kept for the next poll.
    pub fn poll(&mut self) -> Result<Vec<Event>, TraceError> {
        let name = self.path.display().to_string();
        let io = |source| TraceError::Io {
            path: name.clone(),
            source,
        };
        let mut fresh = Vec::new();
        self.tail.appended()?.read_to_end(&mut fresh).map_err(io)?;
        self.tail.offset += fresh.len() as u64;
        self.pending.extend_from_slice(&fresh);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some(nl) = self.pending[start..].iter().position(|&b| b == b'\n') {
            let end = start + nl;
            self.line += 1;
            let line_no = self.line;
            let place = || format!("{name}:{line_no}");
            let text = std::str::from_utf8(&self.pending[start..end])
                .map_err(|e| TraceError::bad(place(), format!("not UTF-8: {e}")))?
                .trim();
            if !text.is_empty() {
                let ev = parse_line(text, &place)?;
                self.builder.apply(ev.clone(), &place)?;
                events.push(ev);
            }
            start = end + 1;
        }
        self.pending.drain(..start);
        Ok(events)
    }
}

#[derive(Serialize)]
struct RunOut<'a> {
    kind: &'static str,
    #[serde(flatten)]
    info: &'a RunInfo,
}

#[derive(Serialize)]
struct TrialOut<'a> {
    kind: &'static str,
    run_id: &'a str,
    trial_id: u64,
    step: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_s: Option<f64>,
    #[serde(skip_serializing_if = "<[u64]>::is_empty")]
    parents: &'a [u64],
    #[serde(skip_serializing_if = "Option::is_none")]
    mutation: Option<&'a Mutation>,
    arch: ArchJson<'static>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<&'a str>,
    metrics: &'a TrialMetrics,
    source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    worker: Option<&'a str>,
}

#[derive(Serialize)]
struct SteerOut<'a> {
    kind: &'static str,
    #[serde(flatten)]
    steer: &'a Steer,
}

/// Writes the native format, one event per line.
pub struct TraceWriter<W: Write> {
    out: W,
}

impl<W: Write> TraceWriter<W> {
    pub fn new(out: W) -> Self {
        TraceWriter { out }
    }

    fn line<T: Serialize>(&mut self, v: &T) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, v).map_err(std::io::Error::other)?;
        self.out.write_all(b"\n")
    }

    pub fn run(&mut self, info: &RunInfo) -> std::io::Result<()> {
        self.line(&RunOut { kind: "run", info })
    }

    pub fn trial(&mut self, run_id: &str, t: TrialRef<'_>) -> std::io::Result<()> {
        self.line(&TrialOut {
            kind: "trial",
            run_id,
            trial_id: t.trial_id,
            step: t.step,
            time_s: t.time_s,
            parents: t.parents,
            mutation: t.mutation,
            arch: t.arch.to_json(),
            hash: t.hash,
            metrics: &t.metrics,
            source: t.source,
            worker: t.worker,
        })
    }

    pub fn steer(&mut self, s: &Steer) -> std::io::Result<()> {
        self.line(&SteerOut {
            kind: "steer",
            steer: s,
        })
    }

    /// Writes a whole run: its header, then trials and steer events in
    /// step order (a steer event right after the trial it produced).
    pub fn write_run(&mut self, run: &Run) -> std::io::Result<()> {
        self.run(&run.info)?;
        let mut steers = run.steers.iter().peekable();
        for t in &run.trials {
            self.trial(&run.info.run_id, t)?;
            while let Some(s) = steers.peek() {
                let after_this = match s.trial_id.or(s.base) {
                    Some(id) => id == t.trial_id,
                    None => s.step <= t.step,
                };
                if !after_this {
                    break;
                }
                self.steer(s)?;
                steers.next();
            }
        }
        for s in steers {
            self.steer(s)?;
        }
        Ok(())
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Writes a whole trace to `path` atomically.
pub fn write_trace(path: &Path, trace: &Trace) -> Result<(), TraceError> {
    let mut w = TraceWriter::new(Vec::new());
    let io = |source| TraceError::Io {
        path: path.display().to_string(),
        source,
    };
    for run in &trace.runs {
        w.write_run(run).map_err(io)?;
    }
    crate::fsutil::write_atomic(path, &w.into_inner()).map_err(io)
}

impl Trial {
    /// A convenience for importers and tests.
    pub fn new(trial_id: u64, arch: Arch, metrics: TrialMetrics) -> Trial {
        Trial {
            trial_id,
            step: trial_id,
            time_s: None,
            parents: Default::default(),
            mutation: None,
            arch,
            hash: None,
            metrics,
            source: Source::Search,
            worker: None,
        }
    }
}
