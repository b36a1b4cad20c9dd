//! Which edits pay off: for each kind of edit (an op changed from one to
//! another, a link moved, a layer added or removed; a user's edits apart
//! from the search's), the child's validation accuracy minus its parent's,
//! over the run's recorded edits up to a step: count, mean with a 95%
//! t-interval, spread and extremes. Appending a trial is O(1); the state
//! at any step is a snapshot (every [`EVERY`] trials) plus the few edits
//! since.

use super::lineage::edit_label;
use super::stats::Acc;
use crate::trace::{Run, Source};
use serde::Serialize;
use std::collections::HashMap;

/// Trials between snapshots.
pub const EVERY: usize = 512;

/// One kind of edit as of a step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KindStat {
    pub kind: String,
    pub n: u64,
    pub mean: f64,
    /// 95% t-interval of the mean; `None` below two edits.
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// Sample standard deviation; `None` below two edits.
    pub(crate) sd: Option<f64>,
    pub min: f64,
    pub max: f64,
    /// Made by the user, not the search.
    pub user: bool,
}

/// The kind of edit that made `t` from `parent` (its label, `user: `
/// before a user's); `None` when `t` records no edit.
pub fn kind_of(
    t: crate::trace::TrialRef<'_>,
    parent: crate::trace::TrialRef<'_>,
) -> Option<String> {
    let label = edit_label(t.mutation?, Some(parent.arch));
    Some(if t.source == Source::User {
        format!("user: {label}")
    } else {
        label
    })
}

/// The kind of edit that made the trial at `pos` of `run`, where it names
/// a parent the run has and records the edit.
pub(crate) fn kind_at(run: &Run, pos: usize) -> Option<String> {
    let t = run.trials.get(pos)?;
    kind_of(t, run.trial(*t.parents.first()?)?)
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    pos: u32,
    kind: u32,
    delta: f64,
}

/// Edit effects of one run, kept incrementally.
#[derive(Clone, Debug, Default)]
pub struct Edits {
    kinds: Vec<String>,
    kind_ids: HashMap<String, u32>,
    /// Labels of shared edits (by address) that do not depend on the parent.
    by_edit: HashMap<usize, u32>,
    entries: Vec<Entry>,
    now: Vec<Acc>,
    /// `(entries counted, sums)` after each `EVERY` trials.
    snapshots: Vec<(usize, Vec<Acc>)>,
    seen: usize,
}

impl Edits {
    /// Counts the next trial of `run`; `reference` is the position of the
    /// parent it is compared against.
    pub fn push(&mut self, run: &Run, reference: Option<usize>) {
        let i = self.seen;
        self.seen += 1;
        if let (Some(t), Some(r)) = (run.trials.get(i), reference.and_then(|r| run.trials.get(r))) {
            if let (Some(m), false) = (&t.mutation, t.parents.is_empty()) {
                let user = t.source == Source::User;
                let addr = std::ptr::from_ref(*m) as usize;
                let stable = !matches!(**m, crate::arch::Mutation::ChangeOp { from: None, .. });
                let kind = match self.by_edit.get(&addr) {
                    Some(&k) if stable && !user => k,
                    _ => {
                        let label = kind_of(t, r).unwrap_or_default();
                        let k = match self.kind_ids.get(&label) {
                            Some(&k) => k,
                            None => {
                                let k = self.kinds.len() as u32;
                                self.kinds.push(label.clone());
                                self.kind_ids.insert(label, k);
                                self.now.push(Acc::default());
                                k
                            }
                        };
                        if stable && !user {
                            self.by_edit.insert(addr, k);
                        }
                        k
                    }
                };
                let delta = t.metrics.val_acc - r.metrics.val_acc;
                self.entries.push(Entry {
                    pos: u32::try_from(i).unwrap_or(u32::MAX),
                    kind,
                    delta,
                });
                if let Some(a) = self.now.get_mut(kind as usize) {
                    a.add(delta);
                }
            }
        }
        if self.seen.is_multiple_of(EVERY) {
            self.snapshots.push((self.entries.len(), self.now.clone()));
        }
    }

    /// Edits recorded so far.
    pub fn count(&self) -> usize {
        self.entries.len()
    }

    /// The kind id and delta of each edit up to `step`, in order.
    pub fn deltas(&self, step: usize) -> impl Iterator<Item = (&str, usize, f64)> + '_ {
        self.entries
            .iter()
            .take_while(move |e| (e.pos as usize) <= step)
            .map(|e| {
                (
                    self.kinds.get(e.kind as usize).map_or("?", String::as_str),
                    e.pos as usize,
                    e.delta,
                )
            })
    }

    /// Each kind's statistics over the edits in trials `0..=step`, sorted
    /// by mean, best first.
    pub fn at(&self, step: usize) -> Vec<KindStat> {
        let count = (step + 1).min(self.seen);
        let k = count / EVERY;
        let (mut sums, from) = match k.checked_sub(1).and_then(|i| self.snapshots.get(i)) {
            Some((e, s)) => (s.clone(), *e),
            None => (Vec::new(), 0),
        };
        sums.resize(self.kinds.len(), Acc::default());
        for e in self.entries.get(from..).unwrap_or(&[]) {
            if e.pos as usize >= count {
                break;
            }
            if let Some(a) = sums.get_mut(e.kind as usize) {
                a.add(e.delta);
            }
        }
        let mut out: Vec<KindStat> = sums
            .iter()
            .zip(&self.kinds)
            .filter(|(a, _)| a.n > 0)
            .map(|(a, kind)| {
                let ci = a.interval();
                KindStat {
                    kind: kind.clone(),
                    n: a.n,
                    mean: a.mean(),
                    lo: ci.map(|c| c.0),
                    hi: ci.map(|c| c.1),
                    sd: a.sd(),
                    min: a.min,
                    max: a.max,
                    user: kind.starts_with("user: "),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.mean
                .total_cmp(&a.mean)
                .then(b.n.cmp(&a.n))
                .then(a.kind.cmp(&b.kind))
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_equal_a_brute_force_grouping_at_several_steps() {
        let trace = crate::analysis::fixtures::demo_evolution();
        let run = &trace.runs[0];
        let a = crate::analysis::Analytics::of_run(run);
        for step in [0usize, 100, 511, 512, 1023, 1500, 1999] {
            let got = a.insight(run).edits.at(step);
            let mut groups: HashMap<String, Vec<f64>> = HashMap::new();
            for (i, t) in run.trials.iter().enumerate().take(step + 1) {
                let (Some(m), Some(&p)) = (&t.mutation, t.parents.first()) else {
                    continue;
                };
                let Some(pt) = run.trial(p) else { continue };
                groups
                    .entry(edit_label(m, Some(pt.arch)))
                    .or_default()
                    .push(t.metrics.val_acc - pt.metrics.val_acc);
                assert!(run.position(p).is_some_and(|pp| pp < i));
            }
            assert_eq!(got.len(), groups.len(), "step {step}");
            for k in &got {
                let g = &groups[&k.kind];
                let m = g.iter().sum::<f64>() / g.len() as f64;
                assert_eq!(k.n, g.len() as u64);
                assert!((k.mean - m).abs() < 1e-12, "{} at {step}", k.kind);
                let mx = g.iter().copied().fold(f64::MIN, f64::max);
                assert_eq!(k.max, mx);
            }
            assert!(got.windows(2).all(|w| w[0].mean >= w[1].mean));
        }
        let all = a.insight(run).edits.at(1999);
        assert!(all.iter().any(|k| k.kind.starts_with("change_op ")));
        assert!(all.iter().any(|k| k.kind == "rewire"));
    }
}
