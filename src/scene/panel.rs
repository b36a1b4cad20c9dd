//! What every panel of the dashboard shares: its frame and title, the
//! message of an empty one, a title shortened to fit.

use super::theme::Theme;
use super::{Measure, ViewScene};
use crate::layout::Rect;
use crate::render::{HAlign, MeshBuilder, PixelRect, TextRun, VAlign};

/// A layout rectangle as the renderer's pixel rectangle.
pub(crate) fn to_pixel(r: Rect) -> PixelRect {
    PixelRect::new(r.x, r.y, r.w, r.h)
}

/// Inside a panel's frame, from its edge to its title.
const PAD: f32 = 12.0;

/// The content rectangle of a panel in `rect`: inside the frame, below
/// the title.
pub fn panel_content(rect: Rect, theme: &Theme) -> Rect {
    Rect::new(
        rect.x + PAD,
        rect.y + PAD + theme.label_size + 10.0,
        (rect.w - 2.0 * PAD).max(1.0),
        (rect.h - 2.0 * PAD - theme.label_size - 10.0).max(1.0),
    )
}

/// Draws a framed panel with a title; returns the content rectangle
/// ([`panel_content`]).
pub(crate) fn panel_frame(
    mesh: &mut MeshBuilder,
    texts: &mut Vec<TextRun>,
    rect: Rect,
    title: &str,
    theme: &Theme,
) -> Rect {
    mesh.rounded_rect(
        [rect.x, rect.y],
        [rect.x + rect.w, rect.y + rect.h],
        8.0,
        Some(theme.panel),
        Some((theme.panel_border, 1.0)),
    );
    texts.push(TextRun::new(
        title,
        [rect.x + PAD, rect.y + PAD - 2.0],
        theme.label_size + 1.0,
        theme.text,
    ));
    panel_content(rect, theme)
}

/// A framed view that only says `message` (nothing to show).
pub(crate) fn empty_view(
    mesh: MeshBuilder,
    mut texts: Vec<TextRun>,
    rect: Rect,
    content: Rect,
    message: &str,
    theme: &Theme,
) -> ViewScene {
    texts.push(
        TextRun::new(message, content.center(), theme.body_size, theme.muted)
            .aligned(HAlign::Center, VAlign::Middle),
    );
    let mut scene = ViewScene::new(to_pixel(rect));
    scene.mesh = mesh.build();
    scene.texts = texts;
    scene
}

/// Shortens `s` to fit `width` pixels, with an ellipsis.
pub(crate) fn fit(s: &str, size: f32, width: f32, measure: &mut Measure) -> String {
    if measure(s, size).0 <= width {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let t: String = chars[..n].iter().collect::<String>() + "…";
        if measure(&t, size).0 <= width {
            return t;
        }
    }
    "…".into()
}
