//! A plot's axes: the plot area inside its panel, the data-to-pixel
//! transform, gridlines, ticks and labels.

use super::theme::Theme;
use super::Measure;
use crate::layout::nice_ticks;
use crate::layout::Rect;
use crate::render::{HAlign, MeshBuilder, PixelRect, TextRun, VAlign, ViewTransform};

/// Axis layout of a plot: the plot area inside its panel and the data to
/// pixel transform.
pub struct Axes {
    pub area: PixelRect,
    pub view: ViewTransform,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// Axes with gridlines, ticks and labels inside `content`.
#[allow(clippy::too_many_arguments)]
pub fn draw_axes(
    mesh: &mut MeshBuilder,
    texts: &mut Vec<TextRun>,
    content: Rect,
    x: (f64, f64),
    y: (f64, f64),
    x_label: &str,
    y_label: &str,
    x_fmt: &dyn Fn(f64, f64) -> String,
    y_fmt: &dyn Fn(f64, f64) -> String,
    theme: &Theme,
    measure: &mut Measure,
) -> Axes {
    let labels = (x_label, y_label, x_fmt, y_fmt);
    draw_axes_shifted(mesh, texts, content, x, y, 0.0, labels, theme, measure)
}

/// The labels of a pair of axes and how their ticks read.
type AxisLabels<'a> = (
    &'a str,
    &'a str,
    &'a dyn Fn(f64, f64) -> String,
    &'a dyn Fn(f64, f64) -> String,
);

/// [`draw_axes`] whose x ticks read `x_shift` more than the data they
/// stand at (a step axis over 0-based positions reads from 1), chosen as
/// round numbers of what they read.
#[allow(clippy::too_many_arguments)]
pub fn draw_axes_shifted(
    mesh: &mut MeshBuilder,
    texts: &mut Vec<TextRun>,
    content: Rect,
    x: (f64, f64),
    y: (f64, f64),
    x_shift: f64,
    (x_label, y_label, x_fmt, y_fmt): AxisLabels<'_>,
    theme: &Theme,
    measure: &mut Measure,
) -> Axes {
    let bottom = content.y + content.h - theme.tick_size - 8.0 - theme.label_size - 6.0;
    let top = content.y + theme.tick_size + 10.0;
    // about five ticks, fewer where a short plot would crowd their labels
    let height = f64::from((bottom - top).max(1.0));
    let min_gap = f64::from(theme.tick_size) * 1.8;
    let mut target = 5;
    let mut ty = nice_ticks(y.0, y.1, target);
    while target > 2 && ty.step / (y.1 - y.0).max(f64::MIN_POSITIVE) * height < min_gap {
        target -= 1;
        ty = nice_ticks(y.0, y.1, target);
    }
    let y_labels: Vec<String> = ty.values.iter().map(|&v| y_fmt(v, ty.step)).collect();
    let label_w = y_labels
        .iter()
        .map(|l| measure(l, theme.tick_size).0)
        .fold(0.0f32, f32::max);
    let left = content.x + theme.label_size + 8.0 + label_w + 8.0;
    let area = PixelRect::new(
        left,
        top,
        (content.x + content.w - left).max(1.0),
        (bottom - top).max(1.0),
    );
    let sx = area.w as f64 / (x.1 - x.0);
    let sy = area.h as f64 / (y.1 - y.0);
    let view = ViewTransform {
        scale: [sx as f32, -sy as f32],
        offset: [
            (area.x as f64 - x.0 * sx) as f32,
            (area.y as f64 + area.h as f64 + y.0 * sy) as f32,
        ],
    };
    let px = |vx: f64, vy: f64| view.apply([vx as f32, vy as f32]);
    // gridlines and tick labels
    for (v, label) in ty.values.iter().zip(&y_labels) {
        if *v < y.0 || *v > y.1 {
            continue;
        }
        let p = px(x.0, *v);
        mesh.line([area.x, p[1]], [area.x + area.w, p[1]], theme.grid, 1.0);
        texts.push(
            TextRun::new(
                label.clone(),
                [area.x - 6.0, p[1]],
                theme.tick_size,
                theme.muted,
            )
            .aligned(HAlign::Right, VAlign::Middle),
        );
    }
    let tx = nice_ticks(
        x.0 + x_shift,
        x.1 + x_shift,
        ((area.w / 110.0).round() as usize).clamp(2, 8),
    );
    for &shown in &tx.values {
        let v = shown - x_shift;
        if v < x.0 || v > x.1 {
            continue;
        }
        let p = px(v, y.0);
        mesh.line([p[0], area.y], [p[0], area.y + area.h], theme.grid, 1.0);
        texts.push(
            TextRun::new(
                x_fmt(shown, tx.step),
                [p[0], area.y + area.h + 5.0],
                theme.tick_size,
                theme.muted,
            )
            .aligned(HAlign::Center, VAlign::Top),
        );
    }
    // frame
    mesh.line(
        [area.x, area.y + area.h],
        [area.x + area.w, area.y + area.h],
        theme.axis,
        1.2,
    );
    mesh.line([area.x, area.y], [area.x, area.y + area.h], theme.axis, 1.2);
    texts.push(
        TextRun::new(
            x_label,
            [area.x + area.w / 2.0, content.y + content.h],
            theme.label_size,
            theme.text,
        )
        .aligned(HAlign::Center, VAlign::Bottom),
    );
    // the y label, stacked letter by letter would be unreadable: write it
    // horizontally above the axis instead
    texts.push(
        TextRun::new(
            y_label,
            [content.x, area.y - 8.0],
            theme.tick_size,
            theme.muted,
        )
        .aligned(HAlign::Left, VAlign::Bottom),
    );
    Axes { area, view, x, y }
}
