//! The accuracy scatter (validation vs test, circle size = test accuracy,
//! colour = step) and the accuracy-over-steps line chart.
//!
//! Points of all trials up to the current step are kept in a
//! [`PointCache`]: moving the step appends or drops only the points in
//! between, so a step change costs O(steps moved), not O(trials).

use super::motion::{ease_out_back, fade, lerp2};
use super::panel::{empty_view, panel_frame, to_pixel};
use super::theme::{ramp, Theme};
use super::transition::Motion;
use super::{fmt_pct, Measure, ViewScene};
use crate::analysis::Analytics;
use crate::layout::nice_ticks;
use crate::layout::Rect;
use crate::render::{
    Circle, Color, HAlign, MeshBuilder, PixelRect, TextRun, VAlign, ViewTransform,
};
use crate::trace::Run;

/// Data ranges shown by default: the dense region of the run (accuracies
/// crowd near the top), from a low quantile to the maximum, padded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ranges {
    pub val: (f64, f64),
    pub test: (f64, f64),
}

fn quantile(mut v: Vec<f64>, q: f64) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    let k = ((v.len() - 1) as f64 * q).round() as usize;
    let k = k.min(v.len() - 1);
    v.select_nth_unstable_by(k, f64::total_cmp);
    Some(v[k])
}

fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let span = hi - lo;
    if !(span.is_finite()) || span <= 1e-9 {
        let c = if lo.is_finite() { lo } else { 0.5 };
        return (c - 0.01, c + 0.01);
    }
    (lo - span * 0.04, hi + span * 0.04)
}

impl Ranges {
    /// The dense region of a run: 5th percentile to maximum of each axis.
    pub fn of_run(run: &Run) -> Ranges {
        Self::quantile_to_max(run, 0.05)
    }

    /// Every trial of a run: minimum to maximum of each axis.
    pub fn full(run: &Run) -> Ranges {
        Self::quantile_to_max(run, 0.0)
    }

    fn quantile_to_max(run: &Run, q: f64) -> Ranges {
        let vals: Vec<f64> = run.trials.iter().map(|t| t.metrics.val_acc).collect();
        let tests: Vec<f64> = run.trials.iter().map(|t| t.metrics.test_acc).collect();
        let r = |v: Vec<f64>| {
            let hi = v
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .fold(f64::NEG_INFINITY, f64::max);
            match quantile(v, q) {
                Some(lo) => padded(lo, hi),
                None => (0.0, 1.0),
            }
        };
        Ranges {
            val: r(vals),
            test: r(tests),
        }
    }
}

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

/// How many circles lie outside the data box `x` by `y`.
fn count_outside(circles: &[Circle], x: (f64, f64), y: (f64, f64)) -> usize {
    let (x0, x1, y0, y1) = (x.0 as f32, x.1 as f32, y.0 as f32, y.1 as f32);
    circles
        .iter()
        .filter(|c| {
            let [a, b] = c.center;
            !(a >= x0 && a <= x1 && b >= y0 && b <= y1)
        })
        .count()
}

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

/// A count of points outside a zoomed box, kept up to date as points are
/// appended.
#[derive(Clone, Copy, Debug, PartialEq)]
struct OutsideMemo {
    x: (f64, f64),
    y: (f64, f64),
    generation: u64,
    len: usize,
    count: usize,
}

/// What the plots keep between frames of one run: the circles of every
/// trial up to the current step, the default ranges, and the steps at
/// which the best trial changed.
#[derive(Default)]
pub struct PointCache {
    pub scatter: Vec<Circle>,
    pub line: Vec<Circle>,
    total: usize,
    ranges: Option<Ranges>,
    /// Trials outside the shown ranges (scatter), among those cached.
    pub outside: usize,
    /// Steps at which the best-so-far trial changed, ascending.
    improvements: Vec<usize>,
    /// Whether the line chart's x is the simulated time (else the step).
    x_time: bool,
    /// One colour for every point (when two runs are compared), instead of
    /// the colour of the step.
    tint: Option<crate::render::Color>,
    /// Whether the ranges cover every trial (else the dense region).
    full: bool,
    /// Bumped whenever cached points are dropped or rebuilt (not when
    /// points are only appended or popped), so that a picture of the
    /// points can tell whether it is still a prefix of the cache.
    generation: u64,
    /// Points outside the zoomed scatter and line chart.
    zoomed_outside: [Option<OutsideMemo>; 2],
    /// The scatter's points binned per pixel (density mode).
    pub density: super::density::Density,
    /// The line chart's points as a min-max bar per pixel column (with
    /// density), and what it was built from.
    pub envelope: crate::render::Mesh,
    envelope_key: Option<(ViewTransform, PixelRect, u64, usize)>,
}

/// Whether every trial of `run` has a simulated time.
pub fn has_clock(run: &Run) -> bool {
    !run.trials.is_empty()
        && run
            .trials
            .iter()
            .all(|t| t.time_s.is_some_and(f64::is_finite))
}

impl PointCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The default ranges of `run`, computed once per run length.
    pub fn ranges(&mut self, run: &Run, full: bool) -> Ranges {
        match self.ranges {
            Some(r) if self.total == run.trials.len() && self.full == full => r,
            _ => {
                self.full = full;
                let r = if full {
                    Ranges::full(run)
                } else {
                    Ranges::of_run(run)
                };
                self.restart(run.trials.len(), r);
                r
            }
        }
    }

    /// Brings the list of improvement steps up to date with `analytics`.
    fn sync_improvements(&mut self, analytics: &Analytics) {
        let start = self.improvements.last().map_or(0, |&s| s + 1);
        let mut best = self
            .improvements
            .last()
            .and_then(|&s| analytics.step(s))
            .map(|s| s.best);
        for i in start..analytics.len() {
            if let Some(st) = analytics.step(i) {
                if Some(st.best) != best {
                    self.improvements.push(i);
                    best = Some(st.best);
                }
            }
        }
    }

    /// Improvement steps up to and including `step`.
    pub fn improvements_until(&mut self, analytics: &Analytics, step: usize) -> &[usize] {
        self.sync_improvements(analytics);
        let end = self.improvements.partition_point(|&s| s <= step);
        &self.improvements[..end]
    }

    /// See the `generation` field: equal generations mean the points
    /// differ only by what was appended or popped since.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The cached points of the scatter (`plot` 0) or the line chart (1).
    pub fn points(&self, plot: usize) -> &[Circle] {
        if plot == 0 {
            &self.scatter
        } else {
            &self.line
        }
    }

    /// How many cached points of the scatter (`plot` 0) or the line chart
    /// (1) lie outside the data box `x` by `y`; O(points appended) when
    /// asked again for the same box.
    pub fn outside_of(&mut self, plot: usize, x: (f64, f64), y: (f64, f64)) -> usize {
        let plot = plot.min(1);
        let circles = if plot == 0 { &self.scatter } else { &self.line };
        let memo = &mut self.zoomed_outside[plot];
        let m = match memo {
            Some(m)
                if m.x == x
                    && m.y == y
                    && m.generation == self.generation
                    && m.len <= circles.len() =>
            {
                m.count += count_outside(&circles[m.len..], x, y);
                m.len = circles.len();
                *m
            }
            _ => OutsideMemo {
                x,
                y,
                generation: self.generation,
                len: circles.len(),
                count: count_outside(circles, x, y),
            },
        };
        *memo = Some(m);
        m.count
    }

    /// Rebuilds the line chart's per-column envelope for `view` in `area`
    /// (O(points), only when the points or the view changed).
    pub fn sync_envelope(&mut self, view: ViewTransform, area: PixelRect) {
        let key = (view, area, self.generation, self.line.len());
        if self.envelope_key == Some(key) {
            return;
        }
        self.envelope_key = Some(key);
        self.envelope = line_envelope(&self.line, view, area, self.total);
    }

    /// Drops the cached points (they are rebuilt by the next sync).
    fn drop_points(&mut self) {
        self.generation += 1;
        self.scatter.clear();
        self.line.clear();
        self.outside = 0;
    }

    /// Starts over for a run of `total` trials shown in `ranges`.
    fn restart(&mut self, total: usize, ranges: Ranges) {
        self.drop_points();
        self.improvements.clear();
        self.total = total;
        self.ranges = Some(ranges);
    }

    /// Colours every point with `tint` (or by step with `None`).
    pub fn set_tint(&mut self, tint: Option<crate::render::Color>) {
        if self.tint != tint {
            self.tint = tint;
            self.drop_points();
        }
    }

    /// Makes the cache hold trials `0..upto` of `run`, with `ranges`.
    pub fn sync(&mut self, run: &Run, upto: usize, ranges: Ranges, x_time: bool) {
        let upto = upto.min(run.trials.len());
        let x_time = x_time && has_clock(run);
        if self.total != run.trials.len() || self.ranges != Some(ranges) || self.x_time != x_time {
            self.x_time = x_time;
            self.restart(run.trials.len(), ranges);
        }
        let n = run.trials.len().max(1) as f64;
        let (t0, t1) = ranges.test;
        let (v0, v1) = ranges.val;
        // smaller circles when there are many
        let base = (7.0 / (n / 500.0).sqrt().max(1.0)).clamp(1.2, 7.0) as f32;
        let inside = |t: &crate::trace::Trial| {
            (v0..=v1).contains(&t.metrics.val_acc) && (t0..=t1).contains(&t.metrics.test_acc)
        };
        while self.scatter.len() > upto {
            if let Some(t) = run.trials.get(self.scatter.len() - 1) {
                if !inside(t) {
                    self.outside = self.outside.saturating_sub(1);
                }
            }
            self.scatter.pop();
            self.line.pop();
        }
        for i in self.scatter.len()..upto {
            let t = &run.trials[i];
            let (val, test) = (t.metrics.val_acc, t.metrics.test_acc);
            let color = self.tint.unwrap_or_else(|| ramp(i as f64 / n));
            let size = ((test - t0) / (t1 - t0)).clamp(0.0, 1.0) as f32;
            let r = base * (0.45 + 0.75 * size);
            self.scatter.push(
                Circle::new([val as f32, test as f32], r, color.with_alpha(200)).with_stroke(
                    crate::render::Color::rgba(255, 255, 255, 160),
                    (r * 0.18).min(1.0),
                ),
            );
            let x = if self.x_time {
                t.time_s.unwrap_or(0.0) as f32
            } else {
                i as f32
            };
            self.line.push(Circle::new(
                [x, val as f32],
                (base * 0.5).max(1.2),
                color.with_alpha(170),
            ));
            if !inside(t) {
                self.outside += 1;
            }
        }
    }
}

/// The line chart's points decimated per pixel column: a bar from the
/// lowest to the highest validation accuracy of the trials in that column,
/// coloured by their mean step; its cost follows the panel's width.
pub fn line_envelope(
    points: &[Circle],
    view: ViewTransform,
    area: PixelRect,
    total: usize,
) -> crate::render::Mesh {
    let cols = (area.w.ceil().max(1.0) as usize).min(1 << 15);
    let mut lo = vec![f32::INFINITY; cols];
    let mut hi = vec![f32::NEG_INFINITY; cols];
    let mut sum = vec![0.0f64; cols];
    let mut count = vec![0u32; cols];
    for (i, c) in points.iter().enumerate() {
        let p = view.apply(c.center);
        let x = (p[0] - area.x).floor();
        if !(x.is_finite() && p[1].is_finite()) || x < 0.0 || x as usize >= cols {
            continue;
        }
        let k = x as usize;
        lo[k] = lo[k].min(p[1]);
        hi[k] = hi[k].max(p[1]);
        sum[k] += i as f64;
        count[k] += 1;
    }
    let n = total.max(1) as f64;
    let top = area.y;
    let bottom = area.y + area.h;
    let mut mesh = MeshBuilder::new();
    for k in 0..cols {
        if count[k] == 0 {
            continue;
        }
        let (y0, y1) = (lo[k].max(top - 2.0), hi[k].min(bottom + 2.0));
        if y0 > y1 {
            continue;
        }
        let mid = (y0 + y1) / 2.0;
        let half = ((y1 - y0) / 2.0).max(1.0);
        let x = area.x + k as f32;
        let color = ramp(sum[k] / count[k] as f64 / n).with_alpha(170);
        mesh.rounded_rect(
            [x, mid - half],
            [x + 1.0, mid + half],
            0.0,
            Some(color),
            None,
        );
    }
    mesh.build()
}

/// Axis layout of a plot: the plot area inside its panel and the data to
/// pixel transform.
pub struct Axes {
    pub area: PixelRect,
    pub view: ViewTransform,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// Axes with gridlines, ticks and labels inside `content`.
#[allow(clippy::too_many_arguments)]
pub fn draw_axes(
    mesh: &mut MeshBuilder,
    texts: &mut Vec<TextRun>,
    content: Rect,
    x: (f64, f64),
    y: (f64, f64),
    x_label: &str,
    y_label: &str,
    x_fmt: &dyn Fn(f64, f64) -> String,
    y_fmt: &dyn Fn(f64, f64) -> String,
    theme: &Theme,
    measure: &mut Measure,
) -> Axes {
    let labels = (x_label, y_label, x_fmt, y_fmt);
    draw_axes_shifted(mesh, texts, content, x, y, 0.0, labels, theme, measure)
}

/// The labels of a pair of axes and how their ticks read.
type AxisLabels<'a> = (
    &'a str,
    &'a str,
    &'a dyn Fn(f64, f64) -> String,
    &'a dyn Fn(f64, f64) -> String,
);

/// [`draw_axes`] whose x ticks read `x_shift` more than the data they
/// stand at (a step axis over 0-based positions reads from 1), chosen as
/// round numbers of what they read.
#[allow(clippy::too_many_arguments)]
pub fn draw_axes_shifted(
    mesh: &mut MeshBuilder,
    texts: &mut Vec<TextRun>,
    content: Rect,
    x: (f64, f64),
    y: (f64, f64),
    x_shift: f64,
    (x_label, y_label, x_fmt, y_fmt): AxisLabels<'_>,
    theme: &Theme,
    measure: &mut Measure,
) -> Axes {
    let bottom = content.y + content.h - theme.tick_size - 8.0 - theme.label_size - 6.0;
    let top = content.y + theme.tick_size + 10.0;
    // about five ticks, fewer where a short plot would crowd their labels
    let height = f64::from((bottom - top).max(1.0));
    let min_gap = f64::from(theme.tick_size) * 1.8;
    let mut target = 5;
    let mut ty = nice_ticks(y.0, y.1, target);
    while target > 2 && ty.step / (y.1 - y.0).max(f64::MIN_POSITIVE) * height < min_gap {
        target -= 1;
        ty = nice_ticks(y.0, y.1, target);
    }
    let y_labels: Vec<String> = ty.values.iter().map(|&v| y_fmt(v, ty.step)).collect();
    let label_w = y_labels
        .iter()
        .map(|l| measure(l, theme.tick_size).0)
        .fold(0.0f32, f32::max);
    let left = content.x + theme.label_size + 8.0 + label_w + 8.0;
    let area = PixelRect::new(
        left,
        top,
        (content.x + content.w - left).max(1.0),
        (bottom - top).max(1.0),
    );
    let sx = area.w as f64 / (x.1 - x.0);
    let sy = area.h as f64 / (y.1 - y.0);
    let view = ViewTransform {
        scale: [sx as f32, -sy as f32],
        offset: [
            (area.x as f64 - x.0 * sx) as f32,
            (area.y as f64 + area.h as f64 + y.0 * sy) as f32,
        ],
    };
    let px = |vx: f64, vy: f64| view.apply([vx as f32, vy as f32]);
    // gridlines and tick labels
    for (v, label) in ty.values.iter().zip(&y_labels) {
        if *v < y.0 || *v > y.1 {
            continue;
        }
        let p = px(x.0, *v);
        mesh.line([area.x, p[1]], [area.x + area.w, p[1]], theme.grid, 1.0);
        texts.push(
            TextRun::new(
                label.clone(),
                [area.x - 6.0, p[1]],
                theme.tick_size,
                theme.muted,
            )
            .aligned(HAlign::Right, VAlign::Middle),
        );
    }
    let tx = nice_ticks(
        x.0 + x_shift,
        x.1 + x_shift,
        ((area.w / 110.0).round() as usize).clamp(2, 8),
    );
    for &shown in &tx.values {
        let v = shown - x_shift;
        if v < x.0 || v > x.1 {
            continue;
        }
        let p = px(v, y.0);
        mesh.line([p[0], area.y], [p[0], area.y + area.h], theme.grid, 1.0);
        texts.push(
            TextRun::new(
                x_fmt(shown, tx.step),
                [p[0], area.y + area.h + 5.0],
                theme.tick_size,
                theme.muted,
            )
            .aligned(HAlign::Center, VAlign::Top),
        );
    }
    // frame
    mesh.line(
        [area.x, area.y + area.h],
        [area.x + area.w, area.y + area.h],
        theme.axis,
        1.2,
    );
    mesh.line([area.x, area.y], [area.x, area.y + area.h], theme.axis, 1.2);
    texts.push(
        TextRun::new(
            x_label,
            [area.x + area.w / 2.0, content.y + content.h],
            theme.label_size,
            theme.text,
        )
        .aligned(HAlign::Center, VAlign::Bottom),
    );
    // the y label, stacked letter by letter would be unreadable: write it
    // horizontally above the axis instead
    texts.push(
        TextRun::new(
            y_label,
            [content.x, area.y - 8.0],
            theme.tick_size,
            theme.muted,
        )
        .aligned(HAlign::Left, VAlign::Bottom),
    );
    Axes { area, view, x, y }
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
