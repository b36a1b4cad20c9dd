//! The viewer, without a window or a GPU: the state machine
//! ([`state::ViewerState`]) driven by [`command::Command`]s and an injected
//! clock, the thin UI ([`ui`]), `--script` files ([`script`]), and
//! [`Viewer`], which holds the runs and turns the state into a frame of
//! plain drawing data ([`Frame`]). `app/` puts frames on a window or an
//! offscreen target.

pub mod command;
pub mod script;
pub mod state;
pub mod ui;

use crate::analysis::Analytics;
use crate::arch::Arch;
use crate::layout::{dashboard_panels, Rect};
use crate::render::{CachedLayer, Color, Mesh, Panel, PixelRect, Scene, TextRun, ViewTransform};
use crate::scene::dag::{morph, DagPicture};
use crate::scene::dashboard::{build_comparison, step_picture, Dashboard, Other, SceneError};
use crate::scene::motion::{lerp, Motion};
use crate::scene::plots::{has_clock, PointCache};
use crate::scene::table::table_values;
use crate::scene::{DashboardOptions, Measure, Theme, ViewKind};
use crate::trace::Run;
use command::Command;
use state::{Pose, RunMeta, ViewerState};
use std::collections::HashMap;
use std::sync::Arc;

/// Node matching between the architectures of two steps (diff's node map).
type NodeMap = Arc<Vec<Option<usize>>>;

/// The runs on show and everything derived from them that frames reuse.
pub struct Viewer {
    pub state: ViewerState,
    runs: Vec<Run>,
    analytics: Vec<Analytics>,
    caches: Vec<PointCache>,
    pictures: HashMap<(usize, usize), Arc<DagPicture>>,
    picture_key: (Rect, u32, u32),
    maps: HashMap<(usize, usize, usize), NodeMap>,
    theme: Theme,
}

/// The meta of a run for the state machine.
pub fn run_meta(run: &Run, analytics: &Analytics) -> RunMeta {
    let best_at: Vec<usize> = (0..run.trials.len())
        .map(|i| analytics.step(i).map_or(i, |s| s.best))
        .collect();
    let mut improvements = Vec::new();
    let mut last = None;
    for (i, &b) in best_at.iter().enumerate() {
        if Some(b) != last {
            improvements.push(i);
            last = Some(b);
        }
    }
    RunMeta {
        id: run.info.run_id.clone(),
        len: run.trials.len(),
        improvements,
        best_at,
        times: has_clock(run).then(|| run.trials.iter().map(|t| t.time_s.unwrap_or(0.0)).collect()),
    }
}

impl Viewer {
    /// A viewer of `runs` in a window of `size` (physical pixels).
    pub fn new(runs: Vec<Run>, size: (u32, u32)) -> Viewer {
        let analytics: Vec<Analytics> = runs.iter().map(Analytics::of_run).collect();
        let metas = runs
            .iter()
            .zip(&analytics)
            .map(|(r, a)| run_meta(r, a))
            .collect();
        let caches = runs.iter().map(|_| PointCache::new()).collect();
        Viewer {
            state: ViewerState::new(metas, size),
            runs,
            analytics,
            caches,
            pictures: HashMap::new(),
            picture_key: (Rect::default(), 0, 0),
            maps: HashMap::new(),
            theme: Theme::default(),
        }
    }

    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Applies a command to the state.
    pub fn handle(&mut self, cmd: Command) {
        self.state.handle(cmd);
    }

    /// The theme at the window's scale factor (text stays crisp and
    /// readable on high-DPI screens).
    fn theme(&self) -> Theme {
        let s = self.state.scale();
        let mut t = self.theme.clone();
        t.title_size *= s;
        t.label_size *= s;
        t.tick_size *= s;
        t.body_size *= s;
        t
    }

    /// Builds the frame the state shows now. `measure` measures text with
    /// the renderer's fonts (or `scene::approx_measure` without a GPU).
    pub fn frame(&mut self, measure: &mut Measure) -> Result<Frame, SceneError> {
        let state = &self.state;
        let grow = state.transition().filter(|t| t.grow).map(|t| t.to);
        let other_i = state.other_run();
        let other_step = state.other_step();
        let (w, h) = state.size();
        let dash_h = state.ui().dashboard_height;
        let theme = self.theme();
        let ri = state.run();
        let pose = state.pose();
        let n = self.runs[ri].trials.len();
        let step = state.step().min(n.saturating_sub(1));
        let x_time = state.time_axis();
        // the DAG panel's rectangle, where pictures are placed
        let dag_rect = dashboard_panels(w, dash_h.max(1)).dag;
        // pictures depend on the panel, the run and the text size
        let key = (dag_rect, ri as u32, self.state.scale().to_bits());
        if self.picture_key != key {
            self.pictures.clear();
            self.picture_key = key;
        }
        let motion = match &pose {
            Pose::Step(_) => None,
            Pose::Blend { from, u, .. } => {
                let dag = self.picture(&pose, ri, dag_rect, &theme, measure);
                let run = &self.runs[ri];
                let ring = |s: usize| {
                    run.trials
                        .get(s)
                        .map(|t| [t.metrics.val_acc, t.metrics.test_acc])
                };
                // the run's clock, known once per run (not scanned per frame)
                let times = self.state.runs()[ri].times.as_deref().filter(|_| x_time);
                let cursor = |s: usize| -> Option<f64> {
                    match times {
                        Some(t) => t.get(s).copied(),
                        None => Some(s as f64),
                    }
                };
                Some(Motion {
                    u: *u,
                    ring_from: blend_at(from, &ring),
                    cursor_from: blend_at(from, &|s| cursor(s).map(|c| [c, 0.0])).map(|c| c[0]),
                    dag: Some(dag),
                    table_from: Some(table_values(run, &self.analytics[ri], from.target())),
                    grow,
                })
            }
        };
        let opts = DashboardOptions {
            view: ViewKind::Dashboard,
            width: w,
            height: dash_h,
            theme: theme.clone(),
            x_time,
            full_range: false,
            motion,
        };
        let (mine, theirs) = split_two(&mut self.caches, ri, other_i);
        let other = match (other_i, theirs) {
            (Some(o), Some(cache)) => Some(Other {
                run: &self.runs[o],
                analytics: &self.analytics[o],
                cache,
                step: other_step.unwrap_or(step),
            }),
            _ => None,
        };
        let dash = if w >= 200 && dash_h >= 150 {
            Some(build_comparison(
                &self.runs[ri],
                &self.analytics[ri],
                other,
                step,
                &opts,
                mine,
                measure,
            )?)
        } else {
            None
        };
        let bar = ui::draw_bar(&self.state, pose_step(&pose), &theme);
        let over = ui::draw_overlay(&self.state, &theme);
        Ok(Frame {
            width: w,
            height: h,
            background: theme.background,
            dash,
            run: ri,
            other: other_i,
            bar_mesh: bar.mesh.build(),
            bar_text: bar.texts,
            overlay_mesh: over.mesh.build(),
            overlay_text: over.texts,
        })
    }

    /// The DAG picture of a pose: a step's own, or a morph of morphs.
    fn picture(
        &mut self,
        pose: &Pose,
        run: usize,
        rect: Rect,
        theme: &Theme,
        measure: &mut Measure,
    ) -> Arc<DagPicture> {
        match pose {
            Pose::Step(s) => {
                if let Some(p) = self.pictures.get(&(run, *s)) {
                    return p.clone();
                }
                let p = Arc::new(step_picture(
                    &self.runs[run],
                    &self.analytics[run],
                    *s,
                    rect,
                    theme,
                    measure,
                ));
                if self.pictures.len() > 64 {
                    self.pictures.clear();
                }
                self.pictures.insert((run, *s), p.clone());
                p
            }
            Pose::Blend { from, to, u } => {
                let a = self.picture(from, run, rect, theme, measure);
                let b = self.picture(&Pose::Step(*to), run, rect, theme, measure);
                let map = self.node_map(run, from.target(), *to);
                Arc::new(morph(&a, &b, &map, *u))
            }
        }
    }

    /// Node matching from the architecture of step `a` to that of `b`.
    fn node_map(&mut self, run: usize, a: usize, b: usize) -> NodeMap {
        if let Some(m) = self.maps.get(&(run, a, b)) {
            return m.clone();
        }
        let trials = &self.runs[run].trials;
        let arch = |i: usize| -> Option<&Arch> { trials.get(i).map(|t| &t.arch) };
        let map = match (arch(a), arch(b)) {
            (Some(x), Some(y)) => x.diff(y).map(|d| d.node_map).unwrap_or_default(),
            _ => Vec::new(),
        };
        if self.maps.len() > 256 {
            self.maps.clear();
        }
        let m = Arc::new(map);
        self.maps.insert((run, a, b), m.clone());
        m
    }

    /// The point cache of run `i` (the scatter and line points).
    pub fn cache(&self, i: usize) -> Option<&PointCache> {
        self.caches.get(i)
    }
}

/// A pose's value of a quantity known per step, blended along the pose.
fn blend_at(pose: &Pose, at: &dyn Fn(usize) -> Option<[f64; 2]>) -> Option<[f64; 2]> {
    match pose {
        Pose::Step(s) => at(*s),
        Pose::Blend { from, to, u } => {
            let b = at(*to)?;
            let a = blend_at(from, at).unwrap_or(b);
            let u = *u as f64;
            Some([a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u])
        }
    }
}

/// The step a pose shows, fractional during a blend.
fn pose_step(pose: &Pose) -> f32 {
    match pose {
        Pose::Step(s) => *s as f32,
        Pose::Blend { from, to, u } => lerp(pose_step(from), *to as f32, *u),
    }
}

/// Mutable references to two different caches (the second optional).
fn split_two(
    caches: &mut [PointCache],
    a: usize,
    b: Option<usize>,
) -> (&mut PointCache, Option<&mut PointCache>) {
    match b {
        Some(b) if b != a && b < caches.len() => {
            if a < b {
                let (x, y) = caches.split_at_mut(b);
                (&mut x[a], Some(&mut y[0]))
            } else {
                let (x, y) = caches.split_at_mut(a);
                (&mut y[0], Some(&mut x[b]))
            }
        }
        _ => (&mut caches[a], None),
    }
}

/// One frame of the viewer as plain data.
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub background: Color,
    /// The dashboard (absent when the window is too small for it).
    pub dash: Option<Dashboard>,
    run: usize,
    other: Option<usize>,
    pub bar_mesh: Mesh,
    pub bar_text: Vec<TextRun>,
    pub overlay_mesh: Mesh,
    pub overlay_text: Vec<TextRun>,
}

/// Layers of the UI, above every view of the dashboard.
const UI_LAYER: i32 = 1000;

/// What a picture of the cached points depends on: when it is unchanged,
/// a layer holding the points can be extended instead of redrawn.
#[derive(Clone, Debug, PartialEq)]
pub struct PointsKey {
    size: (u32, u32),
    runs: (usize, Option<usize>),
    generations: (u64, u64),
    panels: Vec<(PixelRect, ViewTransform)>,
}

impl Frame {
    /// The render scene; `viewer` must be the one that built the frame.
    pub fn scene<'a>(&'a self, viewer: &'a Viewer) -> Scene<'a> {
        self.scene_over(viewer, None)
    }

    /// The render scene with the points already drawn into `points`
    /// (from [`Frame::points_scene`]).
    pub fn scene_layered<'a>(&'a self, viewer: &'a Viewer, points: &'a CachedLayer) -> Scene<'a> {
        self.scene_over(viewer, Some(points))
    }

    fn caches<'a>(&self, viewer: &'a Viewer) -> Option<(&'a PointCache, Option<&'a PointCache>)> {
        let mine = viewer.cache(self.run)?;
        Some((mine, self.other.and_then(|o| viewer.cache(o))))
    }

    /// The key of this frame's points picture (`None` without a dashboard).
    pub fn points_key(&self, viewer: &Viewer) -> Option<PointsKey> {
        let d = self.dash.as_ref()?;
        let (mine, theirs) = self.caches(viewer)?;
        Some(PointsKey {
            size: (self.width, self.height),
            runs: (self.run, self.other),
            generations: (mine.generation(), theirs.map_or(0, |t| t.generation())),
            panels: d.views.iter().map(|(_, v)| (v.rect, v.data_view)).collect(),
        })
    }

    /// How many points of each run the points picture holds.
    pub fn points_len(&self, viewer: &Viewer) -> (usize, usize) {
        match (&self.dash, self.caches(viewer)) {
            (Some(d), Some((mine, theirs))) => d.points_len(mine, theirs),
            _ => (0, 0),
        }
    }

    /// The points from index `from` on (of each run), to draw into a layer.
    pub fn points_scene<'a>(&'a self, viewer: &'a Viewer, from: (usize, usize)) -> Scene<'a> {
        match (&self.dash, self.caches(viewer)) {
            (Some(d), Some((mine, theirs))) => d.points_scene(mine, theirs, from),
            _ => Scene::new(None),
        }
    }

    fn scene_over<'a>(&'a self, viewer: &'a Viewer, points: Option<&'a CachedLayer>) -> Scene<'a> {
        let mut s = match (&self.dash, self.caches(viewer)) {
            (Some(d), Some((cache, other))) => match points {
                Some(layer) => d.scene_layered(cache, other, layer),
                None => d.scene_with(cache, other),
            },
            _ => Scene::new(Some(self.background)),
        };
        let full = Panel::full(self.width.max(1), self.height.max(1));
        s.mesh(UI_LAYER, full, &self.bar_mesh);
        s.text(UI_LAYER + 1, full, &self.bar_text);
        s.mesh(UI_LAYER + 2, full, &self.overlay_mesh);
        s.text(UI_LAYER + 3, full, &self.overlay_text);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::command::{Action, Command};
    use super::state::TRANSITION_S;
    use super::*;
    use crate::scene::approx_measure;

    fn demo() -> Viewer {
        let runs = crate::app::demo_runs().unwrap_or_default();
        assert_eq!(runs.len(), 2);
        let mut v = Viewer::new(runs, (1280, 800));
        v.handle(Command::Tick(0.0));
        v
    }

    #[test]
    fn frames_build_without_a_gpu_in_every_mode() {
        let mut v = demo();
        v.state.set_step(300);
        let still = v.frame(&mut approx_measure);
        assert!(still.is_ok_and(|f| f.dash.is_some()));
        v.state.act(Action::StepForward);
        v.handle(Command::Tick(TRANSITION_S / 2.0));
        let mid = v.frame(&mut approx_measure);
        // mid-transition the newest point is held back and grown by the views
        assert!(mid.is_ok_and(|f| f.dash.is_some_and(|d| d.held == 1)));
        v.state.act(Action::ToggleCompare);
        assert!(v.state.comparing());
        let cmp = v.frame(&mut approx_measure);
        assert!(cmp.is_ok_and(|f| f.points_len(&v).1 > 0));
        v.state.act(Action::ToggleTimeAxis);
        assert!(v.frame(&mut approx_measure).is_ok());
        // a window too small for the dashboard still gets the bar
        v.handle(Command::Resize(300, 200));
        let tiny = v.frame(&mut approx_measure);
        assert!(tiny.is_ok_and(|f| f.dash.is_none()));
    }

    #[test]
    fn the_ring_glides_along_the_blend() {
        let mut v = demo();
        v.state.set_step(10);
        v.state.act(Action::StepForward);
        v.handle(Command::Tick(TRANSITION_S / 2.0));
        let pose = v.state.pose();
        let ring = |s: usize| {
            v.runs()[0]
                .trials
                .get(s)
                .map(|t| [t.metrics.val_acc, t.metrics.test_acc])
        };
        let Pose::Blend { from, u, .. } = &pose else {
            panic!("{pose:?}")
        };
        assert!((u - 0.5).abs() < 1e-5);
        assert_eq!(blend_at(from, &ring), ring(10));
        let whole = blend_at(&pose, &ring);
        let (a, b) = (ring(10).unwrap_or_default(), ring(11).unwrap_or_default());
        let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        assert!(whole.is_some_and(|w| (w[0] - mid[0]).abs() < 1e-6 && (w[1] - mid[1]).abs() < 1e-6));
    }
}
