//! The viewer, without a window or a GPU: the state machine
//! ([`state::ViewerState`]) driven by [`command::Command`]s and an injected
//! clock, the thin UI ([`ui`]), `--script` files ([`script`]), and
//! [`Viewer`], which holds the runs and turns the state into a frame of
//! plain drawing data ([`Frame`]). `app/` puts frames on a window or an
//! offscreen target.

pub mod command;
pub mod script;
pub mod spot;
pub mod state;
pub mod tips;
pub mod ui;

use crate::analysis::Analytics;
use crate::arch::Arch;
use crate::layout::{dashboard_panels, Rect};
use crate::render::{
    CachedLayer, Circle, Color, Mesh, Panel, PixelRect, Scene, TextRun, ViewTransform,
};
use crate::scene::dag::{dag_picture, morph, DagPicture};
use crate::scene::dashboard::{build_comparison, step_picture, Dashboard, Other, SceneError};
use crate::scene::motion::{lerp, Motion};
use crate::scene::pick::PickGrid;
use crate::scene::plots::MarkKind;
use crate::scene::plots::PointCache;
use crate::scene::table::table_values;
use crate::scene::table::{row_boxes, BEST_ROW, EFFECTIVE_ROW};
use crate::scene::{DashboardOptions, Measure, Theme, ViewKind};
use crate::trace::Run;
use command::Command;
use spot::{Plot, PlotAt, Spot, Thing, TrialRef};
use state::{Pose, RunMeta, ViewerState};
use std::collections::HashMap;
use std::sync::Arc;
use ui::Tip;

/// A selection: trial A, and B when two are diffed.
type Selection = (TrialRef, Option<TrialRef>);

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
    /// Pick grids of each run's scatter and line-chart points.
    grids: Vec<[PickGrid; 2]>,
    /// The selection's picture (one trial, or two diffed), made once.
    selection_pic: Option<(Selection, Arc<DagPicture>)>,
    /// Where the last frame put what the pointer can point at.
    geom: Geometry,
    /// The trace file followed, when one is.
    follow: Option<Follow>,
}

/// A trace file another process appends to.
struct Follow {
    follower: crate::trace::jsonl::Follower,
    next_poll: f64,
}

/// Where a frame put the things the pointer can point at.
#[derive(Clone, Default)]
struct Geometry {
    /// The scatter's and the line chart's data area and transform.
    plots: [Option<(PixelRect, ViewTransform)>; 2],
    /// The runs on show: the first, and the compared one.
    runs: (usize, Option<usize>),
    /// The step on show of the first run.
    step: usize,
    dag: Option<Arc<DagPicture>>,
    /// The table's row boxes and the trial it describes.
    rows: Vec<Rect>,
    table: Option<TrialRef>,
}

/// Pixels from the best-so-far line that still point at it.
const LINE_REACH: f32 = 4.0;
/// Pixels from an edge of the architecture that still point at it.
const EDGE_REACH: f32 = 5.0;

fn inside(r: PixelRect, p: [f32; 2]) -> bool {
    p[0] >= r.x && p[0] <= r.x + r.w && p[1] >= r.y && p[1] <= r.y + r.h
}

/// The meta of a run for the state machine.
pub fn run_meta(run: &Run, analytics: &Analytics) -> RunMeta {
    let mut m = RunMeta {
        id: run.info.run_id.clone(),
        len: 0,
        improvements: Vec::new(),
        best_at: Vec::new(),
        times: Some(Vec::new()),
        parent: Vec::new(),
    };
    extend_meta(&mut m, run, analytics);
    m
}

/// Brings `meta` up to the trials of `run` appended since it was made
/// (O(new trials)).
pub fn extend_meta(meta: &mut RunMeta, run: &Run, analytics: &Analytics) {
    for i in meta.len..run.trials.len() {
        let t = &run.trials[i];
        let best = analytics.step(i).map_or(i, |s| s.best);
        if meta.best_at.last() != Some(&best) {
            meta.improvements.push(i);
        }
        meta.best_at.push(best);
        meta.times = match (meta.times.take(), t.time_s.filter(|x| x.is_finite())) {
            (Some(mut v), Some(x)) => {
                v.push(x);
                Some(v)
            }
            _ => None,
        };
        meta.parent.push(
            t.parents
                .first()
                .and_then(|&p| run.position(p))
                .map_or(state::NO_PARENT, |p| p as u32),
        );
    }
    meta.len = run.trials.len();
    if meta.len == 0 {
        meta.times = None;
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
        let n = runs.len();
        Viewer {
            state: ViewerState::new(metas, size),
            runs,
            analytics,
            caches,
            pictures: HashMap::new(),
            picture_key: (Rect::default(), 0, 0),
            maps: HashMap::new(),
            theme: Theme::default(),
            grids: (0..n).map(|_| Default::default()).collect(),
            selection_pic: None,
            geom: Geometry::default(),
            follow: None,
        }
    }

    /// Follows the file `follower` reads (which has read what the viewer
    /// holds): trials appended to it join the runs as they are written.
    pub fn follow(&mut self, follower: crate::trace::jsonl::Follower) {
        self.follow = Some(Follow {
            follower,
            next_poll: 0.0,
        });
        self.state.set_following(true);
    }

    /// Reads what was appended to the followed file (at most every
    /// `POLL_S`); a bad line or a replaced file stops following, with a
    /// notice, and keeps everything read so far.
    fn poll_follow(&mut self) {
        let now = self.state.now();
        let Some(mut f) = self.follow.take() else {
            return;
        };
        if now < f.next_poll {
            self.follow = Some(f);
            return;
        }
        f.next_poll = now + state::POLL_S;
        match f.follower.poll() {
            Err(e) => {
                self.state.set_following(false);
                self.state.notify(format!("stopped following: {e}"));
                return;
            }
            Ok(events) if !events.is_empty() => self.absorb(f.follower.trace()),
            Ok(_) => {}
        }
        self.follow = Some(f);
    }

    /// Takes in the trials (and runs) of `trace` the viewer does not hold.
    fn absorb(&mut self, trace: &crate::trace::Trace) {
        for (i, r) in trace.runs.iter().enumerate() {
            if i >= self.runs.len() {
                let a = Analytics::of_run(r);
                self.state.push_run(run_meta(r, &a));
                self.runs.push(r.clone());
                self.analytics.push(a);
                self.caches.push(PointCache::new());
                self.grids.push(Default::default());
                continue;
            }
            let have = self.runs[i].trials.len();
            if r.trials.len() <= have && r.steers.len() == self.runs[i].steers.len() {
                continue;
            }
            for t in r.trials.iter().skip(have) {
                // the follower checked ids; a refusal here means nothing new
                let _ = self.runs[i].push(t.clone());
            }
            self.runs[i].steers.clone_from(&r.steers);
            self.analytics[i].extend(&self.runs[i]);
            if let Some(m) = self.state.run_meta_mut(i) {
                extend_meta(m, &self.runs[i], &self.analytics[i]);
            }
            self.state.grown(i, have);
        }
    }

    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Applies a command to the state; pointer commands learn what the
    /// dashboard has under the pointer.
    pub fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Move(p) | Command::Press(p) | Command::Release(p) | Command::Wheel(p, _) => {
                let spot = self.spot_at(p);
                self.state.handle_at(cmd, Some(spot));
            }
            Command::Tick(_) => {
                self.state.handle(cmd);
                self.poll_follow();
                // points move under a still pointer (playback, zoom)
                if let Some(m) = self.state.mouse() {
                    if self.state.down().is_none() && self.state.hover().is_none() {
                        let spot = self.spot_at(m);
                        if spot != self.state.spot() {
                            self.state.set_spot(spot);
                        }
                    }
                }
            }
            _ => self.state.handle(cmd),
        }
    }

    /// The topmost point of run `r` in plot `k` (0 scatter, 1 line) under
    /// `p`, through the run's pick grid.
    fn pick(
        &mut self,
        r: usize,
        k: usize,
        area: PixelRect,
        view: ViewTransform,
        p: [f32; 2],
    ) -> Option<usize> {
        let cache = self.caches.get(r)?;
        let circles = cache.points(k);
        let grid = &mut self.grids.get_mut(r)?[k];
        grid.sync(circles, view, area, cache.generation());
        grid.pick(p)
    }

    /// Where the last frame drew trial `t`'s point in `plot` (pixels),
    /// when it is on show.
    pub fn point_of(&self, t: TrialRef, plot: Plot) -> Option<[f32; 2]> {
        self.drawn(t, plot.index()).map(|(_, p)| p)
    }

    /// Trial `t`'s circle in plot `k` (0 scatter, 1 line) as the last
    /// frame drew it, and its pixel position, when it is on show.
    fn drawn(&self, t: TrialRef, k: usize) -> Option<(Circle, [f32; 2])> {
        let (area, view) = *self.geom.plots.get(k)?.as_ref()?;
        if t.run != self.geom.runs.0 && Some(t.run) != self.geom.runs.1 {
            return None;
        }
        let c = *self.caches.get(t.run)?.points(k).get(t.index)?;
        let p = view.apply(c.center);
        inside(area, p).then_some((c, p))
    }

    /// Where the last frame drew box `i` of the architecture view.
    pub fn node_center(&self, i: usize) -> Option<[f32; 2]> {
        Some(self.geom.dag.as_ref()?.nodes.get(i)?.center)
    }

    /// What the last frame has under pixel `p`.
    pub fn spot_at(&mut self, p: [f32; 2]) -> Spot {
        let g = self.geom.clone();
        let mut spot = Spot::default();
        for (k, plot) in [Plot::Scatter, Plot::Line].into_iter().enumerate() {
            let Some((area, view)) = g.plots[k] else {
                continue;
            };
            if !inside(area, p) {
                continue;
            }
            spot.plot = Some(PlotAt {
                plot,
                frac: [
                    ((p[0] - area.x) / area.w.max(1.0)) as f64,
                    ((area.y + area.h - p[1]) / area.h.max(1.0)) as f64,
                ],
                size: [area.w, area.h],
            });
            // the first run's points are drawn over the compared run's
            for r in [Some(g.runs.0), g.runs.1].into_iter().flatten() {
                if let Some(i) = self.pick(r, k, area, view, p) {
                    spot.thing = Some(Thing::Point(TrialRef { run: r, index: i }));
                    return spot;
                }
            }
            if plot == Plot::Line {
                spot.thing = self.best_line_at(g.runs.0, g.step, view, p);
            }
            return spot;
        }
        if let Some(pic) = &g.dag {
            let node = pic.nodes.iter().rposition(|n| {
                let (w, h) = (n.size[0] * n.scale / 2.0, n.size[1] * n.scale / 2.0);
                n.alpha > 0.3 && (p[0] - n.center[0]).abs() <= w && (p[1] - n.center[1]).abs() <= h
            });
            if let Some(i) = node {
                spot.thing = Some(Thing::Node(i));
                return spot;
            }
            let edge = pic.edges.iter().rposition(|e| {
                e.alpha > 0.3 && tips::polyline_distance(&e.points, p) <= EDGE_REACH
            });
            if let Some(e) = edge {
                spot.thing = Some(Thing::Edge(e));
                return spot;
            }
        }
        if let Some(t) = g.table {
            if let Some(row) = g.rows.iter().position(|r| r.contains_point(p)) {
                let st = self.analytics.get(t.run).and_then(|a| a.step(t.index));
                let index = match row {
                    BEST_ROW | 5 => st.map(|s| s.best),
                    EFFECTIVE_ROW => st.and_then(|s| s.most_effective).map(|e| e.step),
                    _ => None,
                };
                if let Some(index) = index {
                    spot.thing = Some(Thing::Row {
                        trial: TrialRef { run: t.run, index },
                        row,
                    });
                }
            }
        }
        spot
    }

    /// The best-so-far line of run `r` near `p` in the line chart, up to
    /// `step`.
    fn best_line_at(
        &self,
        r: usize,
        step: usize,
        view: ViewTransform,
        p: [f32; 2],
    ) -> Option<Thing> {
        let meta = self.state.runs().get(r)?;
        let run = self.runs.get(r)?;
        let x = view.invert(p)[0] as f64;
        let at = match meta.times.as_deref().filter(|_| self.state.time_axis()) {
            Some(times) => times.partition_point(|&t| t <= x).checked_sub(1)?,
            None if x >= -0.5 => x.round() as usize,
            None => return None,
        };
        if at > step {
            return None;
        }
        let best = *meta.best_at.get(at)?;
        let val = run.trials.get(best)?.metrics.val_acc as f32;
        let y = view.apply([0.0, val])[1];
        ((y - p[1]).abs() <= LINE_REACH).then_some(Thing::Best {
            trial: TrialRef {
                run: r,
                index: best,
            },
            step: at,
        })
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
            self.selection_pic = None;
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
        // hovered and selected trials, marked in the plots
        let slot_of = |r: usize| {
            if r == ri {
                Some(0)
            } else if Some(r) == other_i {
                Some(1)
            } else {
                None
            }
        };
        let (sel, sec) = (self.state.selected(), self.state.second());
        let mut marks = Vec::new();
        let mut mark = |t: Option<TrialRef>, kind: MarkKind| {
            if let Some(t) = t {
                if let Some(slot) = slot_of(t.run) {
                    marks.push((slot, t.index, kind));
                }
            }
        };
        mark(sel, MarkKind::Selected(sec.map(|_| 'A')));
        mark(sec, MarkKind::Selected(Some('B')));
        mark(
            self.state.hovered_trial(),
            MarkKind::Hover(self.state.hover_growth()),
        );
        // the DAG view: two selected trials diffed, one selected, or the step
        let dag = match (sel, sec) {
            (Some(a), b) => self.selection_picture(a, b, dag_rect, &theme, measure),
            _ => match motion.as_ref().and_then(|m| m.dag.clone()) {
                Some(d) => d,
                None => self.picture(&Pose::Step(step), ri, dag_rect, &theme, measure),
            },
        };
        let focus = sec.or(sel).filter(|t| slot_of(t.run).is_some());
        let table_at = focus.and_then(|t| slot_of(t.run).map(|s| (s, t.index)));
        let opts = DashboardOptions {
            view: ViewKind::Dashboard,
            width: w,
            height: dash_h,
            theme: theme.clone(),
            x_time,
            full_range: false,
            motion,
            zoom: [
                self.state.window(Plot::Scatter),
                self.state.window(Plot::Line),
            ],
            marks,
            dag: Some(dag.clone()),
            table_at,
            scatter_mode: self.state.scatter_mode(),
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
        // where things are, for the pointer
        let mut geom = Geometry {
            runs: (ri, other_i),
            step,
            dag: Some(dag),
            table: (n > 0).then_some(focus.unwrap_or(TrialRef {
                run: ri,
                index: step,
            })),
            ..Geometry::default()
        };
        if let Some(d) = &dash {
            for (kind, v) in &d.views {
                match kind {
                    ViewKind::Scatter => geom.plots[0] = Some((v.rect, v.data_view)),
                    ViewKind::Line => geom.plots[1] = Some((v.rect, v.data_view)),
                    ViewKind::Table => {
                        geom.rows =
                            row_boxes(Rect::new(v.rect.x, v.rect.y, v.rect.w, v.rect.h), &theme)
                    }
                    _ => {}
                }
            }
        }
        self.geom = geom;
        let tip = self.tip();
        let bar = ui::draw_bar(&self.state, pose_step(&pose), &theme);
        let over = ui::draw_overlay(&self.state, tip.as_ref(), &theme, measure);
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

    /// The picture of the selection, made once per selection: trial `a`
    /// with its diff to its parent, or with `b` trial `b` diffed against
    /// `a` node for node, with their accuracy differences.
    fn selection_picture(
        &mut self,
        a: TrialRef,
        b: Option<TrialRef>,
        rect: Rect,
        theme: &Theme,
        measure: &mut Measure,
    ) -> Arc<DagPicture> {
        if let Some((k, p)) = &self.selection_pic {
            if *k == (a, b) {
                return p.clone();
            }
        }
        let pic = match b {
            None => {
                let p = self.picture(&Pose::Step(a.index), a.run, rect, theme, measure);
                let mut q = (*p).clone();
                q.title = format!(
                    "Selected {} · Esc: back to the step",
                    p.title.trim_start_matches("Architecture · ")
                );
                q
            }
            Some(b) => {
                let trial = |t: TrialRef| self.runs.get(t.run).and_then(|r| r.trials.get(t.index));
                match (trial(a), trial(b)) {
                    (Some(x), Some(y)) => {
                        let title =
                            format!("Diff · trial {} (A) → trial {} (B)", x.trial_id, y.trial_id);
                        let mut p =
                            dag_picture(&y.arch, Some(&x.arch), &title, rect, theme, measure);
                        let acc = format!(
                            "B − A: validation {}, test {}",
                            crate::fmt::fmt_pp(y.metrics.val_acc - x.metrics.val_acc),
                            crate::fmt::fmt_pp(y.metrics.test_acc - x.metrics.test_acc)
                        );
                        p.summary = if p.summary.is_empty() {
                            acc
                        } else {
                            format!("{acc} · {}", p.summary)
                        };
                        p
                    }
                    _ => DagPicture::empty(rect, "Diff", "No such trial"),
                }
            }
        };
        let p = Arc::new(pic);
        self.selection_pic = Some(((a, b), p.clone()));
        p
    }

    /// The tooltip of what the pointer is over (or of a selection made
    /// with keys), placed beside it.
    fn tip(&self) -> Option<Tip> {
        let st = &self.state;
        if st.help_shown() || st.down().is_some_and(|d| d.moved) {
            return None;
        }
        let with_run = self.geom.runs.1.is_some();
        let point_box = |t: TrialRef, k: usize| -> Option<Rect> {
            let (c, p) = self.drawn(t, k)?;
            // the grown circle and its halo
            let r = c.radius * 1.9 + 2.5 + 5.0;
            Some(Rect::new(p[0] - r, p[1] - r, 2.0 * r, 2.0 * r))
        };
        let around = |p: [f32; 2]| Rect::new(p[0] - 8.0, p[1] - 8.0, 16.0, 16.0);
        let trial_tip = |t: TrialRef, avoid: Rect| {
            Some(tips::trial_tip(
                self.runs.get(t.run)?,
                self.analytics.get(t.run)?,
                t.index,
                with_run,
                avoid,
            ))
        };
        let spot = st.spot();
        match spot.thing {
            Some(Thing::Point(t)) => {
                let k = spot.plot.map_or(0, |a| a.plot.index());
                trial_tip(t, point_box(t, k)?)
            }
            Some(Thing::Best { trial, step }) => Some(tips::best_tip(
                self.runs.get(trial.run)?,
                self.analytics.get(trial.run)?,
                step,
                trial.index,
                around(st.mouse()?),
            )),
            Some(Thing::Row { trial, row }) => {
                let mut t = trial_tip(trial, *self.geom.rows.get(row)?)?;
                t.outline = true;
                Some(t)
            }
            Some(Thing::Node(i)) => tips::node_tip(self.geom.dag.as_deref()?, i),
            Some(Thing::Edge(e)) => tips::edge_tip(self.geom.dag.as_deref()?, e, st.mouse()?),
            None => {
                let t = st.tip_trial()?;
                trial_tip(t, point_box(t, 0).or_else(|| point_box(t, 1))?)
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
    /// With density, what changes it: a redraw each time (counts change
    /// in place, so the layer cannot be extended).
    density: Option<(u64, usize, usize)>,
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
            density: d.density.then(|| {
                (
                    mine.density.generation(),
                    mine.density.circles.len(),
                    mine.line.len(),
                )
            }),
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
    use super::command::{Action, Command, Key, KeyPress};
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

    fn texts_of(f: &Frame, kind: ViewKind) -> String {
        f.dash
            .as_ref()
            .and_then(|d| d.views.iter().find(|(k, _)| *k == kind))
            .map(|(_, v)| {
                v.texts
                    .iter()
                    .map(|t| t.text.clone())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .unwrap_or_default()
    }

    fn grown(f: &Frame, kind: ViewKind) -> Vec<[f32; 2]> {
        f.dash
            .as_ref()
            .and_then(|d| d.views.iter().find(|(k, _)| *k == kind))
            .map(|(_, v)| v.circles.iter().map(|c| c.center).collect())
            .unwrap_or_default()
    }

    /// A trial of run 0 whose scatter point is the topmost at its centre.
    fn topmost(v: &mut Viewer, from: usize) -> Option<(usize, [f32; 2])> {
        (0..=from).rev().find_map(|k| {
            let t = TrialRef { run: 0, index: k };
            let p = v.point_of(t, Plot::Scatter)?;
            (v.spot_at(p).thing == Some(Thing::Point(t))).then_some((k, p))
        })
    }

    #[test]
    fn hovering_a_point_highlights_it_in_both_plots_and_tells_its_story() {
        let mut v = demo();
        v.state.set_step(400);
        assert!(v.frame(&mut approx_measure).is_ok());
        let Some((k, p)) = topmost(&mut v, 390) else {
            panic!("no pickable point")
        };
        v.handle(Command::Move(p));
        assert_eq!(v.state.hovered_trial(), Some(TrialRef { run: 0, index: k }));
        v.handle(Command::Tick(1.0));
        let f = match v.frame(&mut approx_measure) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        let t = v.runs()[0].trials[k].clone();
        let here = [t.metrics.val_acc as f32, t.metrics.test_acc as f32];
        assert!(
            grown(&f, ViewKind::Scatter).contains(&here),
            "scatter not highlighted"
        );
        assert!(
            grown(&f, ViewKind::Line).contains(&[k as f32, here[0]]),
            "line not linked"
        );
        // the tooltip names the trial
        let tip: Vec<String> = f.overlay_text.iter().map(|t| t.text.clone()).collect();
        assert!(
            tip.iter()
                .any(|l| l.contains(&format!("Trial {} · step {}", t.trial_id, k + 1))),
            "{tip:?}"
        );
        assert!(tip.iter().any(|l| l.starts_with("validation ")));
        // a click selects it: the DAG and the table describe it
        v.handle(Command::Press(p));
        v.handle(Command::Release(p));
        let f = v.frame(&mut approx_measure).ok();
        let dag = f
            .as_ref()
            .map(|f| texts_of(f, ViewKind::Dag))
            .unwrap_or_default();
        assert!(
            dag.contains(&format!("Selected trial {}", t.trial_id)),
            "{dag}"
        );
        let table = f
            .as_ref()
            .map(|f| texts_of(f, ViewKind::Table))
            .unwrap_or_default();
        assert!(table.contains(&format!("{} of 2,000", k + 1)), "{table}");
        // a row naming the best trial highlights that trial in the plots
        let rows = v.geom.rows.clone();
        let best = v.analytics[0].step(k).map(|s| s.best);
        if let (Some(r), Some(best)) = (rows.get(BEST_ROW), best) {
            v.handle(Command::Move(r.center()));
            assert_eq!(
                v.state.hovered_trial(),
                Some(TrialRef {
                    run: 0,
                    index: best
                })
            );
        } else {
            panic!("no best row");
        }
        // Esc returns to the step
        v.handle(Command::Key(KeyPress::plain(Key::Escape)));
        let f = v.frame(&mut approx_measure).ok();
        let dag = f
            .as_ref()
            .map(|f| texts_of(f, ViewKind::Dag))
            .unwrap_or_default();
        assert!(dag.contains("trial 400"), "{dag}");
    }

    #[test]
    fn shift_click_diffs_two_trials_node_for_node() {
        let mut v = demo();
        v.state.set_step(600);
        assert!(v.frame(&mut approx_measure).is_ok());
        let (Some((a, pa)), Some((b, pb))) = (topmost(&mut v, 590), topmost(&mut v, 300)) else {
            panic!("no pickable points")
        };
        v.handle(Command::Move(pa));
        v.handle(Command::Press(pa));
        v.handle(Command::Release(pa));
        v.handle(Command::Tick(1.0));
        v.handle(Command::Modifiers(super::command::Mods {
            shift: true,
            ..Default::default()
        }));
        v.handle(Command::Move(pb));
        v.handle(Command::Press(pb));
        v.handle(Command::Release(pb));
        assert_eq!(v.state.second(), Some(TrialRef { run: 0, index: b }));
        let f = v.frame(&mut approx_measure).ok();
        let dag = f
            .as_ref()
            .map(|f| texts_of(f, ViewKind::Dag))
            .unwrap_or_default();
        let trials = &v.runs()[0].trials;
        assert!(
            dag.contains(&format!(
                "Diff · trial {} (A) → trial {} (B)",
                trials[a].trial_id, trials[b].trial_id
            )),
            "{dag}"
        );
        let dv = trials[b].metrics.val_acc - trials[a].metrics.val_acc;
        assert!(
            dag.contains(&format!("validation {}", crate::fmt::fmt_pp(dv))),
            "{dag}"
        );
        // the boxes of the architecture answer the pointer
        let node = v
            .geom
            .dag
            .as_ref()
            .and_then(|d| d.nodes.first().map(|n| n.center));
        if let Some(c) = node {
            v.handle(Command::Move(c));
            assert_eq!(v.state.spot().thing, Some(Thing::Node(0)));
        }
    }

    #[test]
    fn a_followed_file_grows_in_the_viewer_and_a_bad_line_stops_it() {
        use std::io::Write;
        let demo = crate::export::DEMO_RANDOM;
        let lines: Vec<&str> = demo.lines().collect();
        let dir = std::env::temp_dir().join(format!("nasviz-follow-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("live.jsonl");
        // the run line and 10 trials so far
        let _ = std::fs::write(&path, lines[..11].join("\n") + "\n");
        let mut f = crate::trace::jsonl::Follower::new(&path);
        assert!(f.poll().is_ok());
        let runs = f.trace().runs.clone();
        let mut v = Viewer::new(runs, (1280, 800));
        v.handle(Command::Tick(0.0));
        v.state.set_step(9);
        v.follow(f);
        assert!(v.state.following());
        assert!(v.state.next_wake().is_some(), "following wakes the viewer");
        // 40 more trials, and half a line still being written
        let mut out = match std::fs::OpenOptions::new().append(true).open(&path) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        };
        let _ = out.write_all((lines[11..51].join("\n") + "\n").as_bytes());
        let _ = out.write_all(&lines[51].as_bytes()[..20]);
        let _ = out.flush();
        v.handle(Command::Tick(0.5));
        assert_eq!(v.runs()[0].trials.len(), 50);
        assert_eq!(v.state.runs()[0].len, 50);
        assert_eq!(v.state.step(), 49, "the view follows to the newest trial");
        assert_eq!(v.state.runs()[0].best_at.len(), 50);
        assert!(v.frame(&mut approx_measure).is_ok());
        // the rest of that line arrives; the user stepped back: no jump
        v.state.set_step(20);
        let _ = out.write_all(&lines[51].as_bytes()[20..]);
        let _ = out.write_all(b"\n");
        let _ = out.flush();
        v.handle(Command::Tick(1.0));
        assert_eq!(v.runs()[0].trials.len(), 51);
        assert_eq!(v.state.step(), 20);
        // a broken line: following stops with a notice, nothing is lost
        let _ = out.write_all(b"{\"kind\":\"trial\",\"run_id\":\"rs-0\",\"trial_id\":\n");
        let _ = out.flush();
        v.handle(Command::Tick(1.5));
        assert!(!v.state.following());
        assert!(v
            .state
            .notice()
            .is_some_and(|n| n.starts_with("stopped following")));
        assert_eq!(v.runs()[0].trials.len(), 51);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
