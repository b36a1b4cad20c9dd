//! The Pareto view: accuracy against a cost, each run's front a staircase.

use super::{sample, short_number, trial_dot, Body, Hit, Out, MAX_DOTS};
use crate::analysis::pareto::Objective;
use crate::fmt::{fmt_int, fmt_pct};
use crate::layout::Rect;
use crate::render::{Color, HAlign};
use crate::scene::dashboard::RUN_COLORS;
use crate::scene::plots::draw_axes;

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
    let comparing = base.other.is_some();
    // the costs of the whole runs, so that the axes hold still
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
    let x = (lo - pad, hi + pad);
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
    let axes = draw_axes(
        &mut out.mesh,
        &mut out.texts,
        plot,
        x,
        y,
        cost.label(),
        acc,
        &|v, _| short_number(v),
        &|v, s| crate::layout::format_tick(v, s, crate::layout::TickStyle::Percent),
        theme,
        measure,
    );
    let at = |c: f64, v: f64| axes.view.apply([c as f32, v.clamp(y.0, y.1) as f32]);
    for (slot, &(r, _, st)) in runs.iter().enumerate().rev() {
        let dot = if comparing {
            RUN_COLORS[slot].with_alpha(70)
        } else {
            theme.muted.with_alpha(90)
        };
        for i in sample(st, MAX_DOTS / runs.len()) {
            let t = &r.trials[i];
            if let Some(c) = cost.of(t) {
                out.circles
                    .push(trial_dot(at(c, objective.of(t)), 2.0, dot, None));
            }
        }
    }
    // the staircases: the best accuracy reached at each cost
    // the compared run's first, the first run's on top
    let mut members_of = vec![Vec::new(); runs.len()];
    for (slot, &(_, front, st)) in runs.iter().enumerate().rev() {
        let members = front.at(st);
        let color = if comparing {
            RUN_COLORS[slot]
        } else {
            theme.accent
        };
        let mut stairs: Vec<[f32; 2]> = Vec::new();
        for (j, m) in members.iter().enumerate() {
            let p = at(m.cost, m.value);
            if let Some(&[_, py]) = stairs.last() {
                stairs.push([p[0], py]);
            }
            stairs.push(p);
            if j + 1 == members.len() {
                stairs.push([axes.area.x + axes.area.w, p[1]]);
            }
        }
        if stairs.len() >= 2 {
            out.mesh.polyline(&stairs, color, 2.0);
        }
        for m in &members {
            let p = at(m.cost, m.value);
            out.circles
                .push(trial_dot(p, 5.0, color, Some(Color::rgb(255, 255, 255))));
            if slot == 0 {
                out.hits.push((
                    Rect::new(p[0] - 6.0, p[1] - 6.0, 12.0, 12.0),
                    Hit::Trial(m.pos as usize),
                ));
            }
        }
        members_of[slot] = members;
    }
    if let Some(c) = cost.of(&run.trials[step]) {
        let p = at(c, objective.of(&run.trials[step]));
        out.circles.push(trial_dot(
            p,
            6.0,
            Color::rgba(0, 0, 0, 0),
            Some(theme.current),
        ));
    }
    let members = &members_of[0];
    let front = runs[0].1;
    let line1 = match &members_of.get(1) {
        Some(theirs) => format!(
            "front of {}: {} trials · of {}: {} trials · with {} (K: next cost, A: validation/test)",
            run.info.run_id,
            members.len(),
            runs[1].0.info.run_id,
            theirs.len(),
            cost.name()
        ),
        None => format!(
            "{} trials on the front of {} with {} · costs: {} (K: next cost, A: validation/test)",
            members.len(),
            fmt_int(front.with_cost as usize),
            cost.name(),
            costs
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let line2 = match (members.first(), members.last()) {
        (Some(a), Some(b)) => format!(
            "cheapest on the front: {} at {} · most accurate: {} at {}",
            fmt_pct(a.value),
            short_number(a.cost),
            fmt_pct(b.value),
            short_number(b.cost)
        ),
        _ => String::new(),
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
        line2,
        [content.x, yy + theme.tick_size + 10.0],
        theme.tick_size,
        theme.text,
        HAlign::Left,
    );
    None
}
