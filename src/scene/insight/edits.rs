//! The edit effects view: per kind of edit, the child-minus-parent delta
//! as interval, spread and extremes.

use super::{trial_dot, Body, Hit, Out};
use crate::fmt::{fmt_int, fmt_pp};
use crate::layout::Rect;
use crate::render::HAlign;

pub(super) fn edits_body(out: &mut Out, b: Body<'_, '_>) -> Option<String> {
    let (base, content, opts, theme, measure) = b.parts();
    let (run, analytics, step) = (base.run, base.analytics, base.step);
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
