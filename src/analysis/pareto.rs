//! What accuracy costs: the non-dominated front of an accuracy (maximised)
//! against a cost the trials carry (minimised: parameters, latency, FLOPs,
//! training time), kept incrementally as trials arrive.
//!
//! A trial is on the front at a step when no trial up to that step costs
//! at most as much and reaches at least its accuracy, one of the two
//! strictly, or both equal and earlier (of equal points the first is on
//! the front). The front is a staircase: sorted by cost, accuracies rise.
//! Appending a trial costs O(log f) plus the members it pushes off
//! (amortised O(log f)); every trial that was ever a member is kept with
//! the step it joined and the step it left, so the front at any earlier
//! step is a filter over those (scrubbing back needs no recomputation).

use crate::trace::{Run, TrialRef};
use serde::Serialize;
use std::collections::BTreeMap;

/// A cost a trial may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cost {
    Params,
    LatencyS,
    TrainTimeS,
    Flops,
}

impl Cost {
    pub const ALL: [Cost; 4] = [Cost::Params, Cost::LatencyS, Cost::TrainTimeS, Cost::Flops];

    /// The metric's name in traces.
    pub fn name(self) -> &'static str {
        match self {
            Cost::Params => "params",
            Cost::LatencyS => "latency_s",
            Cost::TrainTimeS => "train_time_s",
            Cost::Flops => "flops",
        }
    }

    /// The axis label of the view.
    pub fn label(self) -> &'static str {
        match self {
            Cost::Params => "parameters",
            Cost::LatencyS => "latency (s)",
            Cost::TrainTimeS => "training time (s)",
            Cost::Flops => "FLOPs",
        }
    }

    pub fn of(self, t: TrialRef<'_>) -> Option<f64> {
        let m = &t.metrics;
        match self {
            Cost::Params => m.params,
            Cost::LatencyS => m.latency_s,
            Cost::TrainTimeS => m.train_time_s,
            Cost::Flops => m.flops,
        }
        .filter(|c| c.is_finite())
    }
}

impl std::str::FromStr for Cost {
    type Err = String;
    fn from_str(s: &str) -> Result<Cost, String> {
        match s {
            "params" | "parameters" => Ok(Cost::Params),
            "latency" | "latency_s" => Ok(Cost::LatencyS),
            "train_time" | "train_time_s" | "time" => Ok(Cost::TrainTimeS),
            "flops" => Ok(Cost::Flops),
            other => Err(format!(
                "unknown cost {other:?}: expected params, latency, train_time or flops"
            )),
        }
    }
}

/// The accuracy a front maximises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    ValAcc,
    TestAcc,
}

impl Objective {
    pub fn name(self) -> &'static str {
        match self {
            Objective::ValAcc => "val_acc",
            Objective::TestAcc => "test_acc",
        }
    }

    pub fn of(self, t: TrialRef<'_>) -> f64 {
        match self {
            Objective::ValAcc => t.metrics.val_acc,
            Objective::TestAcc => t.metrics.test_acc,
        }
    }
}

/// `f64` ordered by `total_cmp` (costs are finite).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Key(f64);
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

/// A trial that was on the front: from `joined` until before `left`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Member {
    pub pos: u32,
    pub cost: f64,
    pub value: f64,
    /// The position of the trial that pushed it off; `u32::MAX` while on.
    pub left: u32,
}

/// The front of one objective against one cost, kept incrementally.
#[derive(Clone, Debug)]
pub struct Front {
    pub cost: Cost,
    pub objective: Objective,
    /// cost -> (value, index into `members`), the staircase now.
    now: BTreeMap<Key, (f64, usize)>,
    /// Every trial that was ever a member, in the order they joined.
    pub members: Vec<Member>,
    /// Trials with this cost seen.
    pub(crate) with_cost: u64,
    /// The least and the greatest cost seen.
    pub(crate) cost_range: (f64, f64),
}

impl Front {
    pub fn new(cost: Cost, objective: Objective) -> Front {
        Front {
            cost,
            objective,
            now: BTreeMap::new(),
            members: Vec::new(),
            with_cost: 0,
            cost_range: (f64::INFINITY, f64::NEG_INFINITY),
        }
    }

    /// Offers the trial at position `pos`.
    pub fn push(&mut self, pos: usize, t: TrialRef<'_>) {
        let Some(c) = self.cost.of(t) else { return };
        let v = self.objective.of(t);
        self.with_cost += 1;
        self.cost_range = (self.cost_range.0.min(c), self.cost_range.1.max(c));
        if let Some((_, &(pv, _))) = self.now.range(..=Key(c)).next_back() {
            if pv >= v {
                return;
            }
        }
        let pos32 = u32::try_from(pos).unwrap_or(u32::MAX - 1);
        // members costing at least as much, worth no more, leave
        let gone: Vec<Key> = self
            .now
            .range(Key(c)..)
            .take_while(|(_, &(w, _))| w <= v)
            .map(|(k, _)| *k)
            .collect();
        for k in gone {
            if let Some((_, m)) = self.now.remove(&k) {
                if let Some(m) = self.members.get_mut(m) {
                    m.left = pos32;
                }
            }
        }
        self.now.insert(Key(c), (v, self.members.len()));
        self.members.push(Member {
            pos: pos32,
            cost: c,
            value: v,
            left: u32::MAX,
        });
    }

    /// The front at `step` (trials `0..=step`), by cost.
    pub fn at(&self, step: usize) -> Vec<Member> {
        let s = u32::try_from(step).unwrap_or(u32::MAX - 1);
        let mut f: Vec<Member> = self
            .members
            .iter()
            .take_while(|m| m.pos <= s)
            .filter(|m| m.left > s)
            .copied()
            .collect();
        f.sort_by(|a, b| a.cost.total_cmp(&b.cost));
        f
    }

    /// Whether the trial at `pos` is on the front at `step`.
    pub fn contains(&self, pos: usize, step: usize) -> bool {
        let (p, s) = (pos as u64, step as u64);
        self.members
            .iter()
            .any(|m| u64::from(m.pos) == p && u64::from(m.pos) <= s && u64::from(m.left) > s)
    }
}

/// The fronts of a run: each objective against each cost its trials carry.
#[derive(Clone, Debug, Default)]
pub struct Fronts {
    pub fronts: Vec<Front>,
    seen: usize,
}

impl Fronts {
    pub fn push(&mut self, run: &Run) {
        let Some(t) = run.trials.get(self.seen) else {
            return;
        };
        for cost in Cost::ALL {
            if cost.of(t).is_some() && !self.fronts.iter().any(|f| f.cost == cost) {
                for o in [Objective::ValAcc, Objective::TestAcc] {
                    self.fronts.push(Front::new(cost, o));
                }
            }
        }
        for f in &mut self.fronts {
            f.push(self.seen, t);
        }
        self.seen += 1;
    }

    /// The costs this run's trials carry, in [`Cost::ALL`]'s order.
    pub fn costs(&self) -> Vec<Cost> {
        let mut c: Vec<Cost> = self.fronts.iter().map(|f| f.cost).collect();
        c.sort();
        c.dedup();
        c
    }

    pub fn get(&self, cost: Cost, objective: Objective) -> Option<&Front> {
        self.fronts
            .iter()
            .find(|f| f.cost == cost && f.objective == objective)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures;

    /// On the front by the definition, checking every pair.
    fn brute(points: &[(f64, f64)], step: usize) -> Vec<usize> {
        let mut out: Vec<usize> = (0..=step)
            .filter(|&j| {
                let (cj, vj) = points[j];
                !(0..=step).any(|k| {
                    let (ck, vk) = points[k];
                    k != j && ck <= cj && vk >= vj && (ck < cj || vk > vj || k < j)
                })
            })
            .collect();
        out.sort_by(|&a, &b| points[a].0.total_cmp(&points[b].0));
        out
    }

    #[test]
    fn the_incremental_front_equals_pairwise_dominance_at_every_step() {
        let mut rng = crate::rng::Rng::new(3);
        // few distinct values, so that ties of cost, value and both occur
        let points: Vec<(f64, f64)> = (0..400)
            .map(|_| (rng.below(30) as f64, rng.below(40) as f64 / 40.0))
            .collect();
        let mut run = fixtures::sequential_run("r", "random_search");
        let arch = fixtures::one_conv();
        for (i, &(c, v)) in points.iter().enumerate() {
            let mut m = crate::trace::TrialMetrics::accuracies(v, 1.0 - v);
            m.params = Some(c);
            run.push(crate::trace::Trial::new(i as u64, arch.clone(), m))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let mut fronts = Fronts::default();
        for _ in 0..points.len() {
            fronts.push(&run);
        }
        assert_eq!(fronts.costs(), vec![Cost::Params]);
        let front = fronts
            .get(Cost::Params, Objective::ValAcc)
            .unwrap_or_else(|| panic!("no front"));
        for step in 0..points.len() {
            let got: Vec<usize> = front.at(step).iter().map(|m| m.pos as usize).collect();
            assert_eq!(got, brute(&points, step), "step {step}");
        }
        assert!(front.contains(front.at(399)[0].pos as usize, 399));
        assert!(fronts.get(Cost::LatencyS, Objective::ValAcc).is_none());
    }
}
