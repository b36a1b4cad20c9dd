//! What the pointer is over in the dashboard (a [`Spot`]), trials the
//! user hovers and selects ([`TrialRef`]), and the zoom of the two plots
//! ([`Zoom`]): plain values the state machine keeps, found by
//! [`super::Viewer`] from the last frame's geometry.

use crate::scene::motion::ease_in_out;
use crate::scene::plots::Window;

/// A trial of one of the viewer's runs: the run's index and the trial's
/// position in it (its step).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TrialRef {
    pub run: usize,
    pub index: usize,
}

/// The two plots that pan and zoom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Plot {
    Scatter,
    Line,
}

impl Plot {
    pub fn index(self) -> usize {
        match self {
            Plot::Scatter => 0,
            Plot::Line => 1,
        }
    }
}

/// The pointer inside a plot's data area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PlotAt {
    pub plot: Plot,
    /// Where in the area, as fractions from its bottom-left corner (y up).
    pub frac: [f64; 2],
    /// The area's size in pixels.
    pub size: [f32; 2],
}

/// A thing of the dashboard under the pointer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Thing {
    /// A trial's point in the scatter or the line chart.
    Point(TrialRef),
    /// The best-so-far line at a step: the best trial then.
    Best { trial: TrialRef, step: usize },
    /// A box of the architecture view (index into its picture's nodes).
    Node(usize),
    /// An edge of the architecture view (index into its picture's edges).
    Edge(usize),
    /// A row of the summary table that names a trial.
    Row { trial: TrialRef, row: usize },
    /// A choice value or an edit kind of an insight view (index into
    /// the frame's insight hits).
    Choice(usize),
}

impl Thing {
    /// The trial this thing stands for, highlighted in every view.
    pub fn trial(&self) -> Option<TrialRef> {
        match self {
            Thing::Point(t) | Thing::Best { trial: t, .. } | Thing::Row { trial: t, .. } => {
                Some(*t)
            }
            Thing::Node(_) | Thing::Edge(_) | Thing::Choice(_) => None,
        }
    }
}

/// Everything the pointer is over in the dashboard.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spot {
    pub(crate) plot: Option<PlotAt>,
    pub thing: Option<Thing>,
}

/// Length of an animated zoom.
pub(crate) const ZOOM_S: f64 = 0.25;
/// How much one wheel notch zooms.
pub(crate) const WHEEL_FACTOR: f64 = 0.8;
/// The narrowest and the widest window, as a fraction of the default.
const MIN_SPAN: f64 = 1e-4;
const MAX_SPAN: f64 = 20.0;

/// The zoom of one plot: a window, animated from one to another.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Zoom {
    from: Window,
    to: Window,
    start: f64,
    duration: f64,
}

impl Default for Zoom {
    fn default() -> Self {
        Zoom {
            from: Window::FULL,
            to: Window::FULL,
            start: 0.0,
            duration: 0.0,
        }
    }
}

fn clamp_span(lo: f64, hi: f64) -> [f64; 2] {
    let span = hi - lo;
    let span = if span.is_finite() {
        span.clamp(MIN_SPAN, MAX_SPAN)
    } else {
        1.0
    };
    let mid = (lo + hi) / 2.0;
    let mid = if mid.is_finite() { mid } else { 0.5 };
    [mid - span / 2.0, mid + span / 2.0]
}

impl Zoom {
    /// The window on show at `now`.
    pub fn at(&self, now: f64) -> Window {
        if self.duration <= 0.0 || now >= self.start + self.duration {
            return self.to;
        }
        let u = ease_in_out((((now - self.start) / self.duration).clamp(0.0, 1.0)) as f32) as f64;
        let l = |a: [f64; 2], b: [f64; 2]| [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u];
        Window {
            x: l(self.from.x, self.to.x),
            y: l(self.from.y, self.to.y),
        }
    }

    /// The window this zoom ends at.
    pub fn target(&self) -> Window {
        self.to
    }

    pub fn animating(&self, now: f64) -> bool {
        self.duration > 0.0 && now < self.start + self.duration
    }

    /// Animates from what is on show to `to`.
    pub fn go(&mut self, to: Window, now: f64) {
        self.from = self.at(now);
        self.to = Window {
            x: clamp_span(to.x[0], to.x[1]),
            y: clamp_span(to.y[0], to.y[1]),
        };
        self.start = now;
        self.duration = ZOOM_S;
    }

    /// Jumps to `to` (a pan follows the pointer without delay).
    pub fn set(&mut self, to: Window) {
        let w = Window {
            x: clamp_span(to.x[0], to.x[1]),
            y: clamp_span(to.y[0], to.y[1]),
        };
        *self = Zoom {
            from: w,
            to: w,
            start: 0.0,
            duration: 0.0,
        };
    }

    /// Zooms by `factor` (< 1 in) about the point at `frac` of the
    /// window on show, which stays under the pointer; notches given
    /// during the animation add up.
    pub(crate) fn zoom_about(&mut self, frac: [f64; 2], factor: f64, now: f64) {
        let shown = self.at(now);
        let target = self.to;
        let axis = |s: [f64; 2], t: [f64; 2], f: f64| {
            let q = s[0] + f * (s[1] - s[0]);
            let span = (t[1] - t[0]) * factor;
            [q - f * span, q - f * span + span]
        };
        self.go(
            Window {
                x: axis(shown.x, target.x, frac[0]),
                y: axis(shown.y, target.y, frac[1]),
            },
            now,
        );
    }
}

/// The window `start` moved by a drag of `delta` pixels over an area of
/// `size` pixels (the data follow the pointer).
pub fn panned(start: Window, delta: [f32; 2], size: [f32; 2]) -> Window {
    let fx = delta[0] as f64 / size[0].max(1.0) as f64 * (start.x[1] - start.x[0]);
    // pixels grow downwards, fractions upwards
    let fy = -(delta[1] as f64) / size[1].max(1.0) as f64 * (start.y[1] - start.y[0]);
    Window {
        x: [start.x[0] - fx, start.x[1] - fx],
        y: [start.y[0] - fy, start.y[1] - fy],
    }
}

/// The part of `shown` between two points given as fractions of it.
pub(crate) fn boxed(shown: Window, a: [f64; 2], b: [f64; 2]) -> Window {
    let axis = |s: [f64; 2], p: f64, q: f64| {
        let (lo, hi) = (p.min(q), p.max(q));
        [s[0] + lo * (s[1] - s[0]), s[0] + hi * (s[1] - s[0])]
    };
    Window {
        x: axis(shown.x, a[0], b[0]),
        y: axis(shown.y, a[1], b[1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Window, b: Window) -> bool {
        let d = |p: [f64; 2], q: [f64; 2]| (p[0] - q[0]).abs().max((p[1] - q[1]).abs());
        d(a.x, b.x).max(d(a.y, b.y)) < 1e-9
    }

    #[test]
    fn wheel_zoom_keeps_the_point_under_the_pointer() {
        let mut z = Zoom::default();
        z.zoom_about([0.25, 0.75], 0.5, 0.0);
        assert!(z.animating(0.1));
        let w = z.at(1.0);
        assert!(close(
            w,
            Window {
                x: [0.125, 0.625],
                y: [0.375, 0.875]
            }
        ));
        // the data point at fraction 0.25 of the old window is still at 0.25
        let q = w.x[0] + 0.25 * (w.x[1] - w.x[0]);
        assert!((q - 0.25).abs() < 1e-12);
        // two notches mid-animation add up
        let mut z = Zoom::default();
        z.zoom_about([0.5, 0.5], 0.5, 0.0);
        z.zoom_about([0.5, 0.5], 0.5, 0.05);
        let w = z.target();
        assert!((w.x[1] - w.x[0] - 0.25).abs() < 1e-9, "{w:?}");
    }

    #[test]
    fn pan_follows_the_drag_and_box_picks_a_part() {
        let w = panned(Window::FULL, [100.0, -50.0], [400.0, 200.0]);
        assert!(close(
            w,
            Window {
                x: [-0.25, 0.75],
                y: [-0.25, 0.75]
            }
        ));
        let b = boxed(
            Window {
                x: [0.0, 0.5],
                y: [0.5, 1.0],
            },
            [0.8, 0.2],
            [0.2, 0.6],
        );
        assert!(close(
            b,
            Window {
                x: [0.1, 0.4],
                y: [0.6, 0.8]
            }
        ));
    }

    #[test]
    fn windows_stay_within_sane_spans() {
        let mut z = Zoom::default();
        for _ in 0..200 {
            z.zoom_about([0.3, 0.3], WHEEL_FACTOR, 0.0);
        }
        let w = z.target();
        assert!(w.x[1] - w.x[0] >= MIN_SPAN * 0.999);
        for _ in 0..400 {
            z.zoom_about([0.3, 0.3], 1.0 / WHEEL_FACTOR, 0.0);
        }
        let w = z.target();
        assert!(w.x[1] - w.x[0] <= MAX_SPAN * 1.001);
        z.set(Window {
            x: [f64::NAN, 1.0],
            y: [0.0, 1.0],
        });
        assert!(z.target().x[0].is_finite());
    }
}
