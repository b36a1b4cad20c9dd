//! Which choices matter: for each decision of a search space (the op of
//! each node or edge, each node's input, each layer of a list), the share
//! of the variance of validation accuracy that it explains over the trials
//! seen so far, and the marginal mean of every value it takes with a 95%
//! interval.
//!
//! The estimator is the main-effect variance decomposition: a decision's
//! share is η² = Σ_v n_v (m_v − m)² / Σ_i (x_i − m)², the between-value
//! sum of squares over the total. It needs no model, is exact, and costs
//! O(decisions) per appended trial. Optuna's default (fANOVA over a random
//! forest) also credits interactions and smooths with a model; η² does
//! neither, so shares need not sum to one and what they leave is
//! interaction and noise. Under evolution's selection the trials are not
//! independent draws from the space: the search samples near its
//! incumbents, so shares describe the region explored, and a value tried
//! mostly by early random samples carries their lower accuracies.
//!
//! Every trial counts, repeated architectures included (as Optuna counts
//! trials). The state at any step is kept exactly: sums are snapshot every
//! [`EVERY`] trials and a query adds the few trials since the snapshot.

use super::stats::Acc;
use crate::arch::{nb101, nb201, nbgraph::GnnOp, Arch, Space};
use crate::trace::Run;
use serde::Serialize;
use std::collections::HashMap;

/// Trials between snapshots of the sums.
pub const EVERY: usize = 256;
/// Fewer trials than this and the view says importance needs more.
pub(crate) const MIN_TRIALS: u64 = 20;
/// Layers of a layer list treated as decisions (`layer[0..N]`).
const MAX_LAYERS: usize = 12;

/// The estimator's name, as reports and the view give it.
pub(crate) const ESTIMATOR: &str = "main-effect variance share (eta squared)";

/// A value of one decision: its marginal mean of validation accuracy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueStat {
    pub value: String,
    pub mean: f64,
    /// The 95% t-interval of the mean; `None` below two trials.
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    pub n: u64,
}

/// One decision: the share of variance it explains, its values by mean.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionStat {
    pub name: String,
    pub share: f64,
    pub values: Vec<ValueStat>,
}

/// Importance of every decision as of one step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportanceReport {
    pub estimator: &'static str,
    /// Trials counted.
    pub n: u64,
    /// By share, largest first.
    pub decisions: Vec<DecisionStat>,
    /// Why the shares should not be read yet (too few trials, a single
    /// decision), when so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Layer names as value codes (layer lists name their ops freely).
#[derive(Clone, Debug, Default)]
struct Words {
    names: Vec<String>,
    ids: HashMap<String, u16>,
}

impl Words {
    fn intern(&mut self, w: &str) -> u16 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.names.len().min(usize::from(u16::MAX - 1)) as u16;
        self.names.push(w.to_string());
        self.ids.insert(w.to_string(), id);
        id
    }
}

/// The sums at one point.
#[derive(Clone, Debug, Default)]
struct Sums {
    total: Acc,
    /// `[decision][value code]`.
    by: Vec<Vec<Acc>>,
}

impl Sums {
    fn add(&mut self, codes: &[(u16, u16)], x: f64) {
        self.total.add(x);
        for &(d, v) in codes {
            let (d, v) = (usize::from(d), usize::from(v));
            if self.by.len() <= d {
                self.by.resize_with(d + 1, Vec::new);
            }
            let row = &mut self.by[d];
            if row.len() <= v {
                row.resize(v + 1, Acc::default());
            }
            row[v].add(x);
        }
    }
}

/// Incremental importance of one run.
#[derive(Clone, Debug, Default)]
pub struct Importance {
    space: Option<Space>,
    now: Sums,
    /// `snapshots[k]`: the sums after `k * EVERY` trials (k >= 1 at index
    /// k - 1).
    snapshots: Vec<Sums>,
    seen: usize,
    /// Layer names of layer lists, as value codes.
    words: Words,
    scratch: Vec<(u16, u16)>,
}

impl Importance {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts the next trial of `run` (position `self.len()`).
    pub fn push(&mut self, run: &Run) {
        let Some(t) = run.trials.get(self.seen) else {
            return;
        };
        let space = *self.space.get_or_insert(t.arch.space());
        let mut codes = std::mem::take(&mut self.scratch);
        codes.clear();
        if t.arch.space() == space {
            let words = &mut self.words;
            encode(t.arch, &mut |w| words.intern(w), &mut codes);
            self.now.add(&codes, t.metrics.val_acc);
        }
        self.scratch = codes;
        self.seen += 1;
        if self.seen.is_multiple_of(EVERY) {
            self.snapshots.push(self.now.clone());
        }
    }

    pub fn len(&self) -> usize {
        self.seen
    }

    pub fn is_empty(&self) -> bool {
        self.seen == 0
    }

    /// The importance over trials `0..=step` of `run` (every one of them
    /// already pushed).
    pub fn at(&self, run: &Run, step: usize) -> ImportanceReport {
        let count = (step + 1).min(self.seen);
        let k = count / EVERY;
        let (mut sums, from) = match k.checked_sub(1).and_then(|i| self.snapshots.get(i)) {
            Some(s) => (s.clone(), k * EVERY),
            None => (Sums::default(), 0),
        };
        let mut codes = Vec::new();
        let ids = &self.words.ids;
        let mut lookup = |w: &str| ids.get(w).copied().unwrap_or(u16::MAX);
        for t in run.trials.range(from..count) {
            if Some(t.arch.space()) != self.space {
                continue;
            }
            codes.clear();
            encode(t.arch, &mut lookup, &mut codes);
            sums.add(&codes, t.metrics.val_acc);
        }
        report(&sums, self.space, &self.words.names)
    }
}

/// Importance over a whole table of architectures (every architecture
/// once, as a complete tabular benchmark holds them).
pub(crate) fn of_table<I: IntoIterator<Item = (Arch, f64)>>(archs: I) -> ImportanceReport {
    let mut sums = Sums::default();
    let mut space = None;
    let mut words = Words::default();
    let mut codes = Vec::new();
    for (arch, val) in archs {
        let s = *space.get_or_insert(arch.space());
        if arch.space() != s {
            continue;
        }
        codes.clear();
        encode(&arch, &mut |w| words.intern(w), &mut codes);
        sums.add(&codes, val);
    }
    report(&sums, space, &words.names)
}

/// The importance of the NAS-Bench-Graph table (every architecture once,
/// by its canonical representative).
pub fn of_nbgraph_table(table: &crate::table::nbgraph::NbGraphTable) -> ImportanceReport {
    of_table(table.iter().filter_map(|(h, m)| {
        crate::arch::nbgraph::GraphArch::from_hash(h).map(|a| (Arch::NbGraph(a), m.val_acc))
    }))
}

fn report(sums: &Sums, space: Option<Space>, words: &[String]) -> ImportanceReport {
    let total_ss = sums.total.ss();
    let mean = sums.total.mean();
    let mut decisions = Vec::new();
    for (d, row) in sums.by.iter().enumerate() {
        let Some(space) = space else { break };
        let between: f64 = row
            .iter()
            .filter(|a| a.n > 0)
            .map(|a| a.n as f64 * (a.mean() - mean).powi(2))
            .sum();
        let share = if total_ss > 0.0 {
            (between / total_ss).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mut values: Vec<ValueStat> = row
            .iter()
            .enumerate()
            .filter(|(_, a)| a.n > 0)
            .map(|(v, a)| {
                let ci = a.interval();
                ValueStat {
                    value: value_name(space, d as u16, v as u16, words),
                    mean: a.mean(),
                    lo: ci.map(|c| c.0),
                    hi: ci.map(|c| c.1),
                    n: a.n,
                }
            })
            .collect();
        if values.is_empty() {
            continue;
        }
        values.sort_by(|a, b| b.mean.total_cmp(&a.mean).then(b.n.cmp(&a.n)));
        decisions.push(DecisionStat {
            name: decision_name(space, d as u16),
            share,
            values,
        });
    }
    decisions.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.name.cmp(&b.name)));
    let varied = decisions.iter().filter(|d| d.values.len() > 1).count();
    let note = if sums.total.n < MIN_TRIALS {
        Some(format!(
            "importance needs more trials: {} so far, at least {MIN_TRIALS}",
            sums.total.n
        ))
    } else if varied < 2 {
        Some(format!(
            "importance needs more than one varied decision: {varied} so far"
        ))
    } else {
        None
    };
    ImportanceReport {
        estimator: ESTIMATOR,
        n: sums.total.n,
        decisions,
        note,
    }
}

/// The decisions an architecture makes, as `(decision, value code)`.
/// `word` gives layer names (layer lists) their codes.
pub fn encode(arch: &Arch, word: &mut dyn FnMut(&str) -> u16, out: &mut Vec<(u16, u16)>) {
    match arch {
        Arch::NbGraph(a) => {
            for (k, op) in a.ops.iter().enumerate() {
                out.push((k as u16, u16::from(op.index())));
            }
            for (k, &l) in a.links.iter().enumerate() {
                out.push((4 + k as u16, u16::from(l)));
            }
        }
        Arch::Nb201(c) => {
            for (e, op) in c.ops.iter().enumerate() {
                let code = nb201::Op::ALL.iter().position(|o| o == op).unwrap_or(0);
                out.push((e as u16, code as u16));
            }
        }
        Arch::Nb101(c) => {
            let n = c.len();
            out.push((0, n as u16));
            for v in 1..=5usize {
                let code = if v + 1 < n {
                    match c.op(v) {
                        nb101::Op::Conv3x3 => 1,
                        nb101::Op::Conv1x1 => 2,
                        nb101::Op::MaxPool3x3 => 3,
                        _ => 0,
                    }
                } else {
                    0
                };
                out.push((v as u16, code));
            }
            let mut d = 6u16;
            for i in 0..nb101::MAX_VERTICES {
                for j in i + 1..nb101::MAX_VERTICES {
                    let code = if j < n {
                        1 + u16::from(c.has_edge(i, j))
                    } else {
                        0
                    };
                    out.push((d, code));
                    d += 1;
                }
            }
        }
        Arch::Sequential(l) => {
            out.push((0, l.layers.len().min(usize::from(u16::MAX)) as u16));
            for k in 0..MAX_LAYERS {
                let code = match l.layers.get(k) {
                    Some(w) => word(w).saturating_add(1),
                    None => 0,
                };
                out.push((1 + k as u16, code));
            }
        }
    }
}

/// The name of decision `d` of `space`, in the numbering the views draw.
pub(crate) fn decision_name(space: Space, d: u16) -> String {
    match space {
        Space::NbGraph if d < 4 => format!("op[{}]", d + 1),
        Space::NbGraph => format!("input[{}]", d - 3),
        Space::Nb201 => match nb201::EDGES.get(usize::from(d)) {
            Some((to, from)) => format!("edge {from}→{to}"),
            None => format!("edge {d}"),
        },
        Space::Nb101 => match d {
            0 => "vertices".into(),
            1..=5 => format!("op[{d}]"),
            _ => {
                let mut k = 6u16;
                for i in 0..nb101::MAX_VERTICES {
                    for j in i + 1..nb101::MAX_VERTICES {
                        if k == d {
                            return format!("edge {i}→{j}");
                        }
                        k += 1;
                    }
                }
                format!("decision {d}")
            }
        },
        Space::Sequential => match d {
            0 => "depth".into(),
            k => format!("layer[{}]", k - 1),
        },
    }
}

/// The name of value `v` of decision `d`.
pub fn value_name(space: Space, d: u16, v: u16, words: &[String]) -> String {
    match space {
        Space::NbGraph if d < 4 => GnnOp::from_index(v as u8)
            .map(|o| o.name().to_string())
            .unwrap_or_else(|| format!("op {v}")),
        Space::NbGraph => match v {
            0 => "input".into(),
            k => format!("node {k}"),
        },
        Space::Nb201 => nb201::Op::ALL
            .get(usize::from(v))
            .map(|o| o.name().to_string())
            .unwrap_or_else(|| format!("op {v}")),
        Space::Nb101 => match (d, v) {
            (0, n) => format!("{n}"),
            (1..=5, 1) => nb101::Op::Conv3x3.name().into(),
            (1..=5, 2) => nb101::Op::Conv1x1.name().into(),
            (1..=5, 3) => nb101::Op::MaxPool3x3.name().into(),
            (_, 0) => "absent".into(),
            (_, 1) => "off".into(),
            _ => "on".into(),
        },
        Space::Sequential => match (d, v) {
            (0, n) => format!("{n}"),
            (_, 0) => "absent".into(),
            (_, w) => words
                .get(usize::from(w - 1))
                .cloned()
                .unwrap_or_else(|| "?".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::nbgraph::GraphArch;
    use crate::trace::{RunInfo, Trial, TrialMetrics};

    fn run_of(archs: &[(Arch, f64)]) -> Run {
        let mut run = Run::new(RunInfo::new("r", "random_search", "nbgraph"));
        for (i, (a, v)) in archs.iter().enumerate() {
            let t = Trial::new(i as u64, a.clone(), TrialMetrics::accuracies(*v, *v));
            if let Err(e) = run.push(t) {
                panic!("{e}");
            }
        }
        run
    }

    /// η² and marginal means by grouping by hand.
    type Brute = HashMap<String, (f64, HashMap<String, (f64, u64)>)>;

    fn brute(archs: &[(Arch, f64)]) -> Brute {
        let n = archs.len() as f64;
        let m = archs.iter().map(|a| a.1).sum::<f64>() / n;
        let ss: f64 = archs.iter().map(|a| (a.1 - m).powi(2)).sum();
        let mut out = HashMap::new();
        for d in 0..8u16 {
            let mut groups: HashMap<String, Vec<f64>> = HashMap::new();
            for (a, v) in archs {
                let Arch::NbGraph(g) = a else { continue };
                let key = if d < 4 {
                    g.ops[d as usize].name().to_string()
                } else {
                    match g.links[d as usize - 4] {
                        0 => "input".into(),
                        k => format!("node {k}"),
                    }
                };
                groups.entry(key).or_default().push(*v);
            }
            let between: f64 = groups
                .values()
                .map(|g| {
                    let gm = g.iter().sum::<f64>() / g.len() as f64;
                    g.len() as f64 * (gm - m).powi(2)
                })
                .sum();
            let means = groups
                .into_iter()
                .map(|(k, g)| (k, (g.iter().sum::<f64>() / g.len() as f64, g.len() as u64)))
                .collect();
            out.insert(decision_name(Space::NbGraph, d), (between / ss, means));
        }
        out
    }

    fn archs(n: usize) -> Vec<(Arch, f64)> {
        let mut rng = crate::rng::Rng::new(7);
        (0..n)
            .map(|_| {
                let links = crate::arch::nbgraph::LINK_LIST[rng.below(9)];
                let ops = [0; 4].map(|_| GnnOp::ALL[rng.below(9)]);
                let a = GraphArch { links, ops };
                // op[1] matters a lot, input[3] a little, the rest is noise
                let v = 0.6
                    + 0.02 * f64::from(ops[0].index())
                    + 0.005 * f64::from(links[2])
                    + 0.01 * rng.unit();
                (Arch::NbGraph(a), v)
            })
            .collect()
    }

    #[test]
    fn shares_and_means_equal_a_brute_force_grouping_at_every_step() {
        let all = archs(1000);
        let run = run_of(&all);
        let mut imp = Importance::new();
        for _ in 0..all.len() {
            imp.push(&run);
        }
        for step in [0usize, 18, 19, 255, 256, 300, 511, 512, 999] {
            let r = imp.at(&run, step);
            assert_eq!(r.n, step as u64 + 1);
            assert_eq!(r.note.is_some(), step + 1 < 20, "step {step}");
            if step == 0 {
                continue;
            }
            let b = brute(&all[..=step]);
            for d in &r.decisions {
                let (share, means) = &b[&d.name];
                assert!((d.share - share).abs() < 1e-9, "{} at {step}", d.name);
                for v in &d.values {
                    let (m, n) = means[&v.value];
                    assert_eq!(v.n, n);
                    assert!((v.mean - m).abs() < 1e-12);
                }
            }
        }
        let r = imp.at(&run, 999);
        assert_eq!(r.decisions[0].name, "op[1]");
        assert!(r.decisions[0].share > 0.8);
        assert_eq!(r.decisions[0].values[0].value, GnnOp::ALL[8].name());
    }
}
