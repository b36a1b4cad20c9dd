//! The architecture view: the current trial's DAG as layered boxes
//! coloured by op, edges as curves with arrowheads, and the diff against
//! its parent (or the previous trial): added layers and edges highlighted,
//! changed ops outlined, removed ones ghosted.
//!
//! The view is built in two steps: [`dag_picture`] places every box and
//! edge (a [`DagPicture`], plain data in pixels), [`draw_picture`] turns it
//! into a mesh and text. Between two steps the viewer draws
//! [`morph`]`(from, to, u)`: boxes matched by the structural diff move,
//! the others fade and shrink out or grow in.

use super::motion::{fade, lerp, lerp2, lerp_color, resample};
use super::panel::{fit, panel_content, panel_frame};
use super::theme::{op_color, op_label, Theme};
use super::{Measure, ViewScene};
use crate::arch::{Arch, ArchDiff, Dag};
use crate::layout::Rect;
use crate::layout::{arrow_at_end, shorten_end, smooth_polyline};
use crate::layout::{layout_dag_with, DagLayout, LayoutOptions};
use crate::render::{Color, HAlign, MeshBuilder, PixelRect, TextRun, VAlign};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Same,
    Added,
    Changed,
    Ghost,
}

/// One placed box of a [`DagPicture`].
#[derive(Clone, Debug, PartialEq)]
pub struct DagNode {
    /// Index of the node in the architecture's evaluated DAG; `None` for
    /// a ghost of a removed node (or one fading out in a morph).
    pub id: Option<usize>,
    pub op: String,
    pub label: String,
    pub mark: Mark,
    /// The op this node had in the reference, when its op changed.
    pub was: Option<String>,
    pub center: [f32; 2],
    /// Full width and height.
    pub size: [f32; 2],
    pub fill: Color,
    pub text: Color,
    /// How visible (0..=1) and how large (relative) the box is.
    pub alpha: f32,
    pub scale: f32,
}

/// One routed edge of a [`DagPicture`].
#[derive(Clone, Debug, PartialEq)]
pub struct DagEdge {
    /// `(from, to)` node ids in the architecture; `None` for ghosts.
    pub key: Option<(usize, usize)>,
    pub mark: Mark,
    pub points: Vec<[f32; 2]>,
    pub alpha: f32,
}

/// The architecture view laid out in pixels, before drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct DagPicture {
    pub rect: Rect,
    pub title: String,
    /// The diff in words ("1 layer added, ..."), empty without a reference.
    pub summary: String,
    pub nodes: Vec<DagNode>,
    pub edges: Vec<DagEdge>,
    /// Scale of the layout (font and corner sizes follow it).
    pub scale: f32,
    /// Shown instead of a graph when there is none.
    pub empty: Option<String>,
}

impl DagPicture {
    /// A view with no graph, saying `message`.
    pub fn empty(rect: Rect, title: &str, message: &str) -> DagPicture {
        DagPicture {
            rect,
            title: title.to_string(),
            summary: String::new(),
            nodes: Vec::new(),
            edges: Vec::new(),
            scale: 1.0,
            empty: Some(message.to_string()),
        }
    }
}

/// Places `arch` (diffed against `reference` when given) in `rect`.
pub fn dag_picture(
    arch: &Arch,
    reference: Option<&Arch>,
    title: &str,
    rect: Rect,
    theme: &Theme,
    measure: &mut Measure,
) -> DagPicture {
    // the title stays inside its panel (a narrow window shortens it)
    let title = fit(title, theme.label_size + 1.0, rect.w - 24.0, measure);
    let union = Union::of(arch, reference);
    if union.nodes.is_empty() {
        return DagPicture {
            summary: union.summary,
            ..DagPicture::empty(rect, &title, "Empty architecture")
        };
    }
    let font = theme.body_size;
    let labels: Vec<String> = union.nodes.iter().map(|n| op_label(&n.1)).collect();
    let sizes: Vec<[f32; 2]> = labels
        .iter()
        .map(|l| {
            let (w, _) = measure(l, font);
            [w + 22.0, font * 2.1]
        })
        .collect();
    let lay = layout_dag_with(&union.dag(), &LayoutOptions::default(), |i, _| {
        sizes.get(i).copied().unwrap_or([60.0, 30.0])
    });
    // fit the layout into the content box (below the summary line)
    let content = panel_content(rect, theme);
    let top = content.y
        + if union.summary.is_empty() {
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
    let fit = Fit::into(lay.bounds, avail);
    DagPicture {
        rect,
        title,
        edges: union.placed_edges(&lay, &fit),
        nodes: union.placed_nodes(&lay, &fit, labels, theme),
        summary: union.summary,
        scale: fit.s,
        empty: None,
    }
}

/// The drawn architecture's DAG and the ghosts of what it lost against
/// the reference, each node and edge marked, and the diff in words.
struct Union {
    /// Per node: its index in the architecture's DAG (`None` for a
    /// ghost), its op and its mark.
    nodes: Vec<(Option<usize>, String, Mark)>,
    edges: Vec<(usize, usize, Mark)>,
    /// Per node of the architecture: its op in the reference, if changed.
    was: Vec<Option<String>>,
    summary: String,
}

impl Union {
    /// `arch`'s DAG, marked against `reference` where the two diff.
    fn of(arch: &Arch, reference: Option<&Arch>) -> Union {
        let cur = arch.evaluated_dag();
        let mut union = Union {
            was: vec![None; cur.nodes.len()],
            nodes: cur
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (Some(i), n.clone(), Mark::Same))
                .collect(),
            edges: cur.edges.iter().map(|&(a, b)| (a, b, Mark::Same)).collect(),
            summary: String::new(),
        };
        if let Some(r) = reference {
            if let Ok(d) = r.diff(arch) {
                union.mark(&d, &r.evaluated_dag());
                union.summary = diff_summary(&d);
            }
        }
        union
    }

    /// Marks what `d` added and changed, and adds the ghosts of what it
    /// removed from `old`.
    fn mark(&mut self, d: &ArchDiff, old: &Dag) {
        for &n in &d.nodes_added {
            if let Some(x) = self.nodes.get_mut(n) {
                x.2 = Mark::Added;
            }
        }
        for &(o, n) in &d.ops_changed {
            if let Some(x) = self.nodes.get_mut(n) {
                x.2 = Mark::Changed;
                if let Some(w) = self.was.get_mut(n) {
                    *w = old.nodes.get(o).cloned();
                }
            }
        }
        for e in self.edges.iter_mut() {
            if d.edges_added.contains(&(e.0, e.1)) {
                e.2 = Mark::Added;
            }
        }
        let mut ghost_of = vec![None; old.len()];
        for &o in &d.nodes_removed {
            ghost_of[o] = Some(self.nodes.len());
            self.nodes.push((None, old.nodes[o].clone(), Mark::Ghost));
        }
        for &(a, b) in &d.edges_removed {
            let map = |o: usize| ghost_of[o].or(d.node_map.get(o).copied().flatten());
            if let (Some(x), Some(y)) = (map(a), map(b)) {
                self.edges.push((x, y, Mark::Ghost));
            }
        }
    }

    /// The union as one DAG, to lay out.
    fn dag(&self) -> Dag {
        Dag::new(
            self.nodes.iter().map(|n| n.1.clone()).collect(),
            self.edges.iter().map(|&(a, b, _)| (a, b)).collect(),
        )
    }

    /// The laid-out edges, placed by `fit`, with their marks.
    fn placed_edges(&self, lay: &DagLayout, fit: &Fit) -> Vec<DagEdge> {
        let marks: std::collections::HashMap<(usize, usize), Mark> =
            self.edges.iter().map(|&(a, b, m)| ((a, b), m)).collect();
        let nodes = &self.nodes;
        lay.edges
            .iter()
            .map(|e| {
                let mark = marks.get(&(e.from, e.to)).copied().unwrap_or(Mark::Same);
                let key = match (nodes.get(e.from), nodes.get(e.to)) {
                    (Some((Some(a), ..)), Some((Some(b), ..))) if mark != Mark::Ghost => {
                        Some((*a, *b))
                    }
                    _ => None,
                };
                DagEdge {
                    key,
                    mark,
                    points: e.points.iter().map(|&p| fit.apply(p)).collect(),
                    alpha: 1.0,
                }
            })
            .collect()
    }

    /// The laid-out boxes, placed by `fit`, coloured by op (ghosts
    /// hollow), labelled.
    fn placed_nodes(
        &self,
        lay: &DagLayout,
        fit: &Fit,
        labels: Vec<String>,
        theme: &Theme,
    ) -> Vec<DagNode> {
        let mut placed = Vec::new();
        for ((nb, (id, op, mark)), label) in lay.nodes.iter().zip(&self.nodes).zip(labels) {
            let (fill, text) = match mark {
                Mark::Ghost => (Color::rgba(255, 255, 255, 0), theme.removed),
                _ => (op_color(op), Color::WHITE),
            };
            placed.push(DagNode {
                id: *id,
                op: op.clone(),
                label,
                mark: *mark,
                was: id.and_then(|k| self.was.get(k).cloned().flatten()),
                center: fit.apply(nb.center),
                size: [nb.size[0] * fit.s, nb.size[1] * fit.s],
                fill,
                text,
                alpha: 1.0,
                scale: 1.0,
            });
        }
        placed
    }
}

/// A diff in words: "1 layer added, 2 ops changed, edges +1 −0".
fn diff_summary(d: &ArchDiff) -> String {
    let mut parts = Vec::new();
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
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
    if parts.is_empty() {
        "same architecture as the reference".into()
    } else {
        parts.join(", ")
    }
}

/// A layout scaled (at most 1.3 times) and centred into a rectangle.
struct Fit {
    s: f32,
    ox: f32,
    oy: f32,
}

impl Fit {
    /// The fit of a layout of `bounds` into `avail`.
    fn into([bx0, by0, bx1, by1]: [f32; 4], avail: Rect) -> Fit {
        let (bw, bh) = ((bx1 - bx0).max(1.0), (by1 - by0).max(1.0));
        let s = (avail.w / bw).min(avail.h / bh).min(1.3);
        Fit {
            s,
            ox: avail.x + (avail.w - bw * s) / 2.0 - bx0 * s,
            oy: avail.y + (avail.h - bh * s) / 2.0 - by0 * s,
        }
    }

    fn apply(&self, p: [f32; 2]) -> [f32; 2] {
        [p[0] * self.s + self.ox, p[1] * self.s + self.oy]
    }
}

/// The mesh and text of a picture.
pub fn draw_picture(pic: &DagPicture, theme: &Theme) -> ViewScene {
    let rect = pic.rect;
    let mut mesh = MeshBuilder::new();
    let mut texts = Vec::new();
    let content = panel_frame(&mut mesh, &mut texts, rect, &pic.title, theme);
    if let Some(msg) = &pic.empty {
        return super::panel::empty_view(mesh, texts, rect, content, msg, theme);
    }
    let mut scene = ViewScene::new(PixelRect::new(rect.x, rect.y, rect.w, rect.h));
    if !pic.summary.is_empty() {
        texts.push(TextRun::new(
            pic.summary.clone(),
            [content.x, content.y],
            theme.tick_size,
            theme.muted,
        ));
    }
    let s = pic.scale;
    let font = theme.body_size;
    // edges first
    for e in &pic.edges {
        if e.alpha <= 0.0 {
            continue;
        }
        let (color, width) = match e.mark {
            Mark::Added => (theme.added, 2.4),
            Mark::Ghost => (theme.removed.with_alpha(120), 1.4),
            _ => (theme.edge, 1.5),
        };
        let color = fade(color, e.alpha);
        let head = (8.0 * s).clamp(5.0, 10.0);
        let shaft = shorten_end(&e.points, head * 0.8);
        for c in smooth_polyline(&shaft) {
            mesh.cubic(c.from, c.ctrl1, c.ctrl2, c.to, color, width);
        }
        if let Some(a) = arrow_at_end(&e.points) {
            mesh.arrowhead(a.tip, a.dir, head, head * 0.8, color);
        }
    }
    // then the boxes and their labels
    for n in &pic.nodes {
        if n.alpha <= 0.0 || n.scale <= 0.0 {
            continue;
        }
        let c = n.center;
        let half = [n.size[0] * n.scale / 2.0, n.size[1] * n.scale / 2.0];
        let (min, max) = (
            [c[0] - half[0], c[1] - half[1]],
            [c[0] + half[0], c[1] + half[1]],
        );
        let fill = fade(n.fill, n.alpha);
        let stroke = match n.mark {
            Mark::Added => Some((fade(theme.added, n.alpha), 3.0)),
            Mark::Changed => Some((fade(theme.changed, n.alpha), 3.0)),
            Mark::Ghost => Some((fade(theme.removed.with_alpha(170), n.alpha), 1.5)),
            Mark::Same => None,
        };
        let r = 7.0 * s * n.scale;
        if matches!(n.mark, Mark::Added | Mark::Changed) {
            // a halo makes the highlight readable on any op colour
            mesh.rounded_rect(
                [min[0] - 4.0, min[1] - 4.0],
                [max[0] + 4.0, max[1] + 4.0],
                r + s + 4.0,
                None,
                stroke,
            );
            mesh.rounded_rect(min, max, r, Some(fill), None);
        } else {
            mesh.rounded_rect(min, max, r, Some(fill), stroke);
        }
        let font_s = (font * s).clamp(7.0, font * 1.2) * n.scale.min(1.0);
        if font_s >= 4.0 {
            texts.push(
                TextRun::new(n.label.clone(), c, font_s, fade(n.text, n.alpha))
                    .aligned(HAlign::Center, VAlign::Middle),
            );
        }
    }
    scene.mesh = mesh.build();
    scene.texts = texts;
    scene
}

/// Points per edge when two edges are blended.
const EDGE_SAMPLES: usize = 12;

/// The picture `u` of the way from `from` to `to` (`u` eased, 0..=1).
/// `map[i]` is the node of `to`'s architecture that node `i` of `from`'s
/// became (the structural diff's node map). Matched boxes move and change
/// colour; `from`'s unmatched boxes and edges fade and shrink out, `to`'s
/// grow in. At `u = 1` the result is `to`.
pub fn morph(from: &DagPicture, to: &DagPicture, map: &[Option<usize>], u: f32) -> DagPicture {
    if u >= 1.0 || from.empty.is_some() {
        return to.clone();
    }
    let u = u.max(0.0);
    let mapped = |id: Option<usize>| id.and_then(|i| map.get(i).copied().flatten());
    let mut out = DagPicture {
        rect: to.rect,
        title: to.title.clone(),
        summary: to.summary.clone(),
        nodes: Vec::new(),
        edges: Vec::new(),
        scale: lerp(from.scale, to.scale, u),
        empty: to.empty.clone(),
    };
    // where each of `to`'s nodes comes from
    let mut came_from: Vec<Option<&DagNode>> = vec![None; to.nodes.len()];
    let mut matched_from = vec![false; from.nodes.len()];
    for (fi, f) in from.nodes.iter().enumerate() {
        if let Some(tid) = mapped(f.id) {
            if let Some(ti) = to.nodes.iter().position(|t| t.id == Some(tid)) {
                if came_from[ti].is_none() {
                    came_from[ti] = Some(f);
                    matched_from[fi] = true;
                }
            }
        }
    }
    // edges: blended when both ends and the edge survive
    let mut edge_matched_from = vec![false; from.edges.len()];
    let mut to_edges = Vec::new();
    for t in &to.edges {
        let src = t.key.and_then(|tk| {
            from.edges.iter().enumerate().position(|(fi, f)| {
                !edge_matched_from[fi]
                    && f.key.is_some_and(|(a, b)| {
                        map.get(a).copied().flatten() == Some(tk.0)
                            && map.get(b).copied().flatten() == Some(tk.1)
                    })
            })
        });
        match src {
            Some(fi) => {
                edge_matched_from[fi] = true;
                let a = resample(&from.edges[fi].points, EDGE_SAMPLES);
                let b = resample(&t.points, EDGE_SAMPLES);
                to_edges.push(DagEdge {
                    key: t.key,
                    mark: t.mark,
                    points: a.iter().zip(&b).map(|(p, q)| lerp2(*p, *q, u)).collect(),
                    alpha: lerp(from.edges[fi].alpha, t.alpha, u),
                });
            }
            None => to_edges.push(DagEdge {
                alpha: t.alpha * u * u,
                ..t.clone()
            }),
        }
    }
    for (fi, f) in from.edges.iter().enumerate() {
        if !edge_matched_from[fi] {
            let k = 1.0 - u;
            out.edges.push(DagEdge {
                key: None,
                alpha: f.alpha * k * k,
                ..f.clone()
            });
        }
    }
    out.edges.extend(to_edges);
    // boxes: the leaving ones underneath
    for (fi, f) in from.nodes.iter().enumerate() {
        if !matched_from[fi] {
            out.nodes.push(DagNode {
                id: None,
                alpha: f.alpha * (1.0 - u),
                scale: f.scale * (1.0 - 0.6 * u),
                ..f.clone()
            });
        }
    }
    for (ti, t) in to.nodes.iter().enumerate() {
        match came_from[ti] {
            Some(f) => out.nodes.push(DagNode {
                center: lerp2(f.center, t.center, u),
                size: lerp2(f.size, t.size, u),
                fill: lerp_color(f.fill, t.fill, u),
                text: lerp_color(f.text, t.text, u),
                label: if u < 0.5 {
                    f.label.clone()
                } else {
                    t.label.clone()
                },
                alpha: lerp(f.alpha, t.alpha, u),
                scale: lerp(f.scale, t.scale, u),
                ..t.clone()
            }),
            None => out.nodes.push(DagNode {
                alpha: t.alpha * u,
                scale: t.scale * (0.4 + 0.6 * u),
                ..t.clone()
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::sequential::LayerList;
    use crate::scene::approx_measure;

    fn seq(layers: &[&str]) -> Arch {
        match LayerList::new(layers.iter().map(|s| s.to_string()).collect()) {
            Ok(l) => Arch::Sequential(l),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn morph_moves_matched_boxes_and_fades_the_rest() {
        let theme = Theme::default();
        let rect = Rect::new(0.0, 0.0, 400.0, 500.0);
        let a = seq(&["input", "conv3x3", "output"]);
        let b = seq(&["input", "conv3x3", "maxpool", "output"]);
        let m = &mut approx_measure;
        let pa = dag_picture(&a, None, "a", rect, &theme, m);
        let pb = dag_picture(&b, Some(&a), "b", rect, &theme, m);
        let map = a.diff(&b).map(|d| d.node_map).unwrap_or_default();
        assert_eq!(morph(&pa, &pb, &map, 1.0), pb);
        let half = morph(&pa, &pb, &map, 0.5);
        // the input box is matched: halfway between its two positions
        let ia = &pa.nodes[0];
        let ib = &pb.nodes[0];
        let ih = half
            .nodes
            .iter()
            .find(|n| n.id == Some(0))
            .map(|n| n.center);
        assert_eq!(ih, Some(lerp2(ia.center, ib.center, 0.5)));
        // the added maxpool grows in, half visible
        let added = half.nodes.iter().find(|n| n.op == "maxpool");
        assert!(added.is_some_and(|n| (n.alpha - 0.5).abs() < 1e-6 && n.scale < 1.0));
        // at u = 0 the added box is invisible and matched boxes sit where they were
        let start = morph(&pa, &pb, &map, 0.0);
        assert!(start
            .nodes
            .iter()
            .filter(|n| n.op == "maxpool")
            .all(|n| n.alpha == 0.0));
        let i0 = start
            .nodes
            .iter()
            .find(|n| n.id == Some(0))
            .map(|n| n.center);
        assert_eq!(i0, Some(ia.center));
    }

    #[test]
    fn removed_boxes_fade_out() {
        let theme = Theme::default();
        let rect = Rect::new(0.0, 0.0, 400.0, 500.0);
        let a = seq(&["input", "conv3x3", "maxpool", "output"]);
        let b = seq(&["input", "conv3x3", "output"]);
        let m = &mut approx_measure;
        let pa = dag_picture(&a, None, "a", rect, &theme, m);
        let pb = dag_picture(&b, None, "b", rect, &theme, m);
        let map = a.diff(&b).map(|d| d.node_map).unwrap_or_default();
        let q = morph(&pa, &pb, &map, 0.75);
        let leaving: Vec<&DagNode> = q.nodes.iter().filter(|n| n.id.is_none()).collect();
        assert_eq!(leaving.len(), 1);
        assert!((leaving[0].alpha - 0.25).abs() < 1e-6);
        assert_eq!(leaving[0].op, "maxpool");
    }
}
