//! Step analytics, the numbers of the summary table: for every step the
//! validation and test delta against the parent (evolution, user edits) or
//! the previous trial (random search), the best model so far (by
//! validation accuracy), and the most effective layer added so far; plus
//! statistics of the effect of each kind of edit. Appending a trial costs
//! amortised O(1): nothing is recomputed.

pub mod edits;
#[cfg(test)]
mod fixtures;
pub mod importance;
pub mod insight;
pub mod lineage;
pub mod pareto;
pub mod stats;
pub mod strategies;

pub use insight::Insight;

use crate::arch::{Arch, Mutation};
use crate::trace::{Run, TrialRef};
use std::collections::{BTreeMap, HashMap};

/// The analytics of one step (one trial), as of that step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepStats {
    /// Position of the trial compared against (parent or previous).
    pub reference: Option<usize>,
    pub val_delta: Option<f64>,
    pub test_delta: Option<f64>,
    /// Position of the best trial by validation accuracy so far.
    pub best: usize,
    /// The most effective layer added so far.
    pub most_effective: Option<Effective>,
}

/// An op whose addition gave a validation gain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effective {
    /// Index into [`Analytics::op_name`].
    pub op: u16,
    /// Validation accuracy gained by the step that added it.
    pub gain: f64,
    /// Position of that step.
    pub step: usize,
}

/// Effect statistics of one kind of edit.
#[derive(Clone, Debug, PartialEq)]
pub struct EditEffect {
    pub kind: &'static str,
    pub count: u64,
    pub mean_val_delta: f64,
    /// Median of the validation deltas, to 1e-4 (0.01 percentage points).
    pub median_val_delta: f64,
    pub improved: u64,
}

/// Bins of width 1e-4 over deltas in [-1, 1].
const BINS: usize = 20_001;

struct KindStats {
    count: u64,
    sum: f64,
    improved: u64,
    hist: Vec<u32>,
}

impl KindStats {
    fn new() -> Self {
        KindStats {
            count: 0,
            sum: 0.0,
            improved: 0,
            hist: vec![0; BINS],
        }
    }

    fn add(&mut self, d: f64) {
        self.count += 1;
        self.sum += d;
        if d > 0.0 {
            self.improved += 1;
        }
        let bin = ((d.clamp(-1.0, 1.0) + 1.0) * 1e4).round() as usize;
        if let Some(h) = self.hist.get_mut(bin.min(BINS - 1)) {
            *h += 1;
        }
    }

    fn median(&self) -> f64 {
        let half = self.count.div_ceil(2);
        let mut seen = 0u64;
        for (bin, &c) in self.hist.iter().enumerate() {
            seen += u64::from(c);
            if seen >= half {
                return bin as f64 * 1e-4 - 1.0;
            }
        }
        0.0
    }
}

/// No position, in [`Packed`].
const NONE: u32 = u32::MAX;

/// A step's stats as kept (24 bytes instead of 88; a million trials are
/// common): positions as `u32`, missing deltas as NaN (accuracies are
/// finite), the most effective layer as an index into the list of its
/// changes; the best so far is found in the list of its changes.
#[derive(Clone, Copy, Debug)]
struct Packed {
    val_delta: f64,
    test_delta: f64,
    reference: u32,
    effective: u32,
}

fn pos(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE - 1).min(NONE - 1)
}

/// Incremental analytics of one run.
#[derive(Default)]
pub struct Analytics {
    steps: Vec<Packed>,
    /// The steps where the best so far changed (each the new best).
    bests: Vec<u32>,
    /// Each change of the most effective layer, in order.
    effective: Vec<Effective>,
    ops: Vec<String>,
    op_ids: HashMap<String, u16>,
    kinds: BTreeMap<&'static str, KindStats>,
    best: Option<usize>,
    most_effective: Option<Effective>,
    /// Built on first ask ([`Analytics::insight`]), then kept with each
    /// trial: commands that draw no insight view never pay for it.
    insight: std::sync::OnceLock<Insight>,
}

impl Analytics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Analytics of every trial of `run`.
    pub fn of_run(run: &Run) -> Self {
        let mut a = Self::new();
        a.extend(run);
        a
    }

    /// [`Analytics::of_run`] with the insight views' numbers built too, so
    /// that showing one costs nothing more (the viewer).
    pub fn with_insight(run: &Run) -> Self {
        let a = Self::of_run(run);
        a.insight(run);
        a
    }

    /// Number of trials analysed.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Analyses the trials of `run` not yet seen.
    pub fn extend(&mut self, run: &Run) {
        while self.steps.len() < run.trials.len() {
            self.push(run);
        }
    }

    fn intern(&mut self, op: &str) -> u16 {
        if let Some(&id) = self.op_ids.get(op) {
            return id;
        }
        let id = self.ops.len().min(u16::MAX as usize) as u16;
        self.ops.push(op.to_string());
        self.op_ids.insert(op.to_string(), id);
        id
    }

    /// Analyses the next trial of `run` (the one at position `self.len()`).
    pub fn push(&mut self, run: &Run) {
        let i = self.steps.len();
        let Some(t) = run.trials.get(i) else {
            return;
        };
        let reference = match t.parents.first() {
            Some(&p) => run.position(p).filter(|&p| p < i),
            None => i.checked_sub(1),
        };
        let vals = run.trials.val_accs();
        let (mut val_delta, mut test_delta) = (None, None);
        if let Some(r) = reference.and_then(|r| run.trials.get(r)) {
            let dv = t.metrics.val_acc - r.metrics.val_acc;
            val_delta = Some(dv);
            test_delta = Some(t.metrics.test_acc - r.metrics.test_acc);
            if let Some(op) = credited_layer(r, t) {
                let id = self.intern(&op);
                if dv > 0.0 && self.most_effective.is_none_or(|e| dv > e.gain) {
                    self.most_effective = Some(Effective {
                        op: id,
                        gain: dv,
                        step: i,
                    });
                }
            }
            if let Some(m) = &t.mutation {
                self.kinds
                    .entry(m.kind())
                    .or_insert_with(KindStats::new)
                    .add(dv);
            }
        }
        if let Some(ins) = self.insight.get_mut() {
            ins.push(run, reference);
        }
        let best = match self.best {
            Some(b) if vals.get(b).is_some_and(|&v| v >= t.metrics.val_acc) => b,
            _ => i,
        };
        if self.best != Some(best) {
            self.bests.push(pos(best));
        }
        self.best = Some(best);
        if let Some(e) = self.most_effective {
            if self.effective.last() != Some(&e) {
                self.effective.push(e);
            }
        }
        self.steps.push(Packed {
            val_delta: val_delta.unwrap_or(f64::NAN),
            test_delta: test_delta.unwrap_or(f64::NAN),
            reference: reference.map_or(NONE, pos),
            effective: match self.most_effective {
                Some(_) => pos(self.effective.len() - 1),
                None => NONE,
            },
        });
    }

    /// The analytics of step `i` (as of that step).
    pub fn step(&self, i: usize) -> Option<StepStats> {
        let p = self.steps.get(i)?;
        let some = |x: f64| (!x.is_nan()).then_some(x);
        Some(StepStats {
            reference: (p.reference != NONE).then_some(p.reference as usize),
            val_delta: some(p.val_delta),
            test_delta: some(p.test_delta),
            best: (self
                .bests
                .partition_point(|&b| b as usize <= i)
                .checked_sub(1))
            .and_then(|k| self.bests.get(k))
            .map_or(i, |&b| b as usize),
            most_effective: (p.effective != NONE)
                .then(|| self.effective.get(p.effective as usize).copied())
                .flatten(),
        })
    }

    /// Lineage depths, Pareto fronts, importance and edit effects of the
    /// trials analysed so far (`run` must be the run analysed): built from
    /// them the first time it is asked, then kept as trials are pushed.
    /// Whether the insight views' numbers are made.
    pub fn has_insight(&self) -> bool {
        self.insight.get().is_some()
    }

    pub fn insight(&self, run: &Run) -> &Insight {
        self.insight.get_or_init(|| {
            let mut ins = Insight::default();
            for i in 0..self.len() {
                ins.push(run, self.step(i).and_then(|s| s.reference));
            }
            ins
        })
    }

    pub fn op_name(&self, id: u16) -> &str {
        self.ops.get(id as usize).map(String::as_str).unwrap_or("?")
    }

    /// Effect of each kind of edit over every step so far.
    pub fn edit_effects(&self) -> Vec<EditEffect> {
        self.kinds
            .iter()
            .map(|(&kind, k)| EditEffect {
                kind,
                count: k.count,
                mean_val_delta: if k.count > 0 {
                    k.sum / k.count as f64
                } else {
                    0.0
                },
                median_val_delta: k.median(),
                improved: k.improved,
            })
            .collect()
    }
}

/// The layer a step is credited with for "most effective layer added":
/// for a recorded edit, the op a `change_op` or an added node brought in
/// (only when the trial names its parent, so that the gain is measured
/// against it); with no parent recorded, the one layer by which the trial
/// differs from the previous one, if it differs by exactly one layer.
/// Never a layer of two unrelated architectures, and never an op that is
/// not a layer (an identity or a zero: `skip`, `skip_connect`, `none`,
/// which take a layer out rather than add one).
#[inline]
pub fn credited_layer(old: TrialRef<'_>, new: TrialRef<'_>) -> Option<String> {
    credited_op(old, new).filter(|op| is_layer(op))
}

/// Whether `op` computes something: identities and zeros do not.
pub fn is_layer(op: &str) -> bool {
    !matches!(
        op,
        "skip" | "skip_connect" | "none" | "identity" | "zero" | "noop"
    )
}

#[inline]
fn credited_op(old: TrialRef<'_>, new: TrialRef<'_>) -> Option<String> {
    match new.mutation {
        Some(m) if !new.parents.is_empty() => match m {
            Mutation::ChangeOp { to, .. } => Some(to.clone()),
            Mutation::AddNode { layer, .. } => Some(layer.clone()),
            _ => None,
        },
        Some(_) => None,
        None if new.parents.is_empty() => one_layer_added(old.arch, new.arch),
        None => None,
    }
}

/// The op of the one layer `new` has that `old` has not, when the two
/// differ by exactly one layer (one op changed, or one layer inserted);
/// `None` otherwise. Spaces of a fixed shape (NAS-Bench-Graph, NB-201)
/// compare their encodings, in O(size of the encoding); others run the
/// structural diff, after a cheap check that the op lists are that close.
pub fn one_layer_added(old: &Arch, new: &Arch) -> Option<String> {
    fn one_of<T: PartialEq + Copy>(a: &[T], b: &[T]) -> Option<T> {
        let mut diff = a.iter().zip(b).filter(|(x, y)| x != y);
        let (_, y) = diff.next()?;
        diff.next().is_none().then_some(*y)
    }
    match (old, new) {
        (Arch::NbGraph(a), Arch::NbGraph(b)) => {
            if a.links != b.links {
                return None;
            }
            one_of(&a.ops, &b.ops).map(|o| o.name().to_string())
        }
        (Arch::Nb201(a), Arch::Nb201(b)) => one_of(&a.ops, &b.ops).map(|o| o.name().to_string()),
        _ => {
            let (da, db) = (old.evaluated_dag(), new.evaluated_dag());
            // one layer apart: at most one node more, and the op lists
            // differ by one op in (and at most one out)
            if db.nodes.len() < da.nodes.len() || db.nodes.len() > da.nodes.len() + 1 {
                return None;
            }
            let mut ops_a: Vec<&str> = da.nodes.iter().map(String::as_str).collect();
            let mut ops_b: Vec<&str> = db.nodes.iter().map(String::as_str).collect();
            ops_a.sort_unstable();
            ops_b.sort_unstable();
            let mut extra = 0;
            let (mut i, mut j) = (0, 0);
            while i < ops_a.len() || j < ops_b.len() {
                match (ops_a.get(i), ops_b.get(j)) {
                    (Some(x), Some(y)) if x == y => {
                        i += 1;
                        j += 1;
                    }
                    (Some(x), Some(y)) if x < y => i += 1,
                    (Some(_), None) => i += 1,
                    _ => {
                        extra += 1;
                        j += 1;
                    }
                }
            }
            if extra != 1 {
                return None;
            }
            let d = old.diff(new).ok()?;
            let changed_one = d.ops_changed.len() == 1
                && d.nodes_added.is_empty()
                && d.nodes_removed.is_empty()
                && d.edges_added.is_empty()
                && d.edges_removed.is_empty();
            let inserted_one = d.nodes_added.len() == 1
                && d.nodes_removed.is_empty()
                && d.ops_changed.is_empty()
                && d.edges_removed.len() <= 1
                && d.edges_added
                    .iter()
                    .all(|&(x, y)| x == d.nodes_added[0] || y == d.nodes_added[0]);
            if changed_one || inserted_one {
                d.ops_added(&db).first().map(|s| s.to_string())
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod one_layer_tests {
    use super::*;
    use crate::arch::sequential::LayerList;

    fn seq(layers: &[&str]) -> Arch {
        match LayerList::new(layers.iter().map(|s| s.to_string()).collect()) {
            Ok(l) => Arch::Sequential(l),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn one_layer_apart_or_not_at_all() {
        let a = seq(&["conv3x3", "relu", "maxpool"]);
        let inserted = seq(&["conv3x3", "relu", "dropout", "maxpool"]);
        let changed = seq(&["conv3x3", "gelu", "maxpool"]);
        let two = seq(&["conv1x1", "gelu", "maxpool"]);
        let removed = seq(&["conv3x3", "maxpool"]);
        assert_eq!(one_layer_added(&a, &inserted).as_deref(), Some("dropout"));
        assert_eq!(one_layer_added(&a, &changed).as_deref(), Some("gelu"));
        assert_eq!(one_layer_added(&a, &two), None);
        assert_eq!(one_layer_added(&a, &removed), None);
        assert_eq!(one_layer_added(&a, &a), None);
    }
}
