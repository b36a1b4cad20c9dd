//! The insight views as plain data: lineage (the chain of ancestors of a
//! trial and every parent link of the run), the Pareto front of accuracy
//! against a cost, choice importance (each decision's share of variance
//! and its values' marginal means), and edit effects (each kind of edit's
//! validation delta). Each view also returns where its clickable things
//! are ([`Hit`]), so that the viewer can hover and select them.

use super::dashboard::RUN_COLORS;
use super::plots::{draw_axes, empty_view, panel_frame, to_pixel, Ranges};
use super::theme::{op_color, Theme};
use super::{Measure, ViewScene};
use crate::analysis::importance::ImportanceReport;
use crate::analysis::lineage::lineage;
use crate::analysis::pareto::Objective;
use crate::analysis::Analytics;
use crate::fmt::{fmt_int, fmt_pct, fmt_pp};
use crate::layout::Rect;
use crate::render::{Circle, Color, HAlign, MeshBuilder, TextRun, VAlign};
use crate::trace::Run;

/// Which insight view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InsightKind {
    Lineage,
    Pareto,
    Importance,
    Edits,
    Strategies,
}

impl InsightKind {
    pub const ALL: [InsightKind; 5] = [
        InsightKind::Lineage,
        InsightKind::Pareto,
        InsightKind::Importance,
        InsightKind::Edits,
        InsightKind::Strategies,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InsightKind::Lineage => "lineage",
            InsightKind::Pareto => "pareto",
            InsightKind::Importance => "importance",
            InsightKind::Edits => "edits",
            InsightKind::Strategies => "strategies",
        }
    }
}

/// Something an insight view drew that the pointer can hover or click.
#[derive(Clone, Debug, PartialEq)]
pub enum Hit {
    /// A trial, by position in the run.
    Trial(usize),
    /// A value of a decision (`op[3] = gcn`): trials that have it.
    Value { decision: String, value: String },
    /// A kind of edit: trials made by it.
    Edit(String),
    /// A group's curve in the strategies view at a step (from 0).
    Curve { group: usize, step: usize },
}

/// What the insight views are asked to show besides the run and step.
#[derive(Clone, Debug, Default)]
pub struct InsightOptions {
    /// The trial whose lineage is drawn (default: the best so far).
    pub focus: Option<usize>,
    /// Which of the run's costs the Pareto view uses (cycled).
    pub cost: usize,
    /// The Pareto view plots test accuracy instead of validation.
    pub test: bool,
    /// The importance over a complete table, shown beside the search's.
    pub table: Option<std::sync::Arc<ImportanceReport>>,
    /// The highlighted thing (a clicked value or edit kind).
    pub highlight: Option<Hit>,
    /// Groups of runs compared (the strategies view).
    pub strategies: Option<std::sync::Arc<StrategyCurves>>,
    /// The strategies view's x axis is simulated time.
    pub x_time: bool,
}

/// The strategies view's data: the groups, and each group's curve over
/// simulated time (empty where its runs have no clock).
#[derive(Clone, Debug)]
pub struct StrategyCurves {
    pub stats: crate::analysis::strategies::Strategies,
    /// Per group: `[time, mean, lo, hi]`.
    pub over_time: Vec<Vec<[f64; 4]>>,
    /// The run (in the list the groups were made from) that is each
    /// group's median seed at each step is found from these.
    pub best: Vec<Vec<f64>>,
}

impl StrategyCurves {
    /// The groups of `runs` (those with trials), by strategy and benchmark.
    pub fn of(
        runs: &[&Run],
        pattern: Option<&str>,
    ) -> Result<Self, crate::analysis::strategies::GroupError> {
        use crate::analysis::strategies::{best_so_far, compare_curves, over_time};
        let curves: Vec<(Vec<f64>, Vec<f64>)> = runs.iter().map(|r| best_so_far(r)).collect();
        let stats = compare_curves(runs, pattern, &curves)?;
        let best: Vec<Vec<f64>> = curves.into_iter().map(|c| c.0).collect();
        let end = runs
            .iter()
            .filter_map(|r| r.trials.last().and_then(|t| t.time_s))
            .fold(0.0, f64::max);
        let over_time = stats
            .groups
            .iter()
            .map(|g| {
                if end > 0.0 {
                    over_time(runs, &best, g, end, 256)
                } else {
                    Vec::new()
                }
            })
            .collect();
        Ok(StrategyCurves {
            stats,
            over_time,
            best,
        })
    }

    /// The member of group `g` whose best so far at `step` is the median
    /// of the group's (the lower middle one of an even count).
    pub fn median_seed(&self, g: usize, step: usize) -> Option<usize> {
        let group = self.stats.groups.get(g)?;
        let mut v: Vec<(f64, usize)> = group
            .members
            .iter()
            .filter_map(|&i| Some((*self.best.get(i)?.get(step)?, i)))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        v.get((v.len().max(1) - 1) / 2).map(|x| x.1)
    }
}

/// Colours of the groups compared, in order.
pub const GROUP_COLORS: [Color; 8] = [
    Color::rgb(31, 111, 235),
    Color::rgb(219, 109, 40),
    Color::rgb(26, 127, 55),
    Color::rgb(130, 80, 223),
    Color::rgb(191, 135, 0),
    Color::rgb(207, 34, 46),
    Color::rgb(14, 138, 158),
    Color::rgb(87, 96, 106),
];

/// Most trials drawn as dots in an overview; more are sampled evenly.
pub const MAX_DOTS: usize = 8_000;
/// Most parent links drawn in the lineage overview (an even sample).
pub const MAX_LINKS: usize = 5_000;

/// A view and its clickable places.
pub struct InsightScene {
    pub view: ViewScene,
    pub hits: Vec<(Rect, Hit)>,
}

/// What an insight view is of: a run at a step, and a compared run.
#[derive(Clone, Copy)]
pub struct InsightBase<'a> {
    pub run: &'a Run,
    pub analytics: &'a Analytics,
    pub step: usize,
    /// The compared run, its analytics and the step shown of it.
    pub other: Option<(&'a Run, &'a Analytics, usize)>,
    /// The accuracy ranges of the plots (so the axes agree).
    pub ranges: Ranges,
}

/// Builds insight view `kind` of `base` in `rect`.
pub fn insight_view(
    kind: InsightKind,
    base: &InsightBase<'_>,
    rect: Rect,
    opts: &InsightOptions,
    theme: &Theme,
    measure: &mut Measure,
) -> InsightScene {
    let (run, analytics, step, ranges) = (base.run, base.analytics, base.step, base.ranges);
    let mut mesh = MeshBuilder::new();
    let mut texts = Vec::new();
    let title = match kind {
        InsightKind::Lineage => "Lineage · where the trial came from",
        InsightKind::Pareto => "Pareto front · what accuracy costs",
        InsightKind::Importance => "Choice importance · which decisions matter",
        InsightKind::Edits => "Edit effects · which edits pay off",
        InsightKind::Strategies => "Strategies over seeds · best so far",
    };
    let content = panel_frame(&mut mesh, &mut texts, rect, title, theme);
    let hint_fits = measure(title, theme.label_size + 1.0).0
        + measure("V: next view", theme.tick_size).0
        + 48.0
        < rect.w;
    if hint_fits {
        texts.push(
            TextRun::new(
                "V: next view",
                [rect.x + rect.w - 12.0, rect.y + 10.0],
                theme.tick_size,
                theme.muted,
            )
            .aligned(HAlign::Right, VAlign::Top),
        );
    }
    if run.trials.is_empty() {
        return InsightScene {
            view: empty_view(mesh, texts, rect, content, "No trials yet", theme),
            hits: Vec::new(),
        };
    }
    let step = step.min(run.trials.len() - 1);
    let mut out = Out {
        mesh,
        texts,
        circles: Vec::new(),
        hits: Vec::new(),
    };
    let message = match kind {
        InsightKind::Lineage => lineage_body(
            &mut out, run, analytics, step, content, ranges, opts, theme, measure,
        ),
        InsightKind::Pareto => pareto_body(&mut out, base, content, opts, theme, measure),
        InsightKind::Importance => importance_body(
            &mut out, run, analytics, step, content, opts, theme, measure,
        ),
        InsightKind::Strategies => strategies_body(&mut out, base, content, opts, theme, measure),
        InsightKind::Edits => edits_body(
            &mut out, run, analytics, step, content, opts, theme, measure,
        ),
    };
    if let Some(m) = message {
        return InsightScene {
            view: empty_view(out.mesh, out.texts, rect, content, &m, theme),
            hits: Vec::new(),
        };
    }
    let mut view = ViewScene::new(to_pixel(rect));
    view.mesh = out.mesh.build();
    view.circles = out.circles;
    view.texts = out.texts;
    InsightScene {
        view,
        hits: out.hits,
    }
}

struct Out {
    mesh: MeshBuilder,
    texts: Vec<TextRun>,
    /// In pixels (the view's data transform is the identity).
    circles: Vec<Circle>,
    hits: Vec<(Rect, Hit)>,
}

impl Out {
    /// The first of `choices` that fits in `width` (else the last).
    fn fit(
        &mut self,
        choices: &[&str],
        at: [f32; 2],
        width: f32,
        size: f32,
        color: Color,
        measure: &mut Measure,
    ) {
        let pick = choices
            .iter()
            .find(|c| measure(c, size).0 <= width)
            .or(choices.last());
        if let Some(c) = pick {
            self.text(c.to_string(), at, size, color, HAlign::Left);
        }
    }

    fn text(&mut self, s: impl Into<String>, at: [f32; 2], size: f32, color: Color, h: HAlign) {
        self.texts
            .push(TextRun::new(s, at, size, color).aligned(h, VAlign::Middle));
    }
}

/// The positions `0..=step` to draw as dots: all, or an even sample.
fn sample(step: usize, max: usize) -> impl Iterator<Item = usize> {
    let n = step + 1;
    let stride = n.div_ceil(max).max(1);
    (0..n).step_by(stride)
}

fn trial_dot(at: [f32; 2], r: f32, fill: Color, stroke: Option<Color>) -> Circle {
    let mut c = Circle::new(at, r, fill);
    if let Some(s) = stroke {
        c.stroke = s.packed();
        c.stroke_width = 1.5;
    }
    c
}

#[allow(clippy::too_many_arguments)]
fn lineage_body(
    out: &mut Out,
    run: &Run,
    analytics: &Analytics,
    step: usize,
    content: Rect,
    ranges: Ranges,
    opts: &InsightOptions,
    theme: &Theme,
    measure: &mut Measure,
) -> Option<String> {
    let depths = &analytics.insight(run).depths;
    if depths.with_parents == 0 {
        return Some(
            "No parents are recorded in this run (random search, TPE):\nevery trial is drawn afresh, so there is no lineage to draw."
                .into(),
        );
    }
    if !run
        .trials
        .iter()
        .take(step + 1)
        .any(|t| !t.parents.is_empty())
    {
        return Some(
            "No parents yet: the first trials are drawn at random\n(the initial population); lineages start with the first edit."
                .into(),
        );
    }
    let best = analytics.step(step).map_or(step, |s| s.best);
    let focus = opts.focus.filter(|&f| f <= step).unwrap_or(best);
    let chain = lineage(run, focus, step + 2);
    let best_chain = lineage(run, best, step + 2);
    // the overview: step (x) against validation accuracy (y)
    let (plot, list) = if content.w > 900.0 {
        let lw = (content.w * 0.32).max(280.0);
        (
            Rect::new(content.x, content.y, content.w - lw - 12.0, content.h),
            Rect::new(content.x + content.w - lw, content.y, lw, content.h),
        )
    } else {
        let ph = (content.h * 0.5).round();
        (
            Rect::new(content.x, content.y, content.w, ph),
            Rect::new(
                content.x,
                content.y + ph + 8.0,
                content.w,
                content.h - ph - 8.0,
            ),
        )
    };
    let y = ranges.val;
    let axes = draw_axes(
        &mut out.mesh,
        &mut out.texts,
        plot,
        (1.0, run.trials.len().max(2) as f64),
        y,
        "step",
        "validation accuracy",
        &|v, s| crate::layout::format_tick(v, s, crate::layout::TickStyle::Plain),
        &|v, s| crate::layout::format_tick(v, s, crate::layout::TickStyle::Percent),
        theme,
        measure,
    );
    let at = |i: usize| -> [f32; 2] {
        let v = run.trials[i].metrics.val_acc.clamp(y.0, y.1);
        axes.view.apply([(i + 1) as f32, v as f32])
    };
    // parent links, the newest faded least
    // every trial's up to MAX_LINKS, else an even sample across the run
    for i in sample(step, MAX_LINKS) {
        let t = &run.trials[i];
        for (k, p) in t.parents.iter().enumerate() {
            let Some(pp) = run.position(*p).filter(|&pp| pp < i) else {
                continue;
            };
            let age = (step - i) as f32 / (step + 1) as f32;
            let alpha = (55.0 * (1.0 - age) + 12.0) as u8;
            let color = if k == 0 { theme.edge } else { theme.changed };
            out.mesh
                .segment(at(pp), at(i), color.with_alpha(alpha), 0.7);
        }
    }
    for i in sample(step, MAX_DOTS) {
        out.circles
            .push(trial_dot(at(i), 1.8, theme.muted.with_alpha(110), None));
    }
    // the best trial's lineage, and the focused one's
    let mut draw_chain = |l: &crate::analysis::lineage::Lineage, color: Color, w: f32| {
        let pts: Vec<[f32; 2]> = l.links.iter().map(|k| at(k.pos)).collect();
        out.mesh.polyline(&pts, color, w);
        for k in &l.links {
            let p = at(k.pos);
            out.circles.push(trial_dot(p, 3.5, color, None));
            out.hits.push((
                Rect::new(p[0] - 5.0, p[1] - 5.0, 10.0, 10.0),
                Hit::Trial(k.pos),
            ));
            // a crossover's other parents
            for o in &k.others {
                if let Some(op) = run.position(*o).filter(|&op| op < k.pos) {
                    out.mesh.line(at(op), p, theme.changed, 1.5);
                }
            }
        }
        if let (Some(cut), Some(last)) = (l.cut, l.links.last()) {
            let p = at(last.pos);
            out.mesh.line(p, [p[0] - 14.0, p[1]], theme.loss, 1.5);
            out.texts.push(
                TextRun::new(
                    format!("parent {cut} missing"),
                    [p[0] - 16.0, p[1]],
                    theme.tick_size,
                    theme.loss,
                )
                .aligned(HAlign::Right, VAlign::Middle),
            );
        }
    };
    draw_chain(&best_chain, theme.best, 2.5);
    if focus != best {
        draw_chain(&chain, theme.selected, 2.0);
    }
    let cur = at(step);
    out.circles.push(trial_dot(
        cur,
        5.0,
        Color::rgba(0, 0, 0, 0),
        Some(theme.current),
    ));
    // the chain as a list: the trial, then each ancestor with its edit
    let t = &run.trials[focus];
    let head = format!(
        "{} {} · {} ancestors{}",
        if focus == best { "best trial" } else { "trial" },
        t.trial_id,
        depths.depth(focus).unwrap_or(0),
        if step + 1 > MAX_LINKS {
            format!(" · {} links drawn", fmt_int(MAX_LINKS))
        } else {
            String::new()
        }
    );
    let size = theme.tick_size;
    out.text(
        head,
        [list.x, list.y + 8.0],
        theme.body_size,
        theme.text,
        HAlign::Left,
    );
    let row_h = size + 7.0;
    let mut yy = list.y + 30.0;
    let rows = ((list.h - 30.0) / row_h).floor().max(0.0) as usize;
    let shown = chain.links.len().min(rows);
    for (j, k) in chain.links.iter().take(shown).enumerate() {
        let last = j + 1 == shown && shown < chain.links.len();
        let tr = &run.trials[k.pos];
        let label = if last {
            format!("… {} more ancestors", chain.links.len() - j)
        } else {
            let delta = k.val_delta.map(fmt_pp).unwrap_or_default();
            let edit = match (&k.edit, k.parent_id) {
                (Some(e), _) => e.clone(),
                (None, Some(_)) => "no edit recorded".into(),
                (None, None) => "initial population".into(),
            };
            let who = if k.user { " (your edit)" } else { "" };
            format!(
                "{} {:>7}  {}  {edit}{who}",
                tr.trial_id,
                fmt_pct(tr.metrics.val_acc),
                delta
            )
        };
        let color = if k.user {
            theme.user
        } else if j == 0 {
            theme.text
        } else {
            theme.muted
        };
        out.circles.push(trial_dot(
            [list.x + 5.0, yy],
            3.5,
            if focus == best {
                theme.best
            } else {
                theme.selected
            },
            None,
        ));
        out.text(label, [list.x + 14.0, yy], size, color, HAlign::Left);
        if !last {
            out.hits.push((
                Rect::new(list.x, yy - row_h / 2.0, list.w, row_h),
                Hit::Trial(k.pos),
            ));
        }
        yy += row_h;
    }
    if chain.links.len() <= rows {
        let end = match (chain.cut, chain.links.last().and_then(|l| l.parent_id)) {
            (Some(c), _) => format!("parent {c} is missing from the run: the link is cut"),
            _ => "made from nothing (initial population or a random draw)".into(),
        };
        out.text(end, [list.x + 14.0, yy], size, theme.muted, HAlign::Left);
    }
    None
}

fn pareto_body(
    out: &mut Out,
    base: &InsightBase<'_>,
    content: Rect,
    opts: &InsightOptions,
    theme: &Theme,
    measure: &mut Measure,
) -> Option<String> {
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

/// `1234567` -> `1.23M`, `0.0032` -> `0.0032`.
fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else if a == 0.0 {
        "0".into()
    } else if a >= 0.01 {
        format!("{v:.3}")
    } else {
        format!("{v:.1e}")
    }
}

#[allow(clippy::too_many_arguments)]
fn importance_body(
    out: &mut Out,
    run: &Run,
    analytics: &Analytics,
    step: usize,
    content: Rect,
    opts: &InsightOptions,
    theme: &Theme,
    measure: &mut Measure,
) -> Option<String> {
    let rep = analytics.insight(run).importance.at(run, step);
    if let Some(n) = &rep.note {
        return Some(format!("{}:\n{n}.", capitalise(rep.estimator)));
    }
    let size = theme.tick_size;
    let n = fmt_int(rep.n as usize);
    let head = [
        format!("η² = between-value / total variance of validation accuracy, {n} trials (repeats counted)."),
        format!("η²: share of validation variance, {n} trials"),
    ];
    let w = content.w;
    out.fit(
        &[&head[0], &head[1]],
        [content.x, content.y + 6.0],
        w,
        size,
        theme.muted,
        measure,
    );
    out.fit(
        &[
            "Under evolution, selection samples near the incumbents: shares describe the explored region.",
            "Evolution samples near its incumbents: shares describe what it explored.",
            "Under evolution: shares of the explored region.",
        ],
        [content.x, content.y + 8.0 + size * 1.4],
        w,
        size,
        theme.muted,
        measure,
    );
    let table = opts.table.as_deref();
    if table.is_some() {
        out.fit(
            &[
                "grey bar: the same over every architecture of the table (what there is to learn)",
                "grey bar: the same over the whole table",
            ],
            [content.x, content.y + 10.0 + size * 2.8],
            w,
            size,
            theme.muted,
            measure,
        );
    }
    let top = content.y + 16.0 + size * if table.is_some() { 4.2 } else { 2.8 };
    // value means share one axis
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for d in &rep.decisions {
        for v in &d.values {
            if v.n >= 2 {
                lo = lo.min(v.lo.unwrap_or(v.mean));
                hi = hi.max(v.hi.unwrap_or(v.mean));
            }
        }
    }
    // intervals of rare values are wide: the axis keeps near the means
    let (mut mlo, mut mhi) = (f64::INFINITY, f64::NEG_INFINITY);
    for d in &rep.decisions {
        for v in &d.values {
            mlo = mlo.min(v.mean);
            mhi = mhi.max(v.mean);
        }
    }
    let room = ((mhi - mlo) * 0.25).max(0.002);
    lo = lo.max(mlo - room).max(0.0);
    hi = hi.min(mhi + room).min(1.0);
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        lo = 0.0;
        hi = 1.0;
    }
    let name_w = 78.0f32;
    let bar_w = (content.w * 0.22).clamp(70.0, 200.0);
    let strip_x = content.x + name_w + bar_w + 56.0;
    let strip_w = (content.x + content.w - strip_x - 8.0).max(40.0);
    let sx = |v: f64| strip_x + ((v - lo) / (hi - lo)) as f32 * strip_w;
    let avail = content.y + content.h - top - size * 1.6;
    let row_h = (avail / rep.decisions.len().max(1) as f32).clamp(size * 1.7, size * 3.6);
    let rows = ((avail / row_h).floor() as usize).min(rep.decisions.len());
    let max_share = rep
        .decisions
        .iter()
        .map(|d| d.share)
        .fold(0.0, f64::max)
        .max(1e-9);
    let highlighted = |d: &str, v: &str| matches!(&opts.highlight, Some(Hit::Value { decision, value }) if decision == d && value == v);
    for (j, d) in rep.decisions.iter().take(rows).enumerate() {
        let cy = top + row_h * (j as f32 + 0.5);
        if j % 2 == 0 {
            out.mesh.rounded_rect(
                [content.x - 4.0, cy - row_h / 2.0],
                [content.x + content.w, cy + row_h / 2.0],
                3.0,
                Some(theme.grid.with_alpha(110)),
                None,
            );
        }
        out.text(
            d.name.clone(),
            [content.x, cy],
            theme.body_size,
            theme.text,
            HAlign::Left,
        );
        let bx = content.x + name_w;
        let w = (d.share / max_share) as f32 * bar_w;
        let bh = if table.is_some() {
            row_h * 0.28
        } else {
            row_h * 0.4
        };
        out.mesh.rounded_rect(
            [bx, cy - bh - 1.0],
            [bx + w.max(1.0), cy - 1.0],
            2.0,
            Some(theme.accent),
            None,
        );
        if let Some(t) = table.and_then(|t| t.decisions.iter().find(|x| x.name == d.name)) {
            let tw = (t.share / max_share.max(t.share)) as f32 * bar_w;
            out.mesh.rounded_rect(
                [bx, cy + 1.0],
                [bx + tw.max(1.0), cy + bh + 1.0],
                2.0,
                Some(theme.removed),
                None,
            );
        }
        out.text(
            fmt_pct(d.share),
            [bx + bar_w + 4.0, cy],
            size,
            theme.text,
            HAlign::Left,
        );
        // each value: its mean and interval on the shared axis
        for v in &d.values {
            let x = sx(v.mean);
            let c = op_color(&v.value);
            if let (Some(a), Some(b)) = (v.lo, v.hi) {
                out.mesh.line(
                    [sx(a.max(lo)), cy],
                    [sx(b.min(hi)), cy],
                    c.with_alpha(160),
                    2.0,
                );
            }
            let hl = highlighted(&d.name, &v.value);
            let r = if hl { 6.0 } else { 4.0 };
            out.circles.push(trial_dot(
                [x, cy],
                r,
                c,
                Some(if hl {
                    theme.current
                } else {
                    Color::rgb(255, 255, 255)
                }),
            ));
            out.hits.push((
                Rect::new(x - 6.0, cy - 7.0, 12.0, 14.0),
                Hit::Value {
                    decision: d.name.clone(),
                    value: v.value.clone(),
                },
            ));
        }
        if let Some(b) = d.values.first() {
            let label = format!("{} {}", b.value, fmt_pct(b.mean));
            let x = sx(b.mean) + 8.0;
            let fits = x + measure(&label, size).0 < content.x + content.w;
            let at = if fits {
                [x, cy - row_h * 0.3]
            } else {
                [sx(b.mean) - 8.0, cy - row_h * 0.3]
            };
            out.text(
                label,
                at,
                size,
                theme.muted,
                if fits { HAlign::Left } else { HAlign::Right },
            );
        }
    }
    // the shared axis
    let ay = top + row_h * rows as f32 + 4.0;
    out.mesh
        .line([strip_x, ay], [strip_x + strip_w, ay], theme.axis, 1.0);
    let ticks = crate::layout::nice_ticks(lo, hi, 4);
    for &v in &ticks.values {
        if v < lo || v > hi {
            continue;
        }
        out.mesh
            .line([sx(v), ay], [sx(v), ay + 4.0], theme.axis, 1.0);
        out.text(
            crate::layout::format_tick(v, ticks.step, crate::layout::TickStyle::Percent),
            [sx(v), ay + 4.0 + size * 0.7],
            size,
            theme.muted,
            HAlign::Center,
        );
    }
    out.fit(
        &[
            "mean validation accuracy of trials with the value, 95% interval",
            "mean validation, 95% interval",
        ],
        [strip_x, ay + size * 2.0],
        content.x + content.w - strip_x,
        size,
        theme.muted,
        measure,
    );
    if rows < rep.decisions.len() {
        out.text(
            format!("… {} more decisions", rep.decisions.len() - rows),
            [content.x, ay + size * 0.7],
            size,
            theme.muted,
            HAlign::Left,
        );
    }
    None
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn edits_body(
    out: &mut Out,
    run: &Run,
    analytics: &Analytics,
    step: usize,
    content: Rect,
    opts: &InsightOptions,
    theme: &Theme,
    measure: &mut Measure,
) -> Option<String> {
    let kinds = analytics.insight(run).edits.at(step);
    if kinds.is_empty() {
        return Some("No recorded edits up to this step: the run names no parent\nand edit for its trials (random search, TPE), or none yet.".into());
    }
    let size = theme.tick_size;
    let total: u64 = kinds.iter().map(|k| k.n).sum();
    let t = fmt_int(total as usize);
    let head = [
        format!(
            "child − parent validation accuracy over {t} recorded edits, by kind, best mean first"
        ),
        format!("child − parent validation, {t} edits, best first"),
    ];
    out.fit(
        &[&head[0], &head[1]],
        [content.x, content.y + 6.0],
        content.w,
        size,
        theme.muted,
        measure,
    );
    out.fit(
        &[
            "bar: 95% interval of the mean · box: mean ± 1 sd · whiskers: min to max · dot: mean",
            "bar: 95% interval · box: ± 1 sd · whiskers: min–max",
        ],
        [content.x, content.y + 8.0 + size * 1.4],
        content.w,
        size,
        theme.muted,
        measure,
    );
    let top = content.y + 14.0 + size * 2.8;
    let bottom = content.y + content.h - size * 3.6;
    let row_h = (size + 8.0)
        .max((bottom - top) / kinds.len() as f32)
        .min(size * 2.6);
    let rows = ((bottom - top) / row_h).floor().max(1.0) as usize;
    // when not all fit: the most frequent kinds, still by mean
    let picked: Vec<&crate::analysis::edits::KindStat> = if kinds.len() <= rows {
        kinds.iter().collect()
    } else {
        let mut by_n: Vec<&crate::analysis::edits::KindStat> = kinds.iter().collect();
        by_n.sort_by(|a, b| b.n.cmp(&a.n).then(b.mean.total_cmp(&a.mean)));
        by_n.truncate(rows - 1);
        by_n.sort_by(|a, b| b.mean.total_cmp(&a.mean).then(b.n.cmp(&a.n)));
        by_n
    };
    let label_w = picked
        .iter()
        .map(|k| measure(&k.kind, size).0)
        .fold(0.0f32, f32::max)
        .min(content.w * 0.4)
        + 8.0;
    let n_w = 52.0f32;
    let strip_x = content.x + label_w + n_w;
    let strip_w = (content.x + content.w - strip_x - 70.0).max(40.0);
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for k in &picked {
        let sd = k.sd.unwrap_or(0.0);
        lo = lo.min(k.mean - sd).min(k.lo.unwrap_or(k.mean));
        hi = hi.max(k.mean + sd).max(k.hi.unwrap_or(k.mean));
    }
    lo = lo.max(-0.3);
    hi = hi.min(0.3);
    let span = (hi - lo).max(1e-4);
    let (lo, hi) = (lo - span * 0.05, hi + span * 0.05);
    let sx = |v: f64| strip_x + ((v.clamp(lo, hi) - lo) / (hi - lo)) as f32 * strip_w;
    let zero = sx(0.0);
    out.mesh.line(
        [zero, top - 4.0],
        [zero, top + row_h * picked.len() as f32 + 4.0],
        theme.axis,
        1.0,
    );
    let mut yy = top;
    for k in &picked {
        let cy = yy + row_h / 2.0;
        let hl = matches!(&opts.highlight, Some(Hit::Edit(e)) if *e == k.kind);
        if hl {
            out.mesh.rounded_rect(
                [content.x - 4.0, yy],
                [content.x + content.w, yy + row_h],
                3.0,
                Some(theme.selected.with_alpha(40)),
                None,
            );
        }
        let color = if k.user { theme.user } else { theme.text };
        out.text(k.kind.clone(), [content.x, cy], size, color, HAlign::Left);
        out.text(
            format!("n={}", k.n),
            [content.x + label_w, cy],
            size,
            theme.muted,
            HAlign::Left,
        );
        let c = if k.mean >= 0.0 {
            theme.gain
        } else {
            theme.loss
        };
        out.mesh
            .line([sx(k.min), cy], [sx(k.max), cy], theme.removed, 1.0);
        if let Some(sd) = k.sd {
            let h = (row_h * 0.3).min(7.0);
            out.mesh.rounded_rect(
                [sx(k.mean - sd), cy - h],
                [sx(k.mean + sd).max(sx(k.mean - sd) + 1.0), cy + h],
                2.0,
                Some(c.with_alpha(50)),
                Some((c.with_alpha(120), 1.0)),
            );
        }
        if let (Some(a), Some(b)) = (k.lo, k.hi) {
            out.mesh.line([sx(a), cy], [sx(b), cy], c, 3.0);
        }
        out.circles.push(trial_dot([sx(k.mean), cy], 3.5, c, None));
        out.text(
            fmt_pp(k.mean),
            [strip_x + strip_w + 6.0, cy],
            size,
            c,
            HAlign::Left,
        );
        out.hits.push((
            Rect::new(content.x, yy, content.w, row_h),
            Hit::Edit(k.kind.clone()),
        ));
        yy += row_h;
    }
    let ticks = crate::layout::nice_ticks(lo * 100.0, hi * 100.0, 5);
    let ay = yy + 4.0;
    if kinds.len() > picked.len() {
        out.text(
            format!(
                "the {} most frequent of {} kinds, by mean",
                picked.len(),
                kinds.len()
            ),
            [content.x, ay + size * 2.4],
            size,
            theme.muted,
            HAlign::Left,
        );
    }
    for &v in &ticks.values {
        let x = sx(v / 100.0);
        if v / 100.0 < lo || v / 100.0 > hi {
            continue;
        }
        out.mesh.line([x, ay], [x, ay + 4.0], theme.axis, 1.0);
        out.text(
            format!("{v:+} pp"),
            [x, ay + 4.0 + size * 0.7],
            size,
            theme.muted,
            HAlign::Center,
        );
    }
    None
}

fn strategies_body(
    out: &mut Out,
    base: &InsightBase<'_>,
    content: Rect,
    opts: &InsightOptions,
    theme: &Theme,
    measure: &mut Measure,
) -> Option<String> {
    let Some(sc) = opts
        .strategies
        .as_deref()
        .filter(|s| !s.stats.groups.is_empty())
    else {
        return Some(
            "Strategies compare groups of runs (seeds): open several,\ne.g. nasviz view runs/*.jsonl"
                .into(),
        );
    };
    let groups = &sc.stats.groups;
    let time = opts.x_time && sc.over_time.iter().any(|c| !c.is_empty());
    let test = opts.test && !time;
    let curve = |g: usize| -> Vec<[f64; 4]> {
        if time {
            return sc.over_time[g].clone();
        }
        let gr = &groups[g];
        let (m, l, h) = if test {
            (&gr.test_mean, &gr.test_lo, &gr.test_hi)
        } else {
            (&gr.mean, &gr.lo, &gr.hi)
        };
        (0..m.len())
            .map(|s| [(s + 1) as f64, m[s], l[s], h[s]])
            .collect()
    };
    let curves: Vec<Vec<[f64; 4]>> = (0..groups.len()).map(curve).collect();
    let (mut x1, mut y0, mut y1) = (1.0f64, f64::INFINITY, f64::NEG_INFINITY);
    let x0 = if time { 0.0 } else { 1.0 };
    for c in &curves {
        // the first tenth is the random start: the band lives above it
        for p in c.iter().skip(c.len() / 10) {
            y0 = y0.min(p[2]);
            y1 = y1.max(p[3]);
        }
        if let Some(p) = c.last() {
            x1 = x1.max(p[0]);
        }
    }
    if y1.partial_cmp(&y0) != Some(std::cmp::Ordering::Greater) {
        (y0, y1) = (0.0, 1.0);
    }
    let pad = (y1 - y0) * 0.06;
    let y = (y0 - pad, (y1 + pad).min(1.0));
    let notes = 1 + sc.stats.ahead.len().min(3);
    let notes_h = (theme.tick_size + 6.0) * notes as f32 + 8.0;
    let plot = Rect::new(content.x, content.y, content.w, content.h - notes_h);
    let what = if test {
        "test accuracy of the best-by-validation trial"
    } else {
        "best validation accuracy so far"
    };
    let axes = draw_axes(
        &mut out.mesh,
        &mut out.texts,
        plot,
        (x0, x1.max(x0 + 1.0)),
        y,
        if time {
            "simulated search time (s)"
        } else {
            "step"
        },
        &format!("mean {what}, 95% interval over seeds"),
        &|v, s| {
            if time {
                short_number(v)
            } else {
                crate::layout::format_tick(v, s, crate::layout::TickStyle::Plain)
            }
        },
        &|v, s| crate::layout::format_tick(v, s, crate::layout::TickStyle::Percent),
        theme,
        measure,
    );
    let at = |x: f64, v: f64| axes.view.apply([x as f32, v.clamp(y.0, y.1) as f32]);
    // at most about one point per pixel column
    let width = axes.area.w.max(1.0) as usize;
    for (g, c) in curves.iter().enumerate().rev() {
        let color = GROUP_COLORS[g % GROUP_COLORS.len()];
        let stride = c.len().div_ceil(width).max(1);
        let pts: Vec<&[f64; 4]> = c.iter().step_by(stride).chain(c.last()).collect();
        let upper: Vec<[f32; 2]> = pts.iter().map(|p| at(p[0], p[3])).collect();
        let lower: Vec<[f32; 2]> = pts.iter().map(|p| at(p[0], p[2])).collect();
        // the band, as quads between consecutive points
        for k in 1..pts.len() {
            out.mesh.polygon(
                &[upper[k - 1], upper[k], lower[k], lower[k - 1]],
                color.with_alpha(45),
            );
        }
        let mean: Vec<[f32; 2]> = pts.iter().map(|p| at(p[0], p[1])).collect();
        out.mesh.polyline(&mean, color, 2.2);
        if !time {
            for (k, p) in mean.iter().enumerate() {
                let step = (pts[k][0] as usize).saturating_sub(1);
                let w = (axes.area.w / pts.len() as f32).max(2.0);
                out.hits.push((
                    Rect::new(p[0] - w / 2.0, p[1] - 6.0, w, 12.0),
                    Hit::Curve { group: g, step },
                ));
            }
        }
    }
    // the cursor: the step (or time) on show
    let cursor = if time {
        base.run.trials.get(base.step).and_then(|t| t.time_s)
    } else {
        Some((base.step + 1) as f64)
    };
    if let Some(cx) = cursor.filter(|&c| c >= x0 && c <= x1) {
        let p = at(cx, y.0);
        out.mesh.line(
            [p[0], axes.area.y],
            [p[0], axes.area.y + axes.area.h],
            theme.current.with_alpha(160),
            1.2,
        );
    }
    // the legend, inside the plot's lower right
    let size = theme.tick_size;
    let mut ly = axes.area.y + axes.area.h - 10.0 - (groups.len() as f32 - 1.0) * (size + 6.0);
    for (g, gr) in groups.iter().enumerate() {
        let color = GROUP_COLORS[g % GROUP_COLORS.len()];
        let label = format!(
            "{} ({} seed{}{})",
            gr.label,
            gr.runs.len(),
            if gr.runs.len() == 1 { "" } else { "s" },
            if gr.cut() && !time {
                format!(", cut at {} steps", fmt_int(gr.steps.len()))
            } else {
                String::new()
            }
        );
        let w = measure(&label, size).0;
        let x = axes.area.x + axes.area.w - w - 8.0;
        out.mesh.rounded_rect(
            [x - 20.0, ly - 5.0],
            [x - 6.0, ly + 5.0],
            2.0,
            Some(color),
            None,
        );
        out.text(label, [x, ly], size, theme.text, HAlign::Left);
        ly += size + 6.0;
    }
    let mut yy = content.y + content.h - notes_h + 8.0 + size / 2.0;
    let first = format!(
        "{} · {} · A: validation/test · T: step/time",
        sc.stats.interval,
        if time {
            "each run holds its last best after it ends"
        } else {
            "each group cut at its shortest run"
        }
    );
    out.fit(
        &[&first, sc.stats.interval],
        [content.x, yy],
        content.w,
        size,
        theme.muted,
        measure,
    );
    for a in sc.stats.ahead.iter().take(3) {
        yy += size + 6.0;
        let step = fmt_int(a.from_step);
        let long = format!(
            "{} is above {} from step {step} on (intervals apart)",
            a.a, a.b
        );
        let short = format!("{} > {} from step {step} on", a.a, a.b);
        out.fit(&[&long, &short], [content.x, yy], content.w, size, theme.text, measure);
    }
    None
}
