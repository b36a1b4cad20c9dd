//! The importance view: each decision's share of variance, its values'
//! means with intervals on one axis, the table's share beside it.

use super::{trial_dot, Body, Hit, Out, Strip};
use crate::analysis::importance::{DecisionStat, ImportanceReport};
use crate::fmt::{fmt_int, fmt_pct};
use crate::layout::Rect;
use crate::render::{Color, HAlign};
use crate::scene::theme::{op_color, Theme};
use crate::scene::Measure;

pub(super) fn importance_body(out: &mut Out, b: Body<'_, '_>) -> Option<String> {
    let (base, content, opts, theme, measure) = b.parts();
    let (run, analytics, step) = (base.run, base.analytics, base.step);
    let rep = analytics.insight(run).importance.at(run, step);
    if let Some(n) = &rep.note {
        return Some(format!("{}:\n{n}.", capitalise(rep.estimator)));
    }
    let table = opts.table.as_deref();
    header(
        out,
        &rep,
        &run.info.strategy,
        table.is_some(),
        content,
        theme,
        measure,
    );
    let rows = Rows::new(&rep, table, content, theme);
    for (j, d) in rep.decisions.iter().take(rows.shown).enumerate() {
        let cy = rows.top + rows.row_h * (j as f32 + 0.5);
        rows.decision(out, d, j, cy, theme);
        let highlighted = |v: &str| matches!(&opts.highlight, Some(Hit::Value { decision, value }) if *decision == d.name && value == v);
        rows.values(out, d, cy, &highlighted, theme, measure);
    }
    rows.axis(out, rep.decisions.len(), theme, measure);
    None
}

/// What the shares are of and how to read them.
fn header(
    out: &mut Out,
    rep: &ImportanceReport,
    strategy: &str,
    table: bool,
    content: Rect,
    theme: &Theme,
    measure: &mut Measure,
) {
    let n = fmt_int(rep.n as usize);
    let head = [
        format!("η² = between-value / total variance of validation accuracy, {n} trials (repeats counted)."),
        format!("η²: share of validation variance, {n} trials"),
    ];
    // a search that samples near its best describes what it explored; a
    // random one samples the space evenly and needs no such warning
    let guided: &[&str] = if strategy.contains("evolution") {
        &[
            "Under evolution, selection samples near the incumbents: shares describe the explored region.",
            "Evolution samples near its incumbents: shares describe what it explored.",
            "Under evolution: shares of the explored region.",
        ]
    } else {
        &[
            "A guided search samples near its best trials: shares describe the explored region.",
            "A guided search samples near its best: shares describe what it explored.",
            "Guided search: shares of the explored region.",
        ]
    };
    let grey: &[&str] = &[
        "grey bar: the same over every architecture of the table (what there is to learn)",
        "grey bar: the same over the whole table",
    ];
    let first = [head[0].as_str(), head[1].as_str()];
    let mut lines: Vec<&[&str]> = vec![&first];
    if !strategy.contains("random") {
        lines.push(guided);
    }
    if table {
        lines.push(grey);
    }
    out.header(&lines, content, theme, measure);
}

/// The axis every value's mean shares: around the means (intervals of
/// rare values are wide), within 0..=1.
fn value_range(rep: &ImportanceReport) -> (f64, f64) {
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
    (lo, hi)
}

/// Where the decisions' rows go: a name, the share bars (the search's,
/// and the table's under it), and the values on the shared strip.
struct Rows<'a> {
    content: Rect,
    table: Option<&'a ImportanceReport>,
    top: f32,
    row_h: f32,
    /// Rows that fit.
    shown: usize,
    name_w: f32,
    bar_w: f32,
    max_share: f64,
    strip: Strip,
}

impl<'a> Rows<'a> {
    fn new(
        rep: &ImportanceReport,
        table: Option<&'a ImportanceReport>,
        content: Rect,
        theme: &Theme,
    ) -> Self {
        let size = theme.tick_size;
        let top = content.y + 16.0 + size * if table.is_some() { 4.2 } else { 2.8 };
        let (lo, hi) = value_range(rep);
        let name_w = 78.0f32;
        let bar_w = (content.w * 0.22).clamp(70.0, 200.0);
        let strip_x = content.x + name_w + bar_w + 56.0;
        let strip_w = (content.x + content.w - strip_x - 8.0).max(40.0);
        let avail = content.y + content.h - top - size * 1.6;
        let row_h = (avail / rep.decisions.len().max(1) as f32).clamp(size * 1.7, size * 3.6);
        let shown = ((avail / row_h).floor() as usize).min(rep.decisions.len());
        let max_share = rep
            .decisions
            .iter()
            .map(|d| d.share)
            .fold(0.0, f64::max)
            .max(1e-9);
        Rows {
            content,
            table,
            top,
            row_h,
            shown,
            name_w,
            bar_w,
            max_share,
            strip: Strip {
                x: strip_x,
                w: strip_w,
                lo,
                hi,
            },
        }
    }

    /// Row `j`'s band (every other row), name, share bars and share.
    fn decision(&self, out: &mut Out, d: &DecisionStat, j: usize, cy: f32, theme: &Theme) {
        let (content, row_h, bar_w) = (self.content, self.row_h, self.bar_w);
        if j.is_multiple_of(2) {
            let band = (cy - row_h / 2.0, cy + row_h / 2.0);
            out.row_band(content, band, theme.grid.with_alpha(110));
        }
        out.text(
            d.name.clone(),
            [content.x, cy],
            theme.body_size,
            theme.text,
            HAlign::Left,
        );
        let bx = content.x + self.name_w;
        let w = (d.share / self.max_share) as f32 * bar_w;
        let bh = if self.table.is_some() {
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
        let of_table = self
            .table
            .and_then(|t| t.decisions.iter().find(|x| x.name == d.name));
        if let Some(t) = of_table {
            let tw = (t.share / self.max_share.max(t.share)) as f32 * bar_w;
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
            theme.tick_size,
            theme.text,
            HAlign::Left,
        );
    }

    /// Each value of `d`: its mean and interval on the shared strip, a
    /// hit, and the first value's name and mean beside it.
    fn values(
        &self,
        out: &mut Out,
        d: &DecisionStat,
        cy: f32,
        highlighted: &dyn Fn(&str) -> bool,
        theme: &Theme,
        measure: &mut Measure,
    ) {
        let (strip, size) = (self.strip, theme.tick_size);
        for v in &d.values {
            let x = strip.at(v.mean);
            let c = op_color(&v.value);
            if let (Some(a), Some(b)) = (v.lo, v.hi) {
                out.mesh.line(
                    [strip.at(a.max(strip.lo)), cy],
                    [strip.at(b.min(strip.hi)), cy],
                    c.with_alpha(160),
                    2.0,
                );
            }
            let hl = highlighted(&v.value);
            let r = if hl { 6.0 } else { 4.0 };
            let ring = if hl {
                theme.current
            } else {
                Color::rgb(255, 255, 255)
            };
            out.circles.push(trial_dot([x, cy], r, c, Some(ring)));
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
            let x = strip.at(b.mean) + 8.0;
            let fits = x + measure(&label, size).0 < self.content.x + self.content.w;
            let y = cy - self.row_h * 0.3;
            let (at, align) = if fits {
                ([x, y], HAlign::Left)
            } else {
                ([strip.at(b.mean) - 8.0, y], HAlign::Right)
            };
            out.text(label, at, size, theme.muted, align);
        }
    }

    /// The shared strip's axis under the rows, what it reads, and how
    /// many of the `decisions` did not fit.
    fn axis(&self, out: &mut Out, decisions: usize, theme: &Theme, measure: &mut Measure) {
        let (strip, content, size) = (self.strip, self.content, theme.tick_size);
        let ay = self.top + self.row_h * self.shown as f32 + 4.0;
        out.mesh
            .line([strip.x, ay], [strip.x + strip.w, ay], theme.axis, 1.0);
        // as many ticks as labels like "76.5%" fit side by side
        let fit = (strip.w / (size * 0.6 * 6.0 + 10.0)).floor() as usize;
        let ticks = crate::layout::nice_ticks(strip.lo, strip.hi, fit.clamp(2, 5));
        let labels = ticks.values.iter().map(|&v| {
            let label =
                crate::layout::format_tick(v, ticks.step, crate::layout::TickStyle::Percent);
            (v, label)
        });
        out.strip_ticks(&strip, labels, ay, theme);
        out.fit(
            &[
                "mean validation accuracy of trials with the value, 95% interval",
                "mean validation, 95% interval",
            ],
            [strip.x, ay + size * 2.0],
            content.x + content.w - strip.x,
            size,
            theme.muted,
            measure,
        );
        if self.shown < decisions {
            out.text(
                format!("… {} more decisions", decisions - self.shown),
                [content.x, ay + size * 0.7],
                size,
                theme.muted,
                HAlign::Left,
            );
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
