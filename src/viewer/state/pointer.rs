//! The pointer and the selection: presses, drags, releases and the wheel
//! on the dashboard and the bar, what is hovered, selecting and walking
//! trials.

use super::*;

impl ViewerState {
    /// Applies one command; for a pointer command, `spot` is what the
    /// dashboard has under the pointer (`None`: unknown, taken as nothing).
    pub fn handle_at(&mut self, cmd: Command, spot: Option<Spot>) {
        match cmd {
            Command::Tick(now) => self.tick(now),
            Command::Key(k) => self.key(k),
            Command::Modifiers(m) => self.mods = m,
            Command::Move(p) => {
                self.mouse = Some(p);
                if self.scrubbing {
                    self.scrub_to(p[0]);
                }
                let hover = self.hit(p);
                if hover != self.hover {
                    self.hover = hover;
                    self.dirty = true;
                }
                self.set_spot(if hover.is_some() {
                    Spot::default()
                } else {
                    spot.unwrap_or_default()
                });
                self.drag_to(p);
            }
            Command::Press(p) => {
                self.mouse = Some(p);
                if self.help {
                    // any click closes the help
                    self.help = false;
                    self.dirty = true;
                    return;
                }
                let t = self.hit(p);
                self.pressed = t;
                if t == Some(Target::Scrubber) {
                    self.scrubbing = true;
                    self.playing = false;
                    self.scrub_to(p[0]);
                }
                if t.is_none() {
                    let spot = spot.unwrap_or_default();
                    self.set_spot(spot);
                    let window = spot.plot.map_or(Window::FULL, |a| self.window(a.plot));
                    self.down = Some(Down {
                        at: p,
                        spot,
                        window,
                        boxing: self.mods.ctrl && spot.plot.is_some(),
                        moved: false,
                    });
                }
                self.dirty = true;
            }
            Command::Release(p) => {
                self.mouse = Some(p);
                let was = self.pressed.take();
                if self.scrubbing {
                    self.scrubbing = false;
                } else if let Some(Target::Button(a)) = was {
                    if self.hit(p) == Some(Target::Button(a)) {
                        self.act(a);
                    }
                }
                if let Some(d) = self.down.take() {
                    self.release(d, p);
                }
                if let Some(s) = spot {
                    if self.hit(p).is_none() {
                        self.set_spot(s);
                    }
                }
                self.dirty = true;
            }
            Command::Wheel(p, notches) => {
                self.mouse = Some(p);
                if let Some(at) = spot.and_then(|s| s.plot) {
                    if notches.is_finite() && notches != 0.0 {
                        let factor = WHEEL_FACTOR.powf(notches.clamp(-10.0, 10.0) as f64);
                        self.zoom[at.plot.index()].zoom_about(at.frac, factor, self.now);
                        self.dirty = true;
                    }
                }
            }
            Command::Leave => {
                self.mouse = None;
                if self.hover.take().is_some() {
                    self.dirty = true;
                }
                self.set_spot(Spot::default());
            }
            Command::Resize(w, h) => {
                if (w, h) != self.size {
                    self.size = (w, h);
                    self.transition = None;
                    self.relayout();
                    self.dirty = true;
                }
            }
            Command::Scale(f) => {
                let f = if f.is_finite() && f > 0.0 {
                    f.clamp(0.5, 4.0)
                } else {
                    1.0
                };
                if f != self.scale {
                    self.scale = f;
                    self.transition = None;
                    self.relayout();
                    self.dirty = true;
                }
            }
        }
    }

    /// Records what the pointer is over; a newly hovered trial starts
    /// growing.
    pub fn set_spot(&mut self, spot: Spot) {
        if spot == self.spot {
            return;
        }
        let before = self.hovered_trial();
        self.spot = spot;
        let now = self.hovered_trial();
        if now != before && now.is_some() {
            self.hover_since = self.now;
        }
        self.dirty = true;
    }

    /// The pointer moved to `p` with the button down: pan, or grow the box.
    pub(super) fn drag_to(&mut self, p: [f32; 2]) {
        let Some(mut d) = self.down else { return };
        let delta = [p[0] - d.at[0], p[1] - d.at[1]];
        if !d.moved && delta[0].abs().max(delta[1].abs()) > CLICK_SLOP {
            d.moved = true;
        }
        if d.moved {
            if let (Some(at), false) = (d.spot.plot, d.boxing) {
                self.zoom[at.plot.index()].set(panned(d.window, delta, at.size));
            }
            self.dirty = true;
        }
        self.down = Some(d);
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
                    self.zoom[at.plot.index()].go(to, self.now);
                }
            }
            return;
        }
        // a click
        let double = self.last_click.is_some_and(|(t, q)| {
            self.now - t <= DOUBLE_CLICK_S && (q[0] - p[0]).abs().max((q[1] - p[1]).abs()) <= 6.0
        });
        self.last_click = if double { None } else { Some((self.now, p)) };
        if double {
            if let Some(at) = d.spot.plot {
                self.zoom[at.plot.index()].go(Window::FULL, self.now);
                return;
            }
        }
        if let Some(t) = d.spot.thing.and_then(|t| t.trial()) {
            self.select(t, self.mods.shift);
            self.tip_selected = false;
        }
    }

    /// Selects trial `t` (as the second of a diff with `second`), pausing.
    pub fn select(&mut self, t: TrialRef, second: bool) {
        if t.run >= self.runs.len() || t.index >= self.runs[t.run].len {
            return;
        }
        match (second, self.selected) {
            (true, Some(a)) if a != t => self.second = Some(t),
            (true, Some(_)) => self.second = None,
            _ => {
                self.selected = Some(t);
                self.second = None;
            }
        }
        self.playing = false;
        self.acc = 0.0;
        self.dirty = true;
    }

    /// Leaves the selection: the views show the playing step again.
    pub fn clear_selection(&mut self) {
        if self.selected.is_some() || self.second.is_some() {
            self.selected = None;
            self.second = None;
            self.tip_selected = false;
            self.dirty = true;
        }
    }

    /// Forgets hovered and selected trials (the runs on show changed).
    pub(super) fn forget_trials(&mut self) {
        self.clear_selection();
        self.spot = Spot::default();
        self.down = None;
        self.zoom = [Zoom::default(); 2];
    }

    /// The last step of run `r` on show (trials after it are not drawn).
    pub(super) fn shown_last(&self, r: usize) -> Option<usize> {
        if r == self.run {
            Some(self.step)
        } else if Some(r) == self.other_run() {
            self.other_step()
        } else {
            None
        }
    }

    pub(super) fn walk(&mut self, back: bool, second: bool) {
        let base = if second {
            self.second.or(self.selected)
        } else {
            self.selected
        }
        .unwrap_or(TrialRef {
            run: self.run,
            index: self.step,
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
        if second && self.selected.is_none() {
            self.say(
                "select a trial first (click, or [ and ]); { and } then move the second".into(),
            );
            return;
        }
        self.select(t, second);
        self.tip_selected = true;
    }

    pub(super) fn select_parent(&mut self) {
        let base = self.second.or(self.selected).unwrap_or(TrialRef {
            run: self.run,
            index: self.step,
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
                let second = self.second.is_some();
                self.select(t, second);
                self.tip_selected = true;
            }
            None => self.say(format!(
                "step {} has no recorded parent (a random draw)",
                crate::fmt::fmt_int(base.index + 1)
            )),
        }
    }

    pub(super) fn hit(&self, p: [f32; 2]) -> Option<Target> {
        if self.help {
            return None;
        }
        self.ui.hit(p)
    }
}
