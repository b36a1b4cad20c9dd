//! The viewer, without a window or a GPU: the state machine
//! ([`state::ViewerState`]) driven by [`command::Command`]s and an injected
//! clock, the thin UI ([`ui`]), `--script` files ([`script`]), and
//! [`Viewer`], which holds the runs and turns the state into a frame of
//! plain drawing data ([`Frame`]). `app/` puts frames on a window or an
//! offscreen target.

pub mod command;
pub mod edit;
pub mod insight;
pub mod live;
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
use crate::scene::table::{row_boxes, BEST_LAYERS_ROW, BEST_ROW, EFFECTIVE_ROW};
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
    /// The live search and its run's index, when there is one.
    live: Option<(usize, live::Live)>,
    /// Edit mode, when on.
    editor: Option<edit::Editor>,
    /// The picture edit mode shows (the base, or the highlighted edit's
    /// result diffed against it), and what it shows.
    edit_pic: Option<(EditPicKey, Arc<DagPicture>)>,
    /// Whether the live run was playing (searching) at the last command.
    live_playing: bool,
    /// The layer a press in edit mode went down on (a drag adds an edge).
    drag_from: Option<usize>,
    /// Where each run's architectures were evaluated, for tooltips (built
    /// when one first asks).
    repeat_index: std::cell::RefCell<HashMap<usize, tips::RepeatIndex>>,
    /// The clicked choice value or edit kind, and its trials.
    highlight: insight::Highlight,
    /// The strategies view's groups: the runs they were made of (viewer
    /// indices), a key of what they were made from, the curves.
    strategies: Option<insight::Grouped>,
    /// `--group-by`: the pattern on run ids that groups them.
    group_by: Option<String>,
    /// Each run's complete-table importance, where there is one.
    tables: HashMap<usize, Option<Arc<crate::analysis::importance::ImportanceReport>>>,
}

/// What edit mode's picture shows: the base trial, or a menu item.
type EditPicKey = (
    u64,
    Option<(
        crate::search::steer::EditKind,
        crate::search::steer::EditTarget,
        usize,
    )>,
);

/// A trace file another process appends to.
struct Follow {
    follower: crate::trace::open::Followed,
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
    /// Edit mode's menu rows.
    menu: Vec<Rect>,
    /// The insight view's clickable things.
    hits: Vec<(Rect, crate::scene::insight::Hit)>,
}

/// Pixels from the best-so-far line that still point at it.
const LINE_REACH: f32 = 4.0;
/// Pixels from an edge of the architecture that still point at it.
const EDGE_REACH: f32 = 5.0;

/// The bounding box of a polyline.
fn polyline_box(pts: &[[f32; 2]]) -> Option<Rect> {
    let first = pts.first()?;
    let (mut a, mut b) = (*first, *first);
    for p in pts {
        a = [a[0].min(p[0]), a[1].min(p[1])];
        b = [b[0].max(p[0]), b[1].max(p[1])];
    }
    Some(Rect::new(a[0], a[1], b[0] - a[0], b[1] - a[1]))
}

fn inside(r: PixelRect, p: [f32; 2]) -> bool {
    p[0] >= r.x && p[0] <= r.x + r.w && p[1] >= r.y && p[1] <= r.y + r.h
}

/// The meta of a run for the state machine.
pub fn run_meta(run: &Run, analytics: &Analytics) -> RunMeta {
    let mut m = RunMeta {
        id: run.info.run_id.clone(),
        group: format!("{}\u{1f}{}", run.info.strategy, run.info.benchmark),
        len: 0,
        improvements: Vec::new(),
        best_at: Vec::new(),
        times: Some(Vec::new()),
        parent: Vec::new(),
        user: Vec::new(),
        steers: Vec::new(),
        live: false,
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
        if t.source == crate::trace::Source::User {
            meta.user.push(i);
        }
    }
    if meta.steers.len() != run.steers.len() {
        meta.steers = run
            .steers
            .iter()
            .map(|s| {
                let at = s
                    .trial_id
                    .and_then(|id| run.position(id))
                    .unwrap_or(s.step as usize);
                (at, s.action.clone())
            })
            .collect();
    }
    meta.len = run.trials.len();
    if meta.len == 0 {
        meta.times = None;
    }
}

impl Viewer {
    /// A viewer of `runs` in a window of `size` (physical pixels).
    pub fn new(runs: Vec<Run>, size: (u32, u32)) -> Viewer {
        let analytics: Vec<Analytics> = runs.iter().map(Analytics::with_insight).collect();
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
            repeat_index: Default::default(),
            highlight: Default::default(),
            strategies: None,
            group_by: None,
            tables: HashMap::new(),
            geom: Geometry::default(),
            follow: None,
            live: None,
            editor: None,
            edit_pic: None,
            live_playing: false,
            drag_from: None,
        }
    }

    /// Adds the live search `live` as a run (shown when `show`); returns
    /// its index.
    pub fn start_live(&mut self, live: live::Live, show: bool) -> usize {
        let i = self.runs.len();
        let run = live.run().clone();
        let a = Analytics::with_insight(&run);
        let mut meta = run_meta(&run, &a);
        meta.live = true;
        self.state.push_run(meta);
        self.runs.push(run);
        self.analytics.push(a);
        self.caches.push(PointCache::new());
        self.grids.push(Default::default());
        let msg = match live.saved_to() {
            Ok(Some(p)) => Some(format!("live search: every trial and edit is saved to {}", p.display())),
            Ok(None) => None,
            Err((p, why)) => Some(format!(
                "cannot save to {}: {why}; the session is kept in memory, Ctrl+S saves it elsewhere",
                p.display()
            )),
        };
        self.state.set_session_file(match live.saved_to() {
            Ok(Some(p)) => Some(p.display().to_string()),
            Ok(None) => None,
            Err((p, _)) => Some(format!("nowhere (cannot write {})", p.display())),
        });
        self.live = Some((i, live));
        if show {
            self.state.select_run(i);
            let last = self.runs[i].trials.len().saturating_sub(1);
            self.state.set_step(last);
            if let Some(m) = msg {
                self.state.notify_for(m, 6.0);
            }
        }
        i
    }

    /// Edit mode, when on.
    pub fn editor(&self) -> Option<&edit::Editor> {
        self.editor.as_ref()
    }

    /// Brings run `i` up to `src` (the same run, grown: new trials and
    /// steer events), and lets the view follow.
    fn sync_run(&mut self, i: usize, src: &Run) {
        let have = self.runs[i].trials.len();
        if src.trials.len() <= have && src.steers.len() == self.runs[i].steers.len() {
            return;
        }
        for t in src.trials.iter().skip(have) {
            // the source checked ids; a refusal here means nothing new
            let _ = self.runs[i].push(t.clone());
        }
        self.runs[i].steers.clone_from(&src.steers);
        self.analytics[i].extend(&self.runs[i]);
        if let Some(m) = self.state.run_meta_mut(i) {
            extend_meta(m, &self.runs[i], &self.analytics[i]);
        }
        self.state.grown(i, have);
    }

    /// Follows the file `follower` reads (which has read what the viewer
    /// holds): trials appended to it join the runs as they are written.
    pub fn follow(&mut self, follower: crate::trace::open::Followed) {
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
            Ok(true) => self.absorb(f.follower.trace()),
            Ok(false) => {}
        }
        self.follow = Some(f);
    }

    /// Takes in the trials (and runs) of `trace` the viewer does not hold.
    fn absorb(&mut self, trace: &crate::trace::Trace) {
        for (i, r) in trace.runs.iter().enumerate() {
            if i >= self.runs.len() {
                let a = Analytics::with_insight(r);
                self.state.push_run(run_meta(r, &a));
                self.runs.push(r.clone());
                self.analytics.push(a);
                self.caches.push(PointCache::new());
                self.grids.push(Default::default());
                continue;
            }
            self.sync_run(i, r);
        }
    }

    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Applies a command to the state; pointer commands learn what the
    /// dashboard has under the pointer.
    pub fn handle(&mut self, cmd: Command) {
        self.handle_inner(cmd);
        // E or the toolbar's edit button
        if self.state.take_edit_request() {
            if self.editor.take().is_none() {
                self.enter_edit();
            }
            self.state.notify_changed();
        }
    }

    fn handle_inner(&mut self, cmd: Command) {
        match cmd {
            Command::Key(k) => {
                if !self.steer_key(k) {
                    self.state.handle(cmd);
                }
            }
            Command::Release(p) if self.editor.is_some() && self.drag_from.is_some() => {
                if !self.edit_release(p) {
                    let spot = self.spot_at(p);
                    self.state.handle_at(cmd, Some(spot));
                }
            }
            Command::Press(p) if self.editor.is_some() => {
                if !self.edit_press(p) {
                    let spot = self.spot_at(p);
                    self.state.handle_at(cmd, Some(spot));
                }
            }
            Command::Move(p) | Command::Press(p) | Command::Release(p) | Command::Wheel(p, _) => {
                if let Some(i) = self.geom.menu.iter().position(|r| r.contains_point(p)) {
                    if let Some(e) = &mut self.editor {
                        e.highlight(i);
                        self.state.notify_changed();
                    }
                }
                let spot = self.spot_at(p);
                match (cmd, spot.thing) {
                    (Command::Press(_), Some(Thing::Choice(k))) => match self.geom.hits.get(k) {
                        Some((_, crate::scene::insight::Hit::Curve { group, step })) => {
                            let (g, s) = (*group, *step);
                            self.open_median_seed(g, s);
                        }
                        Some((_, hit)) => {
                            let hit = hit.clone();
                            self.highlight.toggle(hit, self.geom.runs.0);
                        }
                        None => {}
                    },
                    // the most effective layer: its kind of edit, in the edits view
                    (
                        Command::Press(_),
                        Some(Thing::Row {
                            trial,
                            row: EFFECTIVE_ROW,
                        }),
                    ) => self.show_edit_kind(trial),
                    _ => {}
                }
                self.state.handle_at(cmd, Some(spot));
            }
            Command::Tick(_) => {
                self.state.handle(cmd);
                self.poll_follow();
                self.drive_live();
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

    /// Makes the trials playback asked of the live search, records pause
    /// and resume, and saves.
    fn drive_live(&mut self) {
        let Some((r, mut live)) = self.live.take() else {
            return;
        };
        let on_show = self.state.run() == r;
        let playing = on_show && self.state.playing();
        let mut fault = None;
        if playing != self.live_playing && on_show {
            let _ = live.mark(if playing { "resume" } else { "pause" });
        }
        self.live_playing = playing;
        let want = self.state.take_demand();
        if want > 0 && playing {
            if let Err(e) = live.step(want) {
                fault = Some(format!("the search stopped: {e}"));
            }
        }
        let saved = live.save();
        self.sync_run(r, live.run());
        self.live = Some((r, live));
        if let Some(m) = saved.or(fault) {
            self.state.set_playing(false);
            self.state.notify_for(m, 8.0);
        }
    }

    /// Keys of the live search and edit mode: E, Ctrl+Z, Ctrl+S, and every
    /// key while editing. Returns whether the key was taken.
    fn steer_key(&mut self, k: command::KeyPress) -> bool {
        use command::Key;
        let ctrl = k.mods.ctrl && !k.mods.alt;
        if ctrl && k.key == Key::Char('z') {
            self.undo();
            return true;
        }
        if ctrl && k.key == Key::Char('s') {
            self.save_elsewhere();
            return true;
        }
        if let Some(e) = &mut self.editor {
            let Some((_, live)) = &self.live else {
                self.editor = None;
                return false;
            };
            let out = e.key(k, live.bench());
            self.state.notify_changed();
            match out {
                edit::EditOutcome::Done => return true,
                edit::EditOutcome::Ignored => {
                    // help and quit still work; playback waits
                    return !matches!(
                        command::Action::for_key(k),
                        Some(command::Action::ToggleHelp | command::Action::Quit)
                    );
                }
                edit::EditOutcome::Leave => {
                    self.editor = None;
                    return true;
                }
                edit::EditOutcome::Apply(m) => {
                    self.apply_edit(m);
                    return true;
                }
            }
        }
        false
    }

    /// E: edit mode on the selected trial of the live run, or its step on
    /// show; the search pauses.
    fn enter_edit(&mut self) {
        let Some((r, _)) = &self.live else {
            self.state.notify(
                "editing needs a live search: nasviz view --live nbgraph:cora (the demo has one)"
                    .into(),
            );
            return;
        };
        let r = *r;
        if self.state.run() != r {
            self.state.select_run(r);
        }
        self.state.set_playing(false);
        let base = match self.state.selected().filter(|t| t.run == r) {
            Some(t) => t.index,
            None => self.state.step(),
        };
        self.editor = edit::Editor::new(&self.runs[r], base);
        self.state.notify_changed();
    }

    /// Applies `m` to the editor's base through the benchmark and shows
    /// the new trial.
    fn apply_edit(&mut self, m: crate::arch::Mutation) {
        let Some(e) = self.editor.take() else {
            return;
        };
        let Some((r, mut live)) = self.live.take() else {
            return;
        };
        let result = live.edit(e.base_id, &m);
        let saved = live.save();
        self.sync_run(r, live.run());
        self.live = Some((r, live));
        match result {
            Err(err) => {
                self.state.notify_for(format!("edit refused: {err}"), 6.0);
                self.editor = Some(e);
            }
            Ok(id) => {
                let Some(pos) = self.runs[r].position(id) else {
                    return;
                };
                let t = &self.runs[r].trials[pos];
                let (v, te) = (t.metrics.val_acc, t.metrics.test_acc);
                let msg = format!(
                    "your edit is step {}: validation {} ({} vs step {}), test {} ({}); Space continues the search from it, Ctrl+Z undoes",
                    pos + 1,
                    crate::fmt::fmt_pct(v),
                    crate::fmt::fmt_pp(v - e.base_acc.0),
                    e.base + 1,
                    crate::fmt::fmt_pct(te),
                    crate::fmt::fmt_pp(te - e.base_acc.1),
                );
                self.state.clear_selection();
                self.state.go_to(pos, 0.45);
                self.state.notify_for(saved.unwrap_or(msg), 8.0);
            }
        }
    }

    /// Ctrl+Z: takes back the newest user trial of the live run and shows
    /// its base again.
    fn undo(&mut self) {
        let Some((r, mut live)) = self.live.take() else {
            self.state.notify("nothing to undo: no live search".into());
            return;
        };
        let result = live.undo();
        let saved = live.save();
        self.sync_run(r, live.run());
        self.live = Some((r, live));
        let msg = match result {
            Ok(None) => "nothing to undo".to_string(),
            Err(e) => format!("cannot undo: {e}"),
            Ok(Some((id, base))) => {
                let run = &self.runs[r];
                let at = |id: u64| run.position(id).map_or(0, |p| p + 1);
                self.editor = None;
                self.state.clear_selection();
                if self.state.run() != r {
                    self.state.select_run(r);
                }
                if let Some(b) = base.and_then(|b| run.position(b)) {
                    self.state.go_to(b, 0.45);
                }
                format!(
                    "undone: step {} leaves the search (it stays in the record); back to step {}",
                    at(id),
                    base.map_or(0, at)
                )
            }
        };
        self.state.notify_for(saved.unwrap_or(msg), 6.0);
    }

    /// Ctrl+S: saves the live session to a new file in the data folder
    /// (after a failure to save, or to keep a copy).
    fn save_elsewhere(&mut self) {
        let Some((_, live)) = &mut self.live else {
            self.state.notify("nothing to save: no live search".into());
            return;
        };
        let path = crate::trace::log::default_session_path(std::time::SystemTime::now());
        let msg = match live.save_to(&path) {
            Ok(()) => {
                self.state
                    .set_session_file(Some(path.display().to_string()));
                format!("saved; every trial and edit now goes to {}", path.display())
            }
            Err(e) => format!("cannot save to {}: {e}", path.display()),
        };
        self.state.notify_for(msg, 8.0);
    }

    /// A press in edit mode: a menu row applies, a layer or an edge of
    /// the architecture takes the focus. Returns whether it was taken.
    fn edit_press(&mut self, p: [f32; 2]) -> bool {
        if let Some(i) = self.geom.menu.iter().position(|r| r.contains_point(p)) {
            let out = self.editor.as_mut().map(|e| e.choose(i));
            self.state.notify_changed();
            if let Some(edit::EditOutcome::Apply(m)) = out {
                self.apply_edit(m);
            }
            return true;
        }
        let spot = self.spot_at(p);
        let pic = self.geom.dag.clone();
        let target = match (spot.thing, &pic) {
            (Some(Thing::Node(i)), Some(pic)) => pic
                .nodes
                .get(i)
                .and_then(|n| n.id)
                .map(crate::search::steer::EditTarget::Node),
            (Some(Thing::Edge(e)), Some(pic)) => pic
                .edges
                .get(e)
                .and_then(|e| e.key)
                .map(|(a, b)| crate::search::steer::EditTarget::Edge(a, b)),
            _ => None,
        };
        let (Some(t), Some(e), Some((_, live))) = (target, &mut self.editor, &self.live) else {
            return false;
        };
        e.click(t, live.bench());
        self.drag_from = match t {
            crate::search::steer::EditTarget::Node(i) => Some(i),
            _ => None,
        };
        self.state.notify_changed();
        true
    }

    /// The release of a press in edit mode: a drag from one layer to
    /// another proposes that edge. Returns whether it was taken.
    fn edit_release(&mut self, p: [f32; 2]) -> bool {
        let Some(from) = self.drag_from.take() else {
            return false;
        };
        let spot = self.spot_at(p);
        let to = match (spot.thing, &self.geom.dag) {
            (Some(Thing::Node(i)), Some(pic)) => pic.nodes.get(i).and_then(|n| n.id),
            _ => None,
        };
        let (Some(to), Some(e), Some((_, live))) = (to, &mut self.editor, &self.live) else {
            return false;
        };
        if to != from {
            e.drag(from, to, live.bench());
            self.state.notify_changed();
        }
        true
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
        if let Some(k) = g.hits.iter().rposition(|(r, _)| r.contains_point(p)) {
            spot.thing = Some(match g.hits[k].1 {
                crate::scene::insight::Hit::Trial(index) => Thing::Point(TrialRef {
                    run: g.runs.0,
                    index,
                }),
                _ => Thing::Choice(k),
            });
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
                    BEST_ROW | BEST_LAYERS_ROW => st.map(|s| s.best),
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
        // edit mode belongs to the live run on show
        if self.live.as_ref().map(|l| l.0) != Some(self.state.run()) {
            self.editor = None;
        }
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
        // the DAG view: edit mode's, two selected trials diffed, one
        // selected, or the step
        let edit_pic = self.edit_picture(dag_rect, &theme, measure);
        let dag = match (&edit_pic, sel, sec) {
            (Some(p), _, _) => p.clone(),
            (None, Some(a), b) => self.selection_picture(a, b, dag_rect, &theme, measure),
            _ => match motion.as_ref().and_then(|m| m.dag.clone()) {
                Some(d) => d,
                None => self.picture(&Pose::Step(step), ri, dag_rect, &theme, measure),
            },
        };
        let editing = self.editor.as_ref().map(|e| TrialRef {
            run: ri,
            index: e.base,
        });
        let focus = editing.or(sec).or(sel).filter(|t| slot_of(t.run).is_some());
        let table_at = focus.and_then(|t| slot_of(t.run).map(|s| (s, t.index)));
        // the insight page: its options, and the trials it marks
        let page = self.state.page();
        let focus_here = sel.filter(|t| t.run == ri).map(|t| t.index);
        let insight_opts = self.insight_options(ri, step, focus_here, x_time, &mut marks);
        let opts = DashboardOptions {
            page,
            insight: insight_opts,
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
            dag: if page.is_some() { None } else { Some(dag) },
            table: (n > 0 && page.is_none()).then_some(focus.unwrap_or(TrialRef {
                run: ri,
                index: step,
            })),
            ..Geometry::default()
        };
        if let Some(d) = &dash {
            geom.hits = d.hits.clone();
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
        let edit_view = edit_pic.as_ref().and_then(|p| self.edit_view(p));
        self.geom = geom;
        // no tooltip over an open menu
        let tip = self
            .tip()
            .filter(|_| self.editor.as_ref().is_none_or(|e| e.menu().is_none()));
        let bar = ui::draw_bar(&self.state, pose_step(&pose), &theme);
        let over = ui::draw_overlay(
            &self.state,
            tip.as_ref(),
            edit_view.as_ref(),
            &theme,
            measure,
        );
        self.geom.menu = over.menu_rows.clone();
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

    /// Edit mode's picture: the base trial's architecture, or the
    /// highlighted edit's result diffed against it (the what-if).
    fn edit_picture(
        &mut self,
        rect: Rect,
        theme: &Theme,
        measure: &mut Measure,
    ) -> Option<Arc<DagPicture>> {
        let e = self.editor.as_ref()?;
        let key: EditPicKey = (e.base_id, e.menu().map(|m| (m.kind, m.target, m.at)));
        if let Some((k, pic)) = &self.edit_pic {
            if *k == key && pic.rect == rect {
                return Some(pic.clone());
            }
        }
        let pic = match e.what_if() {
            Some((arch, label)) => dag_picture(
                arch,
                Some(&e.arch),
                &format!("What if: {label}"),
                rect,
                theme,
                measure,
            ),
            None => dag_picture(
                &e.arch,
                None,
                &format!("Editing step {} (trial {})", e.base + 1, e.base_id),
                rect,
                theme,
                measure,
            ),
        };
        let pic = Arc::new(pic);
        self.edit_pic = Some((key, pic.clone()));
        Some(pic)
    }

    /// What edit mode draws over the dashboard for picture `pic`.
    fn edit_view(&self, pic: &DagPicture) -> Option<ui::EditView> {
        use crate::search::steer::EditTarget;
        let e = self.editor.as_ref()?;
        let node_rect = |i: usize| {
            pic.nodes.iter().find(|n| n.id == Some(i)).map(|n| {
                let (w, h) = (n.size[0] * n.scale, n.size[1] * n.scale);
                Rect::new(n.center[0] - w / 2.0, n.center[1] - h / 2.0, w, h)
            })
        };
        let mut v = ui::EditView {
            avoid: pic.rect,
            message: e.message().map(str::to_string),
            ..Default::default()
        };
        let showing_base = e.what_if().is_none();
        if showing_base {
            match e.focus() {
                Some(EditTarget::Node(i)) => v.focus_box = node_rect(i),
                Some(EditTarget::Edge(a, b)) => {
                    v.focus_path = pic
                        .edges
                        .iter()
                        .find(|x| x.key == Some((a, b)))
                        .map(|x| x.points.clone())
                        .unwrap_or_default();
                }
                None => {}
            }
            v.link_from = e.link_from().and_then(node_rect);
        }
        // the panel goes beside the DAG's panel at the focus's height, not
        // over the layers next to the focus
        let focus = v.focus_box.or_else(|| polyline_box(&v.focus_path));
        if let Some(r) = focus {
            v.avoid = Rect::new(pic.rect.x, r.y, pic.rect.w, r.h);
        }
        let base_dag = e.arch.evaluated_dag();
        let target_name = |t: EditTarget| match t {
            EditTarget::Node(i) => {
                let op = base_dag.nodes.get(i).map_or("", String::as_str);
                format!("layer {i} ({})", crate::scene::theme::op_label(op))
            }
            EditTarget::Edge(a, b) => format!("edge {a} -> {b}"),
        };
        let pct = crate::fmt::fmt_pct;
        let pp = crate::fmt::fmt_pp;
        match e.menu() {
            Some(m) => {
                v.title = format!(
                    "{} · {}: what each gives (base: validation {}, test {})",
                    target_name(m.target),
                    m.kind.verb(),
                    pct(e.base_acc.0),
                    pct(e.base_acc.1)
                );
                v.at = Some(m.at);
                for (i, p) in m.items.iter().enumerate() {
                    let (detail, color) = match &p.metrics {
                        Ok(x) => {
                            let dv = x.val_acc - e.base_acc.0;
                            (
                                format!(
                                    "validation {} ({})   test {} ({})",
                                    pct(x.val_acc),
                                    pp(dv),
                                    pct(x.test_acc),
                                    pp(x.test_acc - e.base_acc.1)
                                ),
                                if dv > 0.0 {
                                    ui::TIP_GOOD
                                } else if dv < 0.0 {
                                    ui::TIP_BAD
                                } else {
                                    ui::TIP_TEXT
                                },
                            )
                        }
                        Err(why) => (format!("refused: {why}"), Color::hex(0x8c959f)),
                    };
                    v.rows.push(ui::MenuRow {
                        label: p.candidate.label.clone(),
                        detail,
                        color,
                        best: m.best == Some(i),
                    });
                }
                v.keys =
                    "↑ ↓ choose (the DAG shows it) · Enter or click applies · 1–9 pick · Esc back"
                        .into();
            }
            None => {
                v.title = format!(
                    "Edit step {} · {} · validation {}, test {}",
                    e.base + 1,
                    e.focus().map_or(String::new(), target_name),
                    pct(e.base_acc.0),
                    pct(e.base_acc.1)
                );
                v.keys = if e.link_from().is_some() {
                    "Tab / click the layer the edge goes to · Enter opens its preview · Esc cancels"
                        .into()
                } else {
                    "Tab / click: layer or edge · A add layer · D delete · O change op · L new edge · Esc leaves".into()
                };
            }
        }
        Some(v)
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
                    crate::scene::table::fit(&format!("Selected {what}"), size, room, measure)
                });
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
        let f = crate::trace::open::Followed::Native(f);
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
        // following again, a truncated file is said on screen too
        let mut f = crate::trace::jsonl::Follower::new(&path);
        let _ = f.poll();
        v.follow(crate::trace::open::Followed::Native(f));
        let _ = std::fs::write(&path, lines[..5].join("\n") + "\n");
        v.handle(Command::Tick(2.0));
        assert!(!v.state.following());
        assert!(
            v.state
                .notice()
                .is_some_and(|n| n.contains("the file shrank")),
            "{:?}",
            v.state.notice()
        );
        assert_eq!(v.runs()[0].trials.len(), 51, "nothing read is lost");
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn over_text(f: &Frame) -> String {
        f.overlay_text
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_live_search_runs_is_edited_through_a_previewed_menu_undone_and_saved() {
        use crate::search::{NbGraphBench, Strategy};
        use crate::table::nbgraph::NbGraphTable;
        use live::{Live, LiveOptions, SaveTo};
        let dir = std::env::temp_dir().join(format!("nasviz-live-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("session.jsonl");
        let bench = NbGraphBench::new(NbGraphTable::cora().unwrap());
        let live = Live::start(LiveOptions {
            bench: Arc::new(bench),
            strategy: Strategy::EVOLUTION,
            seed: 3,
            run_id: "live".into(),
            warm: 1,
            save: SaveTo::File(path.clone()),
        })
        .unwrap();
        let mut v = Viewer::new(Vec::new(), (1280, 800));
        v.start_live(live, true);
        let key = |v: &mut Viewer, k: &str| v.handle(Command::Key(k.parse().unwrap()));
        let mut now = 0.0;
        let mut run_for = |v: &mut Viewer, secs: f64| {
            for _ in 0..(secs * 60.0) as usize {
                now += 1.0 / 60.0;
                v.handle(Command::Tick(now));
                if v.state.needs_frame() {
                    assert!(v.frame(&mut approx_measure).is_ok());
                    v.state.frame_drawn();
                }
            }
        };
        run_for(&mut v, 0.1);
        // Space runs the search at the playback speed (10 steps/s)
        key(&mut v, "space");
        run_for(&mut v, 3.0);
        let n = v.runs()[0].trials.len();
        assert!((25..=35).contains(&n), "{n} trials after 3 s at 10/s");
        assert_eq!(v.state.step(), n - 1, "the view keeps to the newest trial");
        key(&mut v, "space");
        run_for(&mut v, 0.5);
        assert_eq!(v.runs()[0].trials.len(), n, "paused: no new trials");
        // every trial is already in the file
        let (t, _) = crate::trace::jsonl::read_trace(&path).unwrap();
        assert_eq!(t.runs[0].trials.len(), n);
        // E: edit mode on the step on show; NAS-Bench-Graph refuses a new layer
        key(&mut v, "e");
        assert_eq!(v.editor().map(|e| e.base), Some(n - 1));
        key(&mut v, "a");
        let f = v.frame(&mut approx_measure).unwrap();
        assert!(
            over_text(&f).contains("cannot add a layer"),
            "{}",
            over_text(&f)
        );
        // O: the op menu, each op with its numbers and delta; Enter applies
        key(&mut v, "o");
        let f = v.frame(&mut approx_measure).unwrap();
        let text = over_text(&f);
        assert!(text.contains("what each gives"), "{text}");
        assert!(text.contains("★ best"), "{text}");
        assert!(text.contains(" pp)"), "{text}");
        assert!(!v.geom.menu.is_empty(), "menu rows are clickable");
        let chosen = {
            let m = v.editor().and_then(|e| e.menu()).unwrap();
            m.items[m.at].clone()
        };
        key(&mut v, "enter");
        run_for(&mut v, 1.0);
        let run = &v.runs()[0];
        assert_eq!(run.trials.len(), n + 1);
        let mine = &run.trials[n];
        assert_eq!(mine.source, crate::trace::Source::User);
        assert_eq!(mine.parents, vec![run.trials[n - 1].trial_id]);
        assert_eq!(
            Ok(&mine.arch),
            chosen.candidate.arch.as_ref(),
            "the applied edit is the previewed one"
        );
        assert_eq!(
            mine.metrics.val_acc,
            chosen.metrics.as_ref().unwrap().val_acc
        );
        assert_eq!(v.state.step(), n, "the new trial is shown");
        assert_eq!(v.state.runs()[0].user, vec![n]);
        assert!(v.editor().is_none());
        // the search continues from it
        key(&mut v, "space");
        run_for(&mut v, 1.0);
        key(&mut v, "space");
        run_for(&mut v, 0.2);
        let m = v.runs()[0].trials.len();
        assert!(m > n + 5, "{m}");
        // Ctrl+Z: the edit is taken back, the view returns to its base
        key(&mut v, "ctrl+z");
        run_for(&mut v, 1.0);
        assert_eq!(v.state.step(), n - 1);
        assert_eq!(v.runs()[0].trials.len(), m, "nothing is erased");
        // the file holds it all: trials, the edit, pause/resume and undo
        let (t, _) = crate::trace::jsonl::read_trace(&path).unwrap();
        assert_eq!(t.runs[0], v.runs()[0]);
        let actions: Vec<&str> = t.runs[0].steers.iter().map(|s| s.action.as_str()).collect();
        assert_eq!(
            actions,
            ["resume", "pause", "change_op", "resume", "pause", "undo"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
