//! The importance view: each decision's share of variance, its values'
//! means with intervals on one axis, the table's share beside it.

use super::{trial_dot, Body, Hit, Out};
use crate::fmt::{fmt_int, fmt_pct};
use crate::layout::Rect;
use crate::render::{Color, HAlign};
use crate::scene::theme::op_color;

pub(super) fn importance_body(out: &mut Out, b: Body<'_, '_>) -> Option<String> {
    let (base, content, opts, theme, measure) = b.parts();
    let (run, analytics, step) = (base.run, base.analytics, base.step);
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
