//! What the plots keep between frames of one run ([`PointCache`]): the
//! circles of every trial up to the current step, in both plots, so that
//! moving the step appends or drops only the points in between (O(steps
//! moved), not O(trials)); the default data [`Ranges`]; the density grid
//! and the line chart's envelope.

use super::theme::ramp;
use crate::analysis::Analytics;
use crate::render::{Circle, MeshBuilder, PixelRect, ViewTransform};
use crate::trace::Run;

/// Data ranges shown by default: the dense region of the run (accuracies
/// crowd near the top), from a low quantile to the maximum, padded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ranges {
    pub val: (f64, f64),
    pub test: (f64, f64),
}

fn quantile(mut v: Vec<f64>, q: f64) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    let k = ((v.len() - 1) as f64 * q).round() as usize;
    let k = k.min(v.len() - 1);
    v.select_nth_unstable_by(k, f64::total_cmp);
    Some(v[k])
}

fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let span = hi - lo;
    if !(span.is_finite()) || span <= 1e-9 {
        let c = if lo.is_finite() { lo } else { 0.5 };
        return (c - 0.01, c + 0.01);
    }
    (lo - span * 0.04, hi + span * 0.04)
}

impl Ranges {
    /// The dense region of a run: 5th percentile to maximum of each axis.
    pub fn of_run(run: &Run) -> Ranges {
        Self::quantile_to_max(run, 0.05)
    }

    /// Every trial of a run: minimum to maximum of each axis.
    pub fn full(run: &Run) -> Ranges {
        Self::quantile_to_max(run, 0.0)
    }

    fn quantile_to_max(run: &Run, q: f64) -> Ranges {
        let vals = run.trials.val_accs().to_vec();
        let tests = run.trials.test_accs().to_vec();
        let r = |v: Vec<f64>| {
            let hi = v
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .fold(f64::NEG_INFINITY, f64::max);
            match quantile(v, q) {
                Some(lo) => padded(lo, hi),
                None => (0.0, 1.0),
            }
        };
        Ranges {
            val: r(vals),
            test: r(tests),
        }
    }
}

/// A count of points outside a zoomed box, kept up to date as points are
/// appended.
#[derive(Clone, Copy, Debug, PartialEq)]
struct OutsideMemo {
    x: (f64, f64),
    y: (f64, f64),
    generation: u64,
    len: usize,
    count: usize,
}

/// What the plots keep between frames of one run: the circles of every
/// trial up to the current step, the default ranges, and the steps at
/// which the best trial changed.
#[derive(Default)]
pub struct PointCache {
    pub scatter: Vec<Circle>,
    pub line: Vec<Circle>,
    total: usize,
    ranges: Option<Ranges>,
    /// Trials outside the shown ranges (scatter), among those cached.
    pub outside: usize,
    /// Steps at which the best-so-far trial changed, ascending.
    improvements: Vec<usize>,
    /// Whether the line chart's x is the simulated time (else the step).
    x_time: bool,
    /// One colour for every point (when two runs are compared), instead of
    /// the colour of the step.
    tint: Option<crate::render::Color>,
    /// Whether the ranges cover every trial (else the dense region).
    full: bool,
    /// Bumped whenever cached points are dropped or rebuilt (not when
    /// points are only appended or popped), so that a picture of the
    /// points can tell whether it is still a prefix of the cache.
    generation: u64,
    /// Points outside the zoomed scatter and line chart.
    zoomed_outside: [Option<OutsideMemo>; 2],
    /// The scatter's points binned per pixel (density mode).
    pub density: super::density::Density,
    /// The line chart's points as a min-max bar per pixel column (with
    /// density), and what it was built from.
    pub envelope: crate::render::Mesh,
    envelope_key: Option<(ViewTransform, PixelRect, u64, usize)>,
}

/// Whether every trial of `run` has a simulated time.
pub(crate) fn has_clock(run: &Run) -> bool {
    let n = run.trials.len();
    n > 0 && (0..n).all(|i| run.trials.time_s(i).is_some_and(f64::is_finite))
}

impl PointCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The default ranges of `run`, computed once per run length.
    pub fn ranges(&mut self, run: &Run, full: bool) -> Ranges {
        match self.ranges {
            Some(r) if self.total == run.trials.len() && self.full == full => r,
            _ => {
                self.full = full;
                let r = if full {
                    Ranges::full(run)
                } else {
                    Ranges::of_run(run)
                };
                self.restart(run.trials.len(), r);
                r
            }
        }
    }

    /// Brings the list of improvement steps up to date with `analytics`.
    fn sync_improvements(&mut self, analytics: &Analytics) {
        let start = self.improvements.last().map_or(0, |&s| s + 1);
        let mut best = self
            .improvements
            .last()
            .and_then(|&s| analytics.step(s))
            .map(|s| s.best);
        for i in start..analytics.len() {
            if let Some(st) = analytics.step(i) {
                if Some(st.best) != best {
                    self.improvements.push(i);
                    best = Some(st.best);
                }
            }
        }
    }

    /// Improvement steps up to and including `step`.
    pub(crate) fn improvements_until(&mut self, analytics: &Analytics, step: usize) -> &[usize] {
        self.sync_improvements(analytics);
        let end = self.improvements.partition_point(|&s| s <= step);
        &self.improvements[..end]
    }

    /// See the `generation` field: equal generations mean the points
    /// differ only by what was appended or popped since.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The cached points of the scatter (`plot` 0) or the line chart (1).
    pub fn points(&self, plot: usize) -> &[Circle] {
        if plot == 0 {
            &self.scatter
        } else {
            &self.line
        }
    }

    /// How many cached points of the scatter (`plot` 0) or the line chart
    /// (1) lie outside the data box `x` by `y`; O(points appended) when
    /// asked again for the same box.
    pub(crate) fn outside_of(&mut self, plot: usize, x: (f64, f64), y: (f64, f64)) -> usize {
        let plot = plot.min(1);
        let circles = if plot == 0 { &self.scatter } else { &self.line };
        let memo = &mut self.zoomed_outside[plot];
        let m = match memo {
            Some(m)
                if m.x == x
                    && m.y == y
                    && m.generation == self.generation
                    && m.len <= circles.len() =>
            {
                m.count += count_outside(&circles[m.len..], x, y);
                m.len = circles.len();
                *m
            }
            _ => OutsideMemo {
                x,
                y,
                generation: self.generation,
                len: circles.len(),
                count: count_outside(circles, x, y),
            },
        };
        *memo = Some(m);
        m.count
    }

    /// Rebuilds the line chart's per-column envelope for `view` in `area`
    /// (O(points), only when the points or the view changed).
    pub(crate) fn sync_envelope(&mut self, view: ViewTransform, area: PixelRect) {
        let key = (view, area, self.generation, self.line.len());
        if self.envelope_key == Some(key) {
            return;
        }
        self.envelope_key = Some(key);
        self.envelope = line_envelope(&self.line, view, area, self.total);
    }

    /// Drops the cached points (they are rebuilt by the next sync).
    fn drop_points(&mut self) {
        self.generation += 1;
        self.scatter.clear();
        self.line.clear();
        self.outside = 0;
    }

    /// Starts over for a run of `total` trials shown in `ranges`.
    fn restart(&mut self, total: usize, ranges: Ranges) {
        self.drop_points();
        self.improvements.clear();
        self.total = total;
        self.ranges = Some(ranges);
    }

    /// Colours every point with `tint` (or by step with `None`).
    pub(crate) fn set_tint(&mut self, tint: Option<crate::render::Color>) {
        if self.tint != tint {
            self.tint = tint;
            self.drop_points();
        }
    }

    /// Makes the cache hold trials `0..upto` of `run`, with `ranges`.
    pub fn sync(&mut self, run: &Run, upto: usize, ranges: Ranges, x_time: bool) {
        let upto = upto.min(run.trials.len());
        let x_time = x_time && has_clock(run);
        if self.total != run.trials.len() || self.ranges != Some(ranges) || self.x_time != x_time {
            self.x_time = x_time;
            self.restart(run.trials.len(), ranges);
        }
        let n = run.trials.len().max(1) as f64;
        let (t0, t1) = ranges.test;
        let (v0, v1) = ranges.val;
        // smaller circles when there are many
        let base = (7.0 / (n / 500.0).sqrt().max(1.0)).clamp(1.2, 7.0) as f32;
        let (vals, tests) = (run.trials.val_accs(), run.trials.test_accs());
        let inside = |val: f64, test: f64| (v0..=v1).contains(&val) && (t0..=t1).contains(&test);
        while self.scatter.len() > upto {
            let i = self.scatter.len() - 1;
            if let (Some(&val), Some(&test)) = (vals.get(i), tests.get(i)) {
                if !inside(val, test) {
                    self.outside = self.outside.saturating_sub(1);
                }
            }
            self.scatter.pop();
            self.line.pop();
        }
        let from = self.scatter.len();
        self.scatter.reserve(upto.saturating_sub(from));
        self.line.reserve(upto.saturating_sub(from));
        for (i, (&val, &test)) in vals.iter().zip(tests).enumerate().take(upto).skip(from) {
            let color = self.tint.unwrap_or_else(|| ramp(i as f64 / n));
            let size = ((test - t0) / (t1 - t0)).clamp(0.0, 1.0) as f32;
            let r = base * (0.45 + 0.75 * size);
            self.scatter.push(
                Circle::new([val as f32, test as f32], r, color.with_alpha(200)).with_stroke(
                    crate::render::Color::rgba(255, 255, 255, 160),
                    (r * 0.18).min(1.0),
                ),
            );
            let x = if self.x_time {
                run.trials.time_s(i).unwrap_or(0.0) as f32
            } else {
                i as f32
            };
            self.line.push(Circle::new(
                [x, val as f32],
                (base * 0.5).max(1.2),
                color.with_alpha(170),
            ));
            if !inside(val, test) {
                self.outside += 1;
            }
        }
    }
}

/// The line chart's points decimated per pixel column: a bar from the
/// lowest to the highest validation accuracy of the trials in that column,
/// coloured by their mean step; its cost follows the panel's width.
pub(crate) fn line_envelope(
    points: &[Circle],
    view: ViewTransform,
    area: PixelRect,
    total: usize,
) -> crate::render::Mesh {
    let cols = (area.w.ceil().max(1.0) as usize).min(1 << 15);
    let mut lo = vec![f32::INFINITY; cols];
    let mut hi = vec![f32::NEG_INFINITY; cols];
    let mut sum = vec![0.0f64; cols];
    let mut count = vec![0u32; cols];
    for (i, c) in points.iter().enumerate() {
        let p = view.apply(c.center);
        let x = (p[0] - area.x).floor();
        if !(x.is_finite() && p[1].is_finite()) || x < 0.0 || x as usize >= cols {
            continue;
        }
        let k = x as usize;
        lo[k] = lo[k].min(p[1]);
        hi[k] = hi[k].max(p[1]);
        sum[k] += i as f64;
        count[k] += 1;
    }
    let n = total.max(1) as f64;
    let top = area.y;
    let bottom = area.y + area.h;
    let mut mesh = MeshBuilder::new();
    for k in 0..cols {
        if count[k] == 0 {
            continue;
        }
        let (y0, y1) = (lo[k].max(top - 2.0), hi[k].min(bottom + 2.0));
        if y0 > y1 {
            continue;
        }
        let mid = (y0 + y1) / 2.0;
        let half = ((y1 - y0) / 2.0).max(1.0);
        let x = area.x + k as f32;
        let color = ramp(sum[k] / count[k] as f64 / n).with_alpha(170);
        mesh.rounded_rect(
            [x, mid - half],
            [x + 1.0, mid + half],
            0.0,
            Some(color),
            None,
        );
    }
    mesh.build()
}

/// How many circles lie outside the data box `x` by `y`.
fn count_outside(circles: &[Circle], x: (f64, f64), y: (f64, f64)) -> usize {
    let (x0, x1, y0, y1) = (x.0 as f32, x.1 as f32, y.0 as f32, y.1 as f32);
    circles
        .iter()
        .filter(|c| {
            let [a, b] = c.center;
            !(a >= x0 && a <= x1 && b >= y0 && b <= y1)
        })
        .count()
}
