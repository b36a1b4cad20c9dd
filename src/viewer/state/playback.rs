//! Playback: the step on show, playing and pausing, the clock's ticks,
//! transitions between steps, scrubbing, and when a frame is due.

use super::*;

impl ViewerState {
    /// What is on screen now: a step, or a blend on the way to one.
    pub fn pose(&self) -> Pose {
        match &self.transition {
            Some(t) if !t.done(self.now) => Pose::Blend {
                from: Box::new(t.from.clone()),
                to: t.to,
                u: ease_in_out(t.progress(self.now)),
            }
            .limited(MAX_POSE_DEPTH),
            _ => Pose::Step(self.step),
        }
    }

    /// Whether a frame should be drawn (something changed or moves).
    pub fn needs_frame(&self) -> bool {
        self.dirty || self.transition.is_some() || self.animating()
    }

    /// A zoom or a hovered point is still moving.
    pub(super) fn animating(&self) -> bool {
        self.zoom.iter().any(|z| z.animating(self.now))
            || (self.hovered_trial().is_some() && self.now - self.hover_since < HOVER_S)
    }

    /// Call after drawing a frame.
    pub fn frame_drawn(&mut self) {
        self.dirty = false;
    }

    /// When the viewer must be woken up next without input (the next
    /// playback step, the end of a notice); `None` to sleep until input.
    pub fn next_wake(&self) -> Option<f64> {
        let mut t: Option<f64> = None;
        let mut at = |x: f64| t = Some(t.map_or(x, |y: f64| y.min(x)));
        if self.transition.is_some() || self.animating() {
            at(self.now);
        }
        if self.following {
            at(self.now + POLL_S);
        }
        if self.playing {
            at(self.now + ((1.0 - self.acc) / self.speed()).max(0.0));
        }
        if let Some((_, until)) = &self.notice {
            if *until > self.now {
                at(*until);
            }
        }
        t
    }

    /// Starts (or resets) at `step`, paused, without animation.
    pub fn set_step(&mut self, step: usize) {
        self.step = step.min(self.last());
        self.transition = None;
        self.dirty = true;
    }

    pub fn set_playing(&mut self, playing: bool) {
        self.playing = playing && (self.len() > 1 || self.live());
        self.acc = 0.0;
        self.dirty = true;
    }

    pub(super) fn tick(&mut self, now: f64) {
        let was_animating = self.animating();
        let dt = match self.last_tick {
            Some(t) => (now - t).clamp(0.0, 1.0),
            None => 0.0,
        };
        self.last_tick = Some(now);
        self.now = now;
        if self.playing {
            self.acc += dt * self.speed();
            let adv = self.acc.floor();
            if adv >= 1.0 {
                self.acc -= adv;
                let last = self.last();
                let want = self.step + adv as usize;
                let target = want.min(last);
                if self.live() {
                    // a live search makes the steps past its end
                    self.demand = (self.demand + want - target).min(MAX_DEMAND);
                }
                if target > self.step {
                    // several steps in one frame: show the newest, animate only its change
                    let from = if target > self.step + 1 {
                        Pose::Step(target - 1)
                    } else {
                        self.pose()
                    };
                    self.start(from, target, self.play_duration());
                }
                if target >= last && !self.live() {
                    self.playing = false;
                    self.acc = 0.0;
                }
            }
        }
        if self.transition.as_ref().is_some_and(|t| t.done(now)) {
            self.transition = None;
            self.dirty = true;
        }
        if was_animating || self.animating() {
            self.dirty = true;
        }
        if let Some((_, until)) = &self.notice {
            if *until <= now {
                self.notice = None;
                self.dirty = true;
            }
        }
    }

    /// Transition length while playing: shorter at high speed.
    pub(super) fn play_duration(&self) -> f64 {
        (0.8 / self.speed()).clamp(FRAME_S, TRANSITION_S)
    }

    /// Goes to `target` with a transition of `duration` seconds from what
    /// is on screen (a recording's playback at its own speed).
    pub fn go_to(&mut self, target: usize, duration: f64) {
        let target = target.min(self.last());
        if target == self.step {
            return;
        }
        let from = if target > self.step + 1 {
            Pose::Step(target - 1)
        } else {
            self.pose()
        };
        self.start(from, target, duration);
    }

    /// Goes to `target` with a transition from what is on screen.
    pub(super) fn go(&mut self, target: usize) {
        let target = target.min(self.last());
        if target == self.step && self.transition.is_none() {
            return;
        }
        self.start(self.pose(), target, TRANSITION_S);
    }

    /// Starts a transition; the step's trial grows in when it is the one
    /// after what was on screen.
    pub(super) fn start(&mut self, from: Pose, to: usize, duration: f64) {
        let grow = from.target() + 1 == to;
        self.transition = Some(Transition {
            from,
            to,
            start: self.now,
            duration,
            grow,
        });
        self.step = to;
        self.dirty = true;
    }

    pub(super) fn scrub_to(&mut self, x: f32) {
        let s = self.ui.step_at(x, self.len());
        if s != self.step || self.transition.is_some() {
            self.step = s;
            self.transition = None;
            self.dirty = true;
        }
    }
}
