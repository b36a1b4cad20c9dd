//! The accuracy scatter (validation vs test, circle size = test accuracy,
//! colour = step) and the accuracy-over-steps line chart.
//!
//! The points of all trials up to the current step come from a
//! [`PointCache`] (`points.rs`); the axes are `axes.rs`'s.

pub use super::axes::Axes;
pub(crate) use super::axes::{draw_axes, AxisSpec, TickFormat};
use super::motion::{ease_out_back, fade, lerp2};
use super::panel::{empty_view, panel_frame};
pub(crate) use super::points::has_clock;
pub use super::points::{PointCache, Ranges};
use super::theme::Theme;
use super::transition::Motion;
use super::{fmt_pct, Measure, ViewScene};
use crate::analysis::Analytics;
use crate::layout::Rect;
use crate::render::{Circle, Color, HAlign, MeshBuilder, TextRun, VAlign, ViewTransform};
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

/// What a plot view is drawn from: the run at its step, the ranges and
/// cached points, the transition in flight, and what the viewer adds.
#[derive(Clone, Copy)]
pub struct PlotInput<'a> {
    pub run: &'a Run,
    pub analytics: &'a Analytics,
    pub step: usize,
    /// The default data ranges (a zoom window shows a part of them).
    pub ranges: Ranges,
    pub cache: &'a PointCache,
    /// A frame in the middle of a transition; `None` for a still one.
    pub motion: Option<&'a Motion>,
    /// Trailing cached points the view draws itself (the newest trial
    /// growing in): 0 or 1.
    pub held: usize,
    /// The part on show, points outside it, marked points.
    pub view: PlotView<'a>,
    pub theme: &'a Theme,
}

/// What a plot draws into: the frame and axes under the points, the
/// overlay above them, the circles it draws itself (in data coordinates)
/// and the text.
struct Canvas {
    mesh: MeshBuilder,
    overlay: MeshBuilder,
    circles: Vec<Circle>,
    texts: Vec<TextRun>,
}

impl Canvas {
    /// The framed panel titled `title`, and its content rectangle.
    fn open(rect: Rect, title: &str, theme: &Theme) -> (Canvas, Rect) {
        let mut mesh = MeshBuilder::new();
        let mut texts = Vec::new();
        let content = panel_frame(&mut mesh, &mut texts, rect, title, theme);
        let canvas = Canvas {
            mesh,
            overlay: MeshBuilder::new(),
            circles: Vec::new(),
            texts,
        };
        (canvas, content)
    }

    /// The framed panel that says there are no trials yet.
    fn no_trials(self, rect: Rect, content: Rect, theme: &Theme) -> ViewScene {
        empty_view(self.mesh, self.texts, rect, content, "No trials yet", theme)
    }

    /// The axes of `spec` in `content`, under the points.
    fn axes(
        &mut self,
        content: Rect,
        spec: &AxisSpec<'_>,
        theme: &Theme,
        measure: &mut Measure,
    ) -> Axes {
        draw_axes(
            &mut self.mesh,
            &mut self.texts,
            content,
            spec,
            theme,
            measure,
        )
    }

    /// The view: the plot area of `axes` and its data transform.
    fn finish(self, axes: &Axes) -> ViewScene {
        let mut scene = ViewScene::new(axes.area);
        scene.data_view = axes.view;
        scene.mesh = self.mesh.build();
        scene.overlay = self.overlay.build();
        scene.circles = self.circles;
        scene.texts = self.texts;
        scene
    }

    /// A note in the upper right corner of `rect`, its top at `y`.
    fn corner_note(&mut self, text: String, rect: Rect, y: f32, color: Color, theme: &Theme) {
        self.texts.push(
            TextRun::new(text, [rect.x + rect.w - 12.0, y], theme.tick_size, color)
                .aligned(HAlign::Right, VAlign::Top),
        );
    }

    /// Marked points over a plot: hovered ones grown, selected ones ringed
    /// and lettered, users' diamonds, linked ones ringed.
    fn marks(&mut self, marks: &[PointMark], axes: &Axes, theme: &Theme) {
        let area = axes.area;
        let inside = |p: [f32; 2]| {
            p[0] >= area.x && p[0] <= area.x + area.w && p[1] >= area.y && p[1] <= area.y + area.h
        };
        for (c, kind) in marks {
            let p = axes.view.apply(c.center);
            if !c.is_valid() || !inside(p) {
                continue;
            }
            match kind {
                MarkKind::Selected(letter) => self.selected(p, c.radius + 6.0, *letter, theme),
                MarkKind::User => {
                    let r = c.radius + 5.0;
                    let d = [
                        [p[0], p[1] - r],
                        [p[0] + r, p[1]],
                        [p[0], p[1] + r],
                        [p[0] - r, p[1]],
                        [p[0], p[1] - r],
                    ];
                    self.overlay.polyline(&d, Color::WHITE, 4.0);
                    self.overlay.polyline(&d, theme.user, 2.2);
                }
                MarkKind::Linked => {
                    self.overlay.ring(p, c.radius + 3.0, theme.accent, 2.0);
                }
                MarkKind::Hover(k) => {
                    let k = k.clamp(0.0, 1.0);
                    let r = c.radius * (1.0 + 0.9 * k) + 2.5 * k;
                    let color = Color::from_packed(c.fill).with_alpha(255);
                    self.circles
                        .push(Circle::new(c.center, r, color).with_stroke(theme.text, 1.6));
                    self.overlay
                        .ring(p, r + 3.0, Color::WHITE.with_alpha(220), 2.0);
                }
            }
        }
    }

    /// A selected point's double ring at `p`, and its letter in a diff.
    fn selected(&mut self, p: [f32; 2], r: f32, letter: Option<char>, theme: &Theme) {
        self.overlay.ring(p, r, Color::WHITE, 4.5);
        self.overlay.ring(p, r, theme.selected, 2.5);
        if let Some(l) = letter {
            self.texts.push(
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

    /// The newest trial's circle growing in (scaled with a slight
    /// overshoot) and a pulse ring spreading from it, at transition
    /// progress `u`.
    fn grow_in(&mut self, c: Circle, u: f32, view: &ViewTransform) {
        let k = ease_out_back(u).max(0.0);
        self.circles.push(Circle {
            radius: c.radius * k,
            stroke_width: c.stroke_width * k.min(1.0),
            ..c
        });
        if u < 1.0 {
            let p = view.apply(c.center);
            let r = c.radius.max(3.0) * (1.0 + 2.5 * u);
            let color = Color::from_packed(c.fill).with_alpha(255);
            self.overlay.ring(p, r, fade(color, 0.8 * (1.0 - u)), 2.0);
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
pub fn scatter_view(input: &PlotInput<'_>, rect: Rect, measure: &mut Measure) -> ViewScene {
    let (theme, pv) = (input.theme, input.view);
    let (mut canvas, content) = Canvas::open(rect, "Validation vs test accuracy", theme);
    if input.run.trials.is_empty() {
        return canvas.no_trials(rect, content, theme);
    }
    let spec = AxisSpec::new(
        (
            pv.window.range(0, input.ranges.val),
            pv.window.range(1, input.ranges.test),
        ),
        ("Validation accuracy", "Test accuracy"),
        (&pct_fmt, &pct_fmt),
    );
    let axes = canvas.axes(content, &spec, theme, measure);
    canvas.current_and_best(input, &axes);
    canvas.marks(pv.marks, &axes, theme);
    if pv.outside > 0 {
        let note = outside_text(pv.outside, pv.window);
        canvas.corner_note(note, rect, rect.y + 12.0, theme.muted, theme);
    }
    canvas.finish(&axes)
}

impl Canvas {
    /// The scatter's best trial so far (a disc) and the current one (a
    /// ring gliding from where it was), with the newest trial growing in.
    fn current_and_best(&mut self, input: &PlotInput<'_>, axes: &Axes) {
        let (run, step, theme) = (input.run, input.step, input.theme);
        let Some(st) = input.analytics.step(step) else {
            return;
        };
        let best = run.trials.at(st.best);
        let cur = run.trials.at(step);
        let pb = axes
            .view
            .apply([best.metrics.val_acc as f32, best.metrics.test_acc as f32]);
        let here = [cur.metrics.val_acc as f32, cur.metrics.test_acc as f32];
        // the ring glides from where it was
        let (u, from) = match input.motion {
            Some(m) => (
                m.u,
                m.ring_from
                    .map(|[v, t]| [v as f32, t as f32])
                    .unwrap_or(here),
            ),
            None => (1.0, here),
        };
        let pc = axes.view.apply(lerp2(from, here, u));
        if input.held > 0 {
            if let Some(c) = input.cache.scatter.get(step) {
                self.grow_in(*c, u, &axes.view);
            }
        }
        self.overlay.disc(pb, 7.0, theme.best);
        self.overlay.ring(pb, 7.0, theme.text, 1.5);
        self.overlay.ring(pc, 9.0, theme.current, 2.5);
    }
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

/// A run's best-so-far line in the line chart: the run, its analytics,
/// the steps where its best changed, its colour and its step on show.
#[derive(Clone, Copy)]
pub struct BestLine<'a> {
    pub run: &'a Run,
    pub analytics: &'a Analytics,
    pub improvements: &'a [usize],
    pub color: Color,
    pub step: usize,
}

impl BestLine<'_> {
    /// The best validation accuracy so far up to the step, as a step line
    /// in pixels through the improvements; x is the step or, with
    /// `x_time`, the simulated time.
    fn points(&self, x_time: bool, y: (f64, f64), view: &ViewTransform) -> Vec<[f32; 2]> {
        let run = self.run;
        let xpos = |i: usize| -> f32 {
            if x_time {
                run.trials.get(i).and_then(|t| t.time_s).unwrap_or(0.0) as f32
            } else {
                i as f32
            }
        };
        let mut pts: Vec<[f32; 2]> = Vec::new();
        for &i in self.improvements {
            let Some(st) = self.analytics.step(i) else {
                break;
            };
            let v = run.trials.at(st.best).metrics.val_acc.clamp(y.0, y.1) as f32;
            let p = view.apply([xpos(i), v]);
            if let Some(prev) = pts.last().copied() {
                pts.push([p[0], prev[1]]);
            }
            pts.push(p);
        }
        if let (Some(prev), Some(last)) = (pts.last().copied(), run.trials.len().checked_sub(1)) {
            let end = view.apply([xpos(self.step.min(last)), 0.0])[0];
            pts.push([end, prev[1]]);
        }
        pts
    }
}

/// The line chart's default x range: every step, or the whole simulated
/// time (when `x_time` and the run has a clock).
pub fn line_x_range(run: &Run, x_time: bool) -> (f64, f64) {
    let n = run.trials.len();
    if x_time && has_clock(run) && n > 0 {
        let end = run.trials.at(n - 1).time_s.unwrap_or(0.0).max(1.0);
        (-end * 0.01, end * 1.01)
    } else {
        (-0.5, (n as f64 - 0.5).max(0.5))
    }
}

/// What the line chart draws besides the points: the steps where the best
/// so far improved, the compared run's best line, and its x axis.
#[derive(Clone, Copy)]
pub struct LineInput<'a> {
    pub improvements: &'a [usize],
    pub other: Option<BestLine<'a>>,
    /// The x axis is the simulated search time (when the run has a clock).
    pub x_time: bool,
}

/// Accuracy per step (dots) and the best validation accuracy so far (a
/// step line), with the current step marked.
pub fn line_view(
    input: &PlotInput<'_>,
    line: &LineInput<'_>,
    rect: Rect,
    measure: &mut Measure,
) -> ViewScene {
    let (run, step, theme, pv) = (input.run, input.step, input.theme, input.view);
    let (mut canvas, content) = Canvas::open(rect, "Validation accuracy per step", theme);
    if run.trials.is_empty() {
        return canvas.no_trials(rect, content, theme);
    }
    let x_time = line.x_time && has_clock(run);
    let (x_label, x_fmt): (&str, TickFormat<'_>) = if x_time {
        ("Simulated search time", &time_fmt)
    } else {
        ("Step", &int_fmt)
    };
    let y = pv.window.range(1, input.ranges.val);
    let spec = AxisSpec {
        // steps read from 1, as on the timeline and in the table
        x_shift: if x_time { 0.0 } else { 1.0 },
        ..AxisSpec::new(
            (pv.window.range(0, line_x_range(run, x_time)), y),
            (x_label, "Validation accuracy"),
            (x_fmt, &pct_fmt),
        )
    };
    let axes = canvas.axes(content, &spec, theme, measure);
    let cur_px = canvas.line_cursor(input, x_time, &axes);
    let mine = BestLine {
        run,
        analytics: input.analytics,
        improvements: line.improvements,
        color: theme.accent,
        step,
    };
    for best in std::iter::once(mine).chain(line.other) {
        let pts = best.points(x_time, y, &axes.view);
        canvas.overlay.polyline(&pts, best.color, 2.0);
    }
    canvas.marks(pv.marks, &axes, theme);
    if pv.outside > 0 && !pv.window.is_full() {
        let (note, y) = (
            outside_text(pv.outside, pv.window),
            rect.y + 16.0 + theme.tick_size,
        );
        canvas.corner_note(note, rect, y, theme.muted, theme);
    }
    canvas.overlay.line(
        [cur_px, axes.area.y],
        [cur_px, axes.area.y + axes.area.h],
        theme.current.with_alpha(150),
        1.5,
    );
    if let Some(st) = input.analytics.step(step) {
        let b = run.trials.at(st.best);
        let text = format!("— best so far: {}", fmt_pct(b.metrics.val_acc));
        canvas.corner_note(text, rect, rect.y + 12.0, theme.accent, theme);
    }
    canvas.finish(&axes)
}

impl Canvas {
    /// Where the line chart's cursor stands (gliding from where it was),
    /// in pixels, with the newest trial growing in.
    fn line_cursor(&mut self, input: &PlotInput<'_>, x_time: bool, axes: &Axes) -> f32 {
        let (run, step) = (input.run, input.step);
        let i = step.min(run.trials.len() - 1);
        let here = if x_time {
            run.trials.at(i).time_s.unwrap_or(0.0)
        } else {
            i as f64
        } as f32;
        let (u, from) = match input.motion {
            Some(m) => (m.u, m.cursor_from.map(|x| x as f32).unwrap_or(here)),
            None => (1.0, here),
        };
        if input.held > 0 {
            if let Some(c) = input.cache.line.get(step) {
                self.grow_in(*c, u, &axes.view);
            }
        }
        axes.view.apply([from + (here - from) * u, 0.0])[0]
    }
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
        let spec = AxisSpec::new(
            ((1.0, 400.0), (0.78, 0.815)),
            ("Step", "Validation accuracy"),
            (&num, &pct),
        );
        let axes = draw_axes(
            &mut mesh,
            &mut texts,
            Rect {
                x: 0.0,
                y: 0.0,
                w: 600.0,
                h,
            },
            &spec,
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
