//! The whole dashboard: title and legend, the architecture DAG, the
//! summary table, the accuracy scatter and the line chart, for one step of
//! one run; and the same for one view alone.

use super::dag::{dag_picture, draw_picture, DagPicture};
use super::density::{ScatterMode, CROWDED};
use super::insight::{insight_view, Hit, InsightBase, InsightKind, InsightOptions, InsightScene};
use super::plots::{
    line_view, line_x_range, scatter_view, MarkKind, PlotView, PointCache, PointMark, Ranges,
    Window,
};
use super::table::table_view;
use super::theme::{ramp, Theme};
use super::transition::Motion;
use super::{Measure, ViewScene};
use crate::analysis::Analytics;
use crate::layout::{dashboard_panels, Rect};
use crate::render::{
    CachedLayer, Color, HAlign, MeshBuilder, PixelRect, Scene, SizeMode, TextRun, VAlign,
};
use crate::trace::Run;
use std::sync::Arc;
use thiserror::Error;

/// Which view to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewKind {
    Dashboard,
    Dag,
    Scatter,
    Line,
    Table,
    /// One insight view alone.
    Insight(InsightKind),
}

impl std::str::FromStr for ViewKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "dashboard" | "all" => Ok(ViewKind::Dashboard),
            "dag" | "arch" => Ok(ViewKind::Dag),
            "scatter" => Ok(ViewKind::Scatter),
            "line" => Ok(ViewKind::Line),
            "table" => Ok(ViewKind::Table),
            "lineage" => Ok(ViewKind::Insight(InsightKind::Lineage)),
            "pareto" => Ok(ViewKind::Insight(InsightKind::Pareto)),
            "importance" => Ok(ViewKind::Insight(InsightKind::Importance)),
            "edits" => Ok(ViewKind::Insight(InsightKind::Edits)),
            "strategies" => Ok(ViewKind::Insight(InsightKind::Strategies)),
            other => Err(format!(
                "unknown view {other:?}: expected dashboard, dag, scatter, line, table, \
                 lineage, pareto, importance, edits or strategies"
            )),
        }
    }
}

#[derive(Clone, Debug)]
pub struct DashboardOptions {
    pub view: ViewKind,
    pub width: u32,
    pub height: u32,
    pub theme: Theme,
    /// The line chart's x axis is the simulated search time (when the run
    /// has one) instead of the step.
    pub x_time: bool,
    /// Show every trial in the scatter and line chart, outliers included
    /// (default: zoom on the dense region).
    pub full_range: bool,
    /// A frame in the middle of a transition (the viewer); `None` for a
    /// still picture of the step.
    pub motion: Option<Motion>,
    /// The part of the scatter (0) and the line chart (1) on show.
    pub zoom: [Window; 2],
    /// Marked trials: `(run, position, how)`, run 0 the first, 1 the
    /// compared one.
    pub marks: Vec<(usize, usize, MarkKind)>,
    /// The architecture picture to show instead of the step's (a
    /// selected trial, or two diffed).
    pub dag: Option<Arc<DagPicture>>,
    /// The trial the summary table describes instead of the step's:
    /// `(run, position)` as in `marks`.
    pub table_at: Option<(usize, usize)>,
    /// Circles, density, or density when the points crowd.
    pub scatter_mode: ScatterMode,
    /// The dashboard's insight page: this insight view in place of the
    /// architecture and the table (the plots stay, linked).
    pub page: Option<InsightKind>,
    /// What the insight views show besides the run and step.
    pub insight: InsightOptions,
}

/// Marks for the trials of `run` up to `step` that a user's edit made
/// (diamonds), for the run in `slot` (0 the first, 1 the compared).
pub fn user_marks(run: &Run, step: usize, slot: usize) -> Vec<(usize, usize, MarkKind)> {
    run.trials
        .iter()
        .take(step.saturating_add(1))
        .enumerate()
        .filter(|(_, t)| t.source == crate::trace::Source::User)
        .map(|(i, _)| (slot, i, MarkKind::User))
        .collect()
}

impl Default for DashboardOptions {
    /// The whole dashboard at 1280x800, dense range, x = step.
    fn default() -> Self {
        DashboardOptions {
            view: ViewKind::Dashboard,
            width: 1280,
            height: 800,
            theme: Theme::default(),
            x_time: false,
            full_range: false,
            motion: None,
            zoom: [Window::FULL; 2],
            marks: Vec::new(),
            dag: None,
            table_at: None,
            scatter_mode: ScatterMode::Auto,
            page: None,
            insight: InsightOptions::default(),
        }
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum SceneError {
    #[error("step {step} is past the end: run {run:?} has {count} trials (steps 0 to {last})", last = count.saturating_sub(1))]
    StepPastEnd {
        step: usize,
        count: usize,
        run: String,
    },
    #[error("size {width}x{height} is too small: at least 200x150 pixels")]
    TooSmall { width: u32, height: u32 },
}

/// Everything drawn for one frame; the scatter and line points live in the
/// [`PointCache`] the scene was built with.
pub struct Dashboard {
    pub width: u32,
    pub height: u32,
    pub background: Color,
    /// Frames, title and legend.
    pub chrome: ViewScene,
    pub views: Vec<(ViewKind, ViewScene)>,
    /// Trailing cached points the views draw themselves (the newest
    /// trial growing in during a transition): 0 or 1.
    pub held: usize,
    /// The scatter shows the density of its points (the cache's
    /// `density`) and the line chart their per-column envelope.
    pub density: bool,
    /// Where an insight view's clickable things are, in window pixels.
    pub hits: Vec<(Rect, Hit)>,
}

fn pretty_strategy(s: &str) -> String {
    match s {
        "random_search" => "Random search".into(),
        "regularized_evolution" => "Regularized evolution".into(),
        other => other.replace('_', " "),
    }
}

fn pretty_benchmark(b: &str) -> String {
    if let Some(d) = b.strip_prefix("nas-bench-graph/") {
        let mut c = d.chars();
        let name = match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => String::new(),
        };
        return format!("NAS-Bench-Graph ({name})");
    }
    if let Some(d) = b.strip_prefix("nas-bench-201/") {
        return format!("NAS-Bench-201 ({})", d.replace("cifar", "CIFAR-"));
    }
    if let Some(d) = b.strip_prefix("nas-bench-101/") {
        return format!("NAS-Bench-101 ({})", d.replace('-', " "));
    }
    b.to_string()
}

/// Who ran a run, for titles: its strategy, or (unknown) its id.
fn who(info: &crate::trace::RunInfo) -> String {
    match info.strategy.trim() {
        "" | "unknown" => format!("Run {}", info.run_id),
        s => pretty_strategy(s),
    }
}

/// Where a run ran, for titles: " on" its benchmark, or (unknown) its
/// space in brackets.
fn where_(info: &crate::trace::RunInfo) -> String {
    if !info.benchmark.trim().is_empty() && info.benchmark != "unknown" {
        return format!(" on {}", pretty_benchmark(&info.benchmark));
    }
    let space = match info.space.as_str() {
        "nb101" => "NAS-Bench-101",
        "nb201" => "NAS-Bench-201",
        "nbgraph" => "NAS-Bench-Graph",
        "sequential" => "layer lists",
        "" => return String::new(),
        other => other,
    };
    format!(" ({space})")
}

/// The title of the architecture view at `step`.
fn dag_title(run: &Run, analytics: &Analytics, step: usize) -> String {
    let cur = run.trials.get(step);
    let reference = analytics
        .step(step)
        .and_then(|s| s.reference)
        .and_then(|r| run.trials.get(r));
    match (cur, reference) {
        (Some(t), Some(r)) if !t.parents.is_empty() => {
            format!(
                "Architecture · trial {} (parent {})",
                t.trial_id, r.trial_id
            )
        }
        (Some(t), Some(r)) => format!(
            "Architecture · trial {} (vs trial {})",
            t.trial_id, r.trial_id
        ),
        (Some(t), None) => format!("Architecture · trial {}", t.trial_id),
        (None, _) => "Architecture".into(),
    }
}

/// The architecture of `step` of `run`, diffed against its parent (or the
/// previous trial), placed in `rect`: the still picture of the DAG view.
pub fn step_picture(
    run: &Run,
    analytics: &Analytics,
    step: usize,
    rect: Rect,
    theme: &Theme,
    measure: &mut Measure,
) -> DagPicture {
    let reference = analytics
        .step(step)
        .and_then(|s| s.reference)
        .and_then(|r| run.trials.get(r));
    match run.trials.get(step) {
        Some(t) => dag_picture(
            &t.arch,
            reference.map(|r| &r.arch),
            &dag_title(run, analytics, step),
            rect,
            theme,
            measure,
        ),
        None => DagPicture::empty(rect, "Architecture", "No trials yet"),
    }
}

/// Builds the scene of `step` of `run`. `cache` is brought to the step
/// incrementally.
pub fn build_dashboard(
    run: &Run,
    analytics: &Analytics,
    step: usize,
    opts: &DashboardOptions,
    cache: &mut PointCache,
    measure: &mut Measure,
) -> Result<Dashboard, SceneError> {
    build_comparison(run, analytics, None, step, opts, cache, measure)
}

/// A second run shown beside the first: its points in the scatter and the
/// line chart, coloured by run, up to the same step.
pub struct Other<'a> {
    pub run: &'a Run,
    pub analytics: &'a Analytics,
    pub cache: &'a mut PointCache,
    /// The step shown of this run (the first run's step, or with a
    /// common time axis the last trial finished by then); clamped to
    /// its last trial.
    pub step: usize,
}

/// Colour of the first and the second run when two are compared.
pub const RUN_COLORS: [Color; 2] = [Color::rgb(31, 111, 235), Color::rgb(219, 109, 40)];

/// [`build_dashboard`] with an optional second run to compare.
pub fn build_comparison(
    run: &Run,
    analytics: &Analytics,
    mut other: Option<Other<'_>>,
    step: usize,
    opts: &DashboardOptions,
    cache: &mut PointCache,
    measure: &mut Measure,
) -> Result<Dashboard, SceneError> {
    let (w, h) = (opts.width, opts.height);
    let n = run.trials.len();
    check_frame(run, step, opts)?;
    let theme = &opts.theme;
    let (ranges, improvements, other_improvements) =
        sync_caches(run, analytics, other.as_mut(), step, opts, cache);
    let line_other = other.as_ref().map(|o| {
        (
            o.run,
            o.analytics,
            other_improvements.as_slice(),
            RUN_COLORS[1],
            o.step,
        )
    });
    let marks = point_marks(opts, cache, other.as_ref());
    let [zs, zl] = opts.zoom;
    let (scatter_outside, line_outside) = outside_counts(run, opts, ranges, cache, other.as_mut());
    let scatter_pv = PlotView {
        window: zs,
        outside: scatter_outside,
        marks: &marks[0],
    };
    let line_pv = PlotView {
        window: zl,
        outside: line_outside,
        marks: &marks[1],
    };
    // the table describes the step, or the trial asked for
    let (table_run, table_analytics, table_step) = match opts.table_at {
        Some((0, i)) if i < n => (run, analytics, i),
        Some((_, i)) => match other.as_ref() {
            Some(o) if i < o.run.trials.len() => (o.run, o.analytics, i),
            _ => (run, analytics, step),
        },
        None => (run, analytics, step),
    };
    let motion = opts.motion.as_ref();
    let held = match motion.and_then(|m| m.grow) {
        Some(g) if n > 0 && g == step && cache.scatter.len() == step + 1 => 1,
        _ => 0,
    };
    let mut chrome_mesh = MeshBuilder::new();
    let mut chrome_text = Vec::new();
    let full = Rect::new(0.0, 0.0, w as f32, h as f32);
    let mut views = Vec::new();
    let mut hits = Vec::new();
    let mut legend_at = None;
    let cur = run.trials.get(step);
    let vs = Views {
        run,
        analytics,
        step,
        compared: other.as_ref().map(|o| (o.run, o.analytics, o.step)),
        ranges,
        opts,
        motion,
        held,
        cache,
        table: (table_run, table_analytics, table_step),
        improvements: &improvements,
        line_other,
        pv: [scatter_pv, line_pv],
        // mid-transition the viewer hands over the morphed picture
        picture: opts
            .dag
            .as_deref()
            .or(motion.and_then(|m| m.dag.as_deref()))
            .filter(|_| cur.is_some()),
    };
    match opts.view {
        ViewKind::Dashboard => {
            let p = dashboard_panels(w, h);
            let runs = title_bar(
                run,
                other.as_ref(),
                step,
                p.title,
                theme,
                measure,
                &mut chrome_text,
            );
            legend_at = Some((p.legend, runs));
            if let Some(kind) = opts.page {
                let rect = Rect::from_edges(p.dag.x, p.dag.y, p.dag.right(), p.table.bottom());
                let s = vs.insight(kind, rect, measure);
                hits = s.hits;
                views.push((ViewKind::Insight(kind), s.view));
            } else {
                views.push((ViewKind::Dag, vs.dag(p.dag, measure)));
                let table_motion = motion.filter(|_| opts.table_at.is_none());
                views.push((ViewKind::Table, vs.table(p.table, table_motion, measure)));
            }
            views.push((ViewKind::Scatter, vs.scatter(p.scatter, measure)));
            views.push((ViewKind::Line, vs.line(p.line, measure)));
        }
        kind => {
            let m = 12.0;
            let rect = Rect::new(m, m, w as f32 - 2.0 * m, h as f32 - 2.0 * m);
            let v = match kind {
                ViewKind::Insight(k) => {
                    let s = vs.insight(k, rect, measure);
                    hits = s.hits;
                    s.view
                }
                ViewKind::Dag => vs.dag(rect, measure),
                ViewKind::Table => vs.table(rect, motion, measure),
                ViewKind::Scatter => vs.scatter(rect, measure),
                _ => vs.line(rect, measure),
            };
            views.push((kind, v));
        }
    }
    let density = apply_density(opts, other.is_none(), run, &views, cache);
    if let Some((r, runs)) = legend_at {
        legend(
            &mut chrome_mesh,
            &mut chrome_text,
            r,
            n,
            runs,
            density,
            theme,
            measure,
        );
    }
    let mut chrome = ViewScene::new(PixelRect::new(full.x, full.y, full.w, full.h));
    chrome.mesh = chrome_mesh.build();
    chrome.texts = chrome_text;
    Ok(Dashboard {
        width: w,
        height: h,
        background: theme.background,
        chrome,
        views,
        held: if density { 0 } else { held },
        density,
        hits,
    })
}

/// What the views of one dashboard frame are drawn from, and each view
/// drawn in a rectangle.
struct Views<'a> {
    run: &'a Run,
    analytics: &'a Analytics,
    step: usize,
    /// The compared run, its analytics and its step on show.
    compared: Option<(&'a Run, &'a Analytics, usize)>,
    ranges: Ranges,
    opts: &'a DashboardOptions,
    motion: Option<&'a Motion>,
    held: usize,
    cache: &'a PointCache,
    /// The run, analytics and step the summary table describes.
    table: (&'a Run, &'a Analytics, usize),
    improvements: &'a [usize],
    line_other: Option<(&'a Run, &'a Analytics, &'a [usize], Color, usize)>,
    /// The scatter's and the line chart's windows, marks and outside counts.
    pv: [PlotView<'a>; 2],
    /// The picture the architecture view draws instead of the step's own.
    picture: Option<&'a DagPicture>,
}

impl Views<'_> {
    fn dag(&self, rect: Rect, measure: &mut Measure) -> ViewScene {
        let theme = &self.opts.theme;
        match self.picture {
            Some(p) => draw_picture(p, theme),
            None => draw_picture(
                &step_picture(self.run, self.analytics, self.step, rect, theme, measure),
                theme,
            ),
        }
    }

    /// An insight view, with the compared run's front beside the first's.
    fn insight(&self, kind: InsightKind, rect: Rect, measure: &mut Measure) -> InsightScene {
        let base = InsightBase {
            run: self.run,
            analytics: self.analytics,
            step: self.step,
            other: self.compared,
            ranges: self.ranges,
        };
        insight_view(
            kind,
            &base,
            rect,
            &self.opts.insight,
            &self.opts.theme,
            measure,
        )
    }

    fn table(&self, rect: Rect, motion: Option<&Motion>, measure: &mut Measure) -> ViewScene {
        let (run, analytics, step) = self.table;
        table_view(
            run,
            analytics,
            step,
            rect,
            motion,
            &self.opts.theme,
            measure,
        )
    }

    fn scatter(&self, rect: Rect, measure: &mut Measure) -> ViewScene {
        scatter_view(
            self.run,
            self.analytics,
            self.step,
            rect,
            self.ranges,
            self.cache,
            self.motion,
            self.held,
            self.pv[0],
            &self.opts.theme,
            measure,
        )
    }

    fn line(&self, rect: Rect, measure: &mut Measure) -> ViewScene {
        line_view(
            self.run,
            self.analytics,
            self.step,
            rect,
            self.ranges,
            self.improvements,
            self.line_other,
            self.opts.x_time,
            (self.cache, self.motion, self.held),
            self.pv[1],
            &self.opts.theme,
            measure,
        )
    }
}

/// A dashboard too small to draw, or a step past the run's end.
fn check_frame(run: &Run, step: usize, opts: &DashboardOptions) -> Result<(), SceneError> {
    let (w, h) = (opts.width, opts.height);
    if w < 200 || h < 150 {
        return Err(SceneError::TooSmall {
            width: w,
            height: h,
        });
    }
    let n = run.trials.len();
    if n > 0 && step >= n {
        return Err(SceneError::StepPastEnd {
            step,
            count: n,
            run: run.info.run_id.clone(),
        });
    }
    Ok(())
}

/// The points of both runs outside the scatter's and the line chart's
/// windows (unzoomed: outside the scatter's dense range).
fn outside_counts(
    run: &Run,
    opts: &DashboardOptions,
    ranges: Ranges,
    cache: &mut PointCache,
    mut other: Option<&mut Other<'_>>,
) -> (usize, usize) {
    let [zs, zl] = opts.zoom;
    let scatter = if zs.is_full() {
        cache.outside + other.as_ref().map_or(0, |o| o.cache.outside)
    } else {
        let (x, y) = (zs.range(0, ranges.val), zs.range(1, ranges.test));
        cache.outside_of(0, x, y) + other.as_mut().map_or(0, |o| o.cache.outside_of(0, x, y))
    };
    let line = if zl.is_full() {
        0
    } else {
        let (x, y) = (
            zl.range(0, line_x_range(run, opts.x_time)),
            zl.range(1, ranges.val),
        );
        cache.outside_of(1, x, y) + other.map_or(0, |o| o.cache.outside_of(1, x, y))
    };
    (scatter, line)
}

/// Brings both runs' point caches to the steps on show over shared
/// ranges; returns the ranges and each run's improving steps so far.
fn sync_caches(
    run: &Run,
    analytics: &Analytics,
    other: Option<&mut Other<'_>>,
    step: usize,
    opts: &DashboardOptions,
    cache: &mut PointCache,
) -> (Ranges, Vec<usize>, Vec<usize>) {
    let n = run.trials.len();
    let mut ranges = cache.ranges(run, opts.full_range);
    let mut other_improvements = Vec::new();
    if let Some(o) = other {
        let r2 = o.cache.ranges(o.run, opts.full_range);
        ranges.val = (ranges.val.0.min(r2.val.0), ranges.val.1.max(r2.val.1));
        ranges.test = (ranges.test.0.min(r2.test.0), ranges.test.1.max(r2.test.1));
        cache.set_tint(Some(RUN_COLORS[0]));
        o.cache.set_tint(Some(RUN_COLORS[1]));
        let on = o.run.trials.len();
        o.cache
            .sync(o.run, (o.step + 1).min(on), ranges, opts.x_time);
        if on > 0 {
            other_improvements = o
                .cache
                .improvements_until(o.analytics, o.step.min(on - 1))
                .to_vec();
        }
    } else {
        cache.set_tint(None);
    }
    cache.sync(run, if n == 0 { 0 } else { step + 1 }, ranges, opts.x_time);
    let improvements = cache.improvements_until(analytics, step).to_vec();
    (ranges, improvements, other_improvements)
}

/// The marked points (hovered, selected), from the cache of their run:
/// the scatter's, then the line chart's.
fn point_marks(
    opts: &DashboardOptions,
    cache: &PointCache,
    other: Option<&Other<'_>>,
) -> [Vec<PointMark>; 2] {
    let mut marks: [Vec<PointMark>; 2] = [Vec::new(), Vec::new()];
    for &(slot, i, kind) in &opts.marks {
        let c = match slot {
            0 => Some(cache),
            _ => other.map(|o| &*o.cache),
        };
        if let Some(c) = c {
            if let Some(p) = c.scatter.get(i) {
                marks[0].push((*p, kind));
            }
            if let Some(p) = c.line.get(i) {
                marks[1].push((*p, kind));
            }
        }
    }
    marks
}

/// The title bar: who searched what (both runs when compared) and the
/// step on show, as much as fits; returns the legend's run names when
/// compared.
fn title_bar(
    run: &Run,
    other: Option<&Other<'_>>,
    step: usize,
    t: Rect,
    theme: &Theme,
    measure: &mut Measure,
    chrome_text: &mut Vec<TextRun>,
) -> Option<[String; 2]> {
    let n = run.trials.len();
    let title = match other {
        Some(o) => format!(
            "{} vs {}{}",
            who(&run.info),
            who(&o.run.info).to_lowercase(),
            where_(&run.info)
        ),
        None => format!("{}{}", who(&run.info), where_(&run.info)),
    };
    let title_w = measure(&title, theme.title_size).0;
    chrome_text.push(
        TextRun::new(title, [t.x, t.y + t.h / 2.0], theme.title_size, theme.text)
            .aligned(HAlign::Left, VAlign::Middle),
    );
    let step_text = if n == 0 {
        "no trials".to_string()
    } else {
        format!(
            "step {} of {}",
            crate::fmt::fmt_int(step + 1),
            crate::fmt::fmt_int(n)
        )
    };
    // the longest right-hand text that fits beside the title
    let candidates = [
        format!(
            "run {} · space {} · {step_text}",
            run.info.run_id, run.info.space
        ),
        format!("run {} · {step_text}", run.info.run_id),
        step_text.clone(),
    ];
    let room = t.w - title_w - 24.0;
    if let Some(right) = candidates
        .into_iter()
        .find(|c| measure(c, theme.label_size).0 <= room)
    {
        chrome_text.push(
            TextRun::new(
                right,
                [t.x + t.w, t.y + t.h / 2.0],
                theme.label_size,
                theme.muted,
            )
            .aligned(HAlign::Right, VAlign::Middle),
        );
    }
    other.map(|o| {
        [
            format!(
                "{} ({})",
                run.info.run_id,
                pretty_strategy(&run.info.strategy).to_lowercase()
            ),
            format!(
                "{} ({})",
                o.run.info.run_id,
                pretty_strategy(&o.run.info.strategy).to_lowercase()
            ),
        ]
    })
}

/// Whether the scatter is drawn as density (asked, or crowded points of
/// one run), its grid and the line chart's envelope brought up to date.
fn apply_density(
    opts: &DashboardOptions,
    single: bool,
    run: &Run,
    views: &[(ViewKind, ViewScene)],
    cache: &mut PointCache,
) -> bool {
    let mut density = false;
    if opts.scatter_mode != ScatterMode::Circles && single {
        if let Some((_, v)) = views.iter().find(|(k, _)| *k == ViewKind::Scatter) {
            let (view, area) = (v.data_view, v.rect);
            let total = run.trials.len();
            let source = cache.generation();
            cache
                .density
                .sync(&cache.scatter, view, area, source, total);
            density =
                opts.scatter_mode == ScatterMode::Density || cache.density.crowding() >= CROWDED;
        }
        if density {
            if let Some((_, v)) = views.iter().find(|(k, _)| *k == ViewKind::Line) {
                cache.sync_envelope(v.data_view, v.rect);
            }
        }
    }
    density
}

/// The cached points a view draws: the scatter's or the line chart's,
/// less the `held` newest (drawn by the view while they grow in).
fn points_of(
    cache: &PointCache,
    kind: ViewKind,
    held: usize,
    density: bool,
) -> &[crate::render::Circle] {
    let all: &[crate::render::Circle] = match kind {
        ViewKind::Scatter if density => &cache.density.circles,
        ViewKind::Scatter => &cache.scatter,
        ViewKind::Line if density => &[],
        ViewKind::Line => &cache.line,
        _ => &[],
    };
    &all[..all.len().saturating_sub(held)]
}

/// The legend strip: colour by step, size by test accuracy (or, with
/// density, shade by trials per pixel), the markers.
#[allow(clippy::too_many_arguments)]
fn legend(
    mesh: &mut MeshBuilder,
    texts: &mut Vec<TextRun>,
    r: Rect,
    n: usize,
    runs: Option<[String; 2]>,
    density: bool,
    theme: &Theme,
    measure: &mut Measure,
) {
    if r.w < 50.0 || r.h < 10.0 {
        return;
    }
    let y = r.y + r.h / 2.0;
    let size = theme.tick_size;
    let mut x = r.x + 4.0;
    let end = r.x + r.w;
    let put = |texts: &mut Vec<TextRun>, x: &mut f32, s: &str, measure: &mut Measure| {
        texts.push(
            TextRun::new(s, [*x, y], size, theme.muted).aligned(HAlign::Left, VAlign::Middle),
        );
        *x += measure(s, size).0 + 10.0;
    };
    if let Some(names) = &runs {
        for (name, color) in names.iter().zip(RUN_COLORS) {
            mesh.disc([x + 5.0, y], 5.0, color);
            x += 14.0;
            put(texts, &mut x, name, measure);
        }
    } else {
        put(texts, &mut x, "step", measure);
        let bar_w = 90.0f32.min(r.w * 0.2);
        let segments = 24;
        for i in 0..segments {
            let x0 = x + bar_w * i as f32 / segments as f32;
            let x1 = x + bar_w * (i + 1) as f32 / segments as f32 + 0.5;
            mesh.rounded_rect(
                [x0, y - 5.0],
                [x1, y + 5.0],
                0.0,
                Some(ramp(i as f64 / (segments - 1) as f64)),
                None,
            );
        }
        x += bar_w + 6.0;
        put(
            texts,
            &mut x,
            &format!("1 → {}", crate::fmt::fmt_int(n.max(1))),
            measure,
        );
    }
    // the other entries only where they fit whole
    let fits = |x: f32, label: &str, extra: f32, measure: &mut Measure| {
        x + extra + measure(label, size).0 + 10.0 <= end
    };
    x += 8.0;
    if density {
        let label = "shade: trials per pixel (log), colour: mean step";
        if fits(x, label, 40.0, measure) {
            for (i, a) in [90u8, 160, 255].iter().enumerate() {
                mesh.rounded_rect(
                    [x + i as f32 * 12.0, y - 5.0],
                    [x + i as f32 * 12.0 + 10.0, y + 5.0],
                    1.0,
                    Some(ramp(0.35).with_alpha(*a)),
                    None,
                );
            }
            x += 42.0;
            put(texts, &mut x, label, measure);
            x += 8.0;
        }
    } else if fits(x, "size: test accuracy", 40.0, measure) {
        for (i, rad) in [3.0f32, 5.0, 7.0].iter().enumerate() {
            mesh.disc([x + rad, y], *rad, theme.muted.with_alpha(150));
            x += rad * 2.0 + if i == 2 { 6.0 } else { 3.0 };
        }
        put(texts, &mut x, "size: test accuracy", measure);
        x += 8.0;
    }
    if fits(x, "current trial", 22.0, measure) {
        mesh.rounded_rect(
            [x, y - 8.0],
            [x + 16.0, y + 8.0],
            8.0,
            None,
            Some((theme.current, 2.5)),
        );
        x += 22.0;
        put(texts, &mut x, "current trial", measure);
    }
    if fits(x, "best so far (validation)", 20.0, measure) {
        mesh.disc([x + 7.0, y], 7.0, theme.best);
        mesh.rounded_rect(
            [x, y - 7.0],
            [x + 14.0, y + 7.0],
            7.0,
            None,
            Some((theme.text, 1.5)),
        );
        x += 20.0;
        put(texts, &mut x, "best so far (validation)", measure);
    }
}

impl Dashboard {
    /// The render scene; `cache` must be the one the dashboard was built with.
    pub fn scene<'a>(&'a self, cache: &'a PointCache) -> Scene<'a> {
        self.scene_with(cache, None)
    }

    /// The render scene with a compared run's points drawn under the first's.
    pub fn scene_with<'a>(
        &'a self,
        cache: &'a PointCache,
        other: Option<&'a PointCache>,
    ) -> Scene<'a> {
        self.build_scene(cache, other, None)
    }

    /// The render scene with the cached points already drawn in `points`
    /// (see [`Dashboard::points_scene`]), composited above every view's
    /// frame and below what moves.
    pub fn scene_layered<'a>(
        &'a self,
        cache: &'a PointCache,
        other: Option<&'a PointCache>,
        points: &'a CachedLayer,
    ) -> Scene<'a> {
        self.build_scene(cache, other, Some(points))
    }

    /// The cached points alone (for a [`CachedLayer`]): the first run's
    /// from index `from.0`, the compared run's from `from.1`, so that a
    /// layer holding the earlier ones can be extended.
    pub fn points_scene<'a>(
        &'a self,
        cache: &'a PointCache,
        other: Option<&'a PointCache>,
        from: (usize, usize),
    ) -> Scene<'a> {
        let mut s = Scene::new(None);
        for (i, (kind, v)) in self.views.iter().enumerate() {
            let layer = 10 * i as i32;
            if let Some(o) = other {
                let theirs = points_of(o, *kind, 0, false);
                if let Some(p) = theirs.get(from.1..) {
                    if !p.is_empty() {
                        s.circles(layer, v.data_panel(), p, SizeMode::Pixels);
                    }
                }
            }
            if self.density {
                // drawn whole: counts change in place
                if *kind == ViewKind::Line && !cache.envelope.is_empty() {
                    s.mesh(layer + 1, v.pixel_panel(), &cache.envelope);
                }
                let p = points_of(cache, *kind, 0, true);
                if !p.is_empty() {
                    s.circles(layer + 1, v.data_panel(), p, SizeMode::Pixels);
                }
                continue;
            }
            let mine = points_of(cache, *kind, self.held, false);
            if let Some(p) = mine.get(from.0..) {
                if !p.is_empty() {
                    s.circles(layer + 1, v.data_panel(), p, SizeMode::Pixels);
                }
            }
        }
        s
    }

    /// How many points [`Dashboard::points_scene`] draws in all: the first
    /// run's and the compared run's.
    pub fn points_len(&self, cache: &PointCache, other: Option<&PointCache>) -> (usize, usize) {
        if self.density {
            return (cache.density.circles.len(), 0);
        }
        (
            cache.scatter.len().saturating_sub(self.held),
            other.map_or(0, |o| o.scatter.len()),
        )
    }

    fn build_scene<'a>(
        &'a self,
        cache: &'a PointCache,
        other: Option<&'a PointCache>,
        points: Option<&'a CachedLayer>,
    ) -> Scene<'a> {
        let mut s = Scene::new(Some(self.background));
        let full = crate::render::Panel::full(self.width, self.height);
        s.mesh(0, full, &self.chrome.mesh);
        s.text(10, full, &self.chrome.texts);
        if let Some(layer) = points {
            // every frame first, then the points, then what is on top
            for (i, (_, v)) in self.views.iter().enumerate() {
                s.mesh(20 + i as i32, full, &v.mesh);
            }
            // the layer holds points of the scatter and the line chart only
            for (kind, v) in &self.views {
                if matches!(kind, ViewKind::Scatter | ViewKind::Line) {
                    s.cached_in(99, layer, v.rect);
                }
            }
            for (i, (_, v)) in self.views.iter().enumerate() {
                let base = 100 + 10 * i as i32;
                if !v.circles.is_empty() {
                    s.circles(base + 2, v.data_panel(), &v.circles, v.circle_size);
                }
                s.mesh(base + 3, v.pixel_panel(), &v.overlay);
                s.text(base + 4, full, &v.texts);
            }
            return s;
        }
        for (i, (kind, v)) in self.views.iter().enumerate() {
            let base = 20 + 10 * i as i32;
            // frames and axes cover the whole panel
            s.mesh(base, full, &v.mesh);
            if let Some(o) = other {
                let theirs = points_of(o, *kind, 0, false);
                if !theirs.is_empty() {
                    s.circles(base + 1, v.data_panel(), theirs, SizeMode::Pixels);
                }
            }
            if self.density && *kind == ViewKind::Line && !cache.envelope.is_empty() {
                s.mesh(base + 1, v.pixel_panel(), &cache.envelope);
            }
            let points = points_of(cache, *kind, self.held, self.density);
            if !points.is_empty() {
                s.circles(base + 1, v.data_panel(), points, SizeMode::Pixels);
            }
            if !v.circles.is_empty() {
                s.circles(base + 2, v.data_panel(), &v.circles, v.circle_size);
            }
            s.mesh(base + 3, v.pixel_panel(), &v.overlay);
            s.text(base + 4, full, &v.texts);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(strategy: &str, space: &str, benchmark: &str) -> crate::trace::RunInfo {
        crate::trace::RunInfo {
            run_id: "r-1".into(),
            strategy: strategy.into(),
            space: space.into(),
            benchmark: benchmark.into(),
            seed: None,
            objectives: Vec::new(),
            config: None,
        }
    }

    #[test]
    fn titles_fall_back_to_what_is_known() {
        let t = |i: &crate::trace::RunInfo| format!("{}{}", who(i), where_(i));
        assert_eq!(
            t(&info(
                "regularized_evolution",
                "nbgraph",
                "nas-bench-graph/cora"
            )),
            "Regularized evolution on NAS-Bench-Graph (Cora)"
        );
        assert_eq!(
            t(&info("unknown", "sequential", "")),
            "Run r-1 (layer lists)"
        );
        assert_eq!(
            t(&info("", "nb201", "nas-bench-201/cifar10")),
            "Run r-1 on NAS-Bench-201 (CIFAR-10)"
        );
        assert_eq!(t(&info("bananas", "", "")), "bananas");
    }
}
