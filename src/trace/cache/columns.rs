//! A native trace read from its cache as columns, in place: nothing is
//! built per trial, so a command that needs a few numbers of every trial
//! (`info`) reads a million trials in the time it takes to map and sum
//! the cache. Used only on a hit (a valid cache of exactly the trace as it
//! is now); anything else is left to `read_with`.

use super::decode::{parse_arch, parse_edit, row, Texts};
use super::format::{body_sum, parts, split, text, Col, Columns, Cur, NONE};
use super::{cache_path, enabled, ends_in_newline, header_of, map, CacheOptions};
use crate::arch::{Arch, Mutation};
use crate::trace::scan::FxMap;
use crate::trace::{Parents, RunInfo, Steer, TraceError, Trial};
use std::path::Path;
use std::sync::Arc;

/// One run of a cached trace, its trials read from the cache's columns.
pub(crate) struct ColumnRun<'a> {
    /// The run's header.
    pub info: RunInfo,
    /// Its steer events, in order.
    pub steers: Vec<Steer>,
    cols: Columns<'a>,
    strings: &'a [&'a str],
    /// The next trial's parents.
    parents: Cur<'a>,
    /// Trial id to position, when ids are not positions.
    index: Option<FxMap<u64, usize>>,
    archs: FxMap<u32, Arch>,
    edits: FxMap<u32, Arc<Mutation>>,
    /// Keys and workers.
    texts: FxMap<u32, Arc<str>>,
}

impl ColumnRun<'_> {
    /// Number of trials.
    pub fn len(&self) -> usize {
        self.cols.sources.len()
    }

    /// The position of a trial by id (as `Run::position`).
    pub fn position(&self, trial_id: u64) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(&trial_id).copied(),
            None => usize::try_from(trial_id).ok().filter(|&i| i < self.len()),
        }
    }

    /// The id of trial `i`.
    pub fn trial_id(&self, i: usize) -> u64 {
        self.cols.ids.u64(i)
    }

    /// The validation accuracy of trial `i`.
    pub fn val_acc(&self, i: usize) -> f64 {
        f64::from_bits(self.cols.metrics.u64_at(i, 0))
    }

    /// The test accuracy of trial `i`.
    pub fn test_acc(&self, i: usize) -> f64 {
        f64::from_bits(self.cols.metrics.u64_at(i, 8))
    }

    /// The time trial `i` finished, if recorded.
    pub fn time_s(&self, i: usize) -> Option<f64> {
        Some(f64::from_bits(self.cols.times.u64(i))).filter(|t| !t.is_nan())
    }

    /// Whether trial `i` is the user's.
    pub fn by_user(&self, i: usize) -> bool {
        self.cols.sources.get(i) == Some(&1)
    }

    /// The parents of the next trial: the first call gives trial 0's, each
    /// call the next trial's.
    pub fn next_parents(&mut self) -> Result<Parents, String> {
        self.parents.trial_parents()
    }

    /// Trial `i` whole, as reading the trace gives it, with `parents` (its
    /// own, from [`ColumnRun::next_parents`]); its texts parsed once.
    pub fn trial(&mut self, i: usize, parents: Parents) -> Result<Trial, String> {
        let strings = self.strings;
        let a = self.cols.archs.u32(i);
        let arch = match self.archs.get(&a) {
            Some(x) => x.clone(),
            None => {
                let x = parse_arch(text(strings, a)?)?;
                self.archs.insert(a, x.clone());
                x
            }
        };
        let mutation = match self.cols.muts.u32(i) {
            NONE => None,
            m => Some(match self.edits.get(&m) {
                Some(x) => x.clone(),
                None => {
                    let x = Arc::new(parse_edit(text(strings, m)?)?);
                    self.edits.insert(m, x.clone());
                    x
                }
            }),
        };
        let mut shared = |k: u32| -> Result<Option<Arc<str>>, String> {
            if k == NONE {
                return Ok(None);
            }
            if let Some(x) = self.texts.get(&k) {
                return Ok(Some(x.clone()));
            }
            let x: Arc<str> = text(strings, k)?.into();
            self.texts.insert(k, x.clone());
            Ok(Some(x))
        };
        let hash = shared(self.cols.hashes.u32(i))?;
        let worker = shared(self.cols.workers.u32(i))?;
        let texts = Texts {
            parents,
            mutation,
            arch,
            hash,
            worker,
        };
        Ok(row(&self.cols, i, texts))
    }
}

/// Gives `f` the runs of the native trace at `path` as its cache's
/// columns, when the cache is valid and holds exactly the trace as it is
/// now; `None` when it is not (off, missing, stale, grown, damaged, or the
/// trace too small to have one): read the trace then. Refuses a trace too
/// large for memory as reading it would.
///
/// A cache is checked as a read checks it (the trace's length, time and
/// checksums, the body's checksum, every column there, every text index in
/// the table, every trial id distinct, every steer event naming trials of
/// its run), except that the texts of architectures and edits are parsed
/// only when [`ColumnRun::trial`] asks for them.
pub(crate) fn read_columns_with<R>(
    path: &Path,
    opts: &CacheOptions,
    f: impl FnOnce(&mut [ColumnRun<'_>]) -> R,
) -> Result<Option<R>, TraceError> {
    let meta = std::fs::metadata(path).map_err(|source| TraceError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let len = meta.len();
    crate::trace::memory::check(path, len)?;
    let dir = match &opts.dir {
        Some(d) if enabled() && len >= opts.min_bytes && ends_in_newline(path, len) => d,
        _ => return Ok(None),
    };
    let Ok(bytes) = map(&cache_path(dir, path)) else {
        return Ok(None);
    };
    let Ok((h, body, sum)) = split(&bytes) else {
        return Ok(None);
    };
    let same = h.len == len
        && header_of(path, len, h.lines, &meta).is_ok_and(|now| {
            now.head == h.head && now.boundary == h.boundary && now.mtime == h.mtime
        });
    if !same {
        return Ok(None);
    }
    // the body is summed on another core while its runs are read
    std::thread::scope(|sc| {
        let summed = sc.spawn(|| body_sum(body) == sum);
        let out = match parts(body) {
            Ok((strings, c)) => {
                let mut c = Cur { b: c.b, i: c.i };
                runs(&mut c, &strings).ok().map(|mut r| f(&mut r))
            }
            Err(_) => None,
        };
        Ok(out.filter(|_| summed.join().unwrap_or(false)))
    })
}

/// The runs of a body whose table of strings `strings` was just read.
fn runs<'a>(c: &mut Cur<'a>, strings: &'a [&'a str]) -> Result<Vec<ColumnRun<'a>>, String> {
    let n_runs = c.u32()? as usize;
    let mut runs = Vec::with_capacity(n_runs.min(c.b.len()));
    for _ in 0..n_runs {
        let r = c.run(strings)?;
        let parents = Cur {
            b: c.b,
            i: r.parents_at,
        };
        let steers = c.steers(strings)?;
        check_texts(&r.cols, strings.len())?;
        let run = ColumnRun {
            info: r.info,
            steers,
            index: index(&r.cols.ids)?,
            cols: r.cols,
            strings,
            parents,
            archs: FxMap::default(),
            edits: FxMap::default(),
            texts: FxMap::default(),
        };
        for s in &run.steers {
            if [s.base, s.trial_id]
                .into_iter()
                .flatten()
                .any(|id| run.position(id).is_none())
            {
                return Err("a steer event names no trial".into());
            }
        }
        runs.push(run);
    }
    if c.i != c.b.len() {
        return Err("the cache is damaged".into());
    }
    Ok(runs)
}

/// Fails when a trial names a text the table does not have.
fn check_texts(cols: &Columns<'_>, n: usize) -> Result<(), String> {
    let n = u32::try_from(n).unwrap_or(NONE);
    for i in 0..cols.sources.len() {
        let a = cols.archs.u32(i);
        let rest = [cols.hashes.u32(i), cols.muts.u32(i), cols.workers.u32(i)];
        if a >= n || rest.iter().any(|&k| k != NONE && k >= n) {
            return Err("a trial names no text".into());
        }
    }
    Ok(())
}

/// The trial ids' positions, unless every id is its position; fails on
/// an id given twice.
fn index(ids: &Col<'_, 8>) -> Result<Option<FxMap<u64, usize>>, String> {
    let n = ids.len();
    if (0..n).all(|i| ids.u64(i) == i as u64) {
        return Ok(None);
    }
    let mut index = FxMap::default();
    index.reserve(n);
    for i in 0..n {
        if index.insert(ids.u64(i), i).is_some() {
            return Err("a trial id is given twice".into());
        }
    }
    Ok(Some(index))
}
