//! The pointer and the selection: presses, drags, releases and the wheel
//! on the dashboard and the bar, what is hovered, selecting and walking
//! trials.

use super::*;

impl ViewerState {
    /// Applies one command; for a pointer command, `spot` is what the
    /// dashboard has under the pointer (`None`: unknown, taken as nothing).
    /// Returns what the command did: whether a frame is due for it, edit
    /// mode asked for, trials asked of a live search.
    pub(crate) fn handle_at(&mut self, cmd: Command, spot: Option<Spot>) -> Effects {
        let before = std::mem::replace(&mut self.dirty, false);
        let mut fx = Effects::default();
        match cmd {
            Command::Tick(now) => fx.demand = self.tick(now),
            Command::Key(k) => fx = self.key(k),
            Command::Modifiers(m) => self.pointer.mods = m,
            Command::Move(p) => self.moved_to(p, spot),
            Command::Press(p) => self.press(p, spot),
            Command::Release(p) => fx = self.release_at(p, spot),
            Command::Wheel(p, notches) => self.wheel(p, notches, spot),
            Command::Leave => {
                self.pointer.mouse = None;
                if self.pointer.hover.take().is_some() {
                    self.changed();
                }
                self.set_spot(Spot::default());
            }
            Command::Resize(w, h) => self.resize(w, h),
            Command::Scale(f) => self.rescale(f),
        }
        fx.redraw = self.dirty;
        self.dirty |= before;
        fx
    }

    fn moved_to(&mut self, p: [f32; 2], spot: Option<Spot>) {
        self.pointer.mouse = Some(p);
        if self.pointer.scrubbing {
            self.scrub_to(p[0]);
        }
        let hover = self.hit(p);
        if hover != self.pointer.hover {
            self.pointer.hover = hover;
            self.changed();
        }
        self.set_spot(if hover.is_some() {
            Spot::default()
        } else {
            spot.unwrap_or_default()
        });
        self.drag_to(p);
    }

    /// A press: closes the help, or starts scrubbing, a bar button's press
    /// or a press in the dashboard.
    fn press(&mut self, p: [f32; 2], spot: Option<Spot>) {
        self.pointer.mouse = Some(p);
        self.changed();
        if self.overlay.help {
            // any click closes the help
            self.overlay.help = false;
            return;
        }
        let t = self.hit(p);
        self.pointer.pressed = t;
        if t == Some(Target::Scrubber) {
            self.pointer.scrubbing = true;
            self.play.playing = false;
            self.scrub_to(p[0]);
        }
        if t.is_none() {
            let spot = spot.unwrap_or_default();
            self.set_spot(spot);
            let window = spot.plot.map_or(Window::FULL, |a| self.window(a.plot));
            self.pointer.down = Some(Down {
                at: p,
                spot,
                window,
                boxing: self.pointer.mods.ctrl && spot.plot.is_some(),
                moved: false,
            });
        }
    }

    /// A release: ends scrubbing, clicks the button it was pressed on, or
    /// ends a press in the dashboard.
    fn release_at(&mut self, p: [f32; 2], spot: Option<Spot>) -> Effects {
        self.pointer.mouse = Some(p);
        self.changed();
        let mut fx = Effects::default();
        let was = self.pointer.pressed.take();
        if self.pointer.scrubbing {
            self.pointer.scrubbing = false;
        } else if let Some(Target::Button(a)) = was {
            if self.hit(p) == Some(Target::Button(a)) {
                fx = self.act(a);
            }
        }
        if let Some(d) = self.pointer.down.take() {
            self.release(d, p);
        }
        if let Some(s) = spot {
            if self.hit(p).is_none() {
                self.set_spot(s);
            }
        }
        fx
    }

    fn wheel(&mut self, p: [f32; 2], notches: f32, spot: Option<Spot>) {
        self.pointer.mouse = Some(p);
        if let Some(at) = spot.and_then(|s| s.plot) {
            if notches.is_finite() && notches != 0.0 {
                let factor = WHEEL_FACTOR.powf(notches.clamp(-10.0, 10.0) as f64);
                self.zoom[at.plot.index()].zoom_about(at.frac, factor, self.play.now);
                self.changed();
            }
        }
    }

    fn resize(&mut self, w: u32, h: u32) {
        if (w, h) != self.surface.size {
            self.surface.size = (w, h);
            self.play.transition = None;
            self.relayout();
            self.changed();
        }
    }

    fn rescale(&mut self, f: f32) {
        let f = if f.is_finite() && f > 0.0 {
            f.clamp(0.5, 4.0)
        } else {
            1.0
        };
        if f != self.surface.scale {
            self.surface.scale = f;
            self.play.transition = None;
            self.relayout();
            self.changed();
        }
    }

    /// Records what the pointer is over; a newly hovered trial starts
    /// growing.
    pub(crate) fn set_spot(&mut self, spot: Spot) {
        if spot == self.pointer.spot {
            return;
        }
        let before = self.hovered_trial();
        self.pointer.spot = spot;
        let now = self.hovered_trial();
        if now != before && now.is_some() {
            self.pointer.hover_since = self.play.now;
        }
        self.changed();
    }

    /// The pointer moved to `p` with the button down: pan, or grow the box.
    pub(super) fn drag_to(&mut self, p: [f32; 2]) {
        let Some(mut d) = self.pointer.down else {
            return;
        };
        let delta = [p[0] - d.at[0], p[1] - d.at[1]];
        if !d.moved && delta[0].abs().max(delta[1].abs()) > CLICK_SLOP {
            d.moved = true;
        }
        if d.moved {
            if let (Some(at), false) = (d.spot.plot, d.boxing) {
                self.zoom[at.plot.index()].set(panned(d.window, delta, at.size));
            }
            self.changed();
        }
        self.pointer.down = Some(d);
    }

    /// The button came up at `p` after the press `d`.
    pub(super) fn release(&mut self, d: Down, p: [f32; 2]) {
        if d.moved {
            if let (Some(at), true) = (d.spot.plot, d.boxing) {
                let delta = [p[0] - d.at[0], p[1] - d.at[1]];
                if delta[0].abs() >= MIN_BOX && delta[1].abs() >= MIN_BOX {
                    let end = [
                        at.frac[0] + delta[0] as f64 / at.size[0].max(1.0) as f64,
                        at.frac[1] - delta[1] as f64 / at.size[1].max(1.0) as f64,
                    ];
                    let to = boxed(d.window, at.frac, end);
                    self.zoom[at.plot.index()].go(to, self.play.now);
                }
            }
            return;
        }
        // a click
        let double = self.pointer.last_click.is_some_and(|(t, q)| {
            self.play.now - t <= DOUBLE_CLICK_S
                && (q[0] - p[0]).abs().max((q[1] - p[1]).abs()) <= 6.0
        });
        self.pointer.last_click = if double {
            None
        } else {
            Some((self.play.now, p))
        };
        if double {
            if let Some(at) = d.spot.plot {
                self.zoom[at.plot.index()].go(Window::FULL, self.play.now);
                return;
            }
        }
        if let Some(t) = d.spot.thing.and_then(|t| t.trial()) {
            self.select(t, self.pointer.mods.shift);
            self.selection.tip_selected = false;
        }
    }

    /// Selects trial `t` (as the second of a diff with `second`), pausing.
    pub fn select(&mut self, t: TrialRef, second: bool) {
        if t.run >= self.runs.len() || t.index >= self.runs[t.run].len {
            return;
        }
        match (second, self.selection.selected) {
            (true, Some(a)) if a != t => self.selection.second = Some(t),
            (true, Some(_)) => self.selection.second = None,
            _ => {
                self.selection.selected = Some(t);
                self.selection.second = None;
            }
        }
        self.play.playing = false;
        self.play.acc = 0.0;
        self.changed();
    }

    /// Leaves the selection: the views show the playing step again.
    pub(crate) fn clear_selection(&mut self) {
        if self.selection.selected.is_some() || self.selection.second.is_some() {
            self.selection.selected = None;
            self.selection.second = None;
            self.selection.tip_selected = false;
            self.changed();
        }
    }

    /// Forgets hovered and selected trials (the runs on show changed).
    pub(super) fn forget_trials(&mut self) {
        self.clear_selection();
        self.pointer.spot = Spot::default();
        self.pointer.down = None;
        self.zoom = [Zoom::default(); 2];
    }

    /// The last step of run `r` on show (trials after it are not drawn).
    pub(super) fn shown_last(&self, r: usize) -> Option<usize> {
        if r == self.showing.run {
            Some(self.play.step)
        } else if Some(r) == self.other_run() {
            self.other_step()
        } else {
            None
        }
    }

    pub(super) fn walk(&mut self, back: bool, second: bool) {
        let base = if second {
            self.selection.second.or(self.selection.selected)
        } else {
            self.selection.selected
        }
        .unwrap_or(TrialRef {
            run: self.showing.run,
            index: self.play.step,
        });
        let Some(last) = self.shown_last(base.run) else {
            return;
        };
        let index = if back {
            base.index.saturating_sub(1)
        } else {
            (base.index + 1).min(last)
        };
        let t = TrialRef {
            run: base.run,
            index,
        };
        if second && self.selection.selected.is_none() {
            self.say(
                "select a trial first (click, or [ and ]); { and } then move the second".into(),
            );
            return;
        }
        self.select(t, second);
        self.selection.tip_selected = true;
    }

    pub(super) fn select_parent(&mut self) {
        let base = self
            .selection
            .second
            .or(self.selection.selected)
            .unwrap_or(TrialRef {
                run: self.showing.run,
                index: self.play.step,
            });
        let parent = self
            .runs
            .get(base.run)
            .and_then(|r| r.parent.get(base.index).copied())
            .filter(|&p| p != NO_PARENT);
        match parent {
            Some(p) => {
                let t = TrialRef {
                    run: base.run,
                    index: p as usize,
                };
                let second = self.selection.second.is_some();
                self.select(t, second);
                self.selection.tip_selected = true;
            }
            None => self.say(format!(
                "step {} has no recorded parent (a random draw)",
                crate::fmt::fmt_int(base.index + 1)
            )),
        }
    }

    pub(super) fn hit(&self, p: [f32; 2]) -> Option<Target> {
        if self.overlay.help {
            return None;
        }
        self.surface.ui.hit(p)
    }
}
