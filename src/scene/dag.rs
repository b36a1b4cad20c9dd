//! The architecture view: the current trial's DAG as layered boxes
//! coloured by op, edges as curves with arrowheads, and the diff against
//! its parent (or the previous trial): added layers and edges highlighted,
//! changed ops outlined, removed ones ghosted.

use super::plots::panel_frame;
use super::theme::{op_color, op_label, Theme};
use super::{Measure, ViewScene};
use crate::arch::{Arch, Dag};
use crate::layout::Rect;
use crate::layout::{arrow_at_end, shorten_end, smooth_polyline};
use crate::layout::{layout_dag_with, LayoutOptions};
use crate::render::{Color, HAlign, MeshBuilder, PixelRect, TextRun, VAlign};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Same,
    Added,
    Changed,
    Ghost,
}

/// The architecture view of `arch`, diffed against `reference` when given.
pub fn dag_view(
    arch: &Arch,
    reference: Option<&Arch>,
    title: &str,
    rect: Rect,
    theme: &Theme,
    measure: &mut Measure,
) -> ViewScene {
    let mut mesh = MeshBuilder::new();
    let mut texts = Vec::new();
    let content = panel_frame(&mut mesh, &mut texts, rect, title, theme);
    let mut scene = ViewScene::new(PixelRect::new(rect.x, rect.y, rect.w, rect.h));

    // the union of the new DAG and the ghosts of what was removed
    let cur = arch.evaluated_dag();
    let mut nodes: Vec<(String, Mark)> =
        cur.nodes.iter().map(|n| (n.clone(), Mark::Same)).collect();
    let mut edges: Vec<(usize, usize, Mark)> =
        cur.edges.iter().map(|&(a, b)| (a, b, Mark::Same)).collect();
    let mut summary = String::new();
    if let Some(r) = reference {
        if let Ok(d) = r.diff(arch) {
            let old = r.evaluated_dag();
            for &n in &d.nodes_added {
                if let Some(x) = nodes.get_mut(n) {
                    x.1 = Mark::Added;
                }
            }
            for &(_, n) in &d.ops_changed {
                if let Some(x) = nodes.get_mut(n) {
                    x.1 = Mark::Changed;
                }
            }
            for e in edges.iter_mut() {
                if d.edges_added.contains(&(e.0, e.1)) {
                    e.2 = Mark::Added;
                }
            }
            let mut ghost_of = vec![None; old.len()];
            for &o in &d.nodes_removed {
                ghost_of[o] = Some(nodes.len());
                nodes.push((old.nodes[o].clone(), Mark::Ghost));
            }
            for &(a, b) in &d.edges_removed {
                let map = |o: usize| ghost_of[o].or(d.node_map.get(o).copied().flatten());
                if let (Some(x), Some(y)) = (map(a), map(b)) {
                    edges.push((x, y, Mark::Ghost));
                }
            }
            let mut parts = Vec::new();
            let plural =
                |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
            if !d.nodes_added.is_empty() {
                parts.push(plural(d.nodes_added.len(), "layer") + " added");
            }
            if !d.nodes_removed.is_empty() {
                parts.push(plural(d.nodes_removed.len(), "layer") + " removed");
            }
            if !d.ops_changed.is_empty() {
                parts.push(plural(d.ops_changed.len(), "op") + " changed");
            }
            if !d.edges_added.is_empty() || !d.edges_removed.is_empty() {
                parts.push(format!(
                    "edges +{} −{}",
                    d.edges_added.len(),
                    d.edges_removed.len()
                ));
            }
            summary = if parts.is_empty() {
                "same architecture as the reference".into()
            } else {
                parts.join(", ")
            };
        }
    }
    if nodes.is_empty() {
        return super::plots::empty_view(mesh, texts, rect, content, "Empty architecture", theme);
    }
    let union = Dag::new(
        nodes.iter().map(|n| n.0.clone()).collect(),
        edges.iter().map(|&(a, b, _)| (a, b)).collect(),
    );
    let font = theme.body_size;
    let labels: Vec<String> = nodes.iter().map(|n| op_label(&n.0)).collect();
    let sizes: Vec<[f32; 2]> = labels
        .iter()
        .map(|l| {
            let (w, _) = measure(l, font);
            [w + 22.0, font * 2.1]
        })
        .collect();
    let lay = layout_dag_with(&union, &LayoutOptions::default(), |i, _| {
        sizes.get(i).copied().unwrap_or([60.0, 30.0])
    });
    // fit the layout into the content box (below the summary line)
    let top = content.y
        + if summary.is_empty() {
            0.0
        } else {
            theme.tick_size + 10.0
        };
    let avail = Rect::new(
        content.x,
        top,
        content.w,
        (content.y + content.h - top).max(1.0),
    );
    let [bx0, by0, bx1, by1] = lay.bounds;
    let (bw, bh) = ((bx1 - bx0).max(1.0), (by1 - by0).max(1.0));
    let s = (avail.w / bw).min(avail.h / bh).min(1.3);
    let ox = avail.x + (avail.w - bw * s) / 2.0 - bx0 * s;
    let oy = avail.y + (avail.h - bh * s) / 2.0 - by0 * s;
    let tf = |p: [f32; 2]| [p[0] * s + ox, p[1] * s + oy];
    if !summary.is_empty() {
        texts.push(TextRun::new(
            summary,
            [content.x, content.y],
            theme.tick_size,
            theme.muted,
        ));
    }
    let font_s = (font * s).clamp(7.0, font * 1.2);
    // edges first
    let marks: std::collections::HashMap<(usize, usize), Mark> =
        edges.iter().map(|&(a, b, m)| ((a, b), m)).collect();
    for e in &lay.edges {
        let mark = marks.get(&(e.from, e.to)).copied().unwrap_or(Mark::Same);
        let (color, width) = match mark {
            Mark::Added => (theme.added, 2.4),
            Mark::Ghost => (theme.removed.with_alpha(120), 1.4),
            _ => (theme.edge, 1.5),
        };
        let pts: Vec<[f32; 2]> = e.points.iter().map(|&p| tf(p)).collect();
        let head = (8.0 * s).clamp(5.0, 10.0);
        let shaft = shorten_end(&pts, head * 0.8);
        for c in smooth_polyline(&shaft) {
            mesh.cubic(c.from, c.ctrl1, c.ctrl2, c.to, color, width);
        }
        if let Some(a) = arrow_at_end(&pts) {
            mesh.arrowhead(a.tip, a.dir, head, head * 0.8, color);
        }
    }
    // then the boxes and their labels
    for (i, nb) in lay.nodes.iter().enumerate() {
        let Some((op, mark)) = nodes.get(i) else {
            continue;
        };
        let c = tf(nb.center);
        let half = [nb.size[0] * s / 2.0, nb.size[1] * s / 2.0];
        let (min, max) = (
            [c[0] - half[0], c[1] - half[1]],
            [c[0] + half[0], c[1] + half[1]],
        );
        let base = op_color(op);
        let (fill, text_color) = match mark {
            Mark::Ghost => (Color::rgba(255, 255, 255, 0), theme.removed),
            _ => (base, Color::WHITE),
        };
        let stroke = match mark {
            Mark::Added => Some((theme.added, 3.0)),
            Mark::Changed => Some((theme.changed, 3.0)),
            Mark::Ghost => Some((theme.removed.with_alpha(170), 1.5)),
            Mark::Same => None,
        };
        if matches!(mark, Mark::Added | Mark::Changed) {
            // a halo makes the highlight readable on any op colour
            mesh.rounded_rect(
                [min[0] - 4.0, min[1] - 4.0],
                [max[0] + 4.0, max[1] + 4.0],
                8.0 * s + 4.0,
                None,
                stroke,
            );
            mesh.rounded_rect(min, max, 7.0 * s, Some(fill), None);
        } else {
            mesh.rounded_rect(min, max, 7.0 * s, Some(fill), stroke);
        }
        texts.push(
            TextRun::new(labels[i].clone(), c, font_s, text_color)
                .aligned(HAlign::Center, VAlign::Middle),
        );
    }
    scene.mesh = mesh.build();
    scene.texts = texts;
    scene
}
