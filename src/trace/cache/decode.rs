//! A cache read back into a [`Trace`]: every distinct text parsed once,
//! then the trials built from the columns on every core.

use super::format::{body_sum, damaged, parts, split, Columns, Cur, Header, DAMAGED_SUM, NONE};
use crate::arch::{Arch, ArchJson, Mutation};
use crate::trace::{Parents, Run, Source, Trace, Trial, TrialMetrics};
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
    let (numbers, rest) = rest.split_once(r#"],"ops":[""#)?;
    let names = rest.strip_suffix(r#""]}"#)?;
    let mut links = [0u8; 4];
    let mut parts = numbers.split(',');
    for l in &mut links {
        let d = parts.next()?;
        let plain = d.bytes().all(|b| b.is_ascii_digit()) && (d.len() == 1 || !d.starts_with('0'));
        *l = if plain { d.parse().ok()? } else { return None };
    }
    let mut ops = [""; 4];
    let mut names = names.split(r#"",""#);
    for o in &mut ops {
        *o = names.next()?;
        if o.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
            return None;
        }
    }
    if parts.next().is_some() || names.next().is_some() {
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
/// trusted.
pub(super) fn decode(bytes: &[u8]) -> Result<(Header, Trace), String> {
    let (h, body, sum) = split(bytes)?;
    if body_sum(body) != sum {
        return Err(DAMAGED_SUM.into());
    }
    let (strings, mut c) = parts(body)?;
    // each distinct text parsed once, found by its index
    let mut tables = Tables::new(strings.len());
    let n_runs = c.u32()? as usize;
    let mut trace = Trace::default();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    for _ in 0..n_runs {
        // a large run's trials are built in parts, one a thread
        let r = c.run(&strings, |n| if n >= 1 << 16 { threads } else { 1 })?;
        let cols = r.cols;
        // every text the run names, parsed before the trials are built
        for i in 0..cols.sources.len() {
            tables.resolve(&cols, i, &strings).map_err(damaged)?;
        }
        let trials = build_trials(&cols, c.b, &r.bounds, &r.starts, &tables).map_err(damaged)?;
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
    Ok((h, trace))
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
            Some(slot) => *slot = Some(parse_arch(text(a)?)?),
            None => return Err("no such architecture".into()),
        }
        let m = cols.muts.u32(i);
        if m != NONE {
            match self.muts.get_mut(m as usize) {
                Some(Some(_)) => {}
                Some(slot) => *slot = Some(Arc::new(parse_edit(text(m)?)?)),
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
        let parents = parents.trial_parents()?;
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
        Ok(row(
            cols,
            i,
            Texts {
                parents,
                mutation,
                arch,
                hash: shared(&self.keys, cols.hashes.u32(i))?,
                worker: shared(&self.workers, cols.workers.u32(i))?,
            },
        ))
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
    crate::trace::memory::advise_huge_pages(&mut trials);
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
