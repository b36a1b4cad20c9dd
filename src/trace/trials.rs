//! A run's trials as columns: one array per field (ids, steps, times,
//! accuracies, costs, parents, edits, sources), and the architectures,
//! benchmark keys and workers each held once and named by index. A view
//! reads the columns it needs ([`Trials::val_accs`], [`Trials::steps`],
//! ...); code that wants a whole trial reads a [`TrialRef`], a copy of its
//! numbers and references to what it names, built on the spot.
//!
//! A million-trial run takes about 90 bytes a trial this way (a trial built
//! as a struct took 208), and a cache fills the columns with no per-trial
//! construction.

mod column;

pub(crate) use column::{Counted, Interned, OptColumn};

use super::{Parents, Source, Trial, TrialMetrics};
use crate::arch::{Arch, Mutation};
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

/// What a trial past the end would name (never shown: reads past the end
/// are refused before).
static NO_ARCH: Arch = Arch::Nb201(crate::arch::nb201::Cell {
    ops: [crate::arch::nb201::Op::None; 6],
});

/// The trials of one run, in order, as columns.
#[derive(Clone, Default)]
pub struct Trials {
    ids: Counted,
    steps: Counted,
    times: OptColumn,
    val: Vec<f64>,
    test: Vec<f64>,
    /// Training time, parameters, FLOPs, latency.
    costs: [OptColumn; 4],
    /// Where each trial's parents end in `parent_ids` (empty while no
    /// trial has any).
    parent_ends: Vec<u64>,
    parent_ids: Vec<u64>,
    archs: Interned<Arch>,
    /// Edits (empty while no trial has one).
    muts: Vec<Option<Arc<Mutation>>>,
    hashes: Interned<Arc<str>>,
    workers: Interned<Arc<str>>,
    sources: Vec<Source>,
}

/// One trial of a [`Trials`]: its numbers, and references to what it
/// names. Cheap to make and to copy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialRef<'a> {
    pub trial_id: u64,
    pub step: u64,
    /// Simulated (or recorded) search time when the trial finished.
    pub time_s: Option<f64>,
    pub parents: &'a [u64],
    /// The edit that made it from its parent.
    pub mutation: Option<&'a Mutation>,
    pub arch: &'a Arch,
    /// The benchmark key (canonical hash) when known.
    pub hash: Option<&'a str>,
    pub metrics: TrialMetrics,
    pub source: Source,
    /// The worker or host that ran it, where the engine records one.
    pub worker: Option<&'a str>,
}

impl TrialRef<'_> {
    /// The trial as an owned record.
    pub fn to_trial(&self) -> Trial {
        Trial {
            trial_id: self.trial_id,
            step: self.step,
            time_s: self.time_s,
            parents: Parents::from(self.parents),
            mutation: self.mutation.map(|m| Arc::new(m.clone())),
            arch: self.arch.clone(),
            hash: self.hash.map(Arc::from),
            metrics: self.metrics,
            source: self.source,
            worker: self.worker.map(Arc::from),
        }
    }
}

impl PartialEq<Trial> for TrialRef<'_> {
    fn eq(&self, t: &Trial) -> bool {
        *self == t.trial_ref()
    }
}

impl PartialEq<TrialRef<'_>> for Trial {
    fn eq(&self, t: &TrialRef<'_>) -> bool {
        self.trial_ref() == *t
    }
}

impl Trial {
    /// This trial as a [`TrialRef`] (what a run's columns give).
    pub fn trial_ref(&self) -> TrialRef<'_> {
        TrialRef {
            trial_id: self.trial_id,
            step: self.step,
            time_s: self.time_s,
            parents: &self.parents,
            mutation: self.mutation.as_deref(),
            arch: &self.arch,
            hash: self.hash.as_deref(),
            metrics: self.metrics,
            source: self.source,
            worker: self.worker.as_deref(),
        }
    }
}

impl Trials {
    /// No trials, with room for `n`.
    pub fn with_capacity(n: usize) -> Trials {
        let mut t = Trials::default();
        t.val.reserve(n);
        t.test.reserve(n);
        t.archs.ids.reserve(n);
        t.sources.reserve(n);
        t
    }

    /// Makes room for `n` more trials.
    pub fn reserve(&mut self, n: usize) {
        self.ids.reserve(n);
        self.steps.reserve(n);
        self.val.reserve(n);
        self.test.reserve(n);
        self.archs.ids.reserve(n);
        self.sources.reserve(n);
    }

    pub fn len(&self) -> usize {
        self.val.len()
    }

    pub fn is_empty(&self) -> bool {
        self.val.is_empty()
    }

    /// Trial `i`, if there are that many.
    #[inline]
    pub fn get(&self, i: usize) -> Option<TrialRef<'_>> {
        (i < self.len()).then(|| self.row(i))
    }

    /// Trial `i`; like indexing a slice, it panics when `i` is past the end.
    #[inline]
    pub fn at(&self, i: usize) -> TrialRef<'_> {
        assert!(i < self.len(), "trial {i} of {}", self.len());
        self.row(i)
    }

    /// Trial `i`, which is in range. Every read is checked without a
    /// panic, so that once inlined the fields a caller does not read are
    /// not read at all.
    #[inline(always)]
    fn row(&self, i: usize) -> TrialRef<'_> {
        let num = |v: &[f64]| v.get(i).copied().unwrap_or(f64::NAN);
        let parents = match self.parent_ends.get(i) {
            None => &[][..],
            Some(&end) => {
                let start = match i.checked_sub(1) {
                    Some(j) => self.parent_ends.get(j).copied().unwrap_or(0),
                    None => 0,
                };
                self.parent_ids
                    .get(start as usize..end as usize)
                    .unwrap_or(&[])
            }
        };
        let arch = (self.archs.ids.get(i))
            .and_then(|&k| self.archs.table.get(k as usize))
            .unwrap_or(&NO_ARCH);
        TrialRef {
            trial_id: self.ids.get(i),
            step: self.steps.get(i),
            time_s: self.times.get(i),
            parents,
            mutation: self.muts.get(i).and_then(|m| m.as_deref()),
            arch,
            hash: self.hashes.get(i).map(|s| &**s),
            metrics: TrialMetrics {
                val_acc: num(&self.val),
                test_acc: num(&self.test),
                train_time_s: self.costs[0].get(i),
                params: self.costs[1].get(i),
                flops: self.costs[2].get(i),
                latency_s: self.costs[3].get(i),
            },
            source: self.sources.get(i).copied().unwrap_or_default(),
            worker: self.workers.get(i).map(|s| &**s),
        }
    }

    pub fn first(&self) -> Option<TrialRef<'_>> {
        self.get(0)
    }

    pub fn last(&self) -> Option<TrialRef<'_>> {
        self.len().checked_sub(1).map(|i| self.at(i))
    }

    /// The trials in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            trials: self,
            front: 0,
            back: self.len(),
        }
    }

    /// The trials in `range` (clamped to the run), in order.
    pub fn range(&self, range: impl RangeBounds<usize>) -> Iter<'_> {
        let n = self.len();
        let start = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&e) => e.saturating_add(1),
            Bound::Excluded(&e) => e,
            Bound::Unbounded => n,
        };
        let back = end.min(n);
        Iter {
            trials: self,
            front: start.min(back),
            back,
        }
    }

    /// The trials as owned records.
    pub fn to_vec(&self) -> Vec<Trial> {
        self.iter().map(|t| t.to_trial()).collect()
    }

    /// The id of trial `i`.
    pub fn id(&self, i: usize) -> Option<u64> {
        (i < self.len()).then(|| self.ids.get(i))
    }

    /// The step of trial `i`.
    pub fn step(&self, i: usize) -> Option<u64> {
        (i < self.len()).then(|| self.steps.get(i))
    }

    /// Validation accuracies, in order.
    pub fn val_accs(&self) -> &[f64] {
        &self.val
    }

    /// Test accuracies, in order.
    pub fn test_accs(&self) -> &[f64] {
        &self.test
    }

    /// The parents of trial `i` (none past the end).
    pub fn parents(&self, i: usize) -> &[u64] {
        self.get(i).map_or(&[], |t| t.parents)
    }

    /// Cost `k` of trial `i` (training time, parameters, FLOPs, latency).
    pub(crate) fn cost(&self, k: usize, i: usize) -> Option<f64> {
        self.costs.get(k).and_then(|c| c.get(i))
    }

    /// The distinct architectures, and which one each trial has.
    pub(crate) fn arch_column(&self) -> (&[Arch], &[u32]) {
        (&self.archs.table, &self.archs.ids)
    }

    /// The distinct benchmark keys, and which one each trial has (empty
    /// when no trial has one; [`NONE`] for none).
    pub(crate) fn hash_column(&self) -> (&[Arc<str>], &[u32]) {
        (&self.hashes.table, &self.hashes.ids)
    }

    /// The distinct workers, and which one each trial names (as
    /// [`Trials::hash_column`]).
    pub(crate) fn worker_column(&self) -> (&[Arc<str>], &[u32]) {
        (&self.workers.table, &self.workers.ids)
    }

    /// Each trial's edit (empty when no trial has one).
    pub(crate) fn edit_column(&self) -> &[Option<Arc<Mutation>>] {
        &self.muts
    }

    /// Where each trial came from, in order.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The search time of trial `i`, when recorded.
    pub fn time_s(&self, i: usize) -> Option<f64> {
        self.times.get(i)
    }

    /// Appends a trial (its id is not checked: [`super::Run::push`] does).
    pub(crate) fn push(&mut self, t: Trial) {
        let n = self.len();
        self.ids.push(n, t.trial_id);
        self.steps.push(n, t.step);
        self.times.push(n, t.time_s);
        self.val.push(t.metrics.val_acc);
        self.test.push(t.metrics.test_acc);
        let m = &t.metrics;
        for (col, v) in self
            .costs
            .iter_mut()
            .zip([m.train_time_s, m.params, m.flops, m.latency_s])
        {
            col.push(n, v);
        }
        if !t.parents.is_empty() || !self.parent_ends.is_empty() {
            self.parent_ends.resize(n, 0);
            self.parent_ids.extend_from_slice(&t.parents);
            self.parent_ends.push(self.parent_ids.len() as u64);
        }
        if t.mutation.is_some() || !self.muts.is_empty() {
            self.muts.resize(n, None);
            self.muts.push(t.mutation);
        }
        let k = self.archs.intern(t.arch);
        self.archs.ids.push(k);
        self.hashes.push(n, t.hash);
        self.workers.push(n, t.worker);
        self.sources.push(t.source);
    }

    /// Appends the trials of `other` (their ids are not checked).
    pub(crate) fn append(&mut self, other: Trials) {
        let (n, m) = (self.len(), other.len());
        if n == 0 {
            *self = other;
            return;
        }
        self.ids.append(n, other.ids, m);
        self.steps.append(n, other.steps, m);
        self.times.append(n, other.times, m);
        self.val.extend_from_slice(&other.val);
        self.test.extend_from_slice(&other.test);
        for (col, o) in self.costs.iter_mut().zip(other.costs) {
            col.append(n, o, m);
        }
        if !other.parent_ends.is_empty() {
            let base = self.parent_ids.len() as u64;
            self.parent_ends.resize(n, base);
            self.parent_ids.extend_from_slice(&other.parent_ids);
            self.parent_ends
                .extend(other.parent_ends.iter().map(|e| e + base));
        } else if !self.parent_ends.is_empty() {
            let end = self.parent_ids.len() as u64;
            self.parent_ends.resize(n + m, end);
        }
        if !other.muts.is_empty() || !self.muts.is_empty() {
            self.muts.resize(n, None);
            self.muts.extend(other.muts);
            self.muts.resize(n + m, None);
        }
        let mut archs = other.archs;
        let map: Vec<u32> = std::mem::take(&mut archs.table)
            .into_iter()
            .map(|a| self.archs.intern(a))
            .collect();
        self.archs
            .ids
            .extend(archs.ids.iter().map(|&k| map[k as usize]));
        self.hashes.append(n, other.hashes, m);
        self.workers.append(n, other.workers, m);
        self.sources.extend_from_slice(&other.sources);
    }

    /// Trials from whole columns, as a cache holds them (each of length
    /// `ids.len()`; checked).
    pub(crate) fn from_columns(c: Columns) -> Result<Trials, String> {
        let n = c.val.len();
        let parents_ok = c.parent_ends.is_empty()
            || (c.parent_ends.len() == n
                && c.parent_ends.windows(2).all(|w| w[0] <= w[1])
                && c.parent_ends
                    .last()
                    .is_some_and(|&e| e == c.parent_ids.len() as u64));
        let lens_ok = [c.ids.len(), c.steps.len(), c.test.len(), c.sources.len()]
            .iter()
            .all(|&l| l == n)
            && c.archs.ids.len() == n
            && [
                c.times.0.len(),
                c.costs.iter().map(|k| k.0.len()).max().unwrap_or(0),
            ]
            .iter()
            .all(|&l| l == 0 || l == n)
            && c.costs.iter().all(|k| k.0.is_empty() || k.0.len() == n)
            && [c.hashes.ids.len(), c.workers.ids.len(), c.muts.len()]
                .iter()
                .all(|&l| l == 0 || l == n)
            && c.archs
                .ids
                .iter()
                .all(|&k| (k as usize) < c.archs.table.len());
        if !(parents_ok && lens_ok) {
            return Err("the columns of a run differ in length".into());
        }
        let muts = if c.muts.iter().all(Option::is_none) {
            Vec::new()
        } else {
            c.muts
        };
        Ok(Trials {
            ids: Counted::from_values(c.ids),
            steps: Counted::from_values(c.steps),
            times: c.times,
            val: c.val,
            test: c.test,
            costs: c.costs,
            parent_ends: c.parent_ends,
            parent_ids: c.parent_ids,
            archs: c.archs,
            muts,
            hashes: c.hashes,
            workers: c.workers,
            sources: c.sources,
        })
    }
}

/// Whole columns of a run, to make [`Trials`] from.
pub(crate) struct Columns {
    pub(crate) ids: Vec<u64>,
    pub(crate) steps: Vec<u64>,
    pub(crate) times: OptColumn,
    pub(crate) val: Vec<f64>,
    pub(crate) test: Vec<f64>,
    pub(crate) costs: [OptColumn; 4],
    pub(crate) parent_ends: Vec<u64>,
    pub(crate) parent_ids: Vec<u64>,
    pub(crate) archs: Interned<Arch>,
    pub(crate) muts: Vec<Option<Arc<Mutation>>>,
    pub(crate) hashes: Interned<Arc<str>>,
    pub(crate) workers: Interned<Arc<str>>,
    pub(crate) sources: Vec<Source>,
}

impl From<Vec<Trial>> for Trials {
    fn from(v: Vec<Trial>) -> Trials {
        let mut t = Trials::with_capacity(v.len());
        for x in v {
            t.push(x);
        }
        t
    }
}

impl PartialEq for Trials {
    /// Equal when they hold the same trials in the same order.
    fn eq(&self, other: &Trials) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl PartialEq<Vec<Trial>> for Trials {
    fn eq(&self, other: &Vec<Trial>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == *b)
    }
}

impl std::fmt::Debug for Trials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The trials of a [`Trials`] in order (either end).
#[derive(Clone)]
pub struct Iter<'a> {
    trials: &'a Trials,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = TrialRef<'a>;

    #[inline]
    fn next(&mut self) -> Option<TrialRef<'a>> {
        if self.front >= self.back {
            return None;
        }
        let t = self.trials.row(self.front);
        self.front += 1;
        Some(t)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }

    fn nth(&mut self, k: usize) -> Option<TrialRef<'a>> {
        self.front = self.front.saturating_add(k).min(self.back);
        self.next()
    }

    fn count(self) -> usize {
        self.back - self.front
    }

    fn last(mut self) -> Option<TrialRef<'a>> {
        self.next_back()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        Some(self.trials.row(self.back))
    }
}

impl ExactSizeIterator for Iter<'_> {}
impl std::iter::FusedIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Trials {
    type Item = TrialRef<'a>;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Fuzzed trials: every field absent or present at random, archs and
    /// texts repeating.
    fn fuzzed(rng: &mut Rng, n: usize) -> Vec<Trial> {
        use crate::arch::nb201::{Cell, Op};
        use crate::arch::nbgraph::{GnnOp, GraphArch};
        let texts = ["a", "b", "c"];
        (0..n)
            .map(|i| {
                let some = |rng: &mut Rng, v: f64| (rng.below(3) != 0).then_some(v);
                let k = rng.below(5);
                // two spaces: one interned by hashing, one by place
                let arch = if rng.below(2) == 0 {
                    let ops = std::array::from_fn(|_| Op::ALL[rng.below(Op::ALL.len())]);
                    Arch::Nb201(Cell::new(ops))
                } else {
                    Arch::NbGraph(GraphArch {
                        links: std::array::from_fn(|i| rng.below(i + 1) as u8),
                        ops: std::array::from_fn(|_| GnnOp::ALL[rng.below(3)]),
                    })
                };
                Trial {
                    trial_id: 1000 + i as u64 * 3,
                    step: i as u64,
                    time_s: some(rng, i as f64 * 1.5),
                    parents: (0..k.saturating_sub(2) as u64).collect::<Vec<_>>().into(),
                    mutation: (k == 4).then(|| Arc::new(Mutation::RemoveNode { node: i % 4 })),
                    arch,
                    hash: (rng.below(2) == 0).then(|| Arc::from(texts[rng.below(3)])),
                    metrics: TrialMetrics {
                        val_acc: rng.unit(),
                        test_acc: rng.unit(),
                        train_time_s: some(rng, 2.0),
                        params: some(rng, 3.0),
                        flops: some(rng, 4.0),
                        latency_s: some(rng, 5.0),
                    },
                    source: [Source::Search, Source::User, Source::Import][rng.below(3)],
                    worker: (rng.below(4) == 0).then(|| Arc::from(texts[rng.below(3)])),
                }
            })
            .collect()
    }

    #[test]
    fn columns_give_back_every_trial_pushed() {
        let mut rng = Rng::new(7);
        for n in [0, 1, 2, 17, 300] {
            let rows = fuzzed(&mut rng, n);
            let t = Trials::from(rows.clone());
            assert_eq!(t.len(), n);
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(t.at(i), *row, "trial {i} of {n}");
                assert_eq!(t.get(i).map(|r| r.to_trial()).as_ref(), Some(row));
            }
            assert_eq!(t.get(n), None);
            assert_eq!(t.to_vec(), rows);
            assert_eq!(t, rows);
            let back: Vec<u64> = t.iter().rev().map(|r| r.trial_id).collect();
            let mut ids: Vec<u64> = rows.iter().map(|r| r.trial_id).collect();
            let got: Vec<u64> = (0..n).filter_map(|i| t.id(i)).collect();
            assert_eq!(got, ids);
            ids.reverse();
            assert_eq!(back, ids);
            let vals: Vec<f64> = rows.iter().map(|r| r.metrics.val_acc).collect();
            assert_eq!(t.val_accs(), &vals[..]);
        }
    }

    #[test]
    fn appending_columns_is_pushing_their_trials() {
        let mut rng = Rng::new(11);
        for (a, b) in [(0, 5), (5, 0), (3, 9), (40, 60), (1, 1)] {
            let (x, y) = (fuzzed(&mut rng, a), fuzzed(&mut rng, b));
            let mut joined = Trials::from(x.clone());
            joined.append(Trials::from(y.clone()));
            let all: Vec<Trial> = x.into_iter().chain(y).collect();
            assert_eq!(joined, all, "{a} then {b}");
            // interned values stay shared: as many archs as distinct ones
            let distinct: std::collections::HashSet<&Arch> = all.iter().map(|t| &t.arch).collect();
            assert_eq!(joined.archs.table.len(), distinct.len());
        }
    }

    #[test]
    fn ranges_clamp_to_the_run() {
        let t = Trials::from(fuzzed(&mut Rng::new(3), 10));
        let ids = |it: Iter<'_>| it.map(|r| r.step).collect::<Vec<_>>();
        assert_eq!(ids(t.range(2..5)), vec![2, 3, 4]);
        assert_eq!(ids(t.range(8..)), vec![8, 9]);
        assert_eq!(ids(t.range(..=1)), vec![0, 1]);
        assert_eq!(ids(t.range(7..30)), vec![7, 8, 9]);
        assert!(ids(t.range(12..30)).is_empty());
        assert_eq!(t.range(1..4).len(), 3);
        assert_eq!(t.iter().nth(9).map(|r| r.step), Some(9));
        assert_eq!(t.iter().nth(10), None);
    }

    #[test]
    fn a_fuzzed_trace_reads_into_columns_as_its_lines_read_one_by_one() {
        use crate::trace::jsonl::{parse_line, read_trace_from, TraceWriter};
        use crate::trace::line::Event;
        use crate::trace::{Run, RunInfo};
        let mut rng = Rng::new(5);
        for n in [1usize, 40, 3000] {
            let mut run = Run::new(RunInfo::new("r", "random_search", "nb201"));
            for t in fuzzed(&mut rng, n) {
                run.push(t).unwrap_or_else(|e| panic!("{e}"));
            }
            let mut w = TraceWriter::new(Vec::new());
            w.write_run(&run).unwrap_or_else(|e| panic!("{e}"));
            let bytes = w.into_inner();
            // the old reading: one trial record per line, in order
            let text = String::from_utf8_lossy(&bytes);
            let rows: Vec<Trial> = text
                .lines()
                .filter_map(|l| match parse_line(l, &|| "line".into()) {
                    Ok(Event::Trial { trial, .. }) => Some(trial),
                    _ => None,
                })
                .collect();
            assert_eq!(rows.len(), n);
            let (trace, _) = read_trace_from(&bytes[..], "t").unwrap_or_else(|e| panic!("{e}"));
            let got = &trace.runs[0].trials;
            assert_eq!(*got, rows, "{n} trials");
            assert_eq!(*got, run.trials, "{n} trials, as written");
            for (i, r) in rows.iter().enumerate() {
                assert_eq!(got.at(i), *r);
                assert_eq!(got.parents(i), &r.parents[..]);
                assert_eq!(got.time_s(i), r.time_s);
                assert_eq!(got.sources()[i], r.source);
            }
        }
    }
}
