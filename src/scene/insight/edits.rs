//! The edit effects view: per kind of edit, the child-minus-parent delta
//! as interval, spread and extremes.

use super::{trial_dot, Body, Hit, Out, Strip};
use crate::analysis::edits::KindStat;
use crate::fmt::{fmt_int, fmt_pp};
use crate::layout::Rect;
use crate::render::HAlign;
use crate::scene::theme::Theme;

pub(super) fn edits_body(out: &mut Out, b: Body<'_, '_>) -> Option<String> {
    let (base, content, opts, theme, measure) = b.parts();
    let (run, analytics, step) = (base.run, base.analytics, base.step);
    let kinds = analytics.insight(run).edits.at(step);
    if kinds.is_empty() {
        return Some("No recorded edits up to this step: the run names no parent\nand edit for its trials (random search, TPE), or none yet.".into());
    }
    let total: u64 = kinds.iter().map(|k| k.n).sum();
    let t = fmt_int(total as usize);
    let head = [
        format!(
            "child − parent validation accuracy over {t} recorded edits, by kind, best mean first"
        ),
        format!("child − parent validation, {t} edits, best first"),
    ];
    let key: &[&str] = &[
        "bar: 95% interval of the mean · box: mean ± 1 sd · whiskers: min to max · dot: mean",
        "bar: 95% interval · box: ± 1 sd · whiskers: min–max",
    ];
    out.header(&[&[&head[0], &head[1]], key], content, theme, measure);
    let size = theme.tick_size;
    let top = content.y + 14.0 + size * 2.8;
    let bottom = content.y + content.h - size * 3.6;
    let row_h = (size + 8.0)
        .max((bottom - top) / kinds.len() as f32)
        .min(size * 2.6);
    let rows = ((bottom - top) / row_h).floor().max(1.0) as usize;
    let picked = pick(&kinds, rows);
    let label_w = picked
        .iter()
        .map(|k| measure(&k.kind, size).0)
        .fold(0.0f32, f32::max)
        .min(content.w * 0.4)
        + 8.0;
    let strip = delta_strip(&picked, content, label_w);
    let zero = strip.at(0.0);
    out.mesh.line(
        [zero, top - 4.0],
        [zero, top + row_h * picked.len() as f32 + 4.0],
        theme.axis,
        1.0,
    );
    let mut yy = top;
    for k in &picked {
        let hl = matches!(&opts.highlight, Some(Hit::Edit(e)) if *e == k.kind);
        kind_row(out, k, (yy, row_h), (label_w, &strip), hl, content, theme);
        yy += row_h;
    }
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
    let ticks = crate::layout::nice_ticks(strip.lo * 100.0, strip.hi * 100.0, 5);
    let labels = ticks
        .values
        .iter()
        .map(|&v| (v / 100.0, format!("{v:+} pp")));
    out.strip_ticks(&strip, labels, ay, theme);
    None
}

/// The kinds drawn in `rows` rows: all, or when not all fit the most
/// frequent, still by mean.
fn pick(kinds: &[KindStat], rows: usize) -> Vec<&KindStat> {
    if kinds.len() <= rows {
        return kinds.iter().collect();
    }
    let mut by_n: Vec<&KindStat> = kinds.iter().collect();
    by_n.sort_by(|a, b| b.n.cmp(&a.n).then(b.mean.total_cmp(&a.mean)));
    by_n.truncate(rows - 1);
    by_n.sort_by(|a, b| b.mean.total_cmp(&a.mean).then(b.n.cmp(&a.n)));
    by_n
}

/// The deltas' strip right of the kinds' names and counts: from the
/// lowest to the highest of the picked kinds' spreads and intervals (0
/// within), at most ±30 pp, padded.
fn delta_strip(picked: &[&KindStat], content: Rect, label_w: f32) -> Strip {
    let n_w = 52.0f32;
    let strip_x = content.x + label_w + n_w;
    let strip_w = (content.x + content.w - strip_x - 70.0).max(40.0);
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for k in picked {
        let sd = k.sd.unwrap_or(0.0);
        lo = lo.min(k.mean - sd).min(k.lo.unwrap_or(k.mean));
        hi = hi.max(k.mean + sd).max(k.hi.unwrap_or(k.mean));
    }
    lo = lo.max(-0.3);
    hi = hi.min(0.3);
    let span = (hi - lo).max(1e-4);
    Strip {
        x: strip_x,
        w: strip_w,
        lo: lo - span * 0.05,
        hi: hi + span * 0.05,
    }
}

/// One kind's row from `y`: its name, count, extremes, spread, interval,
/// mean and a hit; banded when highlighted.
fn kind_row(
    out: &mut Out,
    k: &KindStat,
    (y, row_h): (f32, f32),
    (label_w, strip): (f32, &Strip),
    highlighted: bool,
    content: Rect,
    theme: &Theme,
) {
    let size = theme.tick_size;
    let sx = |v: f64| strip.at(v.clamp(strip.lo, strip.hi));
    let cy = y + row_h / 2.0;
    if highlighted {
        out.row_band(content, (y, y + row_h), theme.selected.with_alpha(40));
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
        [strip.x + strip.w + 6.0, cy],
        size,
        c,
        HAlign::Left,
    );
    out.hits.push((
        Rect::new(content.x, y, content.w, row_h),
        Hit::Edit(k.kind.clone()),
    ));
}
