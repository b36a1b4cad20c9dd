//! The viewer, without a window or a GPU: the state machine
//! ([`state::ViewerState`]) driven by [`command::Command`]s and an injected
//! clock, the thin UI ([`ui`]), `--script` files ([`script`]), and
//! [`Viewer`], which holds the runs and turns the state into a frame of
//! plain drawing data ([`Frame`]). `app/` puts frames on a window or an
//! offscreen target.

pub mod bar;
pub mod command;
pub mod edit;
mod follow;
mod frame;
pub mod insight;
pub mod live;
pub mod overlay;
mod pick;
#[cfg(not(target_arch = "wasm32"))]
mod queue;
pub mod script;
pub mod spot;
pub mod state;
mod steer;
pub(crate) mod tips;
pub mod ui;

use crate::analysis::Analytics;
use crate::arch::Arch;
use crate::layout::{dashboard_panels, Rect};
use crate::render::{Circle, Color, Mesh, Panel, PixelRect, Scene, TextRun, ViewTransform};
use crate::scene::dag::{dag_picture, morph, DagPicture};
use crate::scene::dashboard::{
    build_comparison, step_picture, Dashboard, Other, PointsSlot, SceneError,
};
use crate::scene::motion::lerp;
use crate::scene::pick::PickGrid;
use crate::scene::plots::MarkKind;
use crate::scene::plots::PointCache;
use crate::scene::table::table_values;
use crate::scene::table::{row_boxes, BEST_LAYERS_ROW, BEST_ROW, EFFECTIVE_ROW};
use crate::scene::transition::Motion;
use crate::scene::{DashboardOptions, Measure, Theme, ViewKind};
use crate::trace::Run;
use command::Command;
use overlay::Tip;
use spot::{Plot, PlotAt, Spot, Thing, TrialRef};
use state::{Pose, RunMeta, ViewerState};
use std::collections::HashMap;
use std::sync::Arc;

pub use frame::Frame;
pub(crate) use frame::PointsKey;

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
    /// Edit mode's benchmark on a followed study's trial.
    study_bench: Option<crate::search::study::StudyBench>,
    /// What a followed study's what-if menu looks choices up in
    /// (`--predict`).
    #[cfg(not(target_arch = "wasm32"))]
    predict: Option<Arc<dyn crate::search::Benchmark + Send + Sync>>,
    /// The trials enqueued into a followed study, oldest first.
    #[cfg(not(target_arch = "wasm32"))]
    queue: Vec<queue::Queued>,
    /// A frame was built: the insight views' numbers are made from the
    /// next one on, one run a frame, before they are asked for.
    drawn: bool,
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
pub(crate) fn run_meta(run: &Run, analytics: &Analytics) -> RunMeta {
    let mut m = RunMeta {
        id: run.info.run_id.clone(),
        group: format!("{}\u{1f}{}", run.info.strategy, run.info.benchmark),
        len: 0,
        improvements: Vec::new(),
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
pub(crate) fn extend_meta(meta: &mut RunMeta, run: &Run, analytics: &Analytics) {
    for i in meta.len..run.trials.len() {
        let t = run.trials.at(i);
        // a new best is the trial itself
        let best = analytics.step(i).map_or(i, |s| s.best);
        if best == i && meta.improvements.last() != Some(&i) {
            meta.improvements.push(i);
        }
        meta.times = match (meta.times.take(), t.time_s.filter(|x| x.is_finite())) {
            (Some(mut v), Some(x)) => {
                v.push(x);
                Some(v)
            }
            _ => None,
        };
        // kept from the first trial that has a parent on (a random
        // search's run keeps none)
        let parent = (t.parents.first())
            .and_then(|&p| run.position(p))
            .map_or(state::NO_PARENT, |p| p as u32);
        if parent != state::NO_PARENT || !meta.parent.is_empty() {
            meta.parent.resize(i, state::NO_PARENT);
            meta.parent.push(parent);
        }
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
        // the first frame needs the step analytics; the insight views'
        // numbers are made after it (`warm_insight`), or when first asked
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
            study_bench: None,
            #[cfg(not(target_arch = "wasm32"))]
            predict: None,
            #[cfg(not(target_arch = "wasm32"))]
            queue: Vec::new(),
            drawn: false,
        }
    }

    /// Makes the insight numbers of one run that has none yet (the one
    /// shown first); false when every run has them.
    pub(crate) fn warm_insight(&mut self) -> bool {
        let shown = self.state.run();
        let order = std::iter::once(shown).chain(0..self.runs.len());
        for i in order {
            if let (Some(a), Some(r)) = (self.analytics.get(i), self.runs.get(i)) {
                if !a.has_insight() {
                    a.insight(r);
                    return true;
                }
            }
        }
        false
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
            let _ = self.runs[i].push(t.to_trial());
        }
        self.runs[i].steers.clone_from(&src.steers);
        self.analytics[i].extend(&self.runs[i]);
        if let Some(m) = self.state.run_meta_mut(i) {
            extend_meta(m, &self.runs[i], &self.analytics[i]);
        }
        self.state.grown(i, have);
    }

    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Applies a command to the state; pointer commands learn what the
    /// dashboard has under the pointer.
    pub fn handle(&mut self, cmd: Command) {
        let fx = self.handle_inner(cmd);
        // E or the toolbar's edit button
        if fx.edit {
            if self.editor.take().is_none() {
                self.enter_edit();
            }
            self.state.notify_changed();
        }
        // edit mode belongs to the run it edits
        if self
            .editor
            .as_ref()
            .is_some_and(|e| e.run != self.state.run())
        {
            self.editor = None;
            self.state.notify_changed();
        }
    }

    /// The command applied; what the state asked of the viewer comes back.
    fn handle_inner(&mut self, cmd: Command) -> state::Effects {
        let mut fx = state::Effects::default();
        match cmd {
            Command::Key(k) => {
                if !self.steer_key(k) {
                    fx = self.state.handle(cmd);
                }
            }
            Command::Release(p) if self.editor.is_some() && self.drag_from.is_some() => {
                if !self.edit_release(p) {
                    let spot = self.spot_at(p);
                    fx = self.state.handle_at(cmd, Some(spot));
                }
            }
            Command::Press(p) if self.editor.is_some() => {
                if !self.edit_press(p) {
                    let spot = self.spot_at(p);
                    fx = self.state.handle_at(cmd, Some(spot));
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
                fx = self.state.handle_at(cmd, Some(spot));
            }
            Command::Tick(_) => {
                fx = self.state.handle(cmd);
                self.poll_follow();
                self.drive_live(fx.demand);
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
            _ => fx = self.state.handle(cmd),
        }
        fx
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

    /// The point cache of run `i` (the scatter and line points).
    pub fn cache(&self, i: usize) -> Option<&PointCache> {
        self.caches.get(i)
    }
}

#[cfg(test)]
mod tests;
