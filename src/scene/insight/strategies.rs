//! The strategies view: per group of seeds the mean best so far with its
//! band, against step or simulated time; the groups' data.

use super::{short_number, Body, Hit, Out};
use crate::analysis::strategies::Group;
use crate::fmt::fmt_int;
use crate::layout::Rect;
use crate::render::{Color, HAlign, PixelRect};
use crate::scene::plots::AxisSpec;
use crate::scene::theme::Theme;
use crate::scene::Measure;
use crate::trace::Run;

/// The strategies view's data: the groups, and each group's curve over
/// simulated time (empty where its runs have no clock).
#[derive(Clone, Debug)]
pub struct StrategyCurves {
    pub stats: crate::analysis::strategies::Strategies,
    /// Per group: `[time, mean, lo, hi]`.
    pub(crate) over_time: Vec<Vec<[f64; 4]>>,
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
    pub(crate) fn median_seed(&self, g: usize, step: usize) -> Option<usize> {
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
pub(crate) const GROUP_COLORS: [Color; 8] = [
    Color::rgb(31, 111, 235),
    Color::rgb(219, 109, 40),
    Color::rgb(26, 127, 55),
    Color::rgb(130, 80, 223),
    Color::rgb(191, 135, 0),
    Color::rgb(207, 34, 46),
    Color::rgb(14, 138, 158),
    Color::rgb(87, 96, 106),
];

pub(super) fn strategies_body(out: &mut Out, b: Body<'_, '_>) -> Option<String> {
    let (base, content, opts, theme, measure) = b.parts();
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
    let time = opts.x_time && sc.over_time.iter().any(|c| !c.is_empty());
    let test = opts.test && !time;
    let curves: Vec<Vec<[f64; 4]>> = (0..sc.stats.groups.len())
        .map(|g| curve(sc, g, time, test))
        .collect();
    let (x, y) = bounds(&curves, time);
    let notes = 1 + sc.stats.ahead.len().min(3);
    let notes_h = (theme.tick_size + 6.0) * notes as f32 + 8.0;
    let plot = Rect::new(content.x, content.y, content.w, content.h - notes_h);
    let what = if test {
        "test accuracy of the best-by-validation trial"
    } else {
        "best validation accuracy so far"
    };
    let y_label = format!("mean {what}, 95% interval over seeds");
    let fmt_x = |v, s| {
        if time {
            short_number(v)
        } else {
            crate::layout::format_tick(v, s, crate::layout::TickStyle::Plain)
        }
    };
    let fmt_y = |v, s| crate::layout::format_tick(v, s, crate::layout::TickStyle::Percent);
    let x_label = if time {
        "simulated search time (s)"
    } else {
        "step"
    };
    let spec = AxisSpec::new(
        ((x.0, x.1.max(x.0 + 1.0)), y),
        (x_label, &y_label),
        (&fmt_x, &fmt_y),
    );
    let axes = out.axes(plot, &spec, theme, measure);
    let at = |x: f64, v: f64| axes.view.apply([x as f32, v.clamp(y.0, y.1) as f32]);
    for (g, c) in curves.iter().enumerate().rev() {
        band_and_mean(out, g, c, &at, axes.area, time);
    }
    // the cursor: the step (or time) on show
    let cursor = if time {
        base.run.trials.get(base.step).and_then(|t| t.time_s)
    } else {
        Some((base.step + 1) as f64)
    };
    if let Some(cx) = cursor.filter(|&c| c >= x.0 && c <= x.1) {
        let p = at(cx, y.0);
        out.mesh.line(
            [p[0], axes.area.y],
            [p[0], axes.area.y + axes.area.h],
            theme.current.with_alpha(160),
            1.2,
        );
    }
    legend(out, &sc.stats.groups, axes.area, time, theme, measure);
    let top = content.y + content.h - notes_h + 8.0 + theme.tick_size / 2.0;
    notes_below(out, sc, [content.x, top], content.w, time, theme, measure);
    None
}

/// Group `g`'s curve as `[x, mean, lo, hi]`: over simulated time, or by
/// step of validation (or, with `test`, the test accuracy of the
/// best-by-validation trial).
fn curve(sc: &StrategyCurves, g: usize, time: bool, test: bool) -> Vec<[f64; 4]> {
    if time {
        return sc.over_time[g].clone();
    }
    let gr = &sc.stats.groups[g];
    let (m, l, h) = if test {
        (&gr.test_mean, &gr.test_lo, &gr.test_hi)
    } else {
        (&gr.mean, &gr.lo, &gr.hi)
    };
    (0..m.len())
        .map(|s| [(s + 1) as f64, m[s], l[s], h[s]])
        .collect()
}

/// The x range (from 0 or the first step to the curves' end) and the y
/// range (the bands above the random start, padded).
fn bounds(curves: &[Vec<[f64; 4]>], time: bool) -> ((f64, f64), (f64, f64)) {
    let (mut x1, mut y0, mut y1) = (1.0f64, f64::INFINITY, f64::NEG_INFINITY);
    let x0 = if time { 0.0 } else { 1.0 };
    for c in curves {
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
    ((x0, x1), (y0 - pad, (y1 + pad).min(1.0)))
}

/// Group `g`'s band and mean line (at most about one point per pixel
/// column of `area`), and by step its hits.
fn band_and_mean(
    out: &mut Out,
    g: usize,
    c: &[[f64; 4]],
    at: &dyn Fn(f64, f64) -> [f32; 2],
    area: PixelRect,
    time: bool,
) {
    let width = area.w.max(1.0) as usize;
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
            let w = (area.w / pts.len() as f32).max(2.0);
            out.hits.push((
                Rect::new(p[0] - w / 2.0, p[1] - 6.0, w, 12.0),
                Hit::Curve { group: g, step },
            ));
        }
    }
}

/// The groups' colours and names (seeds, and where cut), inside the
/// plot's lower right.
fn legend(
    out: &mut Out,
    groups: &[Group],
    area: PixelRect,
    time: bool,
    theme: &Theme,
    measure: &mut Measure,
) {
    let size = theme.tick_size;
    let mut ly = area.y + area.h - 10.0 - (groups.len() as f32 - 1.0) * (size + 6.0);
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
        let x = area.x + area.w - w - 8.0;
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
}

/// Under the plot from `at`: how the curves are made, then which groups
/// stay above which (at most three).
fn notes_below(
    out: &mut Out,
    sc: &StrategyCurves,
    at: [f32; 2],
    width: f32,
    time: bool,
    theme: &Theme,
    measure: &mut Measure,
) {
    let size = theme.tick_size;
    let [x, mut yy] = at;
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
        [x, yy],
        width,
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
        out.fit(&[&long, &short], [x, yy], width, size, theme.text, measure);
    }
}
