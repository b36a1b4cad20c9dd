//! The Pareto view: accuracy against a cost, each run's front a staircase.

use super::{short_number, trial_dot, Body, Hit, Out, MAX_DOTS};
use crate::analysis::pareto::{Cost, Front, Member, Objective};
use crate::fmt::{fmt_int, fmt_pct};
use crate::layout::Rect;
use crate::render::{Color, HAlign, ViewTransform};
use crate::scene::dashboard::RUN_COLORS;
use crate::scene::plots::AxisSpec;
use crate::scene::theme::Theme;
use crate::trace::Run;

pub(super) fn pareto_body(out: &mut Out, b: Body<'_, '_>) -> Option<String> {
    let (base, content, opts, theme, measure) = b.parts();
    let (run, analytics, step) = (base.run, base.analytics, base.step);
    let fronts = &analytics.insight(run).fronts;
    let costs = fronts.costs();
    if costs.is_empty() {
        return Some("No cost column in this run: Pareto needs parameters,\nlatency, FLOPs or training time for each trial.".into());
    }
    let cost = costs[opts.cost % costs.len()];
    let objective = if opts.test {
        Objective::TestAcc
    } else {
        Objective::ValAcc
    };
    // each run's front (the compared run's where it has this cost)
    let mut runs = vec![(run, fronts.get(cost, objective)?, step)];
    if let Some((o, oa, os)) = base.other {
        if let Some(f) = oa.insight(o).fronts.get(cost, objective) {
            runs.push((o, f, os.min(o.trials.len().saturating_sub(1))));
        }
    }
    let y = if opts.test {
        base.ranges.test
    } else {
        base.ranges.val
    };
    let notes_h = theme.tick_size * 2.0 + 16.0;
    let plot = Rect::new(content.x, content.y, content.w, content.h - notes_h);
    let acc = if opts.test {
        "test accuracy"
    } else {
        "validation accuracy"
    };
    let fmt_y = |v, s| crate::layout::format_tick(v, s, crate::layout::TickStyle::Percent);
    let spec = AxisSpec::new(
        (cost_range(&runs), y),
        (cost.label(), acc),
        (&|v, _| short_number(v), &fmt_y),
    );
    let axes = out.axes(plot, &spec, theme, measure);
    let chart = Chart {
        cost,
        objective,
        view: axes.view,
        y,
        right: axes.area.x + axes.area.w,
        comparing: base.other.is_some(),
        theme,
    };
    chart.clouds(out, &runs);
    let members_of = chart.staircases(out, &runs);
    let current = run.trials.at(step);
    if let Some(c) = cost.of(current) {
        out.current_ring(chart.at(c, objective.of(current)), 6.0, theme);
    }
    let line1 = match members_of.get(1) {
        Some(theirs) => format!(
            "front of {}: {} trials · of {}: {} trials · with {} (K: next cost, A: validation/test)",
            run.info.run_id,
            members_of[0].len(),
            runs[1].0.info.run_id,
            theirs.len(),
            cost.name()
        ),
        None => format!(
            "{} trials on the front of {} with {} · costs: {} (K: next cost, A: validation/test)",
            members_of[0].len(),
            fmt_int(runs[0].1.with_cost as usize),
            cost.name(),
            costs
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let yy = content.y + content.h - notes_h + 8.0;
    out.fit(
        &[
            &line1,
            &line1.replace(" (K: next cost, A: validation/test)", ""),
        ],
        [content.x, yy + 4.0],
        content.w,
        theme.tick_size,
        theme.muted,
        measure,
    );
    out.text(
        extremes(&members_of[0]),
        [content.x, yy + theme.tick_size + 10.0],
        theme.tick_size,
        theme.text,
        HAlign::Left,
    );
    None
}

/// A run drawn: the run, its front of the cost on show, its step on show.
type RunFront<'a> = (&'a Run, &'a Front, usize);

/// The cost axis: the costs of the whole runs, so that it holds still,
/// padded.
fn cost_range(runs: &[RunFront<'_>]) -> (f64, f64) {
    let lo = runs
        .iter()
        .map(|r| r.1.cost_range.0)
        .fold(f64::INFINITY, f64::min);
    let mut hi = runs
        .iter()
        .map(|r| r.1.cost_range.1)
        .fold(f64::NEG_INFINITY, f64::max);
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.03;
    (lo - pad, hi + pad)
}

/// The plot of accuracy (y) against a cost (x).
struct Chart<'a> {
    cost: Cost,
    objective: Objective,
    view: ViewTransform,
    /// The accuracy range (accuracies outside sit on its edges).
    y: (f64, f64),
    /// The plot area's right edge, where the staircases end.
    right: f32,
    comparing: bool,
    theme: &'a Theme,
}

impl Chart<'_> {
    fn at(&self, c: f64, v: f64) -> [f32; 2] {
        self.view
            .apply([c as f32, v.clamp(self.y.0, self.y.1) as f32])
    }

    /// Each run's trials up to its step as dots, the first run's on top.
    fn clouds(&self, out: &mut Out, runs: &[RunFront<'_>]) {
        for (slot, &(r, _, st)) in runs.iter().enumerate().rev() {
            let dot = if self.comparing {
                RUN_COLORS[slot].with_alpha(70)
            } else {
                self.theme.muted.with_alpha(90)
            };
            out.dot_cloud((st, MAX_DOTS / runs.len()), 2.0, dot, |i| {
                let t = r.trials.at(i);
                let c = self.cost.of(t)?;
                Some(self.at(c, self.objective.of(t)))
            });
        }
    }

    /// The staircases: the best accuracy reached at each cost, the
    /// compared run's first, the first run's on top (its members are
    /// hits); returns each run's members.
    fn staircases(&self, out: &mut Out, runs: &[RunFront<'_>]) -> Vec<Vec<Member>> {
        let mut members_of = vec![Vec::new(); runs.len()];
        for (slot, &(_, front, st)) in runs.iter().enumerate().rev() {
            let members = front.at(st);
            let color = if self.comparing {
                RUN_COLORS[slot]
            } else {
                self.theme.accent
            };
            let stairs = self.stairs(&members);
            if stairs.len() >= 2 {
                out.mesh.polyline(&stairs, color, 2.0);
            }
            for m in &members {
                let p = self.at(m.cost, m.value);
                out.circles
                    .push(trial_dot(p, 5.0, color, Some(Color::rgb(255, 255, 255))));
                if slot == 0 {
                    out.hit_around(p, 6.0, Hit::Trial(m.pos as usize));
                }
            }
            members_of[slot] = members;
        }
        members_of
    }

    /// A front as a staircase in pixels, on to the plot's right edge.
    fn stairs(&self, members: &[Member]) -> Vec<[f32; 2]> {
        let mut stairs: Vec<[f32; 2]> = Vec::new();
        for (j, m) in members.iter().enumerate() {
            let p = self.at(m.cost, m.value);
            if let Some(&[_, py]) = stairs.last() {
                stairs.push([p[0], py]);
            }
            stairs.push(p);
            if j + 1 == members.len() {
                stairs.push([self.right, p[1]]);
            }
        }
        stairs
    }
}

/// The front's cheapest and most accurate members, in words.
fn extremes(members: &[Member]) -> String {
    match (members.first(), members.last()) {
        (Some(a), Some(b)) => format!(
            "cheapest on the front: {} at {} · most accurate: {} at {}",
            fmt_pct(a.value),
            short_number(a.cost),
            fmt_pct(b.value),
            short_number(b.cost)
        ),
        _ => String::new(),
    }
}
