//! A plot's axes: the plot area inside its panel, the data-to-pixel
//! transform, gridlines, ticks and labels.

use super::theme::Theme;
use super::Measure;
use crate::layout::Rect;
use crate::layout::{nice_ticks, Ticks};
use crate::render::{HAlign, MeshBuilder, PixelRect, TextRun, VAlign, ViewTransform};

/// Axis layout of a plot: the plot area inside its panel and the data to
/// pixel transform.
pub struct Axes {
    pub area: PixelRect,
    pub view: ViewTransform,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// How a tick label reads: `(value, tick step) -> text`.
pub(crate) type TickFormat<'a> = &'a dyn Fn(f64, f64) -> String;

/// What a pair of axes shows: the data ranges, the axes' names and how
/// their ticks read.
#[derive(Clone, Copy)]
pub(crate) struct AxisSpec<'a> {
    pub x: (f64, f64),
    pub y: (f64, f64),
    /// The x ticks read this much more than the data they stand at (a
    /// step axis over 0-based positions reads from 1), chosen as round
    /// numbers of what they read; 0 for most axes.
    pub(crate) x_shift: f64,
    pub(crate) x_label: &'a str,
    pub(crate) y_label: &'a str,
    pub(crate) x_fmt: TickFormat<'a>,
    pub(crate) y_fmt: TickFormat<'a>,
}

impl<'a> AxisSpec<'a> {
    /// Axes over `x` and `y`, named and read as given, ticks where the data are.
    pub fn new(
        (x, y): ((f64, f64), (f64, f64)),
        (x_label, y_label): (&'a str, &'a str),
        (x_fmt, y_fmt): (TickFormat<'a>, TickFormat<'a>),
    ) -> Self {
        AxisSpec {
            x,
            y,
            x_shift: 0.0,
            x_label,
            y_label,
            x_fmt,
            y_fmt,
        }
    }
}

/// Axes with gridlines, ticks and labels inside `content`.
pub(crate) fn draw_axes(
    mesh: &mut MeshBuilder,
    texts: &mut Vec<TextRun>,
    content: Rect,
    spec: &AxisSpec<'_>,
    theme: &Theme,
    measure: &mut Measure,
) -> Axes {
    let (x, y) = (spec.x, spec.y);
    let bottom = content.y + content.h - theme.tick_size - 8.0 - theme.label_size - 6.0;
    let top = content.y + theme.tick_size + 10.0;
    let ty = y_ticks(y, f64::from((bottom - top).max(1.0)), theme);
    let y_labels: Vec<String> = ty
        .values
        .iter()
        .map(|&v| (spec.y_fmt)(v, ty.step))
        .collect();
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
    let axes = Axes {
        area,
        view: data_to_pixel(area, x, y),
        x,
        y,
    };
    let y_ticks = ty.values.iter().copied().zip(y_labels);
    axes.grid(mesh, texts, (Axis::Y, y_ticks), theme);
    // the x ticks at round numbers of what they read (`x_shift` more)
    let x_shift = spec.x_shift;
    let tx = nice_ticks(
        x.0 + x_shift,
        x.1 + x_shift,
        ((area.w / 110.0).round() as usize).clamp(2, 8),
    );
    let x_ticks = tx
        .values
        .iter()
        .map(|&shown| (shown - x_shift, (spec.x_fmt)(shown, tx.step)));
    axes.grid(mesh, texts, (Axis::X, x_ticks), theme);
    axes.frame(mesh, texts, content, spec, theme);
    axes
}

/// One of a plot's two axes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Axis {
    X,
    Y,
}

/// About five y ticks over `y`, fewer where a plot `height` pixels high
/// would crowd their labels.
fn y_ticks(y: (f64, f64), height: f64, theme: &Theme) -> Ticks {
    let min_gap = f64::from(theme.tick_size) * 1.8;
    let mut target = 5;
    let mut ty = nice_ticks(y.0, y.1, target);
    while target > 2 && ty.step / (y.1 - y.0).max(f64::MIN_POSITIVE) * height < min_gap {
        target -= 1;
        ty = nice_ticks(y.0, y.1, target);
    }
    ty
}

/// The transform putting data `x` by `y` into `area` (y growing upwards).
fn data_to_pixel(area: PixelRect, x: (f64, f64), y: (f64, f64)) -> ViewTransform {
    let sx = area.w as f64 / (x.1 - x.0);
    let sy = area.h as f64 / (y.1 - y.0);
    ViewTransform {
        scale: [sx as f32, -sy as f32],
        offset: [
            (area.x as f64 - x.0 * sx) as f32,
            (area.y as f64 + area.h as f64 + y.0 * sy) as f32,
        ],
    }
}

impl Axes {
    fn px(&self, vx: f64, vy: f64) -> [f32; 2] {
        self.view.apply([vx as f32, vy as f32])
    }

    /// Gridlines across the plot at `ticks` (values of the y axis, or
    /// of the x axis, with their labels) that lie within the axis's
    /// range, their labels left of the y axis or below the x axis.
    fn grid(
        &self,
        mesh: &mut MeshBuilder,
        texts: &mut Vec<TextRun>,
        (axis, ticks): (Axis, impl Iterator<Item = (f64, String)>),
        theme: &Theme,
    ) {
        let area = self.area;
        let y_axis = axis == Axis::Y;
        let range = if y_axis { self.y } else { self.x };
        for (v, label) in ticks {
            if v < range.0 || v > range.1 {
                continue;
            }
            let (line, at, align) = if y_axis {
                let p = self.px(self.x.0, v);
                (
                    ([area.x, p[1]], [area.x + area.w, p[1]]),
                    [area.x - 6.0, p[1]],
                    (HAlign::Right, VAlign::Middle),
                )
            } else {
                let p = self.px(v, self.y.0);
                // a label centred on a tick at the right end would run
                // past the panel: it ends at its tick instead (a digit is
                // about 0.6 of the text size wide)
                let half = label.chars().count() as f32 * theme.tick_size * 0.3;
                let h = if p[0] + half > area.x + area.w + 4.0 {
                    HAlign::Right
                } else {
                    HAlign::Center
                };
                (
                    ([p[0], area.y], [p[0], area.y + area.h]),
                    [p[0], area.y + area.h + 5.0],
                    (h, VAlign::Top),
                )
            };
            mesh.line(line.0, line.1, theme.grid, 1.0);
            texts.push(
                TextRun::new(label, at, theme.tick_size, theme.muted).aligned(align.0, align.1),
            );
        }
    }

    /// The axis lines and the axes' names: x centred below, y above the
    /// axis (a label stacked letter by letter would be unreadable).
    fn frame(
        &self,
        mesh: &mut MeshBuilder,
        texts: &mut Vec<TextRun>,
        content: Rect,
        spec: &AxisSpec<'_>,
        theme: &Theme,
    ) {
        let area = self.area;
        mesh.line(
            [area.x, area.y + area.h],
            [area.x + area.w, area.y + area.h],
            theme.axis,
            1.2,
        );
        mesh.line([area.x, area.y], [area.x, area.y + area.h], theme.axis, 1.2);
        texts.push(
            TextRun::new(
                spec.x_label,
                [area.x + area.w / 2.0, content.y + content.h],
                theme.label_size,
                theme.text,
            )
            .aligned(HAlign::Center, VAlign::Bottom),
        );
        texts.push(
            TextRun::new(
                spec.y_label,
                [content.x, area.y - 8.0],
                theme.tick_size,
                theme.muted,
            )
            .aligned(HAlign::Left, VAlign::Bottom),
        );
    }
}
