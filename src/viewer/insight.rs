//! The viewer's side of the insight views: the highlighted choice value
//! or edit kind and the trials that have it (found once and extended as
//! the step moves on, never rescanned per frame), the complete table's
//! importance (computed once), and the tooltip of a hovered value or kind.

use super::overlay::{Tip, TIP_NOTE, TIP_TEXT};
use crate::analysis::importance::{self, ImportanceReport};
use crate::analysis::Analytics;
use crate::fmt::{fmt_int, fmt_pct, fmt_pp};
use crate::layout::Rect;
use crate::scene::insight::Hit;
use crate::trace::Run;
use std::sync::Arc;

/// The strategies view's groups as the viewer keeps them.
pub(crate) struct Grouped {
    /// The viewer's runs the groups were made of, in the order given.
    pub runs: Vec<usize>,
    /// How many runs and trials there were: made again when it changes.
    pub key: (usize, usize),
    pub curves: Arc<crate::scene::insight::StrategyCurves>,
}

/// Most trials marked in the plots for a highlight (the newest).
pub const MAX_MARKED: usize = 5_000;

/// A highlighted value or kind and the trials found to have it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Highlight {
    pub hit: Option<Hit>,
    run: usize,
    /// Trials scanned so far, and those that match, in order.
    scanned: usize,
    matches: Vec<usize>,
    /// The decision and value codes of a `Hit::Value`, once found.
    codes: Option<(u16, u16)>,
}

impl Highlight {
    /// Highlights `hit` in run `run`, or clears it when it is the one
    /// highlighted already.
    pub fn toggle(&mut self, hit: Hit, run: usize) {
        if self.hit.as_ref() == Some(&hit) && self.run == run {
            *self = Highlight::default();
            return;
        }
        *self = Highlight {
            hit: Some(hit),
            run,
            ..Highlight::default()
        };
    }

    /// The matching trials of `run` up to `step` (the newest
    /// [`MAX_MARKED`]), scanning only trials not seen before.
    pub fn trials(&mut self, run_index: usize, run: &Run, step: usize) -> &[usize] {
        if run_index != self.run || self.hit.is_none() {
            return &[];
        }
        let upto = (step + 1).min(run.trials.len());
        if self.scanned < upto {
            let mut codes = Vec::new();
            let wanted = self.hit.clone();
            for i in self.scanned..upto {
                let t = run.trials.at(i);
                let hit = match &wanted {
                    Some(Hit::Value { decision, value }) => {
                        self.has_value(t.arch, decision, value, &mut codes)
                    }
                    Some(Hit::Edit(kind)) => {
                        crate::analysis::edits::kind_at(run, i).as_ref() == Some(kind)
                    }
                    _ => false,
                };
                if hit {
                    self.matches.push(i);
                }
            }
            self.scanned = upto;
        }
        let n = self.matches.partition_point(|&i| i <= step);
        &self.matches[n.saturating_sub(MAX_MARKED)..n]
    }
}

impl Highlight {
    /// Whether `arch` takes `value` at `decision`. Spaces of fixed
    /// decisions find the codes once (a trial before the first that has
    /// the value does not have it); layer lists compare names.
    fn has_value(
        &mut self,
        arch: &crate::arch::Arch,
        decision: &str,
        value: &str,
        codes: &mut Vec<(u16, u16)>,
    ) -> bool {
        if let crate::arch::Arch::Sequential(l) = arch {
            if decision == "depth" {
                return l.layers.len().to_string() == value;
            }
            let k = decision
                .strip_prefix("layer[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|k| k.parse::<usize>().ok());
            return match (k, l.layers.get(k.unwrap_or(usize::MAX))) {
                (Some(_), Some(w)) => w == value,
                (Some(_), None) => value == "absent",
                _ => false,
            };
        }
        codes.clear();
        importance::encode(arch, &mut |_| 0, codes);
        if let Some(c) = self.codes {
            return codes.contains(&c);
        }
        let space = arch.space();
        let found = codes.iter().copied().find(|&(d, v)| {
            importance::decision_name(space, d) == decision
                && importance::value_name(space, d, v, &[]) == value
        });
        self.codes = found;
        found.is_some()
    }
}

/// The importance of the complete table behind `run`, where nasviz ships
/// it (NAS-Bench-Graph Cora).
pub fn table_importance(run: &Run) -> Option<Arc<ImportanceReport>> {
    if run.info.benchmark != "nas-bench-graph/cora" {
        return None;
    }
    let t = crate::table::nbgraph::NbGraphTable::cora().ok()?;
    Some(Arc::new(importance::of_nbgraph_table(&t)))
}

/// The tooltip of a hovered value or edit kind.
pub fn tip(hit: &Hit, run: &Run, analytics: &Analytics, step: usize, at: Rect) -> Option<Tip> {
    match hit {
        Hit::Value { decision, value } => {
            let rep = analytics.insight(run).importance.at(run, step);
            let d = rep.decisions.iter().find(|d| d.name == *decision)?;
            let v = d.values.iter().find(|v| v.value == *value)?;
            let ci = match (v.lo, v.hi) {
                (Some(lo), Some(hi)) => format!("95% interval {} to {}", fmt_pct(lo), fmt_pct(hi)),
                _ => "one trial: no interval".into(),
            };
            Some(Tip {
                avoid: at,
                outline: true,
                title: format!("{decision} = {value}"),
                lines: vec![
                    (
                        format!(
                            "mean validation {} over {} trials",
                            fmt_pct(v.mean),
                            fmt_int(v.n as usize)
                        ),
                        TIP_TEXT,
                    ),
                    (ci, TIP_TEXT),
                    (
                        format!("{decision} explains {} of the variance", fmt_pct(d.share)),
                        TIP_TEXT,
                    ),
                    ("click: mark these trials in the plots".into(), TIP_NOTE),
                ],
            })
        }
        Hit::Edit(kind) => {
            let k = analytics
                .insight(run)
                .edits
                .at(step)
                .into_iter()
                .find(|k| k.kind == *kind)?;
            let mut lines = vec![(
                format!("{} edits, mean {}", fmt_int(k.n as usize), fmt_pp(k.mean)),
                TIP_TEXT,
            )];
            if let (Some(lo), Some(hi), Some(sd)) = (k.lo, k.hi, k.sd) {
                lines.push((
                    format!(
                        "95% interval {} to {}, sd {}",
                        fmt_pp(lo),
                        fmt_pp(hi),
                        fmt_pp(sd).trim_start_matches('+')
                    ),
                    TIP_TEXT,
                ));
            }
            lines.push((
                format!("from {} to {}", fmt_pp(k.min), fmt_pp(k.max)),
                TIP_TEXT,
            ));
            lines.push((
                "click: mark the trials it made in the plots".into(),
                TIP_NOTE,
            ));
            Some(Tip {
                avoid: at,
                outline: true,
                title: kind.clone(),
                lines,
            })
        }
        Hit::Trial(_) | Hit::Curve { .. } => None,
    }
}

/// The tooltip of a group's curve at `step` in the strategies view.
pub(crate) fn curve_tip(
    sc: &crate::scene::insight::StrategyCurves,
    group: usize,
    step: usize,
    at: Rect,
) -> Option<Tip> {
    let g = sc.stats.groups.get(group)?;
    let (m, lo, hi) = (g.mean.get(step)?, g.lo.get(step)?, g.hi.get(step)?);
    let test = g.test_mean.get(step)?;
    Some(Tip {
        avoid: at,
        outline: false,
        title: format!("{} · step {}", g.label, fmt_int(step + 1)),
        lines: vec![
            (
                format!(
                    "best validation so far: mean {} over {} seeds",
                    fmt_pct(*m),
                    g.runs.len()
                ),
                TIP_TEXT,
            ),
            (
                format!("95% interval {} to {}", fmt_pct(*lo), fmt_pct(*hi)),
                TIP_TEXT,
            ),
            (
                format!("test of those trials: mean {}", fmt_pct(*test)),
                TIP_TEXT,
            ),
            ("click: open the median seed here".into(), TIP_NOTE),
        ],
    })
}

impl super::Viewer {
    /// The insight page's options for run `ri` at `step` (building what
    /// its view needs: the table's importance, the strategies' groups),
    /// and the trials it rings in the plots (a clicked value's or kind's,
    /// the Pareto front's) added to `marks`.
    pub(super) fn insight_options(
        &mut self,
        ri: usize,
        step: usize,
        focus: Option<usize>,
        x_time: bool,
        marks: &mut Vec<(usize, usize, crate::scene::plots::MarkKind)>,
    ) -> crate::scene::insight::InsightOptions {
        let page = self.state.page();
        if page == Some(crate::scene::insight::InsightKind::Importance) {
            let run = &self.runs[ri];
            self.tables
                .entry(ri)
                .or_insert_with(|| table_importance(run));
        }
        let (cost, test) = self.state.front();
        let strategies = if page == Some(crate::scene::insight::InsightKind::Strategies) {
            self.strategy_curves()
        } else {
            None
        };
        let opts = crate::scene::insight::InsightOptions {
            strategies,
            x_time,
            focus,
            cost,
            test,
            table: self.tables.get(&ri).cloned().flatten(),
            highlight: self.highlight.hit.clone(),
        };
        if page.is_some() {
            for &i in self.highlight.trials(ri, &self.runs[ri], step) {
                marks.push((0, i, crate::scene::plots::MarkKind::Linked));
            }
        }
        if page == Some(crate::scene::insight::InsightKind::Pareto) {
            // the front's members, ringed in the scatter too
            let fronts = &self.analytics[ri].insight(&self.runs[ri]).fronts;
            let costs = fronts.costs();
            let objective = if test {
                crate::analysis::pareto::Objective::TestAcc
            } else {
                crate::analysis::pareto::Objective::ValAcc
            };
            if let Some(f) = costs
                .get(cost % costs.len().max(1))
                .and_then(|&c| fronts.get(c, objective))
            {
                for m in f.at(step) {
                    marks.push((0, m.pos as usize, crate::scene::plots::MarkKind::Linked));
                }
            }
        }
        opts
    }

    /// The strategies view's groups of the runs held now (made again only
    /// when runs or trials were added).
    pub(super) fn strategy_curves(&mut self) -> Option<Arc<crate::scene::insight::StrategyCurves>> {
        let key = (
            self.runs.len(),
            self.runs.iter().map(|r| r.trials.len()).sum::<usize>(),
        );
        if self.strategies.as_ref().is_none_or(|s| s.key != key) {
            let with: Vec<usize> = (0..self.runs.len())
                .filter(|&i| !self.runs[i].trials.is_empty())
                .collect();
            let refs: Vec<&crate::trace::Run> = with.iter().map(|&i| &self.runs[i]).collect();
            let pattern = self.group_by.as_deref();
            self.strategies = crate::scene::insight::StrategyCurves::of(&refs, pattern)
                .ok()
                .map(|c| Grouped {
                    runs: with,
                    key,
                    curves: Arc::new(c),
                });
        }
        self.strategies.as_ref().map(|s| s.curves.clone())
    }

    /// Shows, on the dashboard, the median seed of group `g` at `step`.
    pub(super) fn open_median_seed(&mut self, g: usize, step: usize) {
        let Some(grouped) = &self.strategies else {
            return;
        };
        let Some(run) = grouped
            .curves
            .median_seed(g, step)
            .and_then(|i| grouped.runs.get(i).copied())
        else {
            return;
        };
        // a run of the grouped runs: it exists
        self.state.select_run(run);
        self.state.set_playing(false);
        self.state.set_step(step);
        self.state.set_page(None);
    }

    /// Sets how the strategies view groups runs: a pattern on run ids
    /// (its first capture group), or strategy and benchmark (`None`).
    pub fn set_group_by(&mut self, pattern: Option<String>) {
        self.group_by = pattern;
        self.strategies = None;
    }

    /// Opens the edits view with the kind of edit that made trial `t`
    /// highlighted (and its trials marked).
    pub(super) fn show_edit_kind(&mut self, t: super::spot::TrialRef) {
        let kind = self
            .runs
            .get(t.run)
            .and_then(|run| crate::analysis::edits::kind_at(run, t.index));
        if let Some(kind) = kind {
            self.highlight = Highlight::default();
            self.highlight
                .toggle(crate::scene::insight::Hit::Edit(kind), t.run);
            self.state
                .set_page(Some(crate::scene::insight::InsightKind::Edits));
        }
    }

    /// Where the last frame's insight view drew its clickable things.
    pub fn insight_hits(&self) -> &[(Rect, crate::scene::insight::Hit)] {
        &self.geom.hits
    }

    /// The clicked choice value or edit kind whose trials are marked.
    pub fn highlighted(&self) -> Option<&crate::scene::insight::Hit> {
        self.highlight.hit.as_ref()
    }
}
