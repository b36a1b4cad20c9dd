//! Pixel rectangles of the dashboard panels for a window size.
//!
//! ```text
//! +-----------------------------------------------------------+
//! | title                                                     |
//! +--------------------+--------------------------------------+
//! | dag                | legend                               |
//! |                    +--------------------------------------+
//! |                    | scatter                              |
//! |                    |                                      |
//! +--------------------+                                      |
//! | table              |                                      |
//! |                    +--------------------------------------+
//! |                    | line                                 |
//! +--------------------+--------------------------------------+
//! ```
//!
//! Proportions (of the space left after margins and gaps): the left column
//! takes 38% of the width, the DAG 58% of its height and the summary table
//! the rest; on the right a legend strip, then the scatter with 64% of the
//! remaining height and the line chart below it. Margins, gaps and strip
//! heights scale with `min(width / 1280, height / 800)` (at most 3x): at
//! 1280x800 the margin is 16 px, the gap 12 px, the title bar 44 px and the
//! legend strip 28 px. The title bar stays at least 28 px and the legend
//! 22 px tall unless the window is very short. Every rectangle has
//! whole-pixel edges, lies inside the window and overlaps no other; in tiny
//! windows panels shrink towards zero size rather than overlap.

/// An axis-aligned rectangle: top-left corner `(x, y)`, width and height.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect { x, y, w, h }
    }

    /// The rectangle spanning `x0..x1`, `y0..y1` (empty when reversed).
    pub fn from_edges(x0: f32, y0: f32, x1: f32, y1: f32) -> Rect {
        Rect {
            x: x0,
            y: y0,
            w: (x1 - x0).max(0.0),
            h: (y1 - y0).max(0.0),
        }
    }

    pub fn right(&self) -> f32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }

    pub fn center(&self) -> [f32; 2] {
        [self.x + self.w * 0.5, self.y + self.h * 0.5]
    }

    /// True when the rectangle has no area.
    pub fn is_empty(&self) -> bool {
        self.w <= 0.0 || self.h <= 0.0
    }

    pub fn contains_point(&self, p: [f32; 2]) -> bool {
        p[0] >= self.x && p[0] <= self.right() && p[1] >= self.y && p[1] <= self.bottom()
    }

    /// True when `other` lies entirely inside `self` (edges may touch).
    pub fn contains_rect(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.right() <= self.right()
            && other.bottom() <= self.bottom()
    }

    /// True when the two rectangles share a region of positive area.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    /// The rectangle shrunk by `d` on every side (never below zero size).
    pub fn inset(&self, d: f32) -> Rect {
        let dx = d.min(self.w * 0.5);
        let dy = d.min(self.h * 0.5);
        Rect {
            x: self.x + dx,
            y: self.y + dy,
            w: (self.w - 2.0 * dx).max(0.0),
            h: (self.h - 2.0 * dy).max(0.0),
        }
    }
}

/// The dashboard's panels, in window pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Panels {
    /// The whole window.
    pub window: Rect,
    /// Title bar across the top.
    pub title: Rect,
    /// Architecture DAG, top of the left column.
    pub dag: Rect,
    /// Summary table, bottom of the left column.
    pub table: Rect,
    /// Legend strip above the scatter.
    pub legend: Rect,
    /// Validation vs test accuracy scatter, the largest panel.
    pub scatter: Rect,
    /// Accuracy over steps, below the scatter.
    pub line: Rect,
    /// Margin around the panels, in pixels.
    pub margin: f32,
    /// Gap between panels, in pixels.
    pub gap: f32,
    /// Size factor relative to a 1280x800 window, for fonts and strokes.
    pub scale: f32,
}

impl Panels {
    /// The named panels (the window excluded), in drawing order.
    pub fn named(&self) -> [(&'static str, Rect); 6] {
        [
            ("title", self.title),
            ("dag", self.dag),
            ("table", self.table),
            ("legend", self.legend),
            ("scatter", self.scatter),
            ("line", self.line),
        ]
    }
}

/// Splits `a..b` at `a + frac * (b - a - gap)`, leaving `gap` between the
/// parts; returns the end of the first part and the start of the second,
/// both whole pixels.
fn split(a: f32, b: f32, frac: f32, gap: f32) -> (f32, f32) {
    let span = (b - a).max(0.0);
    let gap = gap.min(span);
    let first_end = (a + (span - gap) * frac).round().clamp(a, b);
    let second_start = (first_end + gap).round().clamp(first_end, b);
    (first_end, second_start)
}

/// Panel rectangles for a `width` x `height` window (see the module docs
/// for the arrangement).
pub fn dashboard_panels(width: u32, height: u32) -> Panels {
    let w = width as f32;
    let h = height as f32;
    let scale = (w / 1280.0).min(h / 800.0).clamp(0.0, 3.0);
    let margin = (16.0 * scale)
        .round()
        .min((w * 0.05).floor())
        .min((h * 0.05).floor());
    let gap = (12.0 * scale)
        .round()
        .min((w * 0.02).floor())
        .min((h * 0.02).floor());

    let x0 = margin;
    let x1 = (w - margin).max(x0);
    let y0 = margin;
    let y1 = (h - margin).max(y0);

    // Title bar: 44 px at 1280x800, at least 28 px, at most 15% of the height.
    let title_h = (44.0 * scale).max(28.0).min(h * 0.15).round();
    let title_bottom = (y0 + title_h).min(y1);
    let title = Rect::from_edges(x0, y0, x1, title_bottom);
    let content_top = (title_bottom + gap).min(y1);

    let (left_end, right_start) = split(x0, x1, 0.38, gap);
    let (dag_end, table_start) = split(content_top, y1, 0.58, gap);
    let dag = Rect::from_edges(x0, content_top, left_end, dag_end);
    let table = Rect::from_edges(x0, table_start, left_end, y1);

    // Legend strip: 28 px at 1280x800, at least 22 px, at most 12% of the
    // content height.
    let legend_h = (28.0 * scale)
        .max(22.0)
        .min((y1 - content_top) * 0.12)
        .round();
    let legend_end = (content_top + legend_h).min(y1);
    let legend = Rect::from_edges(right_start, content_top, x1, legend_end);
    let plots_top = (legend_end + gap).min(y1);
    let (scatter_end, line_start) = split(plots_top, y1, 0.64, gap);
    let scatter = Rect::from_edges(right_start, plots_top, x1, scatter_end);
    let line = Rect::from_edges(right_start, line_start, x1, y1);

    Panels {
        window: Rect::new(0.0, 0.0, w, h),
        title,
        dag,
        table,
        legend,
        scatter,
        line,
        margin,
        gap,
        scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_size_proportions() {
        let p = dashboard_panels(1280, 800);
        assert_eq!(p.margin, 16.0);
        assert_eq!(p.gap, 12.0);
        assert_eq!(p.title.h, 44.0);
        assert!(p.scatter.w * p.scatter.h > p.dag.w * p.dag.h);
        assert!(p.scatter.w > p.dag.w);
        assert!(p.line.y > p.scatter.bottom());
        assert!(p.table.y > p.dag.bottom());
    }

    #[test]
    fn zero_window() {
        let p = dashboard_panels(0, 0);
        for (_, r) in p.named() {
            assert!(r.w >= 0.0 && r.h >= 0.0);
            assert!(p.window.contains_rect(&r));
        }
    }

    #[test]
    fn rect_helpers() {
        let a = Rect::new(0.0, 0.0, 10.0, 10.0);
        let b = Rect::new(10.0, 0.0, 5.0, 5.0);
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&Rect::new(9.0, 9.0, 5.0, 5.0)));
        assert_eq!(a.inset(20.0).w, 0.0);
        assert!(a.contains_point([5.0, 5.0]));
    }
}
