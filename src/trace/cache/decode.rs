//! A cache read back into a [`Trace`]: every distinct text parsed once,
//! and the columns copied into each run's columns.

use super::format::{damaged, parts, split, BodySum, Col, Columns, Cur, Header, DAMAGED_SUM, NONE};
use crate::arch::{Arch, ArchJson, Mutation};
use crate::trace::trials::{Columns as TrialColumns, Interned, OptColumn};
use crate::trace::{Parents, Run, Source, Trace, Trial, TrialMetrics, Trials};
use std::sync::Arc;

/// An architecture from its text in a cache.
pub(super) fn parse_arch(text: &str) -> Result<Arch, String> {
    if let Some(a) = graph_arch(text) {
        return a;
    }
    json_arch(text)
}

/// An architecture from its JSON text.
pub(super) fn json_arch(text: &str) -> Result<Arch, String> {
    let j: ArchJson = serde_json::from_str(text).map_err(|e| e.to_string())?;
    j.to_arch().map_err(|e| e.to_string())
}

/// A NAS-Bench-Graph architecture from its text exactly as nasviz writes
/// it (`{"space":"nbgraph","links":[0,1,1,2],"ops":["gcn",...]}`: numbers
/// without leading zeros up to 255, names without escapes), read without
/// a JSON parser (a search draws a hundred thousand distinct ones); `None`
/// for any other text, which is read as JSON.
fn graph_arch(text: &str) -> Option<Result<Arch, String>> {
    let rest = text.strip_prefix(r#"{"space":"nbgraph","links":["#)?;
    let b = rest.as_bytes();
    let mut i = 0;
    let mut links = [0u8; 4];
    for (k, l) in links.iter_mut().enumerate() {
        if k > 0 {
            if b.get(i) != Some(&b',') {
                return None;
            }
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let d = &rest[start..i];
        if d.is_empty() || (d.len() > 1 && d.starts_with('0')) {
            return None;
        }
        *l = d.parse().ok()?;
    }
    let names = rest[i..]
        .strip_prefix(r#"],"ops":[""#)?
        .strip_suffix(r#""]}"#)?;
    // `a","b","c","d`: names at the even pieces, commas between
    let mut ops = [""; 4];
    let mut pieces = names.split('"');
    for (k, o) in ops.iter_mut().enumerate() {
        if k > 0 && pieces.next()? != "," {
            return None;
        }
        *o = pieces.next()?;
        if o.bytes().any(|b| b == b'\\' || b < 0x20) {
            return None;
        }
    }
    if pieces.next().is_some() {
        return None;
    }
    let a = crate::arch::nbgraph::GraphArch::from_names(links, &ops);
    Some(a.map(Arch::NbGraph).map_err(|e| e.to_string()))
}

/// An edit from its text in a cache.
pub(super) fn parse_edit(text: &str) -> Result<Mutation, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// The header and the trace of a cache's bytes, or why they cannot be
/// trusted. The body is read once, in order: each column is copied into
/// its run and summed, and `release(offset, len)` is told of the bytes
/// behind (a mapped cache drops those pages, so a large cache is never
/// resident whole beside the trials made of it).
pub(super) fn decode(
    bytes: &[u8],
    release: &mut dyn FnMut(usize, usize),
) -> Result<(Header, Trace), String> {
    let (h, body, sum) = split(bytes)?;
    let (strings, mut c) = parts(body)?;
    let mut read = Progress {
        sum: BodySum::default(),
        summed: 0,
        base: bytes.len() - body.len(),
        body,
        release,
    };
    // a text's index to its place in a run's table, NONE when not yet seen
    let mut remap = vec![NONE; strings.len()];
    let n_runs = c.u32()? as usize;
    let mut trace = Trace::default();
    for _ in 0..n_runs {
        let r = c.run(&strings)?;
        let parents = Cur {
            b: c.b,
            i: r.parents_at,
        };
        let trials =
            run_trials(&r.cols, parents, &strings, &mut remap, &mut read).map_err(damaged)?;
        let mut run = Run::new(r.info);
        run.adopt(trials).map_err(damaged)?;
        for s in c.steers(&strings)? {
            run.push_steer(s).map_err(damaged)?;
        }
        trace.runs.push(run);
    }
    if c.i != c.b.len() {
        return Err("the cache is damaged".into());
    }
    read.upto(body.len());
    if read.sum.finish() != sum {
        return Err(DAMAGED_SUM.into());
    }
    Ok((h, trace))
}

/// How far a body has been read: summed up to `summed`, and the pages
/// before it released.
struct Progress<'a, 'r> {
    sum: BodySum,
    summed: usize,
    /// Where the body starts in the bytes `release` is told of.
    base: usize,
    body: &'a [u8],
    release: &'r mut dyn FnMut(usize, usize),
}

impl Progress<'_, '_> {
    /// Sums the body up to `end` and releases what is behind.
    fn upto(&mut self, end: usize) {
        let end = end.clamp(self.summed, self.body.len());
        self.sum.update(&self.body[self.summed..end]);
        if end > self.summed {
            (self.release)(self.base + self.summed, end - self.summed);
        }
        self.summed = end;
    }

    /// Sums and releases up to the end of `slice` (a part of the body).
    fn past(&mut self, slice: &[u8]) {
        let end =
            (slice.as_ptr() as usize + slice.len()).saturating_sub(self.body.as_ptr() as usize);
        self.upto(end);
    }
}

/// The trials of one run, copied column by column out of the cache.
fn run_trials(
    cols: &Columns<'_>,
    mut parents: Cur<'_>,
    strings: &[&str],
    remap: &mut [u32],
    read: &mut Progress<'_, '_>,
) -> Result<Trials, String> {
    let n = cols.sources.len();
    let ids = cols.ids.u64s();
    read.past(cols.ids.bytes());
    let steps = cols.steps.u64s();
    read.past(cols.steps.bytes());
    let times = OptColumn::from_values(cols.times.u64s().into_iter().map(f64::from_bits).collect());
    read.past(cols.times.bytes());
    let metric = |k: usize| -> Vec<f64> {
        (0..n)
            .map(|i| f64::from_bits(cols.metrics.u64_at(i, k * 8)))
            .collect()
    };
    let (val, test) = (metric(0), metric(1));
    let costs = [2, 3, 4, 5].map(|k| OptColumn::from_values(metric(k)));
    read.past(cols.metrics.bytes());
    let sources = cols.sources.iter().map(|&b| source(Some(b))).collect();
    read.past(cols.sources);
    let mut parent_ends = Vec::new();
    let mut parent_ids = Vec::new();
    for i in 0..n {
        let k = parents.u32()? as usize;
        if k > 0 && parent_ends.is_empty() {
            parent_ends.resize(i, 0);
        }
        for _ in 0..k {
            parent_ids.push(parents.u64()?);
        }
        if !parent_ends.is_empty() {
            parent_ends.push(parent_ids.len() as u64);
        }
        if i % 65_536 == 65_535 {
            read.upto(parents.i);
        }
    }
    read.upto(parents.i);
    let archs = interned(&cols.archs, strings, remap, parse_arch)?;
    read.past(cols.archs.bytes());
    let hashes = interned(&cols.hashes, strings, remap, |t| Ok(Arc::from(t)))?;
    read.past(cols.hashes.bytes());
    let edits = interned(&cols.muts, strings, remap, |t| parse_edit(t).map(Arc::new))?;
    let muts = (0..n)
        .map(|i| match edits.1.get(i) {
            Some(&k) if k != NONE => edits.0.get(k as usize).cloned(),
            _ => None,
        })
        .collect();
    read.past(cols.muts.bytes());
    let workers = interned(&cols.workers, strings, remap, |t| Ok(Arc::from(t)))?;
    read.past(cols.workers.bytes());
    Trials::from_columns(TrialColumns {
        ids,
        steps,
        times,
        val,
        test,
        costs,
        parent_ends,
        parent_ids,
        archs: Interned::from_parts(archs.0, archs.1)?,
        muts,
        hashes: Interned::from_parts(hashes.0, hashes.1)?,
        workers: Interned::from_parts(workers.0, workers.1)?,
        sources,
    })
}

/// The distinct values a column of text indices names, each made once
/// from its text, and the column as indices into them ([`NONE`] kept).
/// `remap` (NONE throughout) is left as it was found.
fn interned<T>(
    col: &Col<'_, 4>,
    strings: &[&str],
    remap: &mut [u32],
    mut make: impl FnMut(&str) -> Result<T, String>,
) -> Result<(Vec<T>, Vec<u32>), String> {
    let mut table = Vec::new();
    let mut seen = Vec::new();
    let mut ids = Vec::with_capacity(col.len());
    let mut fail = None;
    for i in 0..col.len() {
        let k = col.u32(i);
        if k == NONE {
            ids.push(NONE);
            continue;
        }
        let Some(slot) = remap.get_mut(k as usize) else {
            fail = Some("a text index is past the table".to_string());
            break;
        };
        if *slot == NONE {
            match strings.get(k as usize).map(|t| make(t)) {
                Some(Ok(v)) => {
                    *slot = table.len() as u32;
                    table.push(v);
                    seen.push(k);
                }
                Some(Err(e)) => {
                    fail = Some(e);
                    break;
                }
                None => {
                    fail = Some("no such text".into());
                    break;
                }
            }
        }
        ids.push(*slot);
    }
    for k in seen {
        remap[k as usize] = NONE;
    }
    match fail {
        Some(e) => Err(e),
        None => Ok((table, ids)),
    }
}

/// What a trial names besides its numbers: parents, and its texts parsed.
pub(super) struct Texts {
    pub(super) parents: Parents,
    pub(super) mutation: Option<Arc<Mutation>>,
    pub(super) arch: Arch,
    pub(super) hash: Option<Arc<str>>,
    pub(super) worker: Option<Arc<str>>,
}

/// Trial `i` of `cols`, with what it names.
pub(super) fn row(cols: &Columns<'_>, i: usize, texts: Texts) -> Trial {
    let f = |x: u64| f64::from_bits(x);
    let opt = |x: u64| Some(f64::from_bits(x)).filter(|v| !v.is_nan());
    let m = |k: usize| cols.metrics.u64_at(i, k * 8);
    Trial {
        trial_id: cols.ids.u64(i),
        step: cols.steps.u64(i),
        time_s: opt(cols.times.u64(i)),
        parents: texts.parents,
        mutation: texts.mutation,
        arch: texts.arch,
        hash: texts.hash,
        metrics: TrialMetrics {
            val_acc: f(m(0)),
            test_acc: f(m(1)),
            train_time_s: opt(m(2)),
            params: opt(m(3)),
            flops: opt(m(4)),
            latency_s: opt(m(5)),
        },
        source: source(cols.sources.get(i).copied()),
        worker: texts.worker,
    }
}

/// A trial's source from its byte in the cache.
pub(super) fn source(b: Option<u8>) -> Source {
    match b {
        Some(1) => Source::User,
        Some(2) => Source::Import,
        _ => Source::Search,
    }
}
