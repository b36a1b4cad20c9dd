//! Playback: the step on show, playing and pausing, the clock's ticks,
//! transitions between steps, scrubbing, and when a frame is due.

use super::*;

impl ViewerState {
    /// What is on screen now: a step, or a blend on the way to one.
    pub(crate) fn pose(&self) -> Pose {
        match &self.play.transition {
            Some(t) if !t.done(self.play.now) => Pose::Blend {
                from: Box::new(t.from.clone()),
                to: t.to,
                u: ease_in_out(t.progress(self.play.now)),
            }
            .limited(MAX_POSE_DEPTH),
            _ => Pose::Step(self.play.step),
        }
    }

    /// Whether a frame should be drawn (something changed or moves).
    pub fn needs_frame(&self) -> bool {
        self.dirty || self.play.transition.is_some() || self.animating()
    }

    /// A zoom or a hovered point is still moving.
    pub(super) fn animating(&self) -> bool {
        self.zoom.iter().any(|z| z.animating(self.play.now))
            || (self.hovered_trial().is_some()
                && self.play.now - self.pointer.hover_since < HOVER_S)
    }

    /// Call after drawing a frame.
    pub fn frame_drawn(&mut self) {
        self.dirty = false;
    }

    /// When the viewer must be woken up next without input (the next
    /// playback step, the end of a notice); `None` to sleep until input.
    pub(crate) fn next_wake(&self) -> Option<f64> {
        let mut t: Option<f64> = None;
        let mut at = |x: f64| t = Some(t.map_or(x, |y: f64| y.min(x)));
        if self.play.transition.is_some() || self.animating() {
            at(self.play.now);
        }
        if self.source.following {
            at(self.play.now + POLL_S);
        }
        if self.play.playing {
            at(self.play.now + ((1.0 - self.play.acc) / self.speed()).max(0.0));
        }
        if let Some((_, until)) = &self.overlay.notice {
            if *until > self.play.now {
                at(*until);
            }
        }
        t
    }

    /// Starts (or resets) at `step`, paused, without animation.
    pub fn set_step(&mut self, step: usize) {
        self.play.step = step.min(self.last());
        self.play.transition = None;
        self.changed();
    }

    pub fn set_playing(&mut self, playing: bool) {
        self.play.playing = playing && (self.len() > 1 || self.live());
        self.play.acc = 0.0;
        self.changed();
    }

    /// Moves the clock to `now`; returns the trials a live search is asked
    /// for (playback went past its last step).
    pub(super) fn tick(&mut self, now: f64) -> usize {
        let mut demand = 0;
        let was_animating = self.animating();
        let dt = match self.play.last_tick {
            Some(t) => (now - t).clamp(0.0, 1.0),
            None => 0.0,
        };
        self.play.last_tick = Some(now);
        self.play.now = now;
        if self.play.playing {
            self.play.acc += dt * self.speed();
            let adv = self.play.acc.floor();
            if adv >= 1.0 {
                self.play.acc -= adv;
                let last = self.last();
                let want = self.play.step + adv as usize;
                let target = want.min(last);
                if self.live() {
                    // a live search makes the steps past its end
                    demand = (want - target).min(MAX_DEMAND);
                }
                if target > self.play.step {
                    // several steps in one frame: show the newest, animate only its change
                    let from = if target > self.play.step + 1 {
                        Pose::Step(target - 1)
                    } else {
                        self.pose()
                    };
                    self.start(from, target, self.play_duration());
                }
                if target >= last && !self.live() {
                    self.play.playing = false;
                    self.play.acc = 0.0;
                }
            }
        }
        if self.play.transition.as_ref().is_some_and(|t| t.done(now)) {
            self.play.transition = None;
            self.changed();
        }
        if was_animating || self.animating() {
            self.changed();
        }
        if let Some((_, until)) = &self.overlay.notice {
            if *until <= now {
                self.overlay.notice = None;
                self.changed();
            }
        }
        demand
    }

    /// The playback actions: play and pause, stepping, jumping to the
    /// start, the end, the best or the newest trial, the speed.
    pub(super) fn act_playback(&mut self, a: Action) {
        let last = self.last();
        match a {
            Action::TogglePlay => {
                if !self.play.playing && self.play.step >= last && !self.live() {
                    // played to the end: start over
                    self.go(0);
                }
                self.set_playing(!self.play.playing);
            }
            Action::StepBack => {
                self.play.playing = false;
                self.go(self.play.step.saturating_sub(1));
            }
            Action::StepForward => {
                self.play.playing = false;
                self.go((self.play.step + 1).min(last));
            }
            Action::Start => self.go(0),
            Action::End => {
                self.play.playing = false;
                self.go(last);
            }
            Action::Best => {
                self.play.playing = false;
                let best = self
                    .runs
                    .get(self.showing.run)
                    .and_then(|r| r.best_at(self.play.step));
                if let Some(b) = best {
                    self.go(b);
                }
            }
            Action::SpeedDown => {
                self.play.speed = self.play.speed.saturating_sub(1);
                self.play.acc = 0.0;
            }
            Action::SpeedUp => {
                self.play.speed = (self.play.speed + 1).min(SPEEDS.len() - 1);
                self.play.acc = 0.0;
            }
            Action::GoLive => {
                self.clear_selection();
                self.go(last);
            }
            _ => {}
        }
    }

    /// Transition length while playing: shorter at high speed.
    pub(super) fn play_duration(&self) -> f64 {
        (0.8 / self.speed()).clamp(FRAME_S, TRANSITION_S)
    }

    /// Goes to `target` with a transition of `duration` seconds from what
    /// is on screen (a recording's playback at its own speed).
    pub(crate) fn go_to(&mut self, target: usize, duration: f64) {
        let target = target.min(self.last());
        if target == self.play.step {
            return;
        }
        let from = if target > self.play.step + 1 {
            Pose::Step(target - 1)
        } else {
            self.pose()
        };
        self.start(from, target, duration);
    }

    /// Goes to `target` with a transition from what is on screen.
    pub(super) fn go(&mut self, target: usize) {
        let target = target.min(self.last());
        if target == self.play.step && self.play.transition.is_none() {
            return;
        }
        self.start(self.pose(), target, TRANSITION_S);
    }

    /// Starts a transition; the step's trial grows in when it is the one
    /// after what was on screen.
    pub(super) fn start(&mut self, from: Pose, to: usize, duration: f64) {
        let grow = from.target() + 1 == to;
        self.play.transition = Some(Transition {
            from,
            to,
            start: self.play.now,
            duration,
            grow,
        });
        self.play.step = to;
        self.changed();
    }

    pub(super) fn scrub_to(&mut self, x: f32) {
        let s = self.surface.ui.step_at(x, self.len());
        if s != self.play.step || self.play.transition.is_some() {
            self.play.step = s;
            self.play.transition = None;
            self.changed();
        }
    }
}
