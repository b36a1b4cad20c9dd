//! Picking: which circle of a plot is under the pointer.
//!
//! The answer is the topmost circle (the last drawn, so the highest
//! index) whose disc contains the pointer, the disc being the drawn
//! circle and its anti-aliased rim ([`PICK_MARGIN`]). [`PickGrid`] gives
//! exactly the answer of a scan over every circle ([`pick_brute`]) from a
//! uniform grid over the plot's pixels: each circle is filed once, in the
//! cell of its centre, and cells are at least a disc wide, so a query
//! reads at most four cells. Appending circles (a step forward) or
//! dropping the newest (a step back) updates the grid in place; a new
//! view transform (zoom, pan, resize) rebuilds it.

use crate::render::{Circle, PixelRect, ViewTransform};

/// Pixels beyond the radius that still count as on the circle (the
/// anti-aliased rim is half a pixel wide; pointers are not sharper).
pub const PICK_MARGIN: f32 = 1.0;

/// Smallest cell side in pixels.
const MIN_CELL: f32 = 4.0;

/// No cell: the circle cannot be under a pointer inside the plot.
const NOWHERE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Entry {
    x: f32,
    y: f32,
    /// Squared pick radius.
    r2: f32,
    index: u32,
}

/// Whether a circle at pixel `c` with `radius` is under pixel `p`.
fn hits(c: [f32; 2], radius: f32, p: [f32; 2]) -> bool {
    let r = radius.max(0.0) + PICK_MARGIN;
    let (dx, dy) = (c[0] - p[0], c[1] - p[1]);
    dx * dx + dy * dy <= r * r
}

/// The topmost circle under `p` by scanning every circle: the reference
/// [`PickGrid`] is checked against, and the answer for tiny sets.
pub fn pick_brute(
    circles: &[Circle],
    view: &ViewTransform,
    area: PixelRect,
    p: [f32; 2],
) -> Option<usize> {
    if !inside(area, p) {
        return None;
    }
    circles
        .iter()
        .rposition(|c| c.is_valid() && hits(view.apply(c.center), c.radius, p))
}

fn inside(area: PixelRect, p: [f32; 2]) -> bool {
    p[0] >= area.x && p[0] <= area.x + area.w && p[1] >= area.y && p[1] <= area.y + area.h
}

/// A spatial index of a plot's circles in pixel space.
#[derive(Clone, Debug)]
pub struct PickGrid {
    view: ViewTransform,
    area: PixelRect,
    /// What the indexed circles belong to (a cache generation): another
    /// value means the circles were replaced, not appended.
    source: u64,
    cell: f32,
    origin: [f32; 2],
    cols: usize,
    rows: usize,
    cells: Vec<Vec<Entry>>,
    /// The cell of each indexed circle, in order.
    home: Vec<u32>,
}

impl Default for PickGrid {
    fn default() -> Self {
        PickGrid {
            view: ViewTransform::IDENTITY,
            area: PixelRect::new(0.0, 0.0, 0.0, 0.0),
            source: u64::MAX,
            cell: MIN_CELL,
            origin: [0.0, 0.0],
            cols: 0,
            rows: 0,
            cells: Vec::new(),
            home: Vec::new(),
        }
    }
}

impl PickGrid {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many circles are indexed.
    pub fn len(&self) -> usize {
        self.home.len()
    }

    pub fn is_empty(&self) -> bool {
        self.home.is_empty()
    }

    /// Makes the grid index `circles`, drawn with `view` and clipped to
    /// `area`. `source` names the circles' version: while it and the view
    /// stay the same, `circles` may only have grown or shrunk at the end
    /// since the last call, and the grid follows in O(change).
    pub fn sync(&mut self, circles: &[Circle], view: ViewTransform, area: PixelRect, source: u64) {
        let same = self.view == view && self.area == area && self.source == source;
        let widest = circles[self.home.len().min(circles.len())..]
            .iter()
            .map(|c| c.radius)
            .filter(|r| r.is_finite())
            .fold(0.0f32, f32::max);
        if !same || 2.0 * (widest + PICK_MARGIN) > self.cell {
            self.rebuild(circles, view, area, source);
            return;
        }
        while self.home.len() > circles.len() {
            let i = self.home.len() - 1;
            let cell = self.home[i];
            if cell != NOWHERE {
                let popped = self.cells[cell as usize].pop();
                if popped.is_none_or(|e| e.index as usize != i) {
                    // not the layout this grid was built for: start over
                    self.rebuild(circles, view, area, source);
                    return;
                }
            }
            self.home.pop();
        }
        let from = self.home.len();
        for (i, c) in circles.iter().enumerate().skip(from) {
            self.file(i, c);
        }
    }

    fn rebuild(&mut self, circles: &[Circle], view: ViewTransform, area: PixelRect, source: u64) {
        let widest = circles
            .iter()
            .map(|c| c.radius)
            .filter(|r| r.is_finite())
            .fold(0.0f32, f32::max);
        let reach = widest.max(0.0) + PICK_MARGIN;
        self.cell = (2.0 * reach).max(MIN_CELL);
        self.view = view;
        self.area = area;
        self.source = source;
        // the grid covers the plot and a disc's reach around it
        self.origin = [area.x - reach, area.y - reach];
        let w = (area.w.max(0.0) + 2.0 * reach).min(1.0e5);
        let h = (area.h.max(0.0) + 2.0 * reach).min(1.0e5);
        self.cols = ((w / self.cell).ceil() as usize).max(1);
        self.rows = ((h / self.cell).ceil() as usize).max(1);
        self.cells.clear();
        self.cells.resize(self.cols * self.rows, Vec::new());
        self.home.clear();
        self.home.reserve(circles.len());
        for (i, c) in circles.iter().enumerate() {
            self.file(i, c);
        }
    }

    fn cell_of(&self, p: [f32; 2]) -> Option<(usize, usize)> {
        let cx = ((p[0] - self.origin[0]) / self.cell).floor();
        let cy = ((p[1] - self.origin[1]) / self.cell).floor();
        if cx.is_finite()
            && cy.is_finite()
            && cx >= 0.0
            && cy >= 0.0
            && (cx as usize) < self.cols
            && (cy as usize) < self.rows
        {
            Some((cx as usize, cy as usize))
        } else {
            None
        }
    }

    fn file(&mut self, i: usize, c: &Circle) {
        let p = self.view.apply(c.center);
        let cell = match self.cell_of(p) {
            Some((cx, cy)) if c.is_valid() && i < NOWHERE as usize => cy * self.cols + cx,
            _ => {
                self.home.push(NOWHERE);
                return;
            }
        };
        let r = c.radius + PICK_MARGIN;
        self.cells[cell].push(Entry {
            x: p[0],
            y: p[1],
            r2: r * r,
            index: i as u32,
        });
        self.home.push(cell as u32);
    }

    /// The topmost indexed circle under pixel `p` (inside the plot).
    pub fn pick(&self, p: [f32; 2]) -> Option<usize> {
        if !inside(self.area, p) || self.cells.is_empty() {
            return None;
        }
        // cells are a disc's reach wide or more: the circles that can hold
        // `p` have their centre in the cells touching p ± reach
        let reach = self.cell / 2.0;
        let lo = [p[0] - reach, p[1] - reach];
        let (x0, y0) = self.clamped(lo);
        let (x1, y1) = self.clamped([p[0] + reach, p[1] + reach]);
        let mut best: Option<u32> = None;
        for cy in y0..=y1 {
            for cx in x0..=x1 {
                let cell = &self.cells[cy * self.cols + cx];
                for e in cell.iter().rev() {
                    if best.is_some_and(|b| e.index <= b) {
                        break;
                    }
                    let (dx, dy) = (e.x - p[0], e.y - p[1]);
                    if dx * dx + dy * dy <= e.r2 {
                        best = Some(e.index);
                        break;
                    }
                }
            }
        }
        best.map(|b| b as usize)
    }

    fn clamped(&self, p: [f32; 2]) -> (usize, usize) {
        let cx = ((p[0] - self.origin[0]) / self.cell).floor().max(0.0) as usize;
        let cy = ((p[1] - self.origin[1]) / self.cell).floor().max(0.0) as usize;
        (cx.min(self.cols - 1), cy.min(self.rows - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Color;
    use crate::rng::Rng;

    fn circle(x: f32, y: f32, r: f32) -> Circle {
        Circle::new([x, y], r, Color::WHITE)
    }

    const AREA: PixelRect = PixelRect::new(40.0, 30.0, 600.0, 400.0);

    fn fit() -> ViewTransform {
        ViewTransform::fit(AREA, 0.0, 1.0, 0.0, 1.0)
    }

    /// Queries at random points and at every circle's centre and rim.
    fn agree(grid: &PickGrid, circles: &[Circle], view: &ViewTransform, rng: &mut Rng, n: usize) {
        let mut probes: Vec<[f32; 2]> = (0..n)
            .map(|_| {
                [
                    AREA.x - 20.0 + rng.unit() as f32 * (AREA.w + 40.0),
                    AREA.y - 20.0 + rng.unit() as f32 * (AREA.h + 40.0),
                ]
            })
            .collect();
        for c in circles.iter().step_by((circles.len() / 500).max(1)) {
            let p = view.apply(c.center);
            let r = c.radius + PICK_MARGIN;
            probes.push(p);
            probes.push([p[0] + r * 0.999, p[1]]);
            probes.push([p[0], p[1] - r * 1.001]);
        }
        for p in probes {
            assert_eq!(
                grid.pick(p),
                pick_brute(circles, view, AREA, p),
                "at {p:?} (of {} circles)",
                circles.len()
            );
        }
    }

    fn random_set(rng: &mut Rng, n: usize) -> Vec<Circle> {
        (0..n)
            .map(|_| {
                circle(
                    rng.unit() as f32,
                    rng.unit() as f32,
                    0.5 + rng.unit() as f32 * 3.0,
                )
            })
            .collect()
    }

    #[test]
    fn the_grid_answers_as_a_scan_on_random_sets() {
        let mut rng = Rng::new(1);
        let circles = random_set(&mut rng, 100_000);
        let mut g = PickGrid::new();
        g.sync(&circles, fit(), AREA, 0);
        assert_eq!(g.len(), circles.len());
        agree(&g, &circles, &fit(), &mut rng, 3_000);
    }

    #[test]
    fn adversarial_sets_overlap_crowd_and_sit_on_the_border() {
        let mut rng = Rng::new(2);
        let mut circles = Vec::new();
        // a pile of identical circles: the newest wins
        for _ in 0..30_000 {
            circles.push(circle(0.5, 0.5, 2.0));
        }
        // a crowded cluster of overlapping circles of mixed sizes
        for _ in 0..40_000 {
            circles.push(circle(
                0.3 + rng.unit() as f32 * 0.01,
                0.7 + rng.unit() as f32 * 0.01,
                1.0 + rng.unit() as f32 * 6.0,
            ));
        }
        // on and just outside the plot's edges and corners
        for i in 0..30_000 {
            let t = rng.unit() as f32;
            let off = (rng.unit() as f32 - 0.5) * 0.02;
            let p = match i % 4 {
                0 => [t, 0.0 + off],
                1 => [t, 1.0 + off],
                2 => [0.0 + off, t],
                _ => [1.0 + off, t],
            };
            circles.push(circle(p[0], p[1], 0.2 + rng.unit() as f32 * 4.0));
        }
        // one huge circle and some invalid ones
        circles.push(circle(0.9, 0.1, 25.0));
        circles.push(circle(f32::NAN, 0.5, 2.0));
        circles.push(circle(0.5, 0.5, f32::INFINITY));
        let mut g = PickGrid::new();
        g.sync(&circles, fit(), AREA, 0);
        agree(&g, &circles, &fit(), &mut rng, 3_000);
        // the top of the pile (or something drawn after it) is picked
        let top = g.pick(fit().apply([0.5, 0.5]));
        assert!(top.is_some_and(|i| i >= 29_999), "{top:?}");
    }

    #[test]
    fn the_grid_follows_zoom_pan_and_resize() {
        let mut rng = Rng::new(3);
        let circles = random_set(&mut rng, 50_000);
        let mut g = PickGrid::new();
        let views = [
            fit(),
            fit().zoom(8.0, [300.0, 200.0]),
            fit().zoom(8.0, [300.0, 200.0]).pan(-150.0, 90.0),
            fit().zoom(0.3, [100.0, 100.0]),
            ViewTransform::fit(AREA, 0.45, 0.46, 0.1, 0.9),
        ];
        for v in views {
            g.sync(&circles, v, AREA, 0);
            agree(&g, &circles, &v, &mut rng, 5_000);
        }
    }

    #[test]
    fn appends_and_drops_update_the_grid_in_place() {
        let mut rng = Rng::new(4);
        let all = random_set(&mut rng, 60_000);
        let mut g = PickGrid::new();
        let mut n = 0;
        for _ in 0..40 {
            // forward by a few, back by a few, as playback and stepping do
            n = if rng.chance(0.7) {
                (n + rng.below(4_000)).min(all.len())
            } else {
                n.saturating_sub(rng.below(3_000))
            };
            g.sync(&all[..n], fit(), AREA, 7);
            assert_eq!(g.len(), n);
            agree(&g, &all[..n], &fit(), &mut rng, 300);
        }
        // a wider circle than the cells hold: rebuilt, still exact
        let mut more = all[..n].to_vec();
        more.push(circle(0.5, 0.5, 40.0));
        g.sync(&more, fit(), AREA, 7);
        agree(&g, &more, &fit(), &mut rng, 2_000);
        // replaced circles (another source) are not mistaken for a prefix
        let other = random_set(&mut rng, 1_000);
        g.sync(&other, fit(), AREA, 8);
        agree(&g, &other, &fit(), &mut rng, 2_000);
    }

    #[test]
    fn nothing_is_picked_outside_the_plot_or_in_an_empty_grid() {
        let circles = vec![circle(0.0, 0.0, 10.0)];
        let mut g = PickGrid::new();
        assert_eq!(g.pick([100.0, 100.0]), None);
        g.sync(&circles, fit(), AREA, 0);
        let corner = fit().apply([0.0, 0.0]);
        assert_eq!(g.pick(corner), Some(0));
        // the disc reaches past the plot's edge, but the pointer there is off the plot
        assert_eq!(g.pick([corner[0] - 3.0, corner[1]]), None);
        g.sync(&[], fit(), AREA, 0);
        assert_eq!(g.pick(corner), None);
    }
}
