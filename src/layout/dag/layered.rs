//! The layered layout's machinery (Sugiyama-style): orienting the edges,
//! assigning layers, ordering each layer against crossings (with a work
//! budget), and placing nodes by isotonic regression ([`pava`]), for
//! [`super::layout_graph`].

use super::*;

/// Largest node size or gap used; larger values are clamped to it.
pub(super) const MAX_LENGTH: f64 = 1e7;

/// Options with every number made usable.
pub(super) struct Opts {
    pub(super) direction: Direction,
    pub(super) default_size: [f64; 2],
    pub(super) node_gap: f64,
    pub(super) edge_gap: f64,
    pub(super) layer_gap: f64,
    pub(super) crossing_passes: usize,
    pub(super) coordinate_passes: usize,
    pub(super) output_last: bool,
}

impl Opts {
    pub(super) fn new(o: &LayoutOptions) -> Opts {
        let d = LayoutOptions::default();
        let ok = |v: f32, fallback: f32| {
            let v = if v.is_finite() && v >= 0.0 {
                v
            } else {
                fallback
            };
            f64::from(v).min(MAX_LENGTH)
        };
        Opts {
            direction: o.direction,
            default_size: [
                ok(o.default_size[0], d.default_size[0]),
                ok(o.default_size[1], d.default_size[1]),
            ],
            node_gap: ok(o.node_gap, d.node_gap),
            edge_gap: ok(o.edge_gap, d.edge_gap),
            layer_gap: ok(o.layer_gap, d.layer_gap),
            crossing_passes: o.crossing_passes.min(1000),
            coordinate_passes: o.coordinate_passes.min(1000),
            output_last: o.output_last,
        }
    }
}

/// An edge pointing forward in a topological order: `(a, b)` with
/// `reversed` telling whether the caller's edge was `(b, a)`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Oriented {
    pub(super) a: usize,
    pub(super) b: usize,
    pub(super) reversed: bool,
}

/// Compressed adjacency lists.
#[derive(Default)]
pub(super) struct Csr {
    pub(super) start: Vec<usize>,
    pub(super) adj: Vec<usize>,
}

impl Csr {
    pub(super) fn build(nv: usize, pairs: &[(usize, usize)]) -> Csr {
        let mut start = vec![0usize; nv + 1];
        for &(k, _) in pairs {
            if k < nv {
                start[k + 1] += 1;
            }
        }
        for i in 0..nv {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut adj = vec![0usize; pairs.len()];
        for &(k, v) in pairs {
            if k < nv {
                adj[fill[k]] = v;
                fill[k] += 1;
            }
        }
        Csr { start, adj }
    }

    pub(super) fn of(&self, v: usize) -> &[usize] {
        match (self.start.get(v), self.start.get(v + 1)) {
            (Some(&a), Some(&b)) => self.adj.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Orients `edges` (in range, no self-loops) along a topological order
/// that prefers small indices; edges against it (cycles) are reversed.
pub(super) fn orient(n: usize, edges: &[(usize, usize)]) -> Vec<Oriented> {
    let succ = Csr::build(n, edges);
    let mut indeg = vec![0usize; n];
    for &(_, b) in edges {
        indeg[b] += 1;
    }
    let mut heap: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&v| indeg[v] == 0).map(Reverse).collect();
    let mut pos = vec![usize::MAX; n];
    let mut done = vec![false; n];
    let mut next = 0;
    let mut scan = 0;
    while next < n {
        let v = match heap.pop() {
            Some(Reverse(v)) => v,
            None => {
                // A cycle: release the smallest remaining node.
                while scan < n && done[scan] {
                    scan += 1;
                }
                if scan >= n {
                    break;
                }
                scan
            }
        };
        if done[v] {
            continue;
        }
        done[v] = true;
        pos[v] = next;
        next += 1;
        for &w in succ.of(v) {
            if !done[w] {
                indeg[w] = indeg[w].saturating_sub(1);
                if indeg[w] == 0 {
                    heap.push(Reverse(w));
                }
            }
        }
    }
    edges
        .iter()
        .map(|&(a, b)| {
            if pos[a] < pos[b] {
                Oriented {
                    a,
                    b,
                    reversed: false,
                }
            } else {
                Oriented {
                    a: b,
                    b: a,
                    reversed: true,
                }
            }
        })
        .collect()
}

/// Longest-path layers (see the module docs).
pub(super) fn assign_layers(n: usize, edges: &[Oriented], output_last: bool) -> Vec<usize> {
    let pairs: Vec<(usize, usize)> = edges.iter().map(|e| (e.b, e.a)).collect();
    let preds = Csr::build(n, &pairs);
    let pairs: Vec<(usize, usize)> = edges.iter().map(|e| (e.a, e.b)).collect();
    let succs = Csr::build(n, &pairs);
    // Kahn's order over the oriented (acyclic) edges.
    let mut indeg: Vec<usize> = (0..n).map(|v| preds.of(v).len()).collect();
    let mut stack: Vec<usize> = (0..n).rev().filter(|&v| indeg[v] == 0).collect();
    let mut layer = vec![0usize; n];
    while let Some(v) = stack.pop() {
        for &w in succs.of(v) {
            layer[w] = layer[w].max(layer[v] + 1);
            indeg[w] = indeg[w].saturating_sub(1);
            if indeg[w] == 0 {
                stack.push(w);
            }
        }
    }
    for v in 1..n {
        if preds.of(v).is_empty() {
            if let Some(m) = succs.of(v).iter().map(|&w| layer[w]).min() {
                layer[v] = m.saturating_sub(1);
            }
        }
    }
    if output_last && n >= 2 && succs.of(n - 1).is_empty() {
        let others = layer[..n - 1].iter().copied().max().unwrap_or(0);
        layer[n - 1] = layer[n - 1].max(others + 1);
    }
    layer
}

/// The path of one edge through the layered graph.
pub(super) struct Chain {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) reversed: bool,
}

/// The proper layered graph: real nodes `0..n`, then dummy vertices.
pub(super) struct Layered {
    pub(super) n: usize,
    pub(super) layer_of: Vec<usize>,
    pub(super) up: Csr,
    pub(super) down: Csr,
    pub(super) layers: Vec<Vec<usize>>,
    pub(super) pos: Vec<usize>,
    pub(super) chains: Vec<Chain>,
    pub(super) chain_vertices: Vec<usize>,
}

/// Weight of a segment for straightening: real-real 1, real-dummy 2,
/// dummy-dummy 8.
pub(super) fn seg_weight(n: usize, a: usize, b: usize) -> f64 {
    match (a >= n, b >= n) {
        (false, false) => 1.0,
        (true, true) => 8.0,
        _ => 2.0,
    }
}

impl Layered {
    pub(super) fn build(n: usize, layer: &[usize], edges: &[Oriented]) -> Layered {
        let mut layer_of: Vec<usize> = layer.to_vec();
        let mut segs: Vec<(usize, usize)> = Vec::with_capacity(edges.len());
        let mut chains = Vec::with_capacity(edges.len());
        let mut chain_vertices = Vec::with_capacity(edges.len() * 2);
        for e in edges {
            let start = chain_vertices.len();
            let (la, lb) = (layer[e.a], layer[e.b]);
            let mut prev = e.a;
            chain_vertices.push(e.a);
            for l in la + 1..lb {
                let d = layer_of.len();
                layer_of.push(l);
                segs.push((prev, d));
                chain_vertices.push(d);
                prev = d;
            }
            segs.push((prev, e.b));
            chain_vertices.push(e.b);
            chains.push(Chain {
                start,
                end: chain_vertices.len(),
                reversed: e.reversed,
            });
        }
        let nv = layer_of.len();
        let down = Csr::build(nv, &segs);
        let rev: Vec<(usize, usize)> = segs.iter().map(|&(a, b)| (b, a)).collect();
        let up = Csr::build(nv, &rev);
        let layer_count = layer_of.iter().copied().max().map_or(0, |m| m + 1);
        let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
        let mut pos = vec![0usize; nv];
        for (v, &l) in layer_of.iter().enumerate() {
            pos[v] = layers[l].len();
            layers[l].push(v);
        }
        Layered {
            n,
            layer_of,
            up,
            down,
            layers,
            pos,
            chains,
            chain_vertices,
        }
    }

    pub(super) fn vertex_count(&self) -> usize {
        self.layer_of.len()
    }

    /// Crossings between all pairs of consecutive layers.
    pub(super) fn crossings(&self, seq: &mut Vec<usize>, tree: &mut Vec<usize>) -> usize {
        let mut total = 0;
        for l in 0..self.layers.len().saturating_sub(1) {
            seq.clear();
            for &u in &self.layers[l] {
                let s = seq.len();
                seq.extend(self.down.of(u).iter().map(|&v| self.pos[v]));
                seq[s..].sort_unstable();
            }
            total += inversions(seq, self.layers[l + 1].len(), tree);
        }
        total
    }

    /// Reorders layer `l` by the barycenters of its neighbours' positions
    /// in the layer above (`use_up`) or below; vertices without such
    /// neighbours keep their position as key, ties keep the current order.
    pub(super) fn sort_layer(&mut self, l: usize, use_up: bool, keys: &mut Vec<(f64, usize)>) {
        keys.clear();
        let adj = if use_up { &self.up } else { &self.down };
        for &v in &self.layers[l] {
            let nb = adj.of(v);
            let key = if nb.is_empty() {
                self.pos[v] as f64
            } else {
                nb.iter().map(|&u| self.pos[u] as f64).sum::<f64>() / nb.len() as f64
            };
            keys.push((key, v));
        }
        // Stable sort: equal keys keep the current order.
        keys.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (i, &(_, v)) in keys.iter().enumerate() {
            self.layers[l][i] = v;
            self.pos[v] = i;
        }
    }

    /// Crossing reduction; returns the final crossing count.
    pub(super) fn order(&mut self, passes: usize) -> usize {
        let mut seq = Vec::new();
        let mut tree = Vec::new();
        let mut keys = Vec::new();
        let mut best = self.crossings(&mut seq, &mut tree);
        let mut best_layers = self.layers.clone();
        let nl = self.layers.len();
        let passes = passes.min(WORK_BUDGET / self.vertex_count().max(1));
        for pass in 0..passes {
            if best == 0 {
                break;
            }
            if pass % 2 == 0 {
                for l in 1..nl {
                    self.sort_layer(l, true, &mut keys);
                }
            } else {
                for l in (0..nl.saturating_sub(1)).rev() {
                    self.sort_layer(l, false, &mut keys);
                }
            }
            let c = self.crossings(&mut seq, &mut tree);
            if c < best {
                best = c;
                best_layers.clone_from(&self.layers);
            }
        }
        self.layers = best_layers;
        for layer in &self.layers {
            for (i, &v) in layer.iter().enumerate() {
                self.pos[v] = i;
            }
        }
        if passes > 0 && best > 0 && self.vertex_count() <= TRANSPOSE_LIMIT {
            self.transpose();
            best = self.crossings(&mut seq, &mut tree);
        }
        best
    }

    /// Crossings between the edges of `u` and of `v` (with `u` left of
    /// `v`) towards one neighbouring layer.
    pub(super) fn pair_crossings(&self, u: usize, v: usize, adj: &Csr) -> usize {
        let mut c = 0;
        for &a in adj.of(u) {
            for &b in adj.of(v) {
                if self.pos[a] > self.pos[b] {
                    c += 1;
                }
            }
        }
        c
    }

    /// Swaps neighbours while that lowers the crossing count.
    pub(super) fn transpose(&mut self) {
        for _ in 0..32 {
            let mut improved = false;
            for l in 0..self.layers.len() {
                for i in 0..self.layers[l].len().saturating_sub(1) {
                    let (u, v) = (self.layers[l][i], self.layers[l][i + 1]);
                    let before =
                        self.pair_crossings(u, v, &self.up) + self.pair_crossings(u, v, &self.down);
                    let after =
                        self.pair_crossings(v, u, &self.up) + self.pair_crossings(v, u, &self.down);
                    if after < before {
                        self.layers[l].swap(i, i + 1);
                        self.pos[u] = i + 1;
                        self.pos[v] = i;
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Positions within layers (see the module docs); `ext` is each
    /// vertex's extent along its layer.
    pub(super) fn positions(&self, ext: &[f64], opts: &Opts) -> Vec<f64> {
        let nv = self.vertex_count();
        let n = self.n;
        // Offset of every vertex from the first of its layer when all are
        // packed at minimum separation.
        let mut offset = vec![0.0f64; nv];
        let mut x = vec![0.0f64; nv];
        for layer in &self.layers {
            let mut acc = 0.0;
            for (i, &v) in layer.iter().enumerate() {
                if let Some(&prev) = i.checked_sub(1).and_then(|p| layer.get(p)) {
                    let gap = if prev < n && v < n {
                        opts.node_gap
                    } else {
                        opts.edge_gap
                    };
                    acc += (ext[prev] + ext[v]) * 0.5 + gap;
                }
                offset[v] = acc;
            }
            for &v in layer {
                x[v] = offset[v] - acc * 0.5;
            }
        }
        let nl = self.layers.len();
        let passes = opts
            .coordinate_passes
            .min(WORK_BUDGET / (2 * nv).max(1))
            .max(2);
        let mut work = PlaceWork::default();
        for pass in 0..passes {
            // The first pass places every layer under its parents; the
            // others balance parents and children.
            let use_down = pass > 0;
            for l in 1..nl {
                self.place_layer(l, use_down, &offset, &mut x, &mut work);
            }
            if use_down {
                for l in (0..nl.saturating_sub(1)).rev() {
                    self.place_layer(l, use_down, &offset, &mut x, &mut work);
                }
            }
        }
        x
    }

    /// Moves the vertices of layer `l` as close as the separations allow
    /// to the weighted mean of their neighbours above (and below, with
    /// `use_down`): least squares, solved exactly.
    pub(super) fn place_layer(
        &self,
        l: usize,
        use_down: bool,
        offset: &[f64],
        x: &mut [f64],
        w: &mut PlaceWork,
    ) {
        let layer = &self.layers[l];
        w.target.clear();
        w.weight.clear();
        for &v in layer {
            let (mut sw, mut swx) = (0.0, 0.0);
            for &u in self.up.of(v) {
                let wt = seg_weight(self.n, u, v);
                sw += wt;
                swx += wt * x[u];
            }
            if use_down {
                for &u in self.down.of(v) {
                    let wt = seg_weight(self.n, u, v);
                    sw += wt;
                    swx += wt * x[u];
                }
            }
            let (desired, weight) = if sw > 0.0 {
                (swx / sw, sw)
            } else {
                (x[v], 1e-3)
            };
            // With y = x - offset the separations say: y non-decreasing
            // along the layer (isotonic regression).
            w.target.push(desired - offset[v]);
            w.weight.push(weight);
        }
        pava(&w.target, &w.weight, &mut w.blocks);
        let mut vs = layer.iter();
        for b in &w.blocks {
            let y = b.sum_wy / b.sum_w;
            for &v in vs.by_ref().take(b.len) {
                x[v] = y + offset[v];
            }
        }
    }
}

/// Vertex sweeps allowed for coordinate assignment and crossing reduction;
/// very large layered graphs get fewer passes (at least two).
pub(super) const WORK_BUDGET: usize = 4_000_000;

/// Vertex-count limit for the adjacent-swap refinement.
pub(super) const TRANSPOSE_LIMIT: usize = 600;

#[derive(Default)]
pub(super) struct PlaceWork {
    pub(super) target: Vec<f64>,
    pub(super) weight: Vec<f64>,
    pub(super) blocks: Vec<Block>,
}

#[derive(Clone, Copy)]
pub(super) struct Block {
    pub(super) sum_w: f64,
    pub(super) sum_wy: f64,
    pub(super) len: usize,
}

/// Pool-adjacent-violators: the non-decreasing sequence closest to
/// `target` in weighted least squares, as blocks of equal value.
pub(super) fn pava(target: &[f64], weight: &[f64], blocks: &mut Vec<Block>) {
    blocks.clear();
    for (&t, &w) in target.iter().zip(weight) {
        let mut b = Block {
            sum_w: w,
            sum_wy: w * t,
            len: 1,
        };
        while let Some(last) = blocks.last() {
            // Mean of `last` >= mean of `b` (weights are positive).
            if last.sum_wy * b.sum_w >= b.sum_wy * last.sum_w {
                b.sum_w += last.sum_w;
                b.sum_wy += last.sum_wy;
                b.len += last.len;
                blocks.pop();
            } else {
                break;
            }
        }
        blocks.push(b);
    }
}

/// Pairs `i < j` with `seq[i] > seq[j]`; values lie in `0..m`.
pub(super) fn inversions(seq: &[usize], m: usize, tree: &mut Vec<usize>) -> usize {
    tree.clear();
    tree.resize(m + 1, 0);
    let mut count = 0;
    for (inserted, &j) in seq.iter().enumerate() {
        // Number of earlier values <= j.
        let mut le = 0;
        let mut i = j + 1;
        while i > 0 {
            le += tree[i];
            i &= i - 1;
        }
        count += inserted - le;
        let mut i = j + 1;
        while i <= m {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    count
}
