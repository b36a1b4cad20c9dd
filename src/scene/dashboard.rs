//! The whole dashboard: title and legend, the architecture DAG, the
//! summary table, the accuracy scatter and the line chart, for one step of
//! one run; and the same for one view alone.

mod parts;

use super::dag::{dag_picture, draw_picture, DagPicture};
use super::density::{ScatterMode, CROWDED};
use super::insight::{insight_view, Hit, InsightBase, InsightKind, InsightOptions, InsightScene};
use super::plots::{
    line_view, line_x_range, scatter_view, BestLine, LineInput, MarkKind, PlotInput, PlotView,
    PointCache, PointMark, Ranges, Window,
};
use super::table::table_view;
use super::theme::{ramp, Theme};
use super::transition::Motion;
use super::{Measure, ViewScene};
use crate::analysis::Analytics;
use crate::layout::{dashboard_panels, Rect};
use crate::render::{Color, HAlign, MeshBuilder, PixelRect, Scene, SizeMode, TextRun, VAlign};
use crate::trace::Run;
use parts::{
    apply_density, check_frame, held_count, legend, outside_counts, point_marks, points_of,
    sync_caches, table_source, Legend, Views,
};
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
        .sources()
        .iter()
        .take(step.saturating_add(1))
        .enumerate()
        .filter(|(_, &s)| s == crate::trace::Source::User)
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
pub(crate) fn step_picture(
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
            t.arch,
            reference.map(|r| r.arch),
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
pub(crate) const RUN_COLORS: [Color; 2] = [Color::rgb(31, 111, 235), Color::rgb(219, 109, 40)];

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
    check_frame(run, step, opts)?;
    let theme = &opts.theme;
    let (ranges, improvements, other_improvements) =
        sync_caches(run, analytics, other.as_mut(), step, opts, cache);
    let marks = point_marks(opts, cache, other.as_ref());
    let (scatter_outside, line_outside) = outside_counts(run, opts, ranges, cache, other.as_mut());
    let [zs, zl] = opts.zoom;
    let motion = opts.motion.as_ref();
    let held = held_count(run, step, motion, cache);
    let compared = other.as_ref().map(|o| (o.run, o.analytics, o.step));
    let mut chrome_text = Vec::new();
    let drawn = Views {
        run,
        analytics,
        step,
        compared,
        ranges,
        opts,
        motion,
        held,
        cache,
        table: table_source((run, analytics, step), opts.table_at, compared),
        improvements: &improvements,
        line_other: compared.map(|(run, analytics, step)| BestLine {
            run,
            analytics,
            improvements: other_improvements.as_slice(),
            color: RUN_COLORS[1],
            step,
        }),
        pv: [
            PlotView {
                window: zs,
                outside: scatter_outside,
                marks: &marks[0],
            },
            PlotView {
                window: zl,
                outside: line_outside,
                marks: &marks[1],
            },
        ],
        // mid-transition the viewer hands over the morphed picture
        picture: opts
            .dag
            .as_deref()
            .or(motion.and_then(|m| m.dag.as_deref()))
            .filter(|_| run.trials.get(step).is_some()),
    }
    .draw(&mut chrome_text, measure);
    let density = apply_density(opts, other.is_none(), run, &drawn.views, cache);
    let mut chrome_mesh = MeshBuilder::new();
    if let Some((r, runs)) = drawn.legend_at {
        let what = Legend {
            trials: run.trials.len(),
            runs,
            density,
        };
        legend(&mut chrome_mesh, &mut chrome_text, r, &what, theme, measure);
    }
    let mut chrome = ViewScene::new(PixelRect::new(0.0, 0.0, w as f32, h as f32));
    chrome.mesh = chrome_mesh.build();
    chrome.texts = chrome_text;
    Ok(Dashboard {
        width: w,
        height: h,
        background: theme.background,
        chrome,
        views: drawn.views,
        held: if density { 0 } else { held },
        density,
        hits: drawn.hits,
    })
}

/// The draw layer of the dashboard's cached points: above every view's
/// frame, below what moves.
pub(crate) const POINTS_LAYER: i32 = 99;

/// Where a scene built around cached points wants them: a draw layer and
/// the views' rectangles the layer shows through.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PointsSlot {
    pub layer: i32,
    pub rects: Vec<PixelRect>,
}

impl Dashboard {
    /// The render scene; `cache` must be the one the dashboard was built with.
    pub fn scene<'a>(&'a self, cache: &'a PointCache) -> Scene<'a> {
        self.scene_with(cache, None)
    }

    /// The render scene with a compared run's points drawn under the first's.
    pub(crate) fn scene_with<'a>(
        &'a self,
        cache: &'a PointCache,
        other: Option<&'a PointCache>,
    ) -> Scene<'a> {
        self.build_scene(cache, other, None)
    }

    /// The render scene around points drawn elsewhere (a cached layer of
    /// [`Dashboard::points_scene`]): every view's frame and what moves, and
    /// where the points go, which the caller composites there.
    pub(crate) fn scene_around_points<'a>(
        &'a self,
        cache: &'a PointCache,
        other: Option<&'a PointCache>,
    ) -> (Scene<'a>, PointsSlot) {
        let mut slot = PointsSlot {
            layer: POINTS_LAYER,
            rects: Vec::new(),
        };
        let s = self.build_scene(cache, other, Some(&mut slot));
        (s, slot)
    }

    /// The cached points alone (for a cached layer): the first run's
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
    pub(crate) fn points_len(
        &self,
        cache: &PointCache,
        other: Option<&PointCache>,
    ) -> (usize, usize) {
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
        points: Option<&mut PointsSlot>,
    ) -> Scene<'a> {
        let mut s = Scene::new(Some(self.background));
        let full = crate::render::Panel::full(self.width, self.height);
        s.mesh(0, full, &self.chrome.mesh);
        s.text(10, full, &self.chrome.texts);
        if let Some(slot) = points {
            // every frame first, then the points, then what is on top
            for (i, (_, v)) in self.views.iter().enumerate() {
                s.mesh(20 + i as i32, full, &v.mesh);
            }
            // the layer holds points of the scatter and the line chart only
            slot.rects = self
                .views
                .iter()
                .filter(|(kind, _)| matches!(kind, ViewKind::Scatter | ViewKind::Line))
                .map(|(_, v)| v.rect)
                .collect();
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
