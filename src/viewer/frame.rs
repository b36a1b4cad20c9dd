//! Building a frame: the state as plain drawing data ([`Frame`]), the
//! architecture pictures it reuses, tooltips, and the scenes `app/` draws.

use super::*;

impl Viewer {
    /// Builds the frame the state shows now. `measure` measures text with
    /// the renderer's fonts (or `scene::approx_measure` without a GPU).
    pub fn frame(&mut self, measure: &mut Measure) -> Result<Frame, SceneError> {
        if std::mem::replace(&mut self.drawn, true) {
            self.warm_insight();
        }
        let theme = self.theme();
        let (w, h) = self.state.size();
        let ri = self.state.run();
        let pose = self.state.pose();
        let n = self.runs[ri].trials.len();
        let step = self.state.step().min(n.saturating_sub(1));
        // the DAG panel's rectangle, where pictures are placed
        let dag_rect = dashboard_panels(w, self.state.ui().dashboard_height.max(1)).dag;
        self.keep_pictures(dag_rect);
        let grow = self.state.transition().filter(|t| t.grow).map(|t| t.to);
        let motion = self.motion_of(&pose, grow, dag_rect, &theme, measure);
        let edit_pic = self.edit_picture(dag_rect, &theme, measure);
        let dag = match (&edit_pic, self.state.selected(), self.state.second()) {
            (Some(p), _, _) => p.clone(),
            (None, Some(a), b) => self.selection_picture(a, b, dag_rect, &theme, measure),
            _ => match motion.as_ref().and_then(|m| m.dag.clone()) {
                Some(d) => d,
                None => self.picture(&Pose::Step(step), ri, dag_rect, &theme, measure),
            },
        };
        let focus = self.focus();
        let page = self.state.page();
        let opts = self.dashboard_options(step, focus, dag.clone(), motion, &theme);
        let dash = self.dashboard(step, &opts, measure)?;
        // where things are, for the pointer
        let table = (n > 0 && page.is_none()).then_some(focus.unwrap_or(TrialRef {
            run: ri,
            index: step,
        }));
        let dag = if page.is_some() { None } else { Some(dag) };
        let other = self.state.other_run();
        self.geom = geometry_of(dash.as_ref(), (ri, other), step, dag, table, &theme);
        let edit_view = edit_pic.as_ref().and_then(|p| self.edit_view(p));
        let bar = ui::draw_bar(&self.state, pose_step(&pose), &theme);
        let over = self.draw_overlay(edit_view.as_ref(), &theme, measure);
        self.geom.menu = over.menu_rows.clone();
        Ok(Frame {
            width: w,
            height: h,
            background: theme.background,
            dash,
            run: ri,
            other,
            bar_mesh: bar.mesh.build(),
            bar_text: bar.texts,
            overlay_mesh: over.mesh.build(),
            overlay_text: over.texts,
        })
    }

    /// Forgets the DAG pictures when what they depend on changed: the
    /// panel, the run and the text size.
    fn keep_pictures(&mut self, dag_rect: Rect) {
        let key = (
            dag_rect,
            self.state.run() as u32,
            self.state.scale().to_bits(),
        );
        if self.picture_key != key {
            self.pictures.clear();
            self.selection_pic = None;
            self.picture_key = key;
        }
    }

    /// The trial the table and DAG focus on: the one edit mode edits, the
    /// diff's second, or the selected one, when its run is on show.
    fn focus(&self) -> Option<TrialRef> {
        let ri = self.state.run();
        let editing = self.editor.as_ref().map(|e| TrialRef {
            run: ri,
            index: e.base,
        });
        let other = self.state.other_run();
        editing
            .or(self.state.second())
            .or(self.state.selected())
            .filter(|t| slot_in(t.run, ri, other).is_some())
    }

    /// What the dashboard draws at `step`: sizes, zoom, marks, the insight
    /// page's options, the DAG picture and the table's trial.
    fn dashboard_options(
        &mut self,
        step: usize,
        focus: Option<TrialRef>,
        dag: Arc<DagPicture>,
        motion: Option<Motion>,
        theme: &Theme,
    ) -> DashboardOptions {
        let (ri, other) = (self.state.run(), self.state.other_run());
        let x_time = self.state.time_axis();
        let mut marks = self.trial_marks(step);
        let selected_here = self
            .state
            .selected()
            .filter(|t| t.run == ri)
            .map(|t| t.index);
        let insight = self.insight_options(ri, step, selected_here, x_time, &mut marks);
        DashboardOptions {
            page: self.state.page(),
            insight,
            view: ViewKind::Dashboard,
            width: self.state.size().0,
            height: self.state.ui().dashboard_height,
            theme: theme.clone(),
            x_time,
            full_range: false,
            motion,
            zoom: [
                self.state.window(Plot::Scatter),
                self.state.window(Plot::Line),
            ],
            marks,
            dag: Some(dag),
            table_at: focus.and_then(|t| slot_in(t.run, ri, other).map(|s| (s, t.index))),
            scatter_mode: self.state.scatter_mode(),
        }
    }

    /// The dashboard (one run, or two compared), when the window has room.
    fn dashboard(
        &mut self,
        step: usize,
        opts: &DashboardOptions,
        measure: &mut Measure,
    ) -> Result<Option<Dashboard>, SceneError> {
        if opts.width < 200 || opts.height < 150 {
            return Ok(None);
        }
        let (ri, other_i) = (self.state.run(), self.state.other_run());
        let other_step = self.state.other_step();
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
        build_comparison(
            &self.runs[ri],
            &self.analytics[ri],
            other,
            step,
            opts,
            mine,
            measure,
        )
        .map(Some)
    }

    /// What floats above: the tooltip (none over an open menu), edit mode,
    /// the queue of a followed study, the notice and the help.
    fn draw_overlay(
        &self,
        edit_view: Option<&overlay::EditView>,
        theme: &Theme,
        measure: &mut Measure,
    ) -> ui::UiPaint {
        let tip = self
            .tip()
            .filter(|_| self.editor.as_ref().is_none_or(|e| e.menu().is_none()));
        #[cfg(not(target_arch = "wasm32"))]
        let queue = self.queue_view();
        #[cfg(target_arch = "wasm32")]
        let queue: Option<overlay::QueueView> = None;
        overlay::draw_overlay(
            &self.state,
            tip.as_ref(),
            edit_view,
            queue.as_ref(),
            theme,
            measure,
        )
    }

    /// What moves in a frame mid-transition (none on a still step).
    fn motion_of(
        &mut self,
        pose: &Pose,
        grow: Option<usize>,
        dag_rect: Rect,
        theme: &Theme,
        measure: &mut Measure,
    ) -> Option<Motion> {
        let ri = self.state.run();
        let x_time = self.state.time_axis();
        match pose {
            Pose::Step(_) => None,
            Pose::Blend { from, u, .. } => {
                let dag = self.picture(pose, ri, dag_rect, theme, measure);
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
        }
    }

    /// The trials marked in the plots, as (slot, index, kind): user trials
    /// up to the steps on show, edit mode's base, the selection, the
    /// hovered trial.
    fn trial_marks(&self, step: usize) -> Vec<(usize, usize, MarkKind)> {
        let ri = self.state.run();
        let other_i = self.state.other_run();
        let other_step = self.state.other_step();
        let slot_of = |r: usize| slot_in(r, ri, other_i);
        let (sel, sec) = (self.state.selected(), self.state.second());
        let mut marks = Vec::new();
        for (r, slot) in [(Some(ri), 0), (other_i, 1)] {
            let Some(meta) = r.and_then(|r| self.state.runs().get(r)) else {
                continue;
            };
            let upto = if slot == 0 {
                step
            } else {
                other_step.unwrap_or(step)
            };
            for &i in meta.user.iter().take_while(|&&i| i <= upto) {
                marks.push((slot, i, MarkKind::User));
            }
        }
        let mut mark = |t: Option<TrialRef>, kind: MarkKind| {
            if let Some(t) = t {
                if let Some(slot) = slot_of(t.run) {
                    marks.push((slot, t.index, kind));
                }
            }
        };
        mark(
            self.editor.as_ref().map(|e| TrialRef {
                run: ri,
                index: e.base,
            }),
            MarkKind::Selected(None),
        );
        mark(sel, MarkKind::Selected(sec.map(|_| 'A')));
        mark(sec, MarkKind::Selected(Some('B')));
        mark(
            self.state.hovered_trial(),
            MarkKind::Hover(self.state.hover_growth()),
        );
        marks
    }

    /// The DAG picture of a pose: a step's own, or a morph of morphs.
    pub(super) fn picture(
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
    pub(super) fn selection_picture(
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
                // the hint shortens first where the panel is narrow
                let what = p.title.trim_start_matches("Architecture · ");
                let (size, room) = (theme.label_size + 1.0, rect.w - 24.0);
                q.title = [
                    format!("Selected {what} · Esc: back to the step"),
                    format!("Selected {what} · Esc"),
                ]
                .into_iter()
                .find(|t| measure(t, size).0 <= room)
                .unwrap_or_else(|| {
                    crate::scene::panel::fit(&format!("Selected {what}"), size, room, measure)
                });
                q
            }
            Some(b) => {
                let trial = |t: TrialRef| self.runs.get(t.run).and_then(|r| r.trials.get(t.index));
                match (trial(a), trial(b)) {
                    (Some(x), Some(y)) => {
                        let title =
                            format!("Diff · trial {} (A) → trial {} (B)", x.trial_id, y.trial_id);
                        let mut p = dag_picture(y.arch, Some(x.arch), &title, rect, theme, measure);
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
    pub(super) fn tip(&self) -> Option<Tip> {
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
        // the trial and how often its architecture was evaluated up to the
        // step on show
        let counted = |t: TrialRef| -> Option<(usize, tips::Repeats)> {
            let run = self.runs.get(t.run)?;
            let mut all = self.repeat_index.borrow_mut();
            let index = all.entry(t.run).or_default();
            index.sync(run);
            Some((t.index, index.repeats(run, t.index, st.step())))
        };
        let trial_tip = |t: TrialRef, avoid: Rect| {
            Some(tips::trial_tip(
                self.runs.get(t.run)?,
                self.analytics.get(t.run)?,
                counted(t)?,
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
                counted(trial)?,
                around(st.mouse()?),
            )),
            Some(Thing::Row { trial, row }) => {
                let mut t = trial_tip(trial, *self.geom.rows.get(row)?)?;
                t.outline = true;
                Some(t)
            }
            Some(Thing::Node(i)) => tips::node_tip(self.geom.dag.as_deref()?, i),
            Some(Thing::Choice(k)) => {
                let (r, hit) = self.geom.hits.get(k)?;
                if let crate::scene::insight::Hit::Curve { group, step } = hit {
                    let sc = &self.strategies.as_ref()?.curves;
                    return insight::curve_tip(sc, *group, *step, *r);
                }
                let ri = self.geom.runs.0;
                insight::tip(
                    hit,
                    self.runs.get(ri)?,
                    self.analytics.get(ri)?,
                    self.geom.step,
                    *r,
                )
            }
            Some(Thing::Edge(e)) => tips::edge_tip(self.geom.dag.as_deref()?, e, st.mouse()?),
            None => {
                let t = st.tip_trial()?;
                trial_tip(t, point_box(t, 0).or_else(|| point_box(t, 1))?)
            }
        }
    }

    /// Node matching from the architecture of step `a` to that of `b`.
    pub(super) fn node_map(&mut self, run: usize, a: usize, b: usize) -> NodeMap {
        if let Some(m) = self.maps.get(&(run, a, b)) {
            return m.clone();
        }
        let trials = &self.runs[run].trials;
        let arch = |i: usize| -> Option<&Arch> { trials.get(i).map(|t| t.arch) };
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
}

/// A pose's value of a quantity known per step, blended along the pose.
pub(super) fn blend_at(pose: &Pose, at: &dyn Fn(usize) -> Option<[f64; 2]>) -> Option<[f64; 2]> {
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
pub(super) fn pose_step(pose: &Pose) -> f32 {
    match pose {
        Pose::Step(s) => *s as f32,
        Pose::Blend { from, to, u } => lerp(pose_step(from), *to as f32, *u),
    }
}

/// Mutable references to two different caches (the second optional).
pub(super) fn split_two(
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
    pub(crate) bar_mesh: Mesh,
    pub(crate) bar_text: Vec<TextRun>,
    pub(crate) overlay_mesh: Mesh,
    pub overlay_text: Vec<TextRun>,
}

/// Layers of the UI, above every view of the dashboard.
const UI_LAYER: i32 = 1000;

/// What a picture of the cached points depends on: when it is unchanged,
/// a layer holding the points can be extended instead of redrawn.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PointsKey {
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
        self.scene_over(viewer)
    }

    /// The render scene around points drawn elsewhere (from
    /// [`Frame::points_scene`]), and where they go; no slot without a
    /// dashboard.
    pub(crate) fn scene_around_points<'a>(
        &'a self,
        viewer: &'a Viewer,
    ) -> (Scene<'a>, Option<PointsSlot>) {
        let (s, slot) = match (&self.dash, self.caches(viewer)) {
            (Some(d), Some((cache, other))) => {
                let (s, slot) = d.scene_around_points(cache, other);
                (s, Some(slot))
            }
            _ => (Scene::new(Some(self.background)), None),
        };
        (self.with_ui(s), slot)
    }

    fn caches<'a>(&self, viewer: &'a Viewer) -> Option<(&'a PointCache, Option<&'a PointCache>)> {
        let mine = viewer.cache(self.run)?;
        Some((mine, self.other.and_then(|o| viewer.cache(o))))
    }

    /// The key of this frame's points picture (`None` without a dashboard).
    pub(crate) fn points_key(&self, viewer: &Viewer) -> Option<PointsKey> {
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
    pub(crate) fn points_len(&self, viewer: &Viewer) -> (usize, usize) {
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

    fn scene_over<'a>(&'a self, viewer: &'a Viewer) -> Scene<'a> {
        let s = match (&self.dash, self.caches(viewer)) {
            (Some(d), Some((cache, other))) => d.scene_with(cache, other),
            _ => Scene::new(Some(self.background)),
        };
        self.with_ui(s)
    }

    /// `s` with the bar and the overlay on top.
    fn with_ui<'a>(&'a self, mut s: Scene<'a>) -> Scene<'a> {
        let full = Panel::full(self.width.max(1), self.height.max(1));
        s.mesh(UI_LAYER, full, &self.bar_mesh);
        s.text(UI_LAYER + 1, full, &self.bar_text);
        s.mesh(UI_LAYER + 2, full, &self.overlay_mesh);
        s.text(UI_LAYER + 3, full, &self.overlay_text);
        s
    }
}

/// Where a frame put what the pointer can point at.
fn geometry_of(
    dash: Option<&Dashboard>,
    runs: (usize, Option<usize>),
    step: usize,
    dag: Option<Arc<DagPicture>>,
    table: Option<TrialRef>,
    theme: &Theme,
) -> Geometry {
    let mut geom = Geometry {
        runs,
        step,
        dag,
        table,
        ..Geometry::default()
    };
    if let Some(d) = dash {
        geom.hits = d.hits.clone();
        for (kind, v) in &d.views {
            match kind {
                ViewKind::Scatter => geom.plots[0] = Some((v.rect, v.data_view)),
                ViewKind::Line => geom.plots[1] = Some((v.rect, v.data_view)),
                ViewKind::Table => {
                    geom.rows = row_boxes(Rect::new(v.rect.x, v.rect.y, v.rect.w, v.rect.h), theme)
                }
                _ => {}
            }
        }
    }
    geom
}

/// The plot slot of run `r`: 0 the run on show (`ri`), 1 the compared one.
fn slot_in(r: usize, ri: usize, other_i: Option<usize>) -> Option<usize> {
    if r == ri {
        Some(0)
    } else if Some(r) == other_i {
        Some(1)
    } else {
        None
    }
}
