//! The lineage view: every trial by step and validation accuracy with its
//! parent links, the best (or selected) trial's ancestry drawn and listed.

use super::{sample, trial_dot, Body, Hit, Out, MAX_DOTS, MAX_LINKS};
use crate::analysis::lineage::{lineage, Depths, Lineage};
use crate::fmt::{fmt_int, fmt_pct, fmt_pp};
use crate::layout::Rect;
use crate::render::{Color, HAlign, TextRun, VAlign, ViewTransform};
use crate::scene::plots::AxisSpec;
use crate::scene::theme::Theme;
use crate::trace::Run;

pub(super) fn lineage_body(out: &mut Out, b: Body<'_, '_>) -> Option<String> {
    let (base, content, opts, theme, measure) = b.parts();
    let (run, analytics, step, ranges) = (base.run, base.analytics, base.step, base.ranges);
    let depths = &analytics.insight(run).depths;
    if let Some(message) = no_lineage(run, depths, step) {
        return Some(message.into());
    }
    let best = analytics.step(step).map_or(step, |s| s.best);
    let focus = opts.focus.filter(|&f| f <= step).unwrap_or(best);
    let chain = lineage(run, focus, step + 2);
    let best_chain = lineage(run, best, step + 2);
    let (plot, list) = split(content);
    // the overview: step (x) against validation accuracy (y)
    let fmt_x = |v, s| crate::layout::format_tick(v, s, crate::layout::TickStyle::Plain);
    let fmt_y = |v, s| crate::layout::format_tick(v, s, crate::layout::TickStyle::Percent);
    let spec = AxisSpec::new(
        ((1.0, run.trials.len().max(2) as f64), ranges.val),
        ("step", "validation accuracy"),
        (&fmt_x, &fmt_y),
    );
    let axes = out.axes(plot, &spec, theme, measure);
    let overview = Overview {
        run,
        view: axes.view,
        y: ranges.val,
        theme,
    };
    overview.links(out, step);
    out.dot_cloud((step, MAX_DOTS), 1.8, theme.muted.with_alpha(110), |i| {
        Some(overview.at(i))
    });
    // the best trial's lineage, and the focused one's
    overview.chain(out, &best_chain, theme.best, 2.5);
    if focus != best {
        overview.chain(out, &chain, theme.selected, 2.0);
    }
    out.current_ring(overview.at(step), 5.0, theme);
    let shown = Shown {
        run,
        focus,
        best,
        step,
    };
    chain_list(out, list, &chain, &shown, depths, theme);
    None
}

/// Why there is no lineage to draw up to `step`, if there is none.
fn no_lineage(run: &Run, depths: &Depths, step: usize) -> Option<&'static str> {
    if depths.with_parents == 0 {
        return Some(
            "No parents are recorded in this run (random search, TPE):\nevery trial is drawn afresh, so there is no lineage to draw.",
        );
    }
    if !run
        .trials
        .iter()
        .take(step + 1)
        .any(|t| !t.parents.is_empty())
    {
        return Some(
            "No parents yet: the first trials are drawn at random\n(the initial population); lineages start with the first edit.",
        );
    }
    None
}

/// The overview's and the list's rectangles: side by side in a wide
/// view, the overview above the list otherwise.
fn split(content: Rect) -> (Rect, Rect) {
    if content.w > 900.0 {
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
    }
}

/// The overview plot: every trial at its step and validation accuracy.
struct Overview<'a> {
    run: &'a Run,
    view: ViewTransform,
    /// The validation range (accuracies outside sit on its edges).
    y: (f64, f64),
    theme: &'a Theme,
}

impl Overview<'_> {
    /// Where the trial at position `i` is drawn.
    fn at(&self, i: usize) -> [f32; 2] {
        let v = self
            .run
            .trials
            .at(i)
            .metrics
            .val_acc
            .clamp(self.y.0, self.y.1);
        self.view.apply([(i + 1) as f32, v as f32])
    }

    /// Parent links up to `step`, the newest faded least: every trial's
    /// up to [`MAX_LINKS`], else an even sample across the run.
    fn links(&self, out: &mut Out, step: usize) {
        let run = self.run;
        for i in sample(step, MAX_LINKS) {
            let t = run.trials.at(i);
            for (k, p) in t.parents.iter().enumerate() {
                let Some(pp) = run.position(*p).filter(|&pp| pp < i) else {
                    continue;
                };
                let age = (step - i) as f32 / (step + 1) as f32;
                let alpha = (55.0 * (1.0 - age) + 12.0) as u8;
                let color = if k == 0 {
                    self.theme.edge
                } else {
                    self.theme.changed
                };
                out.mesh
                    .segment(self.at(pp), self.at(i), color.with_alpha(alpha), 0.7);
            }
        }
    }

    /// A lineage drawn over the overview: its links, its trials (hits),
    /// crossovers' other parents, and where it is cut.
    fn chain(&self, out: &mut Out, l: &Lineage, color: Color, w: f32) {
        let theme = self.theme;
        let pts: Vec<[f32; 2]> = l.links.iter().map(|k| self.at(k.pos)).collect();
        out.mesh.polyline(&pts, color, w);
        for k in &l.links {
            let p = self.at(k.pos);
            out.circles.push(trial_dot(p, 3.5, color, None));
            out.hit_around(p, 5.0, Hit::Trial(k.pos));
            // a crossover's other parents
            for o in &k.others {
                if let Some(op) = self.run.position(*o).filter(|&op| op < k.pos) {
                    out.mesh.line(self.at(op), p, theme.changed, 1.5);
                }
            }
        }
        if let (Some(cut), Some(last)) = (l.cut, l.links.last()) {
            let p = self.at(last.pos);
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
    }
}

/// Which trials the view is about: the focused one, the best so far,
/// the step.
struct Shown<'a> {
    run: &'a Run,
    focus: usize,
    best: usize,
    step: usize,
}

/// The chain as a list in `list`: the trial, then each ancestor with its
/// edit and delta, as many as fit; where the chain ends.
fn chain_list(
    out: &mut Out,
    list: Rect,
    chain: &Lineage,
    shown: &Shown<'_>,
    depths: &Depths,
    theme: &Theme,
) {
    let (run, focus, best) = (shown.run, shown.focus, shown.best);
    let t = run.trials.at(focus);
    let head = format!(
        "{} {} · {} ancestors{}",
        if focus == best { "best trial" } else { "trial" },
        t.trial_id,
        depths.depth(focus).unwrap_or(0),
        if shown.step + 1 > MAX_LINKS {
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
    let count = chain.links.len().min(rows);
    let dot = if focus == best {
        theme.best
    } else {
        theme.selected
    };
    for (j, k) in chain.links.iter().take(count).enumerate() {
        let last = j + 1 == count && count < chain.links.len();
        let label = if last {
            format!("… {} more ancestors", chain.links.len() - j)
        } else {
            link_label(run, k)
        };
        let color = if k.user {
            theme.user
        } else if j == 0 {
            theme.text
        } else {
            theme.muted
        };
        out.circles
            .push(trial_dot([list.x + 5.0, yy], 3.5, dot, None));
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
}

/// A link of the list: its trial, accuracy, delta and the edit that made it.
fn link_label(run: &Run, k: &crate::analysis::lineage::Link) -> String {
    let tr = run.trials.at(k.pos);
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
}
