//! The accuracy scatter (validation vs test, circle size = test accuracy,
//! colour = step) and the accuracy-over-steps line chart.
//!
//! The points of all trials up to the current step come from a
//! [`PointCache`] (`points.rs`); the axes are `axes.rs`'s.

pub use super::axes::{draw_axes, draw_axes_shifted, Axes};
use super::motion::{ease_out_back, fade, lerp2};
use super::panel::{empty_view, panel_frame, to_pixel};
pub use super::points::{has_clock, line_envelope, PointCache, Ranges};
use super::theme::Theme;
use super::transition::Motion;
use super::{fmt_pct, Measure, ViewScene};
use crate::analysis::Analytics;
use crate::layout::Rect;
use crate::render::{
    Circle, Color, HAlign, MeshBuilder, PixelRect, TextRun, VAlign, ViewTransform,
};
use crate::trace::Run;

/// The part of a plot on show: per axis, the fractions of the plot's
/// default data range at its two ends (`FULL` is the default view; a
/// zoom narrows it, a pan shifts it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub x: [f64; 2],
    pub y: [f64; 2],
}

impl Window {
    pub const FULL: Window = Window {
        x: [0.0, 1.0],
        y: [0.0, 1.0],
    };

    pub fn is_full(&self) -> bool {
        *self == Window::FULL
    }

    /// The data range shown of an axis whose default range is `r`.
    pub fn range(&self, axis: usize, r: (f64, f64)) -> (f64, f64) {
        let f = if axis == 0 { self.x } else { self.y };
        let span = r.1 - r.0;
        (r.0 + f[0] * span, r.0 + f[1] * span)
    }
}

impl Default for Window {
    fn default() -> Self {
        Window::FULL
    }
}

/// How a trial's point is marked over the plots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MarkKind {
    /// Under the pointer (here or in a linked view): grown by `0..=1`.
    Hover(f32),
    /// Selected, with its letter in a two-trial diff.
    Selected(Option<char>),
    /// Made by a user's edit: an outlined diamond around the point.
    User,
    /// Picked out by an insight view (a clicked value or edit kind, a
    /// member of the Pareto front): ringed in the accent colour.
    Linked,
}

/// A marked point: the trial's circle (as cached) and how it is marked.
pub type PointMark = (Circle, MarkKind);

/// What the viewer adds to a plot: the part on show, how many points lie
/// outside it, and marked points (hovered, selected).
#[derive(Clone, Copy, Debug, Default)]
pub struct PlotView<'a> {
    pub window: Window,
    /// Points outside the window (or, unzoomed, outside the dense range).
    pub outside: usize,
    pub marks: &'a [PointMark],
}

/// Draws marked points over a plot: hovered ones grown, selected ones
/// ringed and lettered.
fn draw_marks(
    scene: &mut ViewScene,
    overlay: &mut MeshBuilder,
    texts: &mut Vec<TextRun>,
    marks: &[PointMark],
    area: PixelRect,
    theme: &Theme,
) {
    let view = scene.data_view;
    let inside = |p: [f32; 2]| {
        p[0] >= area.x && p[0] <= area.x + area.w && p[1] >= area.y && p[1] <= area.y + area.h
    };
    for (c, kind) in marks {
        let p = view.apply(c.center);
        if !c.is_valid() || !inside(p) {
            continue;
        }
        match kind {
            MarkKind::Selected(letter) => {
                let r = c.radius + 6.0;
                overlay.rounded_rect(
                    [p[0] - r, p[1] - r],
                    [p[0] + r, p[1] + r],
                    r,
                    None,
                    Some((Color::WHITE, 4.5)),
                );
                overlay.rounded_rect(
                    [p[0] - r, p[1] - r],
                    [p[0] + r, p[1] + r],
                    r,
                    None,
                    Some((theme.selected, 2.5)),
                );
                if let Some(l) = letter {
                    texts.push(
                        TextRun::new(
                            l.to_string(),
                            [p[0] + r * 0.75 + 2.0, p[1] - r * 0.75 - 2.0],
                            theme.label_size,
                            theme.selected,
                        )
                        .aligned(HAlign::Left, VAlign::Bottom),
                    );
                }
            }
            MarkKind::User => {
                let r = c.radius + 5.0;
                let d = [
                    [p[0], p[1] - r],
                    [p[0] + r, p[1]],
                    [p[0], p[1] + r],
                    [p[0] - r, p[1]],
                    [p[0], p[1] - r],
                ];
                overlay.polyline(&d, Color::WHITE, 4.0);
                overlay.polyline(&d, theme.user, 2.2);
            }
            MarkKind::Linked => {
                let r = c.radius + 3.0;
                overlay.rounded_rect(
                    [p[0] - r, p[1] - r],
                    [p[0] + r, p[1] + r],
                    r,
                    None,
                    Some((theme.accent, 2.0)),
                );
            }
            MarkKind::Hover(k) => {
                let k = k.clamp(0.0, 1.0);
                let r = c.radius * (1.0 + 0.9 * k) + 2.5 * k;
                let color = Color::rgba(
                    (c.fill & 0xff) as u8,
                    ((c.fill >> 8) & 0xff) as u8,
                    ((c.fill >> 16) & 0xff) as u8,
                    255,
                );
                scene
                    .circles
                    .push(Circle::new(c.center, r, color).with_stroke(theme.text, 1.6));
                let halo = r + 3.0;
                overlay.rounded_rect(
                    [p[0] - halo, p[1] - halo],
                    [p[0] + halo, p[1] + halo],
                    halo,
                    None,
                    Some((Color::WHITE.with_alpha(220), 2.0)),
                );
            }
        }
    }
}

fn pct_fmt(v: f64, step: f64) -> String {
    crate::layout::format_tick(v, step, crate::layout::TickStyle::Percent)
}

fn time_fmt(v: f64, _step: f64) -> String {
    if v <= 0.0 {
        "0".into()
    } else if v >= 86400.0 {
        format!("{:.1} d", v / 86400.0)
    } else if v >= 3600.0 {
        format!("{:.1} h", v / 3600.0)
    } else {
        format!("{:.0} min", v / 60.0)
    }
}

fn int_fmt(v: f64, step: f64) -> String {
    crate::layout::format_tick(v, step, crate::layout::TickStyle::Plain)
}

/// The scatter of validation (x) against test (y) accuracy.
#[allow(clippy::too_many_arguments)]
pub fn scatter_view(
    run: &Run,
    analytics: &Analytics,
    step: usize,
    rect: Rect,
    ranges: Ranges,
    cache: &PointCache,
    motion: Option<&Motion>,
    held: usize,
    pv: PlotView<'_>,
    theme: &Theme,
    measure: &mut Measure,
) -> ViewScene {
    let mut mesh = MeshBuilder::new();
    let mut overlay = MeshBuilder::new();
    let mut texts = Vec::new();
    let content = panel_frame(
        &mut mesh,
        &mut texts,
        rect,
        "Validation vs test accuracy",
        theme,
    );
    if run.trials.is_empty() {
        return empty_view(mesh, texts, rect, content, "No trials yet", theme);
    }
    let mut scene = ViewScene::new(to_pixel(rect));
    let axes = draw_axes(
        &mut mesh,
        &mut texts,
        content,
        pv.window.range(0, ranges.val),
        pv.window.range(1, ranges.test),
        "Validation accuracy",
        "Test accuracy",
        &pct_fmt,
        &pct_fmt,
        theme,
        measure,
    );
    scene.rect = axes.area;
    scene.data_view = axes.view;
    // current and best trial
    if let Some(st) = analytics.step(step) {
        let best = &run.trials[st.best];
        let cur = &run.trials[step];
        let pb = axes
            .view
            .apply([best.metrics.val_acc as f32, best.metrics.test_acc as f32]);
        let here = [cur.metrics.val_acc as f32, cur.metrics.test_acc as f32];
        // the ring glides from where it was
        let (u, from) = match motion {
            Some(m) => (
                m.u,
                m.ring_from
                    .map(|[v, t]| [v as f32, t as f32])
                    .unwrap_or(here),
            ),
            None => (1.0, here),
        };
        let pc = axes.view.apply(lerp2(from, here, u));
        if held > 0 {
            if let Some(c) = cache.scatter.get(step) {
                grow_in(&mut scene, &mut overlay, *c, u, &axes.view);
            }
        }
        overlay.disc(pb, 7.0, theme.best);
        overlay.rounded_rect(
            [pb[0] - 7.0, pb[1] - 7.0],
            [pb[0] + 7.0, pb[1] + 7.0],
            7.0,
            None,
            Some((theme.text, 1.5)),
        );
        overlay.rounded_rect(
            [pc[0] - 9.0, pc[1] - 9.0],
            [pc[0] + 9.0, pc[1] + 9.0],
            9.0,
            None,
            Some((theme.current, 2.5)),
        );
    }
    draw_marks(
        &mut scene,
        &mut overlay,
        &mut texts,
        pv.marks,
        axes.area,
        theme,
    );
    if pv.outside > 0 {
        texts.push(
            TextRun::new(
                outside_text(pv.outside, pv.window),
                [rect.x + rect.w - 12.0, rect.y + 12.0],
                theme.tick_size,
                theme.muted,
            )
            .aligned(HAlign::Right, VAlign::Top),
        );
    }
    scene.mesh = mesh.build();
    scene.overlay = overlay.build();
    scene.texts = texts;
    scene
}

/// "N trials outside ...", for the corner of a plot.
fn outside_text(n: usize, window: Window) -> String {
    format!(
        "{} trial{} outside the {}",
        crate::fmt::fmt_int(n),
        if n == 1 { "" } else { "s" },
        if window.is_full() {
            "zoomed range"
        } else {
            "view"
        }
    )
}

/// The newest trial's circle growing in (scaled with a slight overshoot)
/// and a pulse ring spreading from it, at transition progress `u`.
fn grow_in(
    scene: &mut ViewScene,
    overlay: &mut MeshBuilder,
    c: Circle,
    u: f32,
    view: &ViewTransform,
) {
    let k = ease_out_back(u).max(0.0);
    scene.circles.push(Circle {
        radius: c.radius * k,
        stroke_width: c.stroke_width * k.min(1.0),
        ..c
    });
    if u < 1.0 {
        let p = view.apply(c.center);
        let r = c.radius.max(3.0) * (1.0 + 2.5 * u);
        let color = crate::render::Color::rgba(
            (c.fill & 0xff) as u8,
            ((c.fill >> 8) & 0xff) as u8,
            ((c.fill >> 16) & 0xff) as u8,
            255,
        );
        overlay.rounded_rect(
            [p[0] - r, p[1] - r],
            [p[0] + r, p[1] + r],
            r,
            None,
            Some((fade(color, 0.8 * (1.0 - u)), 2.0)),
        );
    }
}

/// The best validation accuracy so far of `run` up to `step`, as a step
/// line in pixels through its `improvements` (steps where the best
/// changed); x is the step or, with `x_time`, the simulated time.
fn best_line(
    run: &Run,
    analytics: &Analytics,
    improvements: &[usize],
    step: usize,
    x_time: bool,
    y: (f64, f64),
    view: &ViewTransform,
) -> Vec<[f32; 2]> {
    let xpos = |i: usize| -> f32 {
        if x_time {
            run.trials.get(i).and_then(|t| t.time_s).unwrap_or(0.0) as f32
        } else {
            i as f32
        }
    };
    let mut pts: Vec<[f32; 2]> = Vec::new();
    for &i in improvements {
        let Some(st) = analytics.step(i) else { break };
        let v = run.trials[st.best].metrics.val_acc.clamp(y.0, y.1) as f32;
        let p = view.apply([xpos(i), v]);
        if let Some(prev) = pts.last().copied() {
            pts.push([p[0], prev[1]]);
        }
        pts.push(p);
    }
    if let (Some(prev), Some(last)) = (pts.last().copied(), run.trials.len().checked_sub(1)) {
        let end = view.apply([xpos(step.min(last)), 0.0])[0];
        pts.push([end, prev[1]]);
    }
    pts
}

/// The line chart's default x range: every step, or the whole simulated
/// time (when `x_time` and the run has a clock).
pub fn line_x_range(run: &Run, x_time: bool) -> (f64, f64) {
    let n = run.trials.len();
    if x_time && has_clock(run) && n > 0 {
        let end = run.trials[n - 1].time_s.unwrap_or(0.0).max(1.0);
        (-end * 0.01, end * 1.01)
    } else {
        (-0.5, (n as f64 - 0.5).max(0.5))
    }
}

/// Accuracy per step (dots) and the best validation accuracy so far (a
/// step line), with the current step marked.
#[allow(clippy::too_many_arguments)]
pub fn line_view(
    run: &Run,
    analytics: &Analytics,
    step: usize,
    rect: Rect,
    ranges: Ranges,
    improvements: &[usize],
    other: Option<(&Run, &Analytics, &[usize], crate::render::Color, usize)>,
    x_time: bool,
    (cache, motion, held): (&PointCache, Option<&Motion>, usize),
    pv: PlotView<'_>,
    theme: &Theme,
    measure: &mut Measure,
) -> ViewScene {
    let mut mesh = MeshBuilder::new();
    let mut overlay = MeshBuilder::new();
    let mut texts = Vec::new();
    let content = panel_frame(
        &mut mesh,
        &mut texts,
        rect,
        "Validation accuracy per step",
        theme,
    );
    if run.trials.is_empty() {
        return empty_view(mesh, texts, rect, content, "No trials yet", theme);
    }
    let mut scene = ViewScene::new(to_pixel(rect));
    let n = run.trials.len();
    let x_time = x_time && has_clock(run);
    let xpos = |i: usize| -> f64 {
        if x_time {
            run.trials[i].time_s.unwrap_or(0.0)
        } else {
            i as f64
        }
    };
    let x = pv.window.range(0, line_x_range(run, x_time));
    let y = pv.window.range(1, ranges.val);
    let (x_label, x_fmt): (&str, &dyn Fn(f64, f64) -> String) = if x_time {
        ("Simulated search time", &time_fmt)
    } else {
        ("Step", &int_fmt)
    };
    // steps read from 1, as on the timeline and in the table
    let axes = draw_axes_shifted(
        &mut mesh,
        &mut texts,
        content,
        x,
        y,
        if x_time { 0.0 } else { 1.0 },
        (x_label, "Validation accuracy", x_fmt, &pct_fmt),
        theme,
        measure,
    );
    scene.rect = axes.area;
    scene.data_view = axes.view;
    let here = xpos(step.min(n - 1)) as f32;
    let (u, from) = match motion {
        Some(m) => (m.u, m.cursor_from.map(|x| x as f32).unwrap_or(here)),
        None => (1.0, here),
    };
    let cur_px = axes.view.apply([from + (here - from) * u, 0.0])[0];
    if held > 0 {
        if let Some(c) = cache.line.get(step) {
            grow_in(&mut scene, &mut overlay, *c, u, &axes.view);
        }
    }
    let line = best_line(run, analytics, improvements, step, x_time, y, &axes.view);
    overlay.polyline(&line, theme.accent, 2.0);
    if let Some((orun, oa, oimp, ocolor, ostep)) = other {
        let line = best_line(orun, oa, oimp, ostep, x_time, y, &axes.view);
        overlay.polyline(&line, ocolor, 2.0);
    }
    draw_marks(
        &mut scene,
        &mut overlay,
        &mut texts,
        pv.marks,
        axes.area,
        theme,
    );
    if pv.outside > 0 && !pv.window.is_full() {
        texts.push(
            TextRun::new(
                outside_text(pv.outside, pv.window),
                [rect.x + rect.w - 12.0, rect.y + 16.0 + theme.tick_size],
                theme.tick_size,
                theme.muted,
            )
            .aligned(HAlign::Right, VAlign::Top),
        );
    }
    overlay.line(
        [cur_px, axes.area.y],
        [cur_px, axes.area.y + axes.area.h],
        theme.current.with_alpha(150),
        1.5,
    );
    if let Some(st) = analytics.step(step) {
        let b = &run.trials[st.best];
        texts.push(
            TextRun::new(
                format!("— best so far: {}", fmt_pct(b.metrics.val_acc)),
                [rect.x + rect.w - 12.0, rect.y + 12.0],
                theme.tick_size,
                theme.accent,
            )
            .aligned(HAlign::Right, VAlign::Top),
        );
    }
    scene.mesh = mesh.build();
    scene.overlay = overlay.build();
    scene.texts = texts;
    scene
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The y tick labels of axes drawn in `h` pixels of height, top to bottom.
    fn y_label_rows(h: f32) -> Vec<f32> {
        let theme = Theme::default();
        let mut mesh = MeshBuilder::default();
        let mut texts = Vec::new();
        let pct = |v: f64, _: f64| format!("{:.1}%", v * 100.0);
        let num = |v: f64, _: f64| format!("{v}");
        let mut measure = |s: &str, size: f32| crate::scene::approx_measure(s, size);
        let axes = draw_axes(
            &mut mesh,
            &mut texts,
            Rect {
                x: 0.0,
                y: 0.0,
                w: 600.0,
                h,
            },
            (1.0, 400.0),
            (0.78, 0.815),
            "Step",
            "Validation accuracy",
            &num,
            &pct,
            &theme,
            &mut measure,
        );
        let right = axes.area.x - 6.0;
        texts
            .iter()
            .filter(|t| (t.position[0] - right).abs() < 0.01)
            .map(|t| t.position[1])
            .collect()
    }

    #[test]
    fn a_short_plot_gets_fewer_y_ticks_whose_labels_do_not_touch() {
        let tall = y_label_rows(400.0);
        assert!(tall.len() >= 4, "{tall:?}");
        // about 70 pixels of plot, as the line chart has at 1100x700
        let short = y_label_rows(130.0);
        assert!(short.len() >= 2 && short.len() < tall.len(), "{short:?}");
        let size = Theme::default().tick_size;
        for w in short.windows(2) {
            assert!((w[0] - w[1]).abs() >= size * 1.8, "{short:?}");
        }
    }
}
