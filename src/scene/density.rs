//! The scatter's density mode: when circles pile up (hundreds of thousands
//! of trials, and tabular benchmarks that return the same architecture
//! again and again), each little square of the plot shows how many trials
//! fell there (shade, on a log ramp, so that one trial still shows) and
//! when (colour: the mean step, on the same ramp as the circles).
//!
//! [`Density`] bins the scatter's cached points by pixel and keeps the
//! bins as circles (one per occupied bin, drawn like the points), updated
//! in place as trials are appended.

use super::theme::ramp;
use crate::render::{Circle, PixelRect, ViewTransform};

/// Side of a bin in pixels.
pub(crate) const BIN: f32 = 2.0;
/// Ink above which the scatter shows density: the circles inside the
/// plot would cover its area this many times over.
pub const CROWDED: f64 = 1.0;

/// How the scatter draws its points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScatterMode {
    /// Density when the points crowd (see [`CROWDED`]), else circles.
    #[default]
    Auto,
    Circles,
    Density,
}

impl ScatterMode {
    /// The next mode of the toggle: auto, density, circles.
    pub fn next(self) -> ScatterMode {
        match self {
            ScatterMode::Auto => ScatterMode::Density,
            ScatterMode::Density => ScatterMode::Circles,
            ScatterMode::Circles => ScatterMode::Auto,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ScatterMode::Auto => "auto",
            ScatterMode::Circles => "circles",
            ScatterMode::Density => "density",
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Bin {
    count: u32,
    step_sum: f64,
    /// Index of this bin's circle.
    circle: u32,
}

/// Trials per pixel bin of the scatter, as circles to draw.
#[derive(Clone, Debug, Default)]
pub struct Density {
    view: Option<ViewTransform>,
    area: Option<PixelRect>,
    source: u64,
    /// The run's length (colours are fractions of it).
    total: usize,
    cols: usize,
    rows: usize,
    bins: Vec<Bin>,
    /// Points binned so far (a prefix of the scatter's points).
    binned: usize,
    /// Points of that prefix inside the plot.
    inside: usize,
    /// The area of their circles, in square pixels.
    ink: f64,
    max_count: u32,
    /// One circle per occupied bin, in data coordinates.
    pub circles: Vec<Circle>,
    /// Bumped whenever circles change other than by being appended.
    generation: u64,
}

impl Density {
    pub fn new() -> Self {
        Self::default()
    }

    /// How crowded the plot is: how many times over the circles inside
    /// it would cover its area.
    pub(crate) fn crowding(&self) -> f64 {
        let area = self.area.map_or(0.0, |a| (a.w * a.h) as f64);
        if area > 0.0 {
            self.ink / area
        } else {
            0.0
        }
    }

    /// Mean trials per occupied bin.
    #[cfg(test)]
    pub(crate) fn per_bin(&self) -> f64 {
        if self.circles.is_empty() {
            0.0
        } else {
            self.inside as f64 / self.circles.len() as f64
        }
    }

    /// The most trials in one bin.
    #[cfg(test)]
    pub(crate) fn max_count(&self) -> u32 {
        self.max_count
    }

    /// Changes whenever the circles change other than by an append.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Bins `points` (a run's scatter points, the trial at position `i`
    /// being `points[i]`) as drawn with `view` in `area`, for a run of
    /// `total` trials. `source` names the points' version (a cache
    /// generation): while it, the view and the total stay, points may
    /// only have been appended, and only those are binned.
    pub fn sync(
        &mut self,
        points: &[Circle],
        view: ViewTransform,
        area: PixelRect,
        source: u64,
        total: usize,
    ) {
        let same = self.view == Some(view)
            && self.area == Some(area)
            && self.source == source
            && self.total == total
            && self.binned <= points.len();
        if !same {
            self.view = Some(view);
            self.area = Some(area);
            self.source = source;
            self.total = total;
            self.cols = ((area.w / BIN).ceil().max(1.0) as usize).min(1 << 14);
            self.rows = ((area.h / BIN).ceil().max(1.0) as usize).min(1 << 14);
            self.bins.clear();
            self.bins.resize(self.cols * self.rows, Bin::default());
            self.circles.clear();
            self.binned = 0;
            self.inside = 0;
            self.ink = 0.0;
            self.max_count = 0;
            self.generation += 1;
        }
        if self.binned == points.len() {
            return;
        }
        let n = total.max(1) as f64;
        let mut max_changed = false;
        let mut changed_in_place = false;
        for (i, c) in points.iter().enumerate().skip(self.binned) {
            let p = view.apply(c.center);
            let (fx, fy) = ((p[0] - area.x) / BIN, (p[1] - area.y) / BIN);
            if !(fx.is_finite() && fy.is_finite()) || fx < 0.0 || fy < 0.0 {
                continue;
            }
            let (cx, cy) = (fx as usize, fy as usize);
            if cx >= self.cols || cy >= self.rows {
                continue;
            }
            self.inside += 1;
            self.ink += std::f64::consts::PI * (c.radius as f64).powi(2);
            let b = &mut self.bins[cy * self.cols + cx];
            if b.count == 0 {
                b.circle = self.circles.len() as u32;
                let centre = view.invert([
                    area.x + (cx as f32 + 0.5) * BIN,
                    area.y + (cy as f32 + 0.5) * BIN,
                ]);
                self.circles
                    .push(Circle::new(centre, BIN * 0.72, crate::render::Color::WHITE));
            } else {
                changed_in_place = true;
            }
            b.count += 1;
            b.step_sum += i as f64;
            if b.count > self.max_count {
                self.max_count = b.count;
                max_changed = true;
            }
        }
        self.binned = points.len();
        if changed_in_place || max_changed {
            self.generation += 1;
        }
        // colours: mean step; shade: trials per bin on a log ramp
        let top = (1.0 + self.max_count as f64).ln().max(f64::MIN_POSITIVE);
        for b in &self.bins {
            if b.count == 0 {
                continue;
            }
            let mean = b.step_sum / b.count as f64;
            let k = (1.0 + b.count as f64).ln() / top;
            let alpha = (80.0 + 175.0 * k).round().clamp(0.0, 255.0) as u8;
            if let Some(c) = self.circles.get_mut(b.circle as usize) {
                c.fill = ramp(mean / n).with_alpha(alpha).packed();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Color;

    #[test]
    fn bins_count_and_colour_the_points() {
        let area = PixelRect::new(0.0, 0.0, 100.0, 100.0);
        let view = ViewTransform::fit(area, 0.0, 1.0, 0.0, 1.0);
        // ten trials on one spot, one alone elsewhere, one off the plot
        let mut pts = vec![Circle::new([0.5, 0.5], 1.0, Color::WHITE); 10];
        pts.push(Circle::new([0.1, 0.9], 1.0, Color::WHITE));
        pts.push(Circle::new([2.0, 0.5], 1.0, Color::WHITE));
        let mut d = Density::new();
        d.sync(&pts[..5], view, area, 0, 12);
        let g = d.generation();
        d.sync(&pts, view, area, 0, 12);
        assert_eq!(d.circles.len(), 2);
        assert_eq!(d.max_count(), 10);
        assert!((d.per_bin() - 5.5).abs() < 1e-9);
        // eleven circles of radius 1 on 10,000 square pixels
        let ink = 11.0 * std::f64::consts::PI / 10_000.0;
        assert!((d.crowding() - ink).abs() < 1e-9);
        assert!(d.generation() > g, "counts changed in place");
        // the crowded bin is more opaque than the lone trial, which still shows
        let alpha = |c: &Circle| (c.fill >> 24) as u8;
        assert!(alpha(&d.circles[0]) > alpha(&d.circles[1]));
        assert!(alpha(&d.circles[1]) >= 80);
        // another view bins again, from scratch
        let zoomed = ViewTransform::fit(area, 0.4, 0.6, 0.4, 0.6);
        d.sync(&pts, zoomed, area, 0, 12);
        assert_eq!(d.circles.len(), 1);
    }
}
