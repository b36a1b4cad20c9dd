//! What to draw, as plain data: each dashboard view is a function of
//! (run, analytics, step, view state) to circles, a tessellated mesh and
//! text runs in a panel. Nothing here talks to the GPU; `render/` draws it.

pub mod axes;
pub mod dag;
pub mod dashboard;
pub mod density;
pub mod insight;
pub mod motion;
pub mod panel;
pub mod pick;
pub mod plots;
pub mod points;
pub mod table;
pub mod theme;
pub mod transition;

use crate::render::{
    Circle, Mesh, MeshBuilder, Panel, PixelRect, SizeMode, TextRun, ViewTransform,
};

pub use dashboard::{build_dashboard, DashboardOptions, ViewKind};
pub use theme::Theme;

/// Measures text: `(text, font size) -> (width, height)` in pixels.
pub type Measure<'a> = dyn FnMut(&str, f32) -> (f32, f32) + 'a;

/// A rough measure for tests and for callers without a text renderer
/// (DejaVu Sans averages about 0.55 em per character).
pub fn approx_measure(text: &str, size: f32) -> (f32, f32) {
    let lines = text.split('\n');
    let mut w: f32 = 0.0;
    let mut n = 0;
    for l in lines {
        w = w.max(l.chars().count() as f32 * size * 0.56);
        n += 1;
    }
    (w, n as f32 * size * 1.2)
}

/// The primitives of one view, in one panel: first the mesh (axes, boxes,
/// curves), then the circles, then the text, each in the panel's data
/// coordinates.
pub struct ViewScene {
    pub rect: PixelRect,
    /// Data-to-pixel transform of `circles` (the mesh and text are in
    /// pixels).
    pub(crate) data_view: ViewTransform,
    pub mesh: Mesh,
    /// Mesh drawn above the circles (markers, annotations).
    pub overlay: Mesh,
    pub circles: Vec<Circle>,
    pub(crate) circle_size: SizeMode,
    pub texts: Vec<TextRun>,
}

impl ViewScene {
    pub fn new(rect: PixelRect) -> Self {
        ViewScene {
            rect,
            data_view: ViewTransform::IDENTITY,
            mesh: MeshBuilder::new().build(),
            overlay: MeshBuilder::new().build(),
            circles: Vec::new(),
            circle_size: SizeMode::Pixels,
            texts: Vec::new(),
        }
    }

    /// The panel for pixel-space content.
    pub(crate) fn pixel_panel(&self) -> Panel {
        Panel {
            rect: self.rect,
            view: ViewTransform::IDENTITY,
        }
    }

    /// The panel for data-space content (the circles).
    pub(crate) fn data_panel(&self) -> Panel {
        Panel {
            rect: self.rect,
            view: self.data_view,
        }
    }
}

pub use crate::fmt::{fmt_pct, fmt_pp};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let (w, h) = approx_measure("ab\ncdef", 10.0);
        assert!(w > 20.0 && h > 20.0);
    }
}
