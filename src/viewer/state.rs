//! The viewer's state machine: which run and step are shown, playback,
//! the transition in flight, the pointer and the thin UI. Driven by
//! [`Command`]s and an injected clock (`Command::Tick`); no GPU, no window.

mod playback;
mod pointer;

use super::bar::{Target, UiLayout};
use super::command::{Action, Command, KeyPress, Mods};
use super::spot::{boxed, panned, Plot, Spot, TrialRef, Zoom, WHEEL_FACTOR};
use crate::scene::density::ScatterMode;
use crate::scene::insight::InsightKind;
use crate::scene::motion::ease_in_out;
use crate::scene::plots::Window;

/// Playback speeds, in steps per second.
pub const SPEEDS: [f64; 8] = [0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0, 1000.0];
/// The speed a viewer starts at (10 steps/s).
pub(crate) const DEFAULT_SPEED: usize = 4;
/// Length of a transition started by hand (a key, a click).
pub const TRANSITION_S: f64 = 0.3;
/// The frame step of virtual time (scripts, recordings).
pub const FRAME_S: f64 = 1.0 / 60.0;
/// How long a hovered point takes to grow.
pub(crate) const HOVER_S: f64 = 0.12;
/// A press that moves less than this (pixels) is a click, not a drag.
const CLICK_SLOP: f32 = 4.0;
/// Two clicks this close in time (seconds) and space are a double-click.
const DOUBLE_CLICK_S: f64 = 0.4;
/// The smallest box (pixels per side) a box-zoom accepts.
const MIN_BOX: f32 = 6.0;
/// The most trials one frame asks of a live search.
const MAX_DEMAND: usize = 2000;

/// How deep blends of blends may nest before the oldest is settled.
const MAX_POSE_DEPTH: usize = 3;

/// What the viewer needs to know of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunMeta {
    pub id: String,
    /// What the strategies view groups runs by: strategy and benchmark.
    pub group: String,
    /// Number of trials.
    pub len: usize,
    /// Steps at which the best trial changed (new bests), ascending: the
    /// best so far at a step is the last of them up to it.
    pub improvements: Vec<usize>,
    /// Simulated time of each trial, when every trial has one.
    pub times: Option<Vec<f64>>,
    /// The position of each trial's (first) recorded parent, `NO_PARENT`
    /// for none; empty up to the first trial that has one (a random
    /// search's run keeps none).
    pub parent: Vec<u32>,
    /// Positions of the trials a user's edit made.
    pub user: Vec<usize>,
    /// The position of each steer event (the trial it made or names,
    /// else the step it happened at) and its action.
    pub steers: Vec<(usize, String)>,
    /// A live search: playing at the last step asks for new trials.
    pub live: bool,
}

impl RunMeta {
    /// The best-so-far trial's position at `step`.
    pub(crate) fn best_at(&self, step: usize) -> Option<usize> {
        if step >= self.len {
            return None;
        }
        let k = self.improvements.partition_point(|&p| p <= step);
        k.checked_sub(1)
            .and_then(|k| self.improvements.get(k))
            .copied()
    }
}

/// No recorded parent in [`RunMeta::parent`].
pub const NO_PARENT: u32 = u32::MAX;

/// A press of the primary button in the dashboard, until its release.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Down {
    pub at: [f32; 2],
    pub spot: Spot,
    /// The pressed plot's window when the press began.
    pub window: Window,
    /// Ctrl was held: the drag draws a box to zoom into.
    pub(crate) boxing: bool,
    /// The pointer went further than a click's slop.
    pub moved: bool,
}

/// What the DAG, ring and cursor show: a step, or a point on the way
/// from one pose to a step (`u` eased, 0..1).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Pose {
    Step(usize),
    Blend { from: Box<Pose>, to: usize, u: f32 },
}

impl Pose {
    /// The step this pose is heading to.
    pub fn target(&self) -> usize {
        match self {
            Pose::Step(s) => *s,
            Pose::Blend { to, .. } => *to,
        }
    }

    /// How many blends are nested in this pose.
    #[cfg(test)]
    fn depth(&self) -> usize {
        match self {
            Pose::Step(_) => 0,
            Pose::Blend { from, .. } => 1 + from.depth(),
        }
    }

    /// The pose with blends deeper than `depth` settled at their target.
    fn limited(self, depth: usize) -> Pose {
        match self {
            Pose::Step(s) => Pose::Step(s),
            Pose::Blend { to, .. } if depth == 0 => Pose::Step(to),
            Pose::Blend { from, to, u } => Pose::Blend {
                from: Box::new(from.limited(depth - 1)),
                to,
                u,
            },
        }
    }
}

/// An animation from a pose to a step.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    pub(crate) from: Pose,
    pub to: usize,
    pub start: f64,
    pub duration: f64,
    /// The step's trial is new (one step forward): it grows in.
    pub grow: bool,
}

impl Transition {
    /// Linear progress at `now`, 0..=1.
    pub fn progress(&self, now: f64) -> f32 {
        if self.duration <= 0.0 {
            return 1.0;
        }
        ((now - self.start) / self.duration).clamp(0.0, 1.0) as f32
    }

    pub fn done(&self, now: f64) -> bool {
        self.progress(now) >= 1.0
    }
}

/// The whole state of a viewer window (or of a headless one), in parts:
/// what is on show, playback, the pointer, the selection, the plots' zoom,
/// what floats above, the window, and the source of the runs.
#[derive(Clone, Debug)]
pub struct ViewerState {
    runs: Vec<RunMeta>,
    showing: Showing,
    play: Playback,
    pointer: Pointer,
    selection: Selection,
    /// The scatter's and the line chart's windows.
    zoom: [Zoom; 2],
    overlay: Overlay,
    surface: Surface,
    source: Source,
    /// A frame is due: something drawn changed since the last frame.
    dirty: bool,
}

/// What is on show: the run (and the compared one), the axes, the insight
/// view and how the scatter draws.
#[derive(Clone, Debug, Default)]
struct Showing {
    run: usize,
    compare: bool,
    time_axis: bool,
    /// The insight view on show in place of the architecture and table.
    page: Option<InsightKind>,
    /// The Pareto view's cost (an index into the run's costs) and accuracy.
    cost: usize,
    front_test: bool,
    scatter_mode: ScatterMode,
}

/// Playback: the step, the clock, the transition in flight.
#[derive(Clone, Debug)]
struct Playback {
    step: usize,
    playing: bool,
    /// An index into [`SPEEDS`].
    speed: usize,
    /// Steps owed to playback since the last whole step.
    acc: f64,
    last_tick: Option<f64>,
    now: f64,
    transition: Option<Transition>,
    /// Speed and playing state to show instead of the state's own (a
    /// recording plays at its own speed without the state playing).
    shown: Option<(f64, bool)>,
}

/// The pointer: where it is, what it is over, the press in progress.
#[derive(Clone, Debug, Default)]
struct Pointer {
    mouse: Option<[f32; 2]>,
    /// The bar's target under the pointer, and the one pressed.
    hover: Option<Target>,
    pressed: Option<Target>,
    scrubbing: bool,
    /// What the pointer is over in the dashboard.
    spot: Spot,
    /// When the hovered trial became hovered.
    hover_since: f64,
    mods: Mods,
    down: Option<Down>,
    last_click: Option<(f64, [f32; 2])>,
}

/// The selected trials.
#[derive(Clone, Debug, Default)]
struct Selection {
    selected: Option<TrialRef>,
    second: Option<TrialRef>,
    /// The selection was made from the keyboard: its tooltip shows.
    tip_selected: bool,
}

/// What floats above the dashboard: the key help and the notice.
#[derive(Clone, Debug, Default)]
struct Overlay {
    help: bool,
    notice: Option<(String, f64)>,
}

/// The window: its size and scale, the bar's layout, the adapter's name,
/// quitting.
#[derive(Clone, Debug)]
struct Surface {
    size: (u32, u32),
    scale: f32,
    ui: UiLayout,
    adapter: String,
    quit: bool,
    /// Whether Q quits (not in a page, which its tab closes).
    quit_key: bool,
}

/// Where the runs come from.
#[derive(Clone, Debug, Default)]
struct Source {
    /// A file is followed: the viewer wakes to read what was appended.
    following: bool,
    /// Whether the followed storage takes edits (an Optuna study's).
    steerable: bool,
    session_file: Option<String>,
}

/// What one command did, for the viewer to act on.
#[must_use]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Effects {
    /// Something drawn changed: the next frame differs.
    pub redraw: bool,
    /// Edit mode was asked for (E or the toolbar's button).
    pub edit: bool,
    /// Trials the live run on show was asked for by playback at its end.
    pub(crate) demand: usize,
}

impl std::ops::BitOrAssign for Effects {
    fn bitor_assign(&mut self, o: Effects) {
        self.redraw |= o.redraw;
        self.edit |= o.edit;
        self.demand = (self.demand + o.demand).min(MAX_DEMAND);
    }
}

/// How often a followed file is read (seconds).
pub const POLL_S: f64 = 0.1;

impl ViewerState {
    /// A viewer of `runs` at `size` (physical pixels), showing the first
    /// run at its first step, paused.
    pub fn new(runs: Vec<RunMeta>, size: (u32, u32)) -> ViewerState {
        let mut s = ViewerState {
            runs,
            showing: Showing::default(),
            play: Playback {
                step: 0,
                playing: false,
                speed: DEFAULT_SPEED,
                acc: 0.0,
                last_tick: None,
                now: 0.0,
                transition: None,
                shown: None,
            },
            pointer: Pointer::default(),
            selection: Selection::default(),
            zoom: [Zoom::default(); 2],
            overlay: Overlay::default(),
            surface: Surface {
                size,
                scale: 1.0,
                ui: UiLayout::default(),
                adapter: String::new(),
                quit: false,
                quit_key: true,
            },
            source: Source::default(),
            dirty: true,
        };
        s.relayout();
        s
    }

    // ---- reading ----

    pub fn runs(&self) -> &[RunMeta] {
        &self.runs
    }
    /// Index of the run shown (the first of a comparison).
    pub fn run(&self) -> usize {
        self.showing.run
    }
    /// The second run of a comparison, when comparing.
    pub(crate) fn other_run(&self) -> Option<usize> {
        if self.showing.compare && self.runs.len() >= 2 {
            Some(if self.showing.run == 0 { 1 } else { 0 })
        } else {
            None
        }
    }
    pub fn comparing(&self) -> bool {
        self.other_run().is_some()
    }
    /// The x axis of the line chart (and the comparison's common clock)
    /// is simulated time.
    pub(crate) fn time_axis(&self) -> bool {
        self.showing.time_axis
    }
    /// The step shown (a transition may still be on its way to it).
    pub fn step(&self) -> usize {
        self.play.step
    }
    /// The compared run's step: the same step, or on a common time axis
    /// the last of its trials finished by the first run's current time.
    pub(crate) fn other_step(&self) -> Option<usize> {
        let o = self.other_run()?;
        let other = &self.runs[o];
        let last = other.len.saturating_sub(1);
        if self.showing.time_axis {
            if let (Some(mine), Some(theirs)) = (&self.runs[self.showing.run].times, &other.times) {
                let t = mine.get(self.play.step).copied().unwrap_or(0.0);
                let k = theirs.partition_point(|&x| x <= t);
                return Some(k.saturating_sub(1).min(last));
            }
        }
        Some(self.play.step.min(last))
    }
    pub fn playing(&self) -> bool {
        self.play.playing
    }
    /// Steps per second.
    pub fn speed(&self) -> f64 {
        SPEEDS[self.play.speed]
    }
    pub fn now(&self) -> f64 {
        self.play.now
    }
    pub fn transition(&self) -> Option<&Transition> {
        self.play.transition.as_ref()
    }
    pub fn size(&self) -> (u32, u32) {
        self.surface.size
    }
    pub fn scale(&self) -> f32 {
        self.surface.scale
    }
    pub fn help_shown(&self) -> bool {
        self.overlay.help
    }
    pub(crate) fn mouse(&self) -> Option<[f32; 2]> {
        self.pointer.mouse
    }
    pub fn hover(&self) -> Option<Target> {
        self.pointer.hover
    }
    /// What the primary button went down on and is still held over.
    pub fn pressed(&self) -> Option<Target> {
        self.pointer.pressed
    }
    pub fn scrubbing(&self) -> bool {
        self.pointer.scrubbing
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn quit_requested(&self) -> bool {
        self.surface.quit
    }
    /// Whether Q (and Ctrl+Q, Ctrl+W) quits; a page turns it off, as its
    /// tab closes it, and the key help leaves the key out.
    #[cfg(any(test, target_arch = "wasm32"))]
    pub(crate) fn set_quit_key(&mut self, on: bool) {
        self.surface.quit_key = on;
    }
    pub(crate) fn quit_key(&self) -> bool {
        self.surface.quit_key
    }
    pub fn ui(&self) -> &UiLayout {
        &self.surface.ui
    }
    /// A short message on screen (e.g. why a key did nothing), while fresh.
    pub fn notice(&self) -> Option<&str> {
        match &self.overlay.notice {
            Some((m, until)) if *until > self.play.now => Some(m),
            _ => None,
        }
    }
    /// The speed the toolbar shows (steps per second).
    pub(crate) fn shown_speed(&self) -> f64 {
        self.play.shown.map_or(self.speed(), |s| s.0)
    }
    /// Whether the toolbar shows playback as running.
    pub fn shown_playing(&self) -> bool {
        self.play.shown.map_or(self.play.playing, |s| s.1)
    }
    /// Shows `speed` and a running playback on the toolbar whatever the
    /// state does (recordings drive the steps themselves).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn show_playback(&mut self, speed: f64) {
        self.play.shown = Some((speed, true));
        self.changed();
    }

    /// What the pointer is over in the dashboard.
    pub fn spot(&self) -> Spot {
        self.pointer.spot
    }
    /// The trial under the pointer (in any view), highlighted in all.
    pub fn hovered_trial(&self) -> Option<TrialRef> {
        if self.pointer.down.is_some_and(|d| d.moved) {
            return None;
        }
        self.pointer.spot.thing.and_then(|t| t.trial())
    }
    /// How far the hovered point has grown, 0..=1.
    pub(crate) fn hover_growth(&self) -> f32 {
        ease_in_out(((self.play.now - self.pointer.hover_since) / HOVER_S).clamp(0.0, 1.0) as f32)
    }
    /// The selected trial (clicked, or walked to with keys).
    pub fn selected(&self) -> Option<TrialRef> {
        self.selection.selected
    }
    /// The second trial of a two-trial diff (shift-click).
    pub fn second(&self) -> Option<TrialRef> {
        self.selection.second
    }
    /// The trial whose tooltip shows without hovering (a selection made
    /// with keys), if any.
    pub(crate) fn tip_trial(&self) -> Option<TrialRef> {
        if self.selection.tip_selected {
            self.selection.second.or(self.selection.selected)
        } else {
            None
        }
    }
    /// The part of `plot` on show now.
    pub fn window(&self, plot: Plot) -> Window {
        self.zoom[plot.index()].at(self.play.now)
    }
    /// The box of a box-zoom being drawn: its two corners in pixels.
    pub(crate) fn zoom_box(&self) -> Option<([f32; 2], [f32; 2])> {
        let d = self.pointer.down?;
        match (d.boxing && d.moved, self.pointer.mouse) {
            (true, Some(m)) => Some((d.at, m)),
            _ => None,
        }
    }
    /// The press in progress in the dashboard.
    pub fn down(&self) -> Option<Down> {
        self.pointer.down
    }
    /// Whether a file is followed (new trials arrive).
    pub fn following(&self) -> bool {
        self.source.following
    }
    pub(crate) fn set_following(&mut self, on: bool) {
        self.source.following = on;
        self.relayout();
        self.changed();
    }
    /// Whether the followed storage takes edits (E enqueues them).
    pub fn steerable(&self) -> bool {
        self.source.steerable
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn set_steerable(&mut self, on: bool) {
        self.source.steerable = on;
        self.relayout();
        self.changed();
    }
    /// Whether the newest trial of the run is on show (the LIVE badge
    /// lights up).
    pub(crate) fn at_newest(&self) -> bool {
        self.selection.selected.is_none()
            && self.play.step + 1 >= self.len()
            && self.play.transition.is_none()
    }
    /// Shows `msg` briefly (e.g. why following stopped).
    pub(crate) fn notify(&mut self, msg: String) {
        self.say(msg);
        self.changed();
    }
    /// Shows `msg` for `secs` seconds.
    pub(crate) fn notify_for(&mut self, msg: String, secs: f64) {
        self.overlay.notice = Some((msg, self.play.now + secs));
        self.changed();
    }
    /// Something the state does not hold changed (edit mode): draw again.
    pub(crate) fn notify_changed(&mut self) {
        self.changed();
    }
    /// The meta of run `i`, to extend as trials arrive (then call
    /// [`ViewerState::grown`]).
    pub(crate) fn run_meta_mut(&mut self, i: usize) -> Option<&mut RunMeta> {
        self.runs.get_mut(i)
    }
    /// A run that appeared in a followed file.
    pub(crate) fn push_run(&mut self, meta: RunMeta) {
        self.runs.push(meta);
        self.relayout();
        self.changed();
    }
    /// Run `i` grew from `old_len` trials: when its last step was on show
    /// (and nothing is selected), the view follows to the newest.
    pub fn grown(&mut self, i: usize, old_len: usize) {
        self.changed();
        if i != self.showing.run
            || self.selection.selected.is_some()
            || (self.play.playing && !self.live())
        {
            return;
        }
        if self.play.step + 1 >= old_len {
            let last = self.last();
            let d = if self.play.playing {
                self.play_duration()
            } else {
                TRANSITION_S
            };
            self.go_to(last, d);
        }
    }

    /// How the scatter draws its points.
    /// The insight view on show, if any (V cycles).
    pub fn page(&self) -> Option<InsightKind> {
        self.showing.page
    }
    pub fn set_page(&mut self, page: Option<InsightKind>) {
        self.showing.page = page;
        self.changed();
    }
    /// The Pareto view's cost index and whether it plots test accuracy.
    pub fn front(&self) -> (usize, bool) {
        (self.showing.cost, self.showing.front_test)
    }
    pub fn scatter_mode(&self) -> ScatterMode {
        self.showing.scatter_mode
    }
    pub(crate) fn set_scatter_mode(&mut self, m: ScatterMode) {
        self.showing.scatter_mode = m;
        self.changed();
    }
    /// The modifier keys held.
    pub fn mods(&self) -> Mods {
        self.pointer.mods
    }

    /// Where the live session is saved (or why not), for the help.
    pub(crate) fn session_file(&self) -> Option<&str> {
        self.source.session_file.as_deref()
    }
    pub(crate) fn set_session_file(&mut self, f: Option<String>) {
        self.source.session_file = f;
    }

    /// The name of the GPU adapter, for the help overlay.
    pub fn adapter(&self) -> &str {
        &self.surface.adapter
    }
    pub(crate) fn set_adapter(&mut self, name: impl Into<String>) {
        self.surface.adapter = name.into();
    }
    /// Whether the run on show is a live search.
    pub fn live(&self) -> bool {
        self.runs.get(self.showing.run).is_some_and(|r| r.live)
    }
    fn len(&self) -> usize {
        self.runs.get(self.showing.run).map_or(0, |r| r.len)
    }
    fn last(&self) -> usize {
        self.len().saturating_sub(1)
    }

    // ---- changing ----

    /// Selects a run by index (clamping the step to its length).
    pub(crate) fn select_run(&mut self, i: usize) -> bool {
        if i >= self.runs.len() {
            return false;
        }
        if i != self.showing.run {
            self.showing.run = i;
            self.play.step = self.play.step.min(self.last());
            self.play.transition = None;
            self.forget_trials();
            self.relayout();
        }
        self.changed();
        true
    }

    /// Selects a run by id.
    pub(crate) fn select_run_id(&mut self, id: &str) -> bool {
        match self.runs.iter().position(|r| r.id == id) {
            Some(i) => self.select_run(i),
            None => false,
        }
    }

    pub fn set_compare(&mut self, on: bool) {
        self.showing.compare = on && self.runs.len() >= 2;
        self.play.transition = None;
        self.forget_trials();
        self.relayout();
        self.changed();
    }

    pub fn set_time_axis(&mut self, on: bool) {
        self.showing.time_axis = on;
        self.play.transition = None;
        self.changed();
    }

    /// Applies one command (a pointer command as over nothing in the
    /// dashboard); returns what it did.
    pub(crate) fn handle(&mut self, cmd: Command) -> Effects {
        self.handle_at(cmd, None)
    }

    /// Something drawn changed: a frame is due.
    fn changed(&mut self) {
        self.dirty = true;
    }

    /// Applies an action (a key's or a button's); edit mode is asked of
    /// the viewer through the effects.
    pub(crate) fn act(&mut self, a: Action) -> Effects {
        let mut fx = Effects::default();
        match a {
            Action::TogglePlay
            | Action::StepBack
            | Action::StepForward
            | Action::Start
            | Action::End
            | Action::Best
            | Action::SpeedDown
            | Action::SpeedUp
            | Action::GoLive => self.act_playback(a),
            Action::SelectRun(_)
            | Action::ToggleCompare
            | Action::ToggleTimeAxis
            | Action::CycleInsight
            | Action::CycleCost
            | Action::ToggleFrontAccuracy
            | Action::CycleScatterMode
            | Action::ResetZoom => self.act_showing(a),
            Action::ToggleHelp => self.overlay.help = !self.overlay.help,
            Action::CloseOverlay => {
                if self.pointer.down.take().is_none() {
                    self.clear_selection();
                }
            }
            Action::Walk { back, second } => self.walk(back, second),
            Action::SelectParent => self.select_parent(),
            Action::Edit => fx.edit = true,
            Action::Quit => self.surface.quit = self.surface.quit_key,
        }
        self.changed();
        fx
    }

    /// The actions on what is shown: the run, comparing, the axis, the
    /// insight view and its choices, the scatter's mode, the zoom.
    fn act_showing(&mut self, a: Action) {
        match a {
            Action::SelectRun(i) if !self.select_run(i) => {
                self.say(format!(
                    "no run {} (this trace has {})",
                    i + 1,
                    self.runs.len()
                ));
            }
            Action::ToggleCompare => {
                if self.runs.len() < 2 {
                    self.say("comparing needs a trace with two runs".into());
                } else {
                    self.set_compare(!self.showing.compare);
                }
            }
            Action::ToggleTimeAxis => {
                if self
                    .runs
                    .get(self.showing.run)
                    .is_some_and(|r| r.times.is_some())
                {
                    self.set_time_axis(!self.showing.time_axis);
                } else {
                    self.say("this run has no simulated time".into());
                }
            }
            Action::CycleInsight => {
                let all = InsightKind::ALL;
                self.showing.page = match self.showing.page {
                    None => Some(all[0]),
                    Some(k) => all
                        .iter()
                        .position(|&x| x == k)
                        .and_then(|i| all.get(i + 1).copied()),
                };
                self.say(format!(
                    "view: {} (V: next)",
                    self.showing.page.map_or("dashboard", |k| k.name())
                ));
            }
            Action::CycleCost => {
                self.showing.cost = self.showing.cost.wrapping_add(1);
                self.showing.page = Some(InsightKind::Pareto);
            }
            Action::ToggleFrontAccuracy => {
                self.showing.front_test = !self.showing.front_test;
                if !matches!(
                    self.showing.page,
                    Some(InsightKind::Pareto | InsightKind::Strategies)
                ) {
                    self.showing.page = Some(InsightKind::Pareto);
                }
                self.say(if self.showing.front_test {
                    "Pareto and strategies: test accuracy".to_string()
                } else {
                    "Pareto and strategies: validation accuracy".to_string()
                });
            }
            Action::CycleScatterMode => {
                self.showing.scatter_mode = self.showing.scatter_mode.next();
                self.say(format!(
                    "scatter: {}",
                    match self.showing.scatter_mode {
                        ScatterMode::Auto => "auto (density when the points crowd)",
                        ScatterMode::Density => "density (trials per pixel)",
                        ScatterMode::Circles => "circles",
                    }
                ));
            }
            Action::ResetZoom => {
                for z in &mut self.zoom {
                    z.go(Window::FULL, self.play.now);
                }
            }
            _ => {}
        }
    }

    fn say(&mut self, msg: String) {
        self.overlay.notice = Some((msg, self.play.now + 2.5));
    }

    fn key(&mut self, k: KeyPress) -> Effects {
        let Some(a) = Action::for_key(k) else {
            return Effects::default();
        };
        if self.overlay.help && !matches!(a, Action::ToggleHelp | Action::Quit) {
            // the first key closes the help
            self.overlay.help = false;
            self.changed();
            if a == Action::CloseOverlay {
                return Effects::default();
            }
        }
        self.act(a)
    }

    fn relayout(&mut self) {
        let ids: Vec<String> = self.runs.iter().map(|r| r.id.clone()).collect();
        // each run's group (of strategy and benchmark), in order of first
        // appearance: the toolbar sets the groups apart
        let mut keys: Vec<&str> = Vec::new();
        let groups: Vec<usize> = self
            .runs
            .iter()
            .map(|r| match keys.iter().position(|k| *k == r.group) {
                Some(g) => g,
                None => {
                    keys.push(&r.group);
                    keys.len() - 1
                }
            })
            .collect();
        let live = self.source.steerable || self.runs.iter().any(|r| r.live);
        // the LIVE badge: a followed trace, or the live search on show
        let badge = self.source.following || self.live();
        self.surface.ui = UiLayout::new(
            self.surface.size,
            self.surface.scale,
            (&ids, &groups),
            live,
            badge,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viewer::command::Key;

    fn meta(id: &str, len: usize) -> RunMeta {
        RunMeta {
            id: id.into(),
            group: String::new(),
            len,
            improvements: vec![0, 3, 7],
            times: Some((0..len).map(|i| i as f64 * 10.0).collect()),
            // each trial's parent is the one two steps before
            parent: (0..len as u32)
                .map(|i| if i >= 2 { i - 2 } else { NO_PARENT })
                .collect(),
            ..Default::default()
        }
    }

    fn viewer() -> ViewerState {
        let mut v = ViewerState::new(vec![meta("re-0", 100), meta("rs-0", 50)], (1280, 800));
        let _ = v.handle(Command::Tick(0.0));
        v
    }

    fn key(v: &mut ViewerState, s: &str) {
        if let Ok(k) = s.parse::<KeyPress>() {
            let _ = v.handle(Command::Key(k));
        }
    }

    #[test]
    fn playback_at_each_speed_advances_speed_times_seconds() {
        for (i, &speed) in SPEEDS.iter().enumerate() {
            let mut v = ViewerState::new(vec![meta("a", 100_000)], (1280, 800));
            v.play.speed = i;
            let _ = v.handle(Command::Tick(0.0));
            key(&mut v, "space");
            assert!(v.playing());
            // 4 s in frame steps
            let mut t = 0.0;
            for _ in 0..240 {
                t += FRAME_S;
                let _ = v.handle(Command::Tick(t));
            }
            let want = (4.0 * speed).floor() as usize;
            assert!(
                v.step().abs_diff(want) <= 1,
                "speed {speed}: step {} after 4 s, want {want}",
                v.step()
            );
        }
    }

    #[test]
    fn fast_playback_coalesces_and_animates_only_the_last_step() {
        let mut v = viewer();
        v.play.speed = SPEEDS.len() - 1; // 1000 steps/s
        key(&mut v, "space");
        let _ = v.handle(Command::Tick(0.05)); // 50 steps in one frame
        assert_eq!(v.step(), 50);
        let t = v.transition().cloned();
        assert!(t
            .as_ref()
            .is_some_and(|t| t.from == Pose::Step(49) && t.to == 50));
        // the transition is short at high speed
        assert!(t.is_some_and(|t| t.duration < TRANSITION_S));
    }

    #[test]
    fn playback_stops_at_the_end_and_space_restarts() {
        let mut v = viewer();
        v.play.speed = SPEEDS.len() - 1;
        key(&mut v, "space");
        let _ = v.handle(Command::Tick(0.5));
        assert_eq!(v.step(), 99);
        assert!(!v.playing());
        key(&mut v, "space");
        assert!(v.playing());
        assert_eq!(v.step(), 0);
    }

    #[test]
    fn keys_step_jump_and_change_speed() {
        let mut v = viewer();
        key(&mut v, "right");
        assert_eq!(v.step(), 1);
        assert!(v.transition().is_some_and(|t| t.grow));
        key(&mut v, "end");
        assert_eq!(v.step(), 99);
        key(&mut v, "left");
        assert_eq!(v.step(), 98);
        key(&mut v, "home");
        assert_eq!(v.step(), 0);
        key(&mut v, "left");
        assert_eq!(v.step(), 0);
        v.set_step(50);
        key(&mut v, "b");
        assert_eq!(v.step(), 7, "best so far at step 50 is trial 7");
        let s = v.speed();
        key(&mut v, "plus");
        assert!(v.speed() > s);
        key(&mut v, "minus");
        key(&mut v, "minus");
        assert!(v.speed() < s);
        for _ in 0..20 {
            key(&mut v, "minus");
        }
        assert_eq!(v.speed(), SPEEDS[0]);
    }

    #[test]
    fn transition_poses_at_zero_half_and_one() {
        let mut v = viewer();
        v.set_step(10);
        let _ = v.handle(Command::Tick(1.0));
        key(&mut v, "right");
        assert_eq!(
            v.pose(),
            Pose::Blend {
                from: Box::new(Pose::Step(10)),
                to: 11,
                u: 0.0
            }
        );
        let _ = v.handle(Command::Tick(1.0 + TRANSITION_S / 2.0));
        match v.pose() {
            Pose::Blend { to: 11, u, .. } => assert!((u - 0.5).abs() < 1e-5),
            p => panic!("{p:?}"),
        }
        let _ = v.handle(Command::Tick(1.0 + TRANSITION_S));
        assert_eq!(v.pose(), Pose::Step(11));
        assert!(v.transition().is_none());
        assert!(!v.needs_frame() || v.dirty);
    }

    #[test]
    fn a_step_mid_transition_starts_from_the_blend() {
        let mut v = viewer();
        let _ = v.handle(Command::Tick(1.0));
        key(&mut v, "right");
        let _ = v.handle(Command::Tick(1.1));
        key(&mut v, "right");
        let t = v.transition().cloned();
        assert!(t.is_some_and(|t| matches!(t.from, Pose::Blend { to: 1, .. }) && t.to == 2));
        // blends never nest without bound
        for i in 0..10 {
            let _ = v.handle(Command::Tick(1.2 + i as f64 * 0.01));
            key(&mut v, "right");
        }
        assert!(v.pose().depth() <= MAX_POSE_DEPTH + 1);
    }

    #[test]
    fn scrubbing_by_drag_seeks_without_queueing() {
        let mut v = viewer();
        let r = v.ui().scrubber;
        let y = r.y + r.h / 2.0;
        let _ = v.handle(Command::Move([r.x + 1.0, y]));
        assert_eq!(v.hover(), Some(Target::Scrubber));
        let _ = v.handle(Command::Press([r.x, y]));
        assert!(v.scrubbing());
        assert_eq!(v.step(), 0);
        let _ = v.handle(Command::Move([r.x + r.w / 2.0, y]));
        assert!(v.step().abs_diff(50) <= 1, "{}", v.step());
        let _ = v.handle(Command::Move([r.x + r.w + 50.0, y]));
        assert_eq!(v.step(), 99);
        let _ = v.handle(Command::Release([r.x + r.w, y]));
        assert!(!v.scrubbing());
        assert!(v.transition().is_none());
    }

    #[test]
    fn toolbar_buttons_click_like_keys() {
        let mut v = viewer();
        let play = v.ui().button(Action::TogglePlay).map(|b| b.rect.center());
        let Some(p) = play else {
            panic!("no play button")
        };
        let _ = v.handle(Command::Move(p));
        assert_eq!(v.hover(), Some(Target::Button(Action::TogglePlay)));
        let _ = v.handle(Command::Press(p));
        let _ = v.handle(Command::Release(p));
        assert!(v.playing());
        // a press that leaves the button does nothing
        let _ = v.handle(Command::Press(p));
        let _ = v.handle(Command::Release([p[0], p[1] - 300.0]));
        assert!(v.playing());
    }

    #[test]
    fn runs_switch_and_compare_by_step_or_time() {
        let mut v = viewer();
        v.set_step(80);
        key(&mut v, "2");
        assert_eq!(v.run(), 1);
        assert_eq!(v.step(), 49, "clamped to the shorter run");
        key(&mut v, "9");
        assert_eq!(v.run(), 1);
        assert!(v.notice().is_some());
        key(&mut v, "1");
        key(&mut v, "c");
        assert!(v.comparing());
        assert_eq!(v.other_run(), Some(1));
        v.set_step(30);
        assert_eq!(v.other_step(), Some(30));
        v.runs[1].times = Some((0..50).map(|i| i as f64 * 20.0).collect());
        key(&mut v, "t");
        assert!(v.time_axis());
        // run 0 at step 30 is at t = 300; run 1 finished trial 15 by then
        assert_eq!(v.other_step(), Some(15));
    }

    #[test]
    fn resize_relayouts_and_settles_transitions() {
        let mut v = viewer();
        key(&mut v, "right");
        let before = v.ui().scrubber;
        let _ = v.handle(Command::Resize(800, 600));
        assert!(v.transition().is_none());
        assert_eq!(v.size(), (800, 600));
        assert!(v.ui().scrubber.w < before.w);
        assert!(v.ui().scrubber.y < 600.0);
        let _ = v.handle(Command::Resize(0, 0));
        assert_eq!(v.size(), (0, 0));
    }

    #[test]
    fn help_overlay_toggles_and_any_key_closes_it() {
        let mut v = viewer();
        key(&mut v, "question");
        assert!(v.help_shown());
        key(&mut v, "escape");
        assert!(!v.help_shown());
        key(&mut v, "f1");
        assert!(v.help_shown());
        key(&mut v, "right");
        assert!(!v.help_shown());
        assert_eq!(v.step(), 1);
        let k = KeyPress::plain(Key::Char('q'));
        let _ = v.handle(Command::Key(k));
        assert!(v.quit_requested());
        // a page has no quit key
        let mut page = viewer();
        page.set_quit_key(false);
        let _ = page.handle(Command::Key(k));
        assert!(!page.quit_requested());
    }

    #[test]
    fn commands_return_their_effects() {
        let mut v = viewer();
        v.frame_drawn();
        // nothing moves: no frame
        assert_eq!(v.handle(Command::Tick(0.5)), Effects::default());
        let press = |s: &str| Command::Key(s.parse::<KeyPress>().expect("a key"));
        let fx = v.handle(press("right"));
        assert!(fx.redraw && !fx.edit && fx.demand == 0, "{fx:?}");
        // E asks the viewer for edit mode; the frame still due is kept
        let fx = v.handle(press("e"));
        assert!(fx.edit, "{fx:?}");
        assert!(v.needs_frame());
        // playing past a live run's end asks the search for the steps
        let meta = RunMeta {
            id: "live".into(),
            len: 3,
            improvements: vec![0],
            parent: vec![NO_PARENT; 3],
            live: true,
            ..Default::default()
        };
        let mut live = ViewerState::new(vec![meta], (1280, 800));
        let _ = live.handle(Command::Tick(0.0));
        live.set_step(2);
        live.set_playing(true);
        // 10 steps/s for one second, from the last step
        assert_eq!(live.handle(Command::Tick(1.0)).demand, 10);
        assert_eq!(live.handle(Command::Tick(1.0)).demand, 0);
    }

    #[test]
    fn idle_needs_no_frames() {
        let mut v = viewer();
        v.frame_drawn();
        assert!(!v.needs_frame());
        assert_eq!(v.next_wake(), None);
        key(&mut v, "space");
        assert!(v.next_wake().is_some());
    }
}

#[cfg(test)]
mod pointer_tests {
    use super::*;
    use crate::viewer::command::Key;
    use crate::viewer::spot::{PlotAt, Thing};

    fn viewer() -> ViewerState {
        let meta = |id: &str, len: usize| RunMeta {
            id: id.into(),
            group: String::new(),
            len,
            improvements: vec![0],
            times: None,
            parent: (0..len as u32)
                .map(|i| if i >= 2 { i - 2 } else { NO_PARENT })
                .collect(),
            ..Default::default()
        };
        let mut v = ViewerState::new(vec![meta("a", 100), meta("b", 60)], (1280, 800));
        let _ = v.handle(Command::Tick(0.0));
        v.set_step(50);
        v
    }

    fn on_point(plot: Plot, run: usize, index: usize) -> Spot {
        Spot {
            plot: Some(PlotAt {
                plot,
                frac: [0.5, 0.5],
                size: [400.0, 300.0],
            }),
            thing: Some(Thing::Point(TrialRef { run, index })),
        }
    }

    fn click(v: &mut ViewerState, p: [f32; 2], spot: Spot) {
        let _ = v.handle_at(Command::Move(p), Some(spot));
        let _ = v.handle_at(Command::Press(p), Some(spot));
        let _ = v.handle_at(Command::Release(p), Some(spot));
    }

    fn key(v: &mut ViewerState, s: &str) {
        if let Ok(k) = s.parse::<KeyPress>() {
            let _ = v.handle(Command::Key(k));
        }
    }

    #[test]
    fn hover_grows_and_leaving_forgets() {
        let mut v = viewer();
        v.frame_drawn();
        let _ = v.handle_at(
            Command::Move([600.0, 200.0]),
            Some(on_point(Plot::Scatter, 0, 7)),
        );
        assert_eq!(v.hovered_trial(), Some(TrialRef { run: 0, index: 7 }));
        assert!(v.needs_frame());
        assert_eq!(v.hover_growth(), 0.0);
        let _ = v.handle(Command::Tick(HOVER_S / 2.0));
        assert!(v.hover_growth() > 0.0 && v.hover_growth() < 1.0);
        assert!(v.next_wake().is_some(), "growing needs frames");
        let _ = v.handle(Command::Tick(1.0));
        assert_eq!(v.hover_growth(), 1.0);
        v.frame_drawn();
        assert!(!v.needs_frame(), "a grown hover is still");
        // the same trial hovered in the line chart: linked, no regrowth
        let _ = v.handle_at(
            Command::Move([600.0, 600.0]),
            Some(on_point(Plot::Line, 0, 7)),
        );
        assert_eq!(v.hover_growth(), 1.0);
        let _ = v.handle(Command::Leave);
        assert_eq!(v.hovered_trial(), None);
        // over a toolbar button the dashboard is not hovered
        let b = v.ui().button(Action::TogglePlay).map(|b| b.rect.center());
        if let Some(b) = b {
            let _ = v.handle_at(Command::Move(b), Some(on_point(Plot::Scatter, 0, 7)));
            assert_eq!(v.hovered_trial(), None);
        }
    }

    #[test]
    fn click_selects_and_pauses_shift_click_diffs_escape_returns() {
        let mut v = viewer();
        key(&mut v, "space");
        assert!(v.playing());
        click(&mut v, [600.0, 200.0], on_point(Plot::Scatter, 0, 7));
        assert_eq!(v.selected(), Some(TrialRef { run: 0, index: 7 }));
        assert!(!v.playing(), "selecting pauses");
        let step = v.step();
        // a click on empty plot keeps the selection
        let empty = Spot {
            thing: None,
            ..on_point(Plot::Scatter, 0, 0)
        };
        let _ = v.handle(Command::Tick(5.0));
        click(&mut v, [300.0, 300.0], empty);
        assert!(v.selected().is_some());
        let _ = v.handle(Command::Tick(6.0));
        // shift-click a second trial: a diff of two
        let _ = v.handle(Command::Modifiers(Mods {
            shift: true,
            ..Mods::default()
        }));
        click(&mut v, [620.0, 220.0], on_point(Plot::Line, 1, 3));
        let _ = v.handle(Command::Modifiers(Mods::default()));
        assert_eq!(v.selected(), Some(TrialRef { run: 0, index: 7 }));
        assert_eq!(v.second(), Some(TrialRef { run: 1, index: 3 }));
        // a plain click starts over with one
        let _ = v.handle(Command::Tick(7.0));
        click(&mut v, [640.0, 240.0], on_point(Plot::Scatter, 0, 9));
        assert_eq!(v.selected(), Some(TrialRef { run: 0, index: 9 }));
        assert_eq!(v.second(), None);
        key(&mut v, "escape");
        assert_eq!(v.selected(), None);
        assert_eq!(v.step(), step, "the playing step is kept");
        // Esc with the help open closes only the help
        let _ = v.handle(Command::Tick(8.0));
        click(&mut v, [640.0, 240.0], on_point(Plot::Scatter, 0, 9));
        key(&mut v, "question");
        key(&mut v, "escape");
        assert!(!v.help_shown());
        assert!(v.selected().is_some());
    }

    #[test]
    fn keys_walk_the_selection_and_find_parents() {
        let mut v = viewer();
        key(&mut v, "[");
        // no selection: [ starts from the step
        assert_eq!(v.selected(), Some(TrialRef { run: 0, index: 49 }));
        assert_eq!(
            v.tip_trial(),
            v.selected(),
            "a key selection shows its tooltip"
        );
        key(&mut v, "]");
        key(&mut v, "]");
        // never past what is on show (step 50)
        assert_eq!(v.selected().map(|t| t.index), Some(50));
        key(&mut v, "p");
        assert_eq!(v.selected().map(|t| t.index), Some(48));
        key(&mut v, "}");
        assert_eq!(v.second().map(|t| t.index), Some(49));
        key(&mut v, "{");
        key(&mut v, "{");
        assert_eq!(v.second().map(|t| t.index), Some(47));
        v.clear_selection();
        // a trial without a recorded parent says so
        key(&mut v, "home");
        v.set_step(1);
        key(&mut v, "p");
        assert!(v.notice().is_some_and(|n| n.contains("no recorded parent")));
        // } without a selection says what to do
        v.clear_selection();
        key(&mut v, "}");
        assert!(v.second().is_none());
    }

    #[test]
    fn wheel_drag_box_and_double_click_zoom_and_pan() {
        let mut v = viewer();
        let at = |frac: [f64; 2]| Spot {
            plot: Some(PlotAt {
                plot: Plot::Scatter,
                frac,
                size: [400.0, 300.0],
            }),
            thing: None,
        };
        let _ = v.handle_at(Command::Wheel([500.0, 300.0], 1.0), Some(at([0.5, 0.5])));
        assert!(v.needs_frame());
        let _ = v.handle(Command::Tick(1.0));
        let w = v.window(Plot::Scatter);
        assert!((w.x[1] - w.x[0] - WHEEL_FACTOR).abs() < 1e-9, "{w:?}");
        assert_eq!(
            v.window(Plot::Line),
            Window::FULL,
            "the other plot keeps its view"
        );
        // drag pans: 100 px right moves the window left by a quarter of its span
        let before = v.window(Plot::Scatter);
        let _ = v.handle_at(Command::Press([500.0, 300.0]), Some(at([0.5, 0.5])));
        let _ = v.handle_at(Command::Move([600.0, 300.0]), Some(at([0.75, 0.5])));
        let _ = v.handle_at(Command::Release([600.0, 300.0]), Some(at([0.75, 0.5])));
        let after = v.window(Plot::Scatter);
        let span = before.x[1] - before.x[0];
        assert!((before.x[0] - after.x[0] - span / 4.0).abs() < 1e-6);
        assert!(v.selected().is_none(), "a drag is not a click");
        // ctrl+drag draws a box and zooms into it
        let _ = v.handle(Command::Modifiers(Mods {
            ctrl: true,
            ..Mods::default()
        }));
        let _ = v.handle_at(Command::Press([400.0, 300.0]), Some(at([0.25, 0.5])));
        let _ = v.handle_at(Command::Move([500.0, 240.0]), Some(at([0.5, 0.7])));
        assert!(v.zoom_box().is_some());
        let _ = v.handle_at(Command::Release([500.0, 240.0]), Some(at([0.5, 0.7])));
        let _ = v.handle(Command::Modifiers(Mods::default()));
        let _ = v.handle(Command::Tick(2.0));
        let boxed = v.window(Plot::Scatter);
        let want = (after.x[1] - after.x[0]) / 4.0;
        assert!((boxed.x[1] - boxed.x[0] - want).abs() < 1e-6, "{boxed:?}");
        // a double-click resets, animated
        let _ = v.handle(Command::Tick(3.0));
        let _ = v.handle_at(Command::Press([450.0, 280.0]), Some(at([0.4, 0.5])));
        let _ = v.handle_at(Command::Release([450.0, 280.0]), Some(at([0.4, 0.5])));
        let _ = v.handle(Command::Tick(3.1));
        let _ = v.handle_at(Command::Press([450.0, 280.0]), Some(at([0.4, 0.5])));
        let _ = v.handle_at(Command::Release([450.0, 280.0]), Some(at([0.4, 0.5])));
        assert_ne!(v.window(Plot::Scatter), Window::FULL, "animating");
        let _ = v.handle(Command::Tick(4.0));
        assert_eq!(v.window(Plot::Scatter), Window::FULL);
        // Z resets both
        let _ = v.handle_at(Command::Wheel([500.0, 300.0], -2.0), Some(at([0.5, 0.5])));
        let _ = v.handle(Command::Key(KeyPress::plain(Key::Char('z'))));
        let _ = v.handle(Command::Tick(5.0));
        assert_eq!(v.window(Plot::Scatter), Window::FULL);
    }
}
