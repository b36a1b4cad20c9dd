//! Layered (Sugiyama-style) layout of a directed graph.
//!
//! 1. Cycles, if any, are broken by reversing the edges that go against a
//!    topological order (smallest node index first among the ready nodes).
//! 2. Layers: longest path from the sources, so every edge points to a
//!    later layer. Sources other than node 0 (nodes unreachable from the
//!    input) sit one layer above their nearest successor; with
//!    [`LayoutOptions::output_last`] the last node, when it is a sink, gets
//!    a layer of its own after all the others.
//! 3. Edges spanning several layers are split by dummy nodes.
//! 4. Crossing reduction: barycenter sweeps, alternately down and up, for a
//!    fixed number of passes; the ordering with the fewest crossings wins
//!    (counted in O(E log V) with a Fenwick tree). Small graphs then get a
//!    pass of adjacent swaps that only ever lower the count.
//! 5. Coordinates within a layer: repeated sweeps that move every node to
//!    the weighted mean of its neighbours' positions, subject to minimum
//!    separations (solved exactly per layer by pool-adjacent-violators), so
//!    edges are short, long edges straight and nodes never overlap.
//! 6. Edges become polylines between the facing sides of their nodes (the
//!    earlier node's side towards the next layer, the later node's side
//!    towards the previous one), crossing each dummy's layer straight along
//!    the layer axis; several ends on one side are spread apart in the
//!    order of their other ends.
//!
//! Very large layered graphs (hundreds of thousands of vertices counting
//! dummies) get fewer passes so that the work stays bounded.
//!
//! Everything is deterministic: the same input gives the same layout.

mod layered;
use layered::*;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::curve::{arrow_at_end, shorten_end, smooth_polyline, Arrow, Cubic};
use super::panels::Rect;
use crate::arch::Dag;

/// Which way the layers run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    /// Layers stacked downwards; nodes of a layer side by side.
    #[default]
    TopToBottom,
    /// Layers from left to right; nodes of a layer one above another.
    LeftToRight,
}

/// Settings of [`layout_graph`]. Lengths are in the caller's units
/// (pixels, usually); negative or non-finite values fall back to the
/// defaults, and lengths are clamped to 1e7.
#[derive(Clone, Debug, PartialEq)]
pub struct LayoutOptions {
    pub direction: Direction,
    /// `[width, height]` of a node whose size the caller does not give.
    pub default_size: [f32; 2],
    /// Space between two neighbouring nodes of a layer.
    pub node_gap: f32,
    /// Space between an edge passing through a layer and its neighbours.
    pub edge_gap: f32,
    /// Space between consecutive layers.
    pub layer_gap: f32,
    /// Barycenter sweeps of the crossing reduction (0: keep input order).
    pub crossing_passes: usize,
    /// Down-and-up sweeps of the coordinate assignment.
    pub coordinate_passes: usize,
    /// Put the last node, when it is a sink, in a layer after all others.
    pub output_last: bool,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            direction: Direction::TopToBottom,
            default_size: [96.0, 32.0],
            node_gap: 24.0,
            edge_gap: 12.0,
            layer_gap: 40.0,
            crossing_passes: 24,
            coordinate_passes: 12,
            output_last: true,
        }
    }
}

/// A placed node: centre, `[width, height]` and layer index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeBox {
    pub center: [f32; 2],
    pub size: [f32; 2],
    pub layer: usize,
}

impl NodeBox {
    /// The node's rectangle.
    pub fn rect(&self) -> Rect {
        Rect::new(
            self.center[0] - self.size[0] * 0.5,
            self.center[1] - self.size[1] * 0.5,
            self.size[0],
            self.size[1],
        )
    }
}

/// A routed edge: a polyline from the border of node `from` to the border
/// of node `to`, through the positions of its dummy nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgePath {
    pub from: usize,
    pub to: usize,
    pub points: Vec<[f32; 2]>,
}

impl EdgePath {
    /// The edge as smooth cubic segments ending at the target's border.
    pub fn curve(&self) -> Vec<Cubic> {
        smooth_polyline(&self.points)
    }

    /// The arrowhead at the target end.
    pub fn arrow(&self) -> Option<Arrow> {
        arrow_at_end(&self.points)
    }

    /// The curve shortened to stop at the base of an arrowhead `length`
    /// long, and that arrowhead (tip on the target's border).
    pub fn curve_with_arrow(&self, length: f32) -> (Vec<Cubic>, Option<Arrow>) {
        let arrow = self.arrow();
        (smooth_polyline(&shorten_end(&self.points, length)), arrow)
    }
}

/// A finished layout. Coordinates start at `(0, 0)`; `bounds` is
/// `[min_x, min_y, max_x, max_y]` of all boxes and edge points.
#[derive(Clone, Debug, PartialEq)]
pub struct DagLayout {
    /// One box per node, in node order.
    pub nodes: Vec<NodeBox>,
    /// One path per distinct edge, sorted by `(from, to)`; edges whose
    /// endpoints are out of range are left out, self-loops are small loops
    /// beside their node.
    pub edges: Vec<EdgePath>,
    pub bounds: [f32; 4],
    /// Number of layers.
    pub layer_count: usize,
    /// Edge crossings between consecutive layers in the chosen ordering.
    pub crossings: usize,
    pub direction: Direction,
}

impl DagLayout {
    pub fn width(&self) -> f32 {
        self.bounds[2] - self.bounds[0]
    }

    pub fn height(&self) -> f32 {
        self.bounds[3] - self.bounds[1]
    }

    /// Scale and offset that fit the layout, centred, into `target`,
    /// scaled by at most `max_scale`: a point `p` maps to `p * scale +
    /// offset`.
    pub fn fit(&self, target: Rect, max_scale: f32) -> (f32, [f32; 2]) {
        let (w, h) = (self.width(), self.height());
        let mut scale = if max_scale.is_finite() && max_scale > 0.0 {
            max_scale
        } else {
            1.0
        };
        if w > 0.0 {
            scale = scale.min(target.w.max(0.0) / w);
        }
        if h > 0.0 {
            scale = scale.min(target.h.max(0.0) / h);
        }
        let c = target.center();
        let offset = [
            c[0] - (self.bounds[0] + w * 0.5) * scale,
            c[1] - (self.bounds[1] + h * 0.5) * scale,
        ];
        (scale, offset)
    }

    /// The layout scaled by `scale` and moved by `offset` (sizes too).
    pub fn transformed(&self, scale: f32, offset: [f32; 2]) -> DagLayout {
        let tp = |p: [f32; 2]| [p[0] * scale + offset[0], p[1] * scale + offset[1]];
        DagLayout {
            nodes: self
                .nodes
                .iter()
                .map(|n| NodeBox {
                    center: tp(n.center),
                    size: [n.size[0] * scale, n.size[1] * scale],
                    layer: n.layer,
                })
                .collect(),
            edges: self
                .edges
                .iter()
                .map(|e| EdgePath {
                    from: e.from,
                    to: e.to,
                    points: e.points.iter().map(|&p| tp(p)).collect(),
                })
                .collect(),
            bounds: {
                let a = tp([self.bounds[0], self.bounds[1]]);
                let b = tp([self.bounds[2], self.bounds[3]]);
                [a[0], a[1], b[0], b[1]]
            },
            layer_count: self.layer_count,
            crossings: self.crossings,
            direction: self.direction,
        }
    }

    /// The layout fitted into `target` (see [`DagLayout::fit`]).
    pub fn fitted(&self, target: Rect, max_scale: f32) -> DagLayout {
        let (scale, offset) = self.fit(target, max_scale);
        self.transformed(scale, offset)
    }
}

/// Lays out `dag` with every node at the default size.
pub fn layout_dag(dag: &Dag, options: &LayoutOptions) -> DagLayout {
    layout_graph(dag.nodes.len(), &dag.edges, options, |_| None)
}

/// Lays out `dag` with node sizes from `size(index, label)` (`[width,
/// height]`, e.g. measured label text plus padding).
pub fn layout_dag_with<F>(dag: &Dag, options: &LayoutOptions, mut size: F) -> DagLayout
where
    F: FnMut(usize, &str) -> [f32; 2],
{
    layout_graph(dag.nodes.len(), &dag.edges, options, |i| {
        dag.nodes.get(i).map(|label| size(i, label))
    })
}

/// Lays out a graph of `n` nodes and `(from, to)` edges, with node sizes
/// from `size(index)` (`None`, negative or non-finite: the default size).
pub fn layout_graph<F>(
    n: usize,
    edges: &[(usize, usize)],
    options: &LayoutOptions,
    size: F,
) -> DagLayout
where
    F: FnMut(usize) -> Option<[f32; 2]>,
{
    let opts = Opts::new(options);
    let sizes = node_sizes(n, size, opts.default_size);
    let valid = valid_edges(n, edges);
    let proper: Vec<(usize, usize)> = valid.iter().copied().filter(|&(a, b)| a != b).collect();

    let oriented = orient(n, &proper);
    let layer = assign_layers(n, &oriented, opts.output_last);
    let mut g = Layered::build(n, &layer, &oriented);
    let crossings = g.order(opts.crossing_passes);
    let along = usize::from(opts.direction == Direction::TopToBottom);
    let across = 1 - along;
    // Extent of every vertex within its layer (dummies: none).
    let ext: Vec<f64> = (0..g.vertex_count())
        .map(|v| sizes.get(v).map_or(0.0, |s| s[across]))
        .collect();
    let x = g.positions(&ext, &opts);
    let placed = Placed {
        n,
        g: &g,
        x: &x,
        layer: &layer,
        sizes: &sizes,
        bands: Bands::new(&sizes, &layer, g.layers.len(), along, opts.layer_gap),
        along,
        direction: opts.direction,
    };
    let nodes = placed.nodes(opts.default_size);
    // Edge ends are spread along the side of a node that faces the next
    // (or previous) layer, in the order of the edges' other ends.
    let ports = port_offsets(&g, &x, &ext, opts.edge_gap);
    let paths = placed.edges(&valid, &nodes, &ports, opts.node_gap);
    normalise(nodes, paths, g.layers.len(), crossings, opts.direction)
}

/// Each node's `[width, height]`: from `size`, else (`None`, negative or
/// non-finite) the default, at most [`MAX_LENGTH`].
fn node_sizes<F>(n: usize, mut size: F, default_size: [f64; 2]) -> Vec<[f64; 2]>
where
    F: FnMut(usize) -> Option<[f32; 2]>,
{
    (0..n)
        .map(|i| {
            let s = size(i);
            let pick = |k: usize, fallback: f64| match s {
                Some(v) if v[k].is_finite() && v[k] >= 0.0 => f64::from(v[k]).min(MAX_LENGTH),
                _ => fallback,
            };
            [pick(0, default_size[0]), pick(1, default_size[1])]
        })
        .collect()
}

/// The distinct edges between nodes `0..n`, sorted (self-loops kept).
fn valid_edges(n: usize, edges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut valid: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a < n && b < n)
        .collect();
    valid.sort_unstable();
    valid.dedup();
    valid
}

/// The layers' bands along the layer axis: each as thick as its thickest
/// node, one gap apart.
struct Bands {
    top: Vec<f64>,
    thick: Vec<f64>,
}

impl Bands {
    fn new(sizes: &[[f64; 2]], layer: &[usize], layers: usize, along: usize, gap: f64) -> Bands {
        let mut thick = vec![0.0f64; layers];
        for (v, s) in sizes.iter().enumerate() {
            if let Some(th) = layer.get(v).and_then(|&l| thick.get_mut(l)) {
                *th = th.max(s[along]);
            }
        }
        let mut top = Vec::with_capacity(thick.len());
        let mut acc = 0.0;
        for &t in &thick {
            top.push(acc);
            acc += t + gap;
        }
        Bands { top, thick }
    }

    fn top(&self, l: usize) -> f64 {
        self.top.get(l).copied().unwrap_or(0.0)
    }

    fn thick(&self, l: usize) -> f64 {
        self.thick.get(l).copied().unwrap_or(0.0)
    }

    /// The middle of layer `l`'s band.
    fn center(&self, l: usize) -> f64 {
        self.top(l) + self.thick(l) * 0.5
    }
}

/// The ordered, positioned layered graph: where its nodes and its edges'
/// points go.
struct Placed<'a> {
    /// Real nodes (the vertices past them are dummies).
    n: usize,
    g: &'a Layered,
    /// Every vertex's position within its layer.
    x: &'a [f64],
    layer: &'a [usize],
    sizes: &'a [[f64; 2]],
    bands: Bands,
    /// The index of the size along the layer axis.
    along: usize,
    direction: Direction,
}

impl Placed<'_> {
    /// The point at `inlayer` within a layer and `axis` along the layers.
    fn place(&self, inlayer: f64, axis: f64) -> [f32; 2] {
        match self.direction {
            Direction::TopToBottom => [inlayer as f32, axis as f32],
            Direction::LeftToRight => [axis as f32, inlayer as f32],
        }
    }

    fn axis_center(&self, v: usize) -> f64 {
        self.bands.center(self.layer.get(v).copied().unwrap_or(0))
    }

    fn half_along(&self, v: usize) -> f64 {
        self.sizes.get(v).map_or(0.0, |s| s[self.along] * 0.5)
    }

    /// Every node's box, centred in its layer's band.
    fn nodes(&self, default_size: [f64; 2]) -> Vec<NodeBox> {
        (0..self.n)
            .map(|v| {
                let l = self.layer.get(v).copied().unwrap_or(0);
                let s = self.sizes.get(v).copied().unwrap_or(default_size);
                NodeBox {
                    center: self.place(self.x.get(v).copied().unwrap_or(0.0), self.bands.center(l)),
                    size: [s[0] as f32, s[1] as f32],
                    layer: l,
                }
            })
            .collect()
    }

    /// The paths of the `valid` edges: self-loops beside their node, the
    /// others along their chains of dummies, ends spread by `ports`.
    fn edges(
        &self,
        valid: &[(usize, usize)],
        nodes: &[NodeBox],
        ports: &[[f64; 2]],
        node_gap: f64,
    ) -> Vec<EdgePath> {
        let mut paths = Vec::with_capacity(valid.len());
        let mut chains = self.g.chains.iter().zip(ports);
        for &(from, to) in valid {
            if from == to {
                if let Some(b) = nodes.get(from) {
                    paths.push(EdgePath {
                        from,
                        to,
                        points: self_loop(b, self.direction, node_gap),
                    });
                }
                continue;
            }
            let Some((chain, port)) = chains.next() else {
                break;
            };
            let mut points = self.chain_points(chain, port);
            if chain.reversed {
                points.reverse();
            }
            paths.push(EdgePath { from, to, points });
        }
        paths
    }

    /// A chain's polyline, from the side of its first node facing the
    /// next layer (at `port[0]`) through each dummy's band to the side of
    /// its last node facing the previous one (at `port[1]`).
    fn chain_points(&self, chain: &Chain, port: &[f64; 2]) -> Vec<[f32; 2]> {
        let verts = self
            .g
            .chain_vertices
            .get(chain.start..chain.end)
            .unwrap_or(&[]);
        let last = verts.len().saturating_sub(1);
        let mut pts: Vec<[f32; 2]> = Vec::with_capacity(verts.len() * 2);
        for (i, &v) in verts.iter().enumerate() {
            let xv = self.x.get(v).copied().unwrap_or(0.0);
            if v < self.n {
                let c = self.axis_center(v);
                if i == 0 {
                    pts.push(self.place(xv + port[0], c + self.half_along(v)));
                } else if i == last {
                    pts.push(self.place(xv + port[1], c - self.half_along(v)));
                }
            } else {
                let l = self.g.layer_of.get(v).copied().unwrap_or(0);
                let (t, th) = (self.bands.top(l), self.bands.thick(l));
                pts.push(self.place(xv, t));
                if th > 1e-6 {
                    pts.push(self.place(xv, t + th));
                }
            }
        }
        pts
    }
}

/// Moves everything so the bounds start at `(0, 0)`.
fn normalise(
    mut nodes: Vec<NodeBox>,
    mut edges: Vec<EdgePath>,
    layer_count: usize,
    crossings: usize,
    direction: Direction,
) -> DagLayout {
    let mut lo = [f32::INFINITY; 2];
    let mut hi = [f32::NEG_INFINITY; 2];
    let mut grow = |p: [f32; 2]| {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    };
    for b in &nodes {
        grow([b.center[0] - b.size[0] * 0.5, b.center[1] - b.size[1] * 0.5]);
        grow([b.center[0] + b.size[0] * 0.5, b.center[1] + b.size[1] * 0.5]);
    }
    for e in &edges {
        for &p in &e.points {
            grow(p);
        }
    }
    if !(lo[0].is_finite() && lo[1].is_finite() && hi[0].is_finite() && hi[1].is_finite()) {
        lo = [0.0; 2];
        hi = [0.0; 2];
    }
    for b in &mut nodes {
        b.center = [b.center[0] - lo[0], b.center[1] - lo[1]];
    }
    for e in &mut edges {
        for p in &mut e.points {
            *p = [p[0] - lo[0], p[1] - lo[1]];
        }
    }
    DagLayout {
        nodes,
        edges,
        bounds: [0.0, 0.0, hi[0] - lo[0], hi[1] - lo[1]],
        layer_count,
        crossings,
        direction,
    }
}

/// For every chain, the offsets (within the layer) of its two ends from
/// the centres of their nodes: up to `spacing` apart, within the middle 60%
/// of the node's side, ordered by where the edge goes.
fn port_offsets(g: &Layered, x: &[f64], ext: &[f64], spacing: f64) -> Vec<[f64; 2]> {
    let mut out = vec![[0.0f64; 2]; g.chains.len()];
    // (node, end: 0 start / 1 end, position of the other side, chain)
    let mut ends: Vec<(usize, usize, f64, usize)> = Vec::with_capacity(g.chains.len() * 2);
    for (c, ch) in g.chains.iter().enumerate() {
        let v = g.chain_vertices.get(ch.start..ch.end).unwrap_or(&[]);
        if let ([a, next, ..], [.., prev, b]) = (v, v) {
            ends.push((*a, 0, x[*next], c));
            ends.push((*b, 1, x[*prev], c));
        }
    }
    ends.sort_by(|p, q| {
        (p.0, p.1)
            .cmp(&(q.0, q.1))
            .then(p.2.total_cmp(&q.2))
            .then(p.3.cmp(&q.3))
    });
    for group in ends.chunk_by(|p, q| p.0 == q.0 && p.1 == q.1) {
        let k = group.len();
        if k < 2 {
            continue;
        }
        let v = group[0].0;
        let spread = ((k - 1) as f64 * spacing).min(ext[v] * 0.6);
        for (i, e) in group.iter().enumerate() {
            out[e.3][e.1] = spread * (i as f64 / (k - 1) as f64 - 0.5);
        }
    }
    out
}

/// A small loop on the side of a node, within the gap to its neighbour.
fn self_loop(b: &NodeBox, direction: Direction, gap: f64) -> Vec<[f32; 2]> {
    let r = (gap * 0.4) as f32;
    let [cx, cy] = b.center;
    let [hw, hh] = [b.size[0] * 0.5, b.size[1] * 0.5];
    match direction {
        Direction::TopToBottom => {
            let (x, q) = (cx + hw, hh * 0.5);
            vec![[x, cy - q], [x + r, cy - q], [x + r, cy + q], [x, cy + q]]
        }
        Direction::LeftToRight => {
            let (y, q) = (cy + hh, hw * 0.5);
            vec![[cx - q, y], [cx - q, y + r], [cx + q, y + r], [cx + q, y]]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inversions_match_brute_force() {
        let seq = [3, 1, 4, 1, 5, 0, 2, 6, 5, 3];
        let brute = (0..seq.len())
            .flat_map(|i| (i + 1..seq.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| seq[i] > seq[j])
            .count();
        let mut tree = Vec::new();
        assert_eq!(inversions(&seq, 7, &mut tree), brute);
    }

    #[test]
    fn pava_respects_order() {
        let mut blocks = Vec::new();
        pava(&[3.0, 1.0, 2.0], &[1.0, 1.0, 1.0], &mut blocks);
        assert_eq!(blocks.len(), 1);
        assert!((blocks[0].sum_wy / blocks[0].sum_w - 2.0).abs() < 1e-12);
        pava(&[1.0, 2.0], &[1.0, 1.0], &mut blocks);
        assert_eq!(blocks.len(), 2);
    }

    /// `n` nodes and `edges` laid out with the default options and sizes.
    fn plain(n: usize, edges: &[(usize, usize)]) -> DagLayout {
        layout_graph(n, edges, &LayoutOptions::default(), |_| None)
    }

    #[test]
    fn cycles_are_broken() {
        let l = plain(3, &[(0, 1), (1, 2), (2, 0)]);
        assert_eq!(l.edges.len(), 3);
        let back = l.edges.iter().find(|e| e.from == 2 && e.to == 0).unwrap();
        assert!(back.points.len() >= 2);
    }

    #[test]
    fn out_of_range_edges_are_dropped() {
        let l = plain(2, &[(0, 1), (0, 5), (1, 1)]);
        assert_eq!(l.edges.len(), 2);
    }
}
