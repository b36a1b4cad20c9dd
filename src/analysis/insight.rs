//! The insight views' numbers for one run, kept as trials arrive: lineage
//! depths, Pareto fronts, choice importance and edit effects; and the
//! report of all four at a step (`nasviz info --insight`).

use super::edits::{Edits, KindStat};
use super::importance::{Importance, ImportanceReport};
use super::lineage::{lineage, Depths, Lineage};
use super::pareto::{Cost, Fronts, Objective};
use crate::trace::Run;
use serde::Serialize;

/// The four analyses of one run, each O(1) or O(log n) per trial.
#[derive(Clone, Debug, Default)]
pub struct Insight {
    pub depths: Depths,
    pub fronts: Fronts,
    pub importance: Importance,
    pub edits: Edits,
}

impl Insight {
    /// Counts the next trial of `run`, compared against `reference`.
    pub fn push(&mut self, run: &Run, reference: Option<usize>) {
        self.depths.push(run);
        self.fronts.push(run);
        self.importance.push(run);
        self.edits.push(run, reference);
    }
}

/// The Pareto part of a report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParetoReport {
    pub objective: &'static str,
    /// `None` when the run carries no cost.
    pub cost: Option<&'static str>,
    /// Every cost the run's trials carry.
    pub costs: Vec<&'static str>,
    /// Trial ids on the front, by cost.
    pub front: Vec<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The lineage part of a report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineageReport {
    /// The best trial by validation accuracy up to the step.
    pub trial: u64,
    /// Its ancestors, parent first.
    pub ancestors: Vec<u64>,
    /// The edits along the way, the trial's own first.
    pub edits: Vec<Option<String>>,
    /// A parent named but missing from the run.
    pub cut: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Everything `info --insight` prints for a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InsightReport {
    pub run: String,
    /// The step, counted from 1.
    pub step: usize,
    pub pareto: ParetoReport,
    pub lineage: LineageReport,
    pub importance: ImportanceReport,
    pub edits: Vec<KindStat>,
    /// The same estimator over a complete table, where the run's benchmark
    /// is one nasviz ships.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_importance: Option<ImportanceReport>,
}

/// The lineage of the trial at `pos` as reported.
pub(crate) fn lineage_report(run: &Run, pos: usize) -> LineageReport {
    let l: Lineage = lineage(run, pos, run.trials.len() + 1);
    let note = match (
        l.links.len(),
        run.trials.iter().any(|t| !t.parents.is_empty()),
    ) {
        (1, false) => Some(
            "no parents are recorded in this run (random search, TPE): every trial is drawn afresh"
                .into(),
        ),
        (1, true) => Some(
            "the best trial so far was drawn at random (initial population): no ancestors".into(),
        ),
        _ => None,
    };
    LineageReport {
        trial: run.trials.get(pos).map_or(0, |t| t.trial_id),
        ancestors: l.ancestors(),
        edits: l.links.iter().map(|k| k.edit.clone()).collect(),
        cut: l.cut,
        note,
    }
}

/// The Pareto front of `objective` against `cost` (the first the run has
/// when `None`) at the position `step`.
pub(crate) fn pareto_report(
    run: &Run,
    insight: &Insight,
    step: usize,
    cost: Option<Cost>,
    objective: Objective,
) -> ParetoReport {
    let costs = insight.fronts.costs();
    let cost = cost.or_else(|| costs.first().copied());
    let front = cost.and_then(|c| insight.fronts.get(c, objective));
    let note = match (cost, front) {
        (_, None) if costs.is_empty() => Some("no cost column in this run".to_string()),
        (Some(c), None) => Some(format!("no {} in this run", c.name())),
        _ => None,
    };
    ParetoReport {
        objective: objective.name(),
        cost: front.map(|f| f.cost.name()),
        costs: costs.iter().map(|c| c.name()).collect(),
        front: front.map_or_else(Vec::new, |f| {
            f.at(step)
                .iter()
                .filter_map(|m| run.trials.get(m.pos as usize).map(|t| t.trial_id))
                .collect()
        }),
        note,
    }
}

/// The report of `run` at position `step` (clamped to its last trial);
/// `None` for a run with no trials.
pub fn report(
    run: &Run,
    analytics: &super::Analytics,
    step: usize,
    cost: Option<Cost>,
    objective: Objective,
) -> Option<InsightReport> {
    let last = run.trials.len().checked_sub(1)?;
    let step = step.min(last);
    let insight = analytics.insight(run);
    let best = analytics.step(step).map_or(step, |s| s.best);
    Some(InsightReport {
        run: run.info.run_id.clone(),
        step: step + 1,
        pareto: pareto_report(run, insight, step, cost, objective),
        lineage: lineage_report(run, best),
        importance: insight.importance.at(run, step),
        edits: insight.edits.at(step),
        table_importance: None,
    })
}
